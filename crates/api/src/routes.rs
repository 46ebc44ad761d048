//! Mounting routes: [`Routes`] puts each handler on the actix router and
//! records its method and full path pattern, so the [`RouteTable`] that
//! answers 405s with `Allow`, and that tests walk, is the router's own list
//! and cannot drift from it.

use std::rc::Rc;

use actix_web::dev::{HttpServiceFactory, ResourceDef};
use actix_web::http::Method;
use actix_web::{FromRequest, Handler, HttpRequest, Resource, Responder, Scope, guard, web};

/// One route: a method on a full path pattern, e.g. `GET /api/v1/posts/{slug}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub method: Method,
    pub pattern: String,
}

/// The full pattern of the route that took a request, kept in its
/// resource's data: naming a request's route is then a lookup, where
/// [`HttpRequest::match_pattern`] would match the path again and allocate.
#[derive(Debug, Clone)]
pub struct RoutePattern(Rc<str>);

impl RoutePattern {
    /// The pattern of the route that took `req`; else, for a request no
    /// route took (a 404, or a 405 on a known path), the pattern its path
    /// matches, if any.
    pub fn of(req: &HttpRequest) -> Option<std::borrow::Cow<'_, str>> {
        match req.app_data::<RoutePattern>() {
            Some(RoutePattern(pattern)) => Some(std::borrow::Cow::Borrowed(pattern)),
            None => req.match_pattern().map(std::borrow::Cow::Owned),
        }
    }
}

/// Mounts routes on a [`web::ServiceConfig`], recording each one.
pub struct Routes<'a> {
    cfg: &'a mut web::ServiceConfig,
    prefix: String,
    mounted: &'a mut Vec<Route>,
}

impl<'a> Routes<'a> {
    /// Mount on `cfg`, recording into `mounted`.
    pub fn new(cfg: &'a mut web::ServiceConfig, mounted: &'a mut Vec<Route>) -> Self {
        Self { cfg, prefix: String::new(), mounted }
    }

    pub fn get<F, Args>(&mut self, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.to(Method::GET, path, handler)
    }

    pub fn post<F, Args>(&mut self, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.to(Method::POST, path, handler)
    }

    pub fn patch<F, Args>(&mut self, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.to(Method::PATCH, path, handler)
    }

    pub fn delete<F, Args>(&mut self, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.to(Method::DELETE, path, handler)
    }

    /// `handler` for `method` on `path`, as a resource of its own guarded by
    /// the method: a path's other methods go on to the next resource, and a
    /// method no route takes reaches the default service (a 405 naming the
    /// table's methods).
    pub fn to<F, Args>(&mut self, method: Method, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        let pattern = self.record(method.clone(), path);
        // What `ServiceConfig::route` does (the method guards the resource),
        // with the pattern in the resource's data.
        let resource = web::resource(path).guard(methods(&method)).app_data(pattern);
        self.cfg.service(resource.route(web::route().guard(methods(&method)).to(handler)));
        self
    }

    /// The routes `mount` adds, under `path`, in a scope `finish` completes
    /// (with middleware, say).
    pub fn scope<S>(
        &mut self,
        path: &str,
        finish: impl FnOnce(Scope) -> S,
        mount: impl FnOnce(&mut Routes<'_>),
    ) -> &mut Self
    where
        S: HttpServiceFactory + 'static,
    {
        let prefix = format!("{}{path}", self.prefix);
        let mounted = &mut *self.mounted;
        let scope = web::scope(path).configure(|cfg| mount(&mut Routes { cfg, prefix, mounted }));
        self.cfg.service(finish(scope));
        self
    }

    /// One resource answering each method in `routes` with its route, which
    /// `finish` completes (middleware, a default service of its own).
    pub fn resource<S>(
        &mut self,
        path: &str,
        routes: Vec<(Method, actix_web::Route)>,
        finish: impl FnOnce(Resource) -> S,
    ) -> &mut Self
    where
        S: HttpServiceFactory + 'static,
    {
        let mut resource = web::resource(path);
        for (method, route) in routes {
            let pattern = self.record(method.clone(), path);
            resource = resource.route(route.guard(methods(&method))).app_data(pattern);
        }
        self.cfg.service(finish(resource));
        self
    }

    /// Record `method` on `path` (and HEAD with GET), returning the pattern.
    fn record(&mut self, method: Method, path: &str) -> RoutePattern {
        let pattern = format!("{}{path}", self.prefix);
        let data = RoutePattern(Rc::from(pattern.as_str()));
        let head = (method == Method::GET).then(|| Route { method: Method::HEAD, pattern: pattern.clone() });
        self.mounted.push(Route { method, pattern });
        self.mounted.extend(head);
        data
    }
}

/// The guard of a route for `method`: GET takes HEAD too (RFC 9110 9.3.2),
/// and actix-web then sends GET's status and headers without the body.
fn methods(method: &Method) -> guard::AnyGuard {
    let any = guard::Any(guard::Method(method.clone()));
    if *method == Method::GET { any.or(guard::Head()) } else { any }
}

/// Every route mounted, in the order mounted, with each pattern's `Allow`.
#[derive(Debug)]
pub struct RouteTable {
    routes: Vec<Route>,
    /// Each pattern once, in the order first mounted, with its methods.
    paths: Vec<(ResourceDef, String)>,
}

impl RouteTable {
    pub fn new(routes: Vec<Route>) -> Self {
        let mut paths: Vec<(ResourceDef, String)> = Vec::new();
        for route in &routes {
            match paths.iter_mut().find(|(def, _)| def.pattern() == Some(route.pattern.as_str())) {
                Some((_, allow)) => {
                    allow.push_str(", ");
                    allow.push_str(route.method.as_str());
                }
                None => paths.push((ResourceDef::new(route.pattern.as_str()), route.method.to_string())),
            }
        }
        Self { routes, paths }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Route> {
        self.routes.iter()
    }

    /// The methods of the first pattern `path` matches, as an `Allow` value
    /// (`GET, POST`); `None` when no route has such a path.
    pub fn allow(&self, path: &str) -> Option<&str> {
        self.paths.iter().find(|(def, _)| def.is_match(path)).map(|(_, allow)| allow.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: Method, pattern: &str) -> Route {
        Route { method, pattern: pattern.to_owned() }
    }

    #[test]
    fn allow_lists_a_patterns_methods_in_the_order_mounted() {
        let table = RouteTable::new(vec![
            route(Method::GET, "/posts"),
            route(Method::GET, "/posts/{id}"),
            route(Method::POST, "/posts"),
            route(Method::DELETE, "/posts/{id}"),
        ]);
        assert_eq!(table.allow("/posts"), Some("GET, POST"));
        assert_eq!(table.allow("/posts/7"), Some("GET, DELETE"));
        assert_eq!(table.allow("/posts/7/more"), None);
        assert_eq!(table.iter().count(), 4);
    }

    #[test]
    fn scopes_prefix_what_they_record() {
        let mut mounted = Vec::new();
        let _app = actix_web::App::new().configure(|cfg| {
            let mut routes = Routes::new(cfg, &mut mounted);
            routes.get("/healthz", || async { "ok" });
            routes.scope(
                "/api",
                |s| s,
                |r| {
                    r.post("/things", || async { "made" });
                },
            );
        });
        let expected =
            [route(Method::GET, "/healthz"), route(Method::HEAD, "/healthz"), route(Method::POST, "/api/things")];
        assert_eq!(mounted, expected, "HEAD goes with GET");
    }
}
