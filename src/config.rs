//! Settings, layered with figment: built-in defaults, then `longform.toml`
//! (or the file named by `--config` / `LONGFORM_CONFIG`), then `LONGFORM_*`
//! environment variables; then one validation step for every source, whose
//! every failure is one line naming the setting and where it came from.

mod error;
mod keys;
mod layers;
#[cfg(test)]
mod tests;

use std::ffi::OsString;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;

use figment::Figment;
use figment::providers::Serialized;
use ipnet::IpNet;
use longform_persistence::media_store::{MediaLocation, S3Credentials};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

pub use error::ConfigError;
use error::{Shown, describe};
use layers::{EnvLayer, FileLayer};

const DEFAULT_CONFIG_FILE: &str = "longform.toml";

/// The site description unless configured: the demo blog's (demo/INDEX.md).
pub const DEFAULT_SITE_DESCRIPTION: &str = "Long-form writing on runtime, distributed systems, kernel internals, Go concurrency, memory models, eBPF, and assembly walkthroughs.";

/// Everything the binary can be told, checked. Only [`Settings::load`]
/// builds one, so every value here passed validation.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `sqlite://PATH` or `postgres://…`, secret since it may hold a password.
    pub database_url: SecretString,
    pub bind: String,
    /// A tracing filter, e.g. `info` or `longform=debug,actix_web=info`.
    pub log: String,
    pub log_format: LogFormat,
    /// Connections in the database pool; at least 1.
    pub database_pool_size: u32,
    /// HTTP worker threads, 1 to 1024; `None`: one per core.
    pub workers: Option<usize>,
    /// The public site's absolute http(s) base URL (post, tag and author
    /// URLs are built on it).
    pub base_url: String,
    /// Where clients reach Longform itself (feed self links, openapi.yaml's
    /// `servers`), when it is not where the server listens; see
    /// [`Settings::api_url`].
    pub api_url: Option<String>,
    /// `Cache-Control: max-age` of public responses, in seconds.
    pub cache_max_age: u32,
    /// Whether repeated public reads are served from memory.
    pub response_cache: bool,
    /// Whether requests are counted and `/metrics` answers.
    pub metrics: bool,
    /// The key that signs access and preview tokens (at least 32 bytes).
    /// Required in production; generated and stored in the database otherwise.
    pub jwt_secret: Option<SecretString>,
    pub environment: Environment,
    /// Whether GraphQL introspection, field suggestions and GraphiQL are
    /// served: by default in development, not in production.
    pub graphql_introspection: bool,
    /// The largest request body accepted, in bytes; at least 1.
    pub body_limit: usize,
    /// The site's name, description and language (feeds use them).
    pub site_title: String,
    pub site_description: String,
    pub site_language: String,
    /// Items per feed page, 1 to 100.
    pub feed_items: u32,
    /// Public URL patterns with `{base_url}` and `{slug}` (always present).
    pub post_url: String,
    pub tag_url: String,
    pub category_url: String,
    pub author_url: String,
    /// Whether this process sends webhook deliveries (with several
    /// replicas, any number of them may; each delivery goes out once).
    pub webhook_delivery: bool,
    /// Hosts webhooks may reach although they are not public (loopback,
    /// private networks): for tests and intranets. Names or IP addresses.
    pub webhook_allow_hosts: Vec<String>,
    /// Each delivery attempt's budget in seconds (resolving, connecting,
    /// sending, the answer's head), 1 to 300.
    pub webhook_timeout: u32,
    /// Peers whose `Forwarded` / `X-Forwarded-*` headers are believed: a
    /// single address is a /32 (or /128) network.
    pub trusted_proxies: Vec<IpNet>,
    /// Where uploaded media are kept: a directory or an S3 bucket; by
    /// default `media/` beside the SQLite database, or `data/media` with
    /// PostgreSQL.
    pub media_store: Option<MediaLocation>,
    /// The keys of an S3 media store: `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` from the
    /// environment, never from the file or the URL. Set whenever
    /// `media_store` is a bucket.
    pub s3_credentials: Option<S3Credentials>,
    /// The largest upload accepted, in bytes.
    pub media_max_bytes: usize,
    /// The most pixels an uploaded image may have (read from its header).
    pub media_max_pixels: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// The settings as the layers give them, before validation: the shape
