//! `longform serve`: open the store, migrate, bind, and serve until SIGTERM
//! or SIGINT, then drain in-flight requests and exit 0.

use std::io::IsTerminal;
use std::net::TcpListener;
use std::time::Duration;

use actix_web::{App, HttpServer, web};
use longform_api::auth::jwt::Keys;
use longform_api::{AppState, Site, UrlPatterns};
use secrecy::ExposeSecret;
use tracing_subscriber::EnvFilter;

use crate::config::{Environment, LogFormat, Settings};
use crate::error::CliError;
use crate::runtime::open_store;

/// How long a stopping server waits for in-flight requests.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

pub fn run(settings: Settings, demo: bool) -> Result<(), CliError> {
    init_tracing(&settings)?;
    // Bind before anything else so "address in use" is the first, clear failure.
    let listener = TcpListener::bind(&settings.bind)
        .map_err(|e| CliError::Invalid(format!("cannot listen on {}: {e}", settings.bind)))?;
    let address = listener.local_addr()?;
    actix_web::rt::System::new().block_on(async move {
        let store = open_store(&settings)?;
        let applied = store.migrate().await?;
        tracing::info!(database = %store.redacted_url(), migrations_applied = applied.len(), "database ready");
        if demo {
            let loaded = crate::demo::load(&store).await?;
            if loaded > 0 {
                tracing::info!(
                    posts = loaded,
                    "empty database: loaded the demo blog (start with --no-demo to skip it)"
                );
            }
        }
        // Scheduled posts go live on time, and those due while we were down at once.
        actix_web::rt::spawn(publish_scheduled(store.clone()));
        // Writes by other replicas or the CLI invalidate this process's caches.
        let _watcher = store.watch_external_writes()?;
        let keys = signing_keys(&settings, &store).await?;
        let body_limit = settings.body_limit;
        let site = Site {
            base_url: settings.base_url.trim_end_matches('/').to_owned(),
            api_url: settings.api_url(address),
            cache_max_age: settings.cache_max_age,
            cache_stale_while_revalidate: settings.cache_max_age.saturating_mul(5),
            response_cache: settings.response_cache,
            metrics: settings.metrics,
            graphql_introspection: settings.graphql_introspection,
            body_limit,
            title: settings.site_title.clone(),
            description: settings.site_description.clone(),
            language: settings.site_language.clone(),
            feed_items: settings.feed_items,
            patterns: UrlPatterns {
                post: settings.post_url.clone(),
                tag: settings.tag_url.clone(),
                category: settings.category_url.clone(),
                author: settings.author_url.clone(),
            },
            webhook_allow: longform_api::webhooks::AllowList::new(&settings.webhook_allow_hosts),
            trusted_proxies: longform_api::client::TrustedProxies::new(settings.trusted_proxies.clone()),
        };
        if settings.webhook_delivery {
            // Deliveries committed before a crash or restart go out now.
            let timeout = Duration::from_secs(u64::from(settings.webhook_timeout));
            let deliverer = longform_api::webhooks::Deliverer::new(store.clone(), site.webhook_allow.clone(), timeout);
            actix_web::rt::spawn(deliverer.run());
        }
        let files = crate::media::open_media_store(&settings).await?;
        tracing::info!(media_store = %files.describe(), "media store ready");
        let media = longform_api::media::Media::new(files, settings.media_max_bytes, settings.media_max_pixels);
        let state =
            web::Data::new(AppState::new(store, site, keys, media).map_err(|e| CliError::Invalid(e.to_string()))?);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                // Cached answers carry their own variants; this compresses the rest.
                .wrap(actix_web::middleware::from_fn(longform_api::incoming::meter))
                .wrap(actix_web::middleware::from_fn(longform_api::compress::uncached))
                // Outermost: the request's span, then its line, metrics and id inside it.
                .wrap(longform_api::telemetry::Telemetry)
                .wrap(longform_api::telemetry::request_spans())
                .wrap(longform_api::security_headers())
                .configure(|cfg| longform_api::configure(cfg, body_limit))
        })
        .workers(settings.workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)))
        .shutdown_timeout(SHUTDOWN_GRACE.as_secs())
        .listen(listener)?
        .run();
        // Scripts and tests read this line to learn the port.
        println!("listening on http://{address}");
        tracing::info!(%address, "listening");
        server.await?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// How often due scheduled posts are looked for.
const SCHEDULE_SWEEP: Duration = Duration::from_secs(1);

async fn publish_scheduled(store: longform_persistence::Store) {
    let mut scheduler = longform_persistence::facades::Scheduler::new(store);
    let mut ticks = actix_web::rt::time::interval(SCHEDULE_SWEEP);
    loop {
        ticks.tick().await;
        match scheduler.sweep().await {
            Ok(sweep) => {
                for id in sweep.published {
                    tracing::info!(post.id = %id, "published a scheduled post");
                }
                for (id, error) in sweep.failed {
                    tracing::warn!(post.id = %id, %error, "could not publish a scheduled post; trying again in a minute");
                }
            }
            Err(error) => tracing::warn!(%error, "could not look for scheduled posts"),
        }
    }
}

/// The token signing key: from configuration, else (outside production)
/// generated once and kept in the database, shared by every replica.
async fn signing_keys(settings: &Settings, store: &longform_persistence::Store) -> Result<Keys, CliError> {
    let secret = match (&settings.jwt_secret, settings.environment) {
        (Some(secret), _) => secret.expose_secret().to_owned(),
        (None, Environment::Production) => {
            return Err(CliError::Invalid("LONGFORM_JWT_SECRET is required in production (at least 32 bytes)".into()));
        }
        (None, Environment::Development) => {
            let generated = longform_domain::Secret::generate("").expose().to_owned();
            store.auth().setting_or_insert("jwt_secret", generated).await?
        }
    };
    Keys::new(secret.as_bytes()).map_err(|e| CliError::Invalid(format!("LONGFORM_JWT_SECRET: {e}")))
}

fn init_tracing(settings: &Settings) -> Result<(), CliError> {
    let filter =
        EnvFilter::try_new(&settings.log).map_err(|e| CliError::Invalid(format!("invalid LONGFORM_LOG: {e}")))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match settings.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
    Ok(())
}
