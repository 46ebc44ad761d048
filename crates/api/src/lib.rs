//! Longform's HTTP surface: the routes, the error mapping and the shared
//! application state. The binary builds an `AppState` and hands it to
//! [`configure`]; `mount` is the URL map, and [`route_table`] the routes it
//! mounts.

pub mod admin;
pub mod admin_app;
pub mod assets;
pub mod auth;
pub mod body;
pub mod cache;
pub mod client;
pub mod compress;
pub mod docs;
pub mod error;
pub mod feeds;
pub mod ghost;
pub mod graphql;
pub mod health;
pub mod incoming;
pub mod media;
pub mod metrics;
pub mod params;
pub mod rest;
pub mod routes;
pub mod site;
pub mod sitemap;
pub mod telemetry;
pub mod webhooks;
pub mod xml;

use std::sync::OnceLock;

use actix_web::{HttpResponse, web};
use longform_persistence::Store;
use routes::{RouteTable, Routes};

pub use error::ApiError;
pub use site::{Site, UrlPatterns};

/// What every handler can reach.
pub struct AppState {
    pub store: Store,
    pub site: Site,
    /// `Cache-Control` of public answers, from `site`.
    pub cache_control: actix_web::http::header::HeaderValue,
    pub cache: cache::ResponseCache,
    pub auth: auth::Auth,
    pub graphql: graphql::Graphql,
    pub metrics: metrics::Metrics,
    /// Request bodies arriving, per client ([`incoming::meter`]).
    pub incoming: incoming::InFlight,
    /// openapi.yaml as served: naming `site.api_url` as its server.
    pub openapi: web::Bytes,
    /// Where uploads go, and their limits.
    pub media: media::Media,
    /// Content keys found valid lately (Ghost's Content API).
    pub content_keys: ghost::keys::KeyCache,
}

impl AppState {
    pub fn new(store: Store, site: Site, keys: auth::jwt::Keys, media: media::Media) -> Result<Self, ApiError> {
        let mut routes: Vec<&'static str> = Vec::new();
        for route in route_table().iter() {
            if !routes.contains(&route.pattern.as_str()) {
                routes.push(route.pattern.as_str());
            }
        }
        let graphql = graphql::Graphql::new(site.graphql_introspection);
        Ok(Self {
            metrics: metrics::Metrics::new(&store, routes),
            openapi: docs::served_openapi(&site.api_url).into(),
            store,
            cache_control: site.cache_control_header(),
            site,
            cache: cache::ResponseCache::default(),
            auth: auth::Auth::new(keys)?,
            graphql,
            incoming: incoming::InFlight::default(),
            media,
            content_keys: ghost::keys::KeyCache::default(),
        })
    }
}

/// The headers every answer carries unless it sets its own: no content
/// sniffing; for anything that is not one of the HTML pages (which have a
/// policy of their own) a policy that loads nothing and may not be framed;
/// no Referer sent from a page of ours.
pub fn security_headers() -> actix_web::middleware::DefaultHeaders {
    use actix_web::http::header;
    actix_web::middleware::DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::CONTENT_SECURITY_POLICY, "default-src 'none'; frame-ancestors 'none'"))
        .add((header::REFERRER_POLICY, "no-referrer"))
}

/// Mount every route. `body_limit` bounds every JSON request body.
pub fn configure(cfg: &mut web::ServiceConfig, body_limit: usize) {
    cfg.app_data(body::json_config(body_limit));
    mount(&mut Routes::new(cfg, &mut Vec::new()));
    cfg.default_service(web::to(not_found));
}

/// Every route [`configure`] mounts, recorded by mounting them once on a
/// throwaway `App`: the same calls build the router and this table.
pub fn route_table() -> &'static RouteTable {
    static TABLE: OnceLock<RouteTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut mounted = Vec::new();
        let _ = actix_web::App::new().configure(|cfg| mount(&mut Routes::new(cfg, &mut mounted)));
        RouteTable::new(mounted)
    })
}