/// figment extracts, and (as `Default`) the built-in layer.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    database_url: String,
    bind: String,
    log: String,
    log_format: LogFormat,
    database_pool_size: u32,
    workers: Option<usize>,
    base_url: String,
    api_url: Option<String>,
    post_url: String,
    tag_url: String,
    category_url: String,
    author_url: String,
    cache_max_age: u32,
    response_cache: bool,
    metrics: bool,
    jwt_secret: Option<String>,
    environment: Environment,
    graphql_introspection: Option<bool>,
    body_limit: usize,
    site_title: String,
    site_description: String,
    site_language: String,
    feed_items: u32,
    webhook_delivery: bool,
    webhook_allow_hosts: Vec<String>,
    webhook_timeout: u32,
    trusted_proxies: Vec<String>,
    media_store: Option<String>,
    media_max_bytes: usize,
    media_max_pixels: u64,
}

impl Default for Raw {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/longform.db".to_owned(),
            bind: "127.0.0.1:8080".to_owned(),
            log: "info".to_owned(),
            log_format: LogFormat::Text,
            database_pool_size: 8,
            workers: None,
            base_url: "http://127.0.0.1:8080".to_owned(),
            api_url: None,
            post_url: "{base_url}/{slug}/".to_owned(),
            tag_url: "{base_url}/tag/{slug}/".to_owned(),
            category_url: "{base_url}/category/{slug}/".to_owned(),
            author_url: "{base_url}/author/{slug}/".to_owned(),
            cache_max_age: 60,
            response_cache: true,
            metrics: true,
            jwt_secret: None,
            environment: Environment::Development,
            graphql_introspection: None,
            body_limit: 2 * 1024 * 1024,
            site_title: "Longform".to_owned(),
            site_description: DEFAULT_SITE_DESCRIPTION.to_owned(),
            site_language: "en".to_owned(),
            feed_items: 20,
            webhook_delivery: true,
            webhook_allow_hosts: Vec::new(),
            webhook_timeout: 10,
            trusted_proxies: Vec::new(),
            media_store: None,
            media_max_bytes: 25 * 1000 * 1000,
            media_max_pixels: 50_000_000,
        }
    }
}

impl Settings {
    /// Where clients reach Longform itself: `api_url` when set; else
    /// `base_url` when it names the address the server listens on (one
    /// site, as `make run` sets it up); else that address (a wildcard IP
    /// such as 0.0.0.0 read as loopback), with no trailing slash.
    pub fn api_url(&self, listening: SocketAddr) -> String {
        if let Some(url) = &self.api_url {
            return url.trim_end_matches('/').to_owned();
        }
        let ip = match listening.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let address = format!("http://{}", SocketAddr::new(ip, listening.port()));
        let base = self.base_url.trim_end_matches('/');
        let localhost = format!("http://localhost:{}", listening.port());
        if base.eq_ignore_ascii_case(&address) || (ip.is_loopback() && base.eq_ignore_ascii_case(&localhost)) {
            base.to_owned()
        } else {
            address
        }
    }

