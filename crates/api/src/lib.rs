//! Longform's HTTP surface: the routes, the error mapping and the shared
//! application state. The binary builds an `AppState` and hands it to
//! [`configure`].

pub mod admin;
pub mod auth;
pub mod body;
pub mod cache;
pub mod client;
pub mod docs;
pub mod error;
pub mod feeds;
pub mod graphql;
pub mod health;
pub mod metrics;
pub mod rest;
pub mod site;
pub mod sitemap;
pub mod telemetry;
pub mod webhooks;

use actix_web::{HttpResponse, web};
use longform_persistence::Store;

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
}

impl AppState {
    pub fn new(store: Store, site: Site, keys: auth::jwt::Keys) -> Result<Self, ApiError> {
        let routes = ROUTES.iter().map(|(pattern, _)| *pattern).chain(["/graphql"]);
        Ok(Self {
            metrics: metrics::Metrics::new(&store, routes),
            store,
            cache_control: site.cache_control_header(),
            site,
            cache: cache::ResponseCache::default(),
            auth: auth::Auth::new(keys)?,
            graphql: graphql::Graphql::default(),
        })
    }
}

/// Mount every route. `body_limit` bounds every JSON request body.
pub fn configure(cfg: &mut web::ServiceConfig, body_limit: usize) {
    cfg.app_data(body::json_config(body_limit))
        .service(health::healthz)
        .service(health::readyz)
        .service(metrics::metrics)
        .service(docs::openapi)
        .service(docs::docs)
        .service(web::scope("/api/v1/auth").configure(auth::routes::configure))
        .configure(admin::configure)
        .configure(rest::configure)
        .configure(graphql::configure)
        .configure(feeds::configure)
        .configure(sitemap::configure)
        .default_service(web::to(not_found));
}

/// Every path the API serves and the methods it answers there: a request
/// to a known path with another method gets 405 and `Allow`, not 404.
/// (GraphQL answers its own 405s.)
const ROUTES: &[(&str, &str)] = &[
    ("/healthz", "GET"),
    ("/readyz", "GET"),
    ("/metrics", "GET"),
    ("/openapi.yaml", "GET"),
    ("/docs", "GET"),
    ("/api/v1/posts", "GET"),
    ("/api/v1/posts/{slug}", "GET"),
    ("/api/v1/search", "GET"),
    ("/api/v1/tags", "GET"),
    ("/api/v1/tags/{slug}", "GET"),
    ("/api/v1/categories", "GET"),
    ("/api/v1/categories/{slug}", "GET"),
    ("/api/v1/authors", "GET"),
    ("/api/v1/authors/{slug}", "GET"),
    ("/api/v1/preview/{token}", "GET"),
    ("/api/v1/changes", "GET"),
    ("/sitemap.xml", "GET"),
    ("/sitemap-{n}.xml", "GET"),
    ("/feed.json", "GET"),
    ("/feed.xml", "GET"),
    ("/atom.xml", "GET"),
    ("/tags/{slug}/feed.json", "GET"),
    ("/tags/{slug}/feed.xml", "GET"),
    ("/tags/{slug}/atom.xml", "GET"),
    ("/categories/{slug}/feed.json", "GET"),
    ("/categories/{slug}/feed.xml", "GET"),
    ("/categories/{slug}/atom.xml", "GET"),
    ("/authors/{slug}/feed.json", "GET"),
    ("/authors/{slug}/feed.xml", "GET"),
    ("/authors/{slug}/atom.xml", "GET"),
    ("/api/v1/auth/login", "POST"),
    ("/api/v1/auth/refresh", "POST"),
    ("/api/v1/auth/logout", "POST"),
    ("/api/v1/auth/me", "GET"),
    ("/api/v1/auth/password", "POST"),
    ("/api/v1/admin/posts", "GET, POST"),
    ("/api/v1/admin/posts/{id}", "GET, PATCH, DELETE"),
    ("/api/v1/admin/posts/{id}/publish", "POST"),
    ("/api/v1/admin/posts/{id}/unpublish", "POST"),
    ("/api/v1/admin/posts/{id}/schedule", "POST"),
    ("/api/v1/admin/posts/{id}/preview", "POST"),
    ("/api/v1/admin/posts/{id}/revisions", "GET"),
    ("/api/v1/admin/posts/{id}/revisions/{number}/restore", "POST"),
    ("/api/v1/admin/posts/{id}/restore", "POST"),
    ("/api/v1/admin/posts/{id}/purge", "DELETE"),
    ("/api/v1/admin/tags", "POST"),
    ("/api/v1/admin/tags/{slug}", "PATCH, DELETE"),
    ("/api/v1/admin/categories", "POST"),
    ("/api/v1/admin/categories/{slug}", "PATCH, DELETE"),
    ("/api/v1/admin/authors", "POST"),
    ("/api/v1/admin/authors/{slug}", "PATCH, DELETE"),
    ("/api/v1/admin/users", "GET, POST"),
    ("/api/v1/admin/users/{id}", "GET, PATCH, DELETE"),
    ("/api/v1/admin/tokens", "GET, POST"),
    ("/api/v1/admin/tokens/{id}", "DELETE"),
    ("/api/v1/admin/webhooks", "GET, POST"),
    ("/api/v1/admin/webhooks/{id}", "GET, PATCH, DELETE"),
    ("/api/v1/admin/webhooks/{id}/deliveries", "GET"),
    ("/api/v1/admin/webhooks/{id}/deliveries/{delivery}/replay", "POST"),
    ("/api/v1/admin/webhooks/{id}/ping", "POST"),
];

async fn not_found(req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    match ROUTES.iter().find(|(pattern, _)| actix_web::dev::ResourceDef::new(*pattern).is_match(path)) {
        Some((_, allow)) => Err(ApiError::MethodNotAllowed { allow }),
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

    #[test]
    fn every_served_route_is_documented_with_its_methods_and_nothing_else() {
        let mut served: BTreeMap<String, Vec<String>> = super::ROUTES
            .iter()
            .map(|(path, allow)| {
                let mut methods: Vec<String> = allow.split(", ").map(str::to_owned).collect();
                methods.sort();
                ((*path).to_owned(), methods)
            })
            .collect();
        served.insert("/graphql".into(), vec!["GET".into(), "POST".into()]);
        assert_eq!(documented(), served);
    }
}