/// The URL map. Scopes that match a prefix come before the shorter ones
/// that would swallow their paths (`/api/v1/admin` before `/api/v1`).
fn mount(r: &mut Routes<'_>) {
    r.get("/healthz", health::healthz)
        .get("/readyz", health::readyz)
        .get("/metrics", metrics::metrics)
        .get("/openapi.yaml", docs::openapi)
        .get("/docs", docs::docs)
        .get("/assets/{file}", assets::serve)
        .get("/media/{id}/{name}", media::serve);
    r.get("/admin/assets/{file}", admin_app::asset)
        .get("/admin", admin_app::page)
        .get("/admin/{path:.*}", admin_app::page);
    r.scope(
        "/api/v1/auth",
        |scope| scope,
        |r| {
            use auth::routes::*;
            r.post("/login", login).post("/refresh", refresh_session).post("/logout", logout);
            r.get("/me", me).post("/password", change_password);
        },
    );
    r.scope("/api/v1/admin", |scope| scope, admin_routes);
    r.scope(
        "/api/v1",
        |scope| scope.wrap(rest::public_cors()),
        |r| {
            use rest::*;
            r.get("/changes", changes::changes).get("/posts", posts::list).get("/posts/{slug}", posts::show);
            r.get("/search", search::search);
            r.get("/tags", taxonomy::tags).get("/tags/{slug}", taxonomy::tag);
            r.get("/categories", taxonomy::categories).get("/categories/{slug}", taxonomy::category);
            r.get("/authors", taxonomy::authors).get("/authors/{slug}", taxonomy::author);
            // Dynamic paths are matched by a regular expression: after the
            // static ones, so the index never pays for them.
            r.get("/preview/{token}", admin::preview::show);
        },
    );
    r.scope(
        "/ghost/api",
        |scope| scope.wrap(ghost::cors()).default_service(web::to(ghost::not_found)),
        |r| {
            ghost::mount(r, "/content");
            ghost::mount(r, "/{version:v2|v3|v4|canary}/content");
        },
    );
    graphql::routes(r);
    feeds::routes(r);
    r.get("/sitemap.xml", sitemap::index).get("/sitemap-{n}.xml", sitemap::part);
}

/// The editor API, under `/api/v1/admin`.
fn admin_routes(r: &mut Routes<'_>) {
    use admin::*;
    r.get("/posts", posts::list).post("/posts", posts::create);
    r.get("/posts/{id}", posts::show).patch("/posts/{id}", posts::edit).delete("/posts/{id}", posts::remove);
    r.post("/posts/{id}/publish", posts::publish).post("/posts/{id}/unpublish", posts::unpublish);
    r.post("/posts/{id}/schedule", posts::schedule).get("/posts/{id}/revisions", posts::revisions);
    r.post("/posts/{id}/revisions/{number}/restore", posts::restore_revision);
    r.post("/posts/{id}/restore", posts::restore_from_trash).delete("/posts/{id}/purge", posts::purge);
    taxonomy::routes(r);
    r.post("/posts/{id}/preview", preview::mint).post("/render", preview::render);
    r.get("/users", users::list).post("/users", users::create);
    r.get("/users/{id}", users::show).patch("/users/{id}", users::update).delete("/users/{id}", users::remove);
    r.get("/tokens", tokens::list).post("/tokens", tokens::create).delete("/tokens/{id}", tokens::revoke);
    r.get("/webhooks", webhooks::list).post("/webhooks", webhooks::create);
    r.get("/webhooks/{id}", webhooks::show).patch("/webhooks/{id}", webhooks::update);
    r.delete("/webhooks/{id}", webhooks::remove).get("/webhooks/{id}/deliveries", webhooks::deliveries);
    r.post("/webhooks/{id}/deliveries/{delivery}/replay", webhooks::replay);
    r.post("/webhooks/{id}/ping", webhooks::ping);
    r.get("/media", media::list).post("/media", media::upload);
    r.get("/media/{id}", media::show).patch("/media/{id}", media::update).delete("/media/{id}", media::remove);
}