    /// Load from `explicit` (must exist) or `./longform.toml` (if it
    /// exists), then the `LONGFORM_*` variables among `env`.
    pub fn load(
        explicit: Option<&Path>,
        env: impl IntoIterator<Item = (OsString, OsString)>,
    ) -> Result<Self, ConfigError> {
        let default_file = Path::new(DEFAULT_CONFIG_FILE);
        let file = explicit.or_else(|| default_file.exists().then_some(default_file));
        let mut figment = Figment::from(Serialized::defaults(Raw::default()));
        if let Some(path) = file {
            figment = figment.merge(FileLayer::read(path)?);
        }
        let env: Vec<(OsString, OsString)> = env.into_iter().collect();
        let credentials = S3Credentials::from_env(|name| {
            env.iter().find(|(var, _)| var == name).and_then(|(_, value)| value.to_str()).map(str::to_owned)
        });
        let figment = figment.merge(EnvLayer::from_vars(env)?);
        // Lossy: the environment's "8" and "true" are a number and a boolean.
        let raw: Raw = figment.extract_lossy().map_err(|e| Check(&figment).extraction(e))?;
        Check(&figment).settings(raw, credentials)
    }
}

/// The validation step: every value, whichever layer gave it.
struct Check<'a>(&'a Figment);

impl Check<'_> {
    fn settings(&self, raw: Raw, credentials: Option<S3Credentials>) -> Result<Settings, ConfigError> {
        let media_store = raw.media_store.map(|spec| self.media_store(&spec, credentials.is_some())).transpose()?;
        Ok(Settings {
            database_url: self.database_url(raw.database_url)?,
            bind: self.require("bind", raw.bind, |bind| is_host_port(bind))?,
            log: self.log_filter(raw.log)?,
            log_format: raw.log_format,
            database_pool_size: self.require("database_pool_size", raw.database_pool_size, |n| *n > 0)?,
            workers: raw.workers.map(|n| self.require("workers", n, |n| (1..=1024).contains(n))).transpose()?,
            base_url: self.require("base_url", raw.base_url, |url| {
                longform_domain::WebUrl::parse_field("base_url", url).is_ok()
            })?,
            api_url: raw
                .api_url
                .map(|url| {
                    self.require("api_url", url, |url| longform_domain::WebUrl::parse_field("api_url", url).is_ok())
                })
                .transpose()?,
            cache_max_age: raw.cache_max_age,
            response_cache: raw.response_cache,
            metrics: raw.metrics,
            jwt_secret: raw.jwt_secret.map(|secret| self.signing_secret(secret)).transpose()?,
            environment: raw.environment,
            graphql_introspection: raw.graphql_introspection.unwrap_or(raw.environment == Environment::Development),
            body_limit: self.require("body_limit", raw.body_limit, |n| *n > 0)?,
            site_title: raw.site_title,
            site_description: raw.site_description,
            site_language: raw.site_language,
            feed_items: self.require("feed_items", raw.feed_items, |n| (1..=100).contains(n))?,
            post_url: self.require("post_url", raw.post_url, |p| p.contains("{slug}"))?,
            tag_url: self.require("tag_url", raw.tag_url, |p| p.contains("{slug}"))?,
            category_url: self.require("category_url", raw.category_url, |p| p.contains("{slug}"))?,
            author_url: self.require("author_url", raw.author_url, |p| p.contains("{slug}"))?,
            webhook_delivery: raw.webhook_delivery,
            webhook_allow_hosts: raw
                .webhook_allow_hosts
                .iter()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
                .collect(),
            webhook_timeout: self.require("webhook_timeout", raw.webhook_timeout, |n| (1..=300).contains(n))?,
            trusted_proxies: raw.trusted_proxies.iter().map(|entry| self.network(entry)).collect::<Result<_, _>>()?,
            s3_credentials: credentials.filter(|_| matches!(media_store, Some(MediaLocation::S3(_)))),
            media_store,
            media_max_bytes: self.require("media_max_bytes", raw.media_max_bytes, |n| *n > 0)?,
            media_max_pixels: self.require("media_max_pixels", raw.media_max_pixels, |n| *n > 0)?,
        })
    }

    /// `value` if `ok` holds, else the key's error line.
    fn require<T>(&self, name: &str, value: T, ok: impl Fn(&T) -> bool) -> Result<T, ConfigError> {
        if ok(&value) { Ok(value) } else { Err(self.invalid(name, None, None)) }
    }

    fn database_url(&self, url: String) -> Result<SecretString, ConfigError> {
        match longform_persistence::DatabaseUrl::parse(&url) {
            Ok(_) => Ok(SecretString::from(url)),
            Err(reason) => Err(self.invalid("database_url", None, Some(reason.to_string()))),
        }
    }

    /// A directory or a bucket; a bucket needs credentials. The value is
    /// not repeated for a URL: a secret may have been put in it by mistake.
    fn media_store(&self, spec: &str, have_credentials: bool) -> Result<MediaLocation, ConfigError> {
        let reason = match MediaLocation::parse(spec) {
            Ok(MediaLocation::S3(_)) if !have_credentials => {
                "an s3:// store needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment".to_owned()
            }
            Ok(location) => return Ok(location),
            Err(reason) => reason.to_string(),
        };
        if !spec.contains("://") {
            return Err(self.invalid("media_store", None, Some(reason)));
        }
        let origin = layers::origin(self.0.find_metadata("media_store"));
        let key = keys::by_name("media_store");
        let setting = key.map_or_else(|| "media_store".to_owned(), |key| describe(key, &origin, Shown::Value(None)));
        Err(ConfigError::Invalid { setting, origin, hint: reason })
    }

    fn log_filter(&self, filter: String) -> Result<String, ConfigError> {
        match tracing_subscriber::EnvFilter::try_new(&filter) {
            Ok(_) => Ok(filter),
            Err(reason) => {
                let hint = keys::by_name("log").map_or("", |key| key.hint);
                Err(self.invalid("log", None, Some(format!("{reason}; {hint}"))))
            }
        }
    }

    fn signing_secret(&self, secret: String) -> Result<SecretString, ConfigError> {
        let secret = SecretString::from(secret);
        if secret.expose_secret().len() >= longform_api::auth::jwt::MIN_SECRET_BYTES {
            Ok(secret)
        } else {
            Err(self.invalid("jwt_secret", None, None))
        }
    }

    /// An address is the network of that one address.
    fn network(&self, entry: &str) -> Result<IpNet, ConfigError> {
        let entry = entry.trim();
        let parsed = entry.parse::<IpNet>().or_else(|_| entry.parse::<IpAddr>().map(IpNet::from));
        parsed.map(|net| net.trunc()).map_err(|_| self.invalid("trusted_proxies", Some(entry), None))
    }

    /// A value figment could not give the type asked for.
    fn extraction(&self, error: figment::Error) -> ConfigError {
        match error.path.first().map(String::as_str) {
            Some(name) if keys::by_name(name).is_some() => self.invalid(name, None, None),
            // Every key is in the table, so this is figment's own failure.
            _ => ConfigError::Invalid {
                setting: "configuration".to_owned(),
                origin: layers::origin(error.metadata.as_ref()),
                hint: error.kind.to_string(),
            },
        }
    }

    /// The one line for `name` (or one `entry` of it): its value as the
    /// winning layer gave it, that layer, and `hint` or the table's.
    fn invalid(&self, name: &str, entry: Option<&str>, hint: Option<String>) -> ConfigError {
        let origin = layers::origin(self.0.find_metadata(name));
        let value = self.0.find_value(name).ok();
        let shown = match entry {
            Some(entry) => Shown::Entry(entry),
            None => Shown::Value(value.as_ref()),
        };
        match keys::by_name(name) {
            Some(key) => ConfigError::Invalid {
                setting: describe(key, &origin, shown),
                hint: hint.unwrap_or_else(|| key.hint.to_owned()),
                origin,
            },
            None => ConfigError::Invalid { setting: name.to_owned(), origin, hint: hint.unwrap_or_default() },
        }
    }
}

/// `HOST:PORT` (a name, an IPv4 address or a bracketed IPv6 one).
fn is_host_port(bind: &str) -> bool {
    bind.rsplit_once(':').is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok())
}