/// No route took the request: a 405 naming the methods the route table has
/// for its path (GraphQL answers its own), else a 404.
async fn not_found(req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    match route_table().allow(req.path()) {
        Some(allow) => Err(ApiError::MethodNotAllowed { allow }),
        None => Err(ApiError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    /// Path -> sorted upper-case methods, as openapi.yaml documents them.
    fn documented() -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut current = None;
        let lines = crate::docs::OPENAPI_YAML.lines().skip_while(|l| *l != "paths:").skip(1);
        for line in lines.take_while(|l| *l != "components:") {
            if let Some(path) = line.strip_prefix("  /").and_then(|p| p.strip_suffix(':')) {
                current = Some(format!("/{path}"));
                continue;
            }
            let method = line.strip_prefix("    ").and_then(|l| l.strip_suffix(':'));
            if let (Some(path), Some(method)) = (&current, method)
                && ["get", "post", "put", "patch", "delete"].contains(&method)
            {
                out.entry(path.clone()).or_default().push(method.to_uppercase());
            }
        }
        out.values_mut().for_each(|m| m.sort());
        out
    }

    /// Path -> sorted methods, as the route table has them (HEAD, which
    /// goes with every GET, included).
    fn routed() -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for route in super::route_table().iter() {
            // `{path:.*}` and `{version:v2|v3}` are documented as `{path}`, `{version}`.
            let pattern = without_patterns(&route.pattern);
            out.entry(pattern).or_default().push(route.method.to_string());
        }
        out.values_mut().for_each(|m| m.sort());
        out
    }

    #[test]
    fn every_route_is_documented_with_its_methods_and_nothing_else() {
        let mut routed = routed();
        assert!(routed.contains_key("/graphql") && routed.contains_key("/tags/{slug}/atom.xml"), "{routed:?}");
        for (path, methods) in &mut routed {
            assert_eq!(
                methods.contains(&"GET".to_owned()),
                methods.contains(&"HEAD".to_owned()),
                "HEAD with GET: {path}"
            );
            methods.retain(|m| m != "HEAD"); // not listed in openapi.yaml: it is GET's
        }
        assert_eq!(documented(), routed);
    }

    /// `pattern` with each `{name:regex}` written `{name}`.
    fn without_patterns(pattern: &str) -> String {
        let mut path = String::new();
        let mut rest = pattern;
        while let Some((before, after)) = rest.split_once('{') {
            let (inside, tail) = after.split_once('}').unwrap_or((after, ""));
            path.push_str(before);
            path.push('{');
            path.push_str(inside.split(':').next().unwrap_or(inside));
            path.push('}');
            rest = tail;
        }
        path + rest
    }

    /// `pattern` with each `{name}` replaced by `x`, and each `{name:a|b}`
    /// (a choice of words) by its first word.
    fn concrete(pattern: &str) -> String {
        let mut path = String::new();
        let mut rest = pattern;
        while let Some((before, after)) = rest.split_once('{') {
            let (inside, tail) = after.split_once('}').unwrap_or((after, ""));
            path.push_str(before);
            let choice = inside
                .split_once(':')
                .map(|(_, regex)| regex)
                .filter(|r| r.chars().all(|c| c.is_ascii_alphanumeric() || c == '|'));
            path.push_str(choice.and_then(|r| r.split('|').next()).unwrap_or("x"));
            rest = tail;
        }
        path + rest
    }

    /// The router takes every route in the table, and answers a method on
    /// none of them with a 405 naming exactly the table's methods. (Without
    /// the application state a handler that needs it answers 500: anything
    /// but the default service's 404 or 405 shows a handler was reached.)
    #[actix_web::test]
    async fn the_router_serves_exactly_the_route_table() {
        use actix_web::http::Method;
        use actix_web::test::{TestRequest, call_service, init_service};
        let app = init_service(actix_web::App::new().configure(|cfg| super::configure(cfg, 1 << 20))).await;
        for route in super::route_table().iter() {
            // An unknown file is the assets handler's own 404: ask for a real one.
            let path = match route.pattern.as_str() {
                "/assets/{file}" => crate::assets::path("docs.js").to_owned(),
                "/admin/assets/{file}" => crate::admin_app::any_file().to_owned(),
                pattern => concrete(pattern),
            };
            let request = TestRequest::default().method(route.method.clone()).uri(&path).to_request();
            let status = call_service(&app, request).await.status().as_u16();
            assert!(![404, 405].contains(&status), "{} {path}: {status}", route.method);
        }
        let routed = routed();
        let mut raw: Vec<&str> = super::route_table().iter().map(|r| r.pattern.as_str()).collect();
        raw.dedup();
        for pattern in raw {
            let methods = &routed[&without_patterns(pattern)];
            let path = concrete(pattern);
            let response = call_service(&app, TestRequest::default().method(Method::PUT).uri(&path).to_request()).await;
            assert_eq!(response.status().as_u16(), 405, "PUT {path}");
            let allow = response.headers().get("allow").and_then(|v| v.to_str().ok()).unwrap_or_default();
            let mut allowed: Vec<&str> = allow.split(", ").collect();
            allowed.sort_unstable();
            assert_eq!(&allowed, methods, "PUT {path}");
        }
    }
}
