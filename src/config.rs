//! Settings, layered: built-in defaults, then `longform.toml` (or the file
//! named by `--config` / `LONGFORM_CONFIG`), then `LONGFORM_*` environment
//! variables. Unknown keys are errors, so a typo never silently falls back
//! to a default.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A secret from configuration: never printed, not even by `{:?}`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretString(..)")
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/longform.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
const DEFAULT_CONFIG_FILE: &str = "longform.toml";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub database_url: String,
    pub bind: String,
    /// A tracing filter, e.g. `info` or `longform=debug,actix_web=info`.
    pub log: String,
    pub log_format: LogFormat,
    /// Connections in the database pool.
    pub database_pool_size: u32,
    /// HTTP worker threads; `None`: one per core.
    pub workers: Option<usize>,
    /// The public site's base URL (post, tag and author URLs are built on it).
    pub base_url: String,
    /// `Cache-Control: max-age` of public responses, in seconds.
    pub cache_max_age: u32,
    /// Whether repeated public reads are served from memory.
    pub response_cache: bool,
    /// The key that signs access and preview tokens (at least 32 bytes).
    /// Required in production; generated and stored in the database otherwise.
    pub jwt_secret: Option<SecretString>,
    pub environment: Environment,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The site's name, description and language (feeds use them).
    pub site_title: String,
    pub site_description: String,
    pub site_language: String,
    /// Items per feed page.
    pub feed_items: u32,
    /// Public URL patterns with `{base_url}` and `{slug}`.
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
    /// Peers whose `Forwarded` / `X-Forwarded-*` / `X-Request-Id` headers
    /// are believed (addresses or CIDR ranges); from anyone else they are
    /// ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            bind: DEFAULT_BIND.to_owned(),
            log: "info".to_owned(),
            log_format: LogFormat::Text,
            database_pool_size: 8,
            workers: None,
            base_url: "http://127.0.0.1:8080".to_owned(),
            cache_max_age: 60,
            response_cache: true,
            jwt_secret: None,
            environment: Environment::Development,
            body_limit: 2 * 1024 * 1024,
            site_title: "Longform".to_owned(),
            site_description: "Long-form technical writing.".to_owned(),
            site_language: "en".to_owned(),
            feed_items: 20,
            post_url: "{base_url}/{slug}/".to_owned(),
            tag_url: "{base_url}/tag/{slug}/".to_owned(),
            category_url: "{base_url}/category/{slug}/".to_owned(),
            author_url: "{base_url}/author/{slug}/".to_owned(),
            webhook_delivery: true,
            webhook_allow_hosts: Vec::new(),
            trusted_proxies: Vec::new(),
        }
    }
}

/// The file's keys; every one optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database_url: Option<String>,
    bind: Option<String>,
    log: Option<String>,
    log_format: Option<LogFormat>,
    database_pool_size: Option<u32>,
    workers: Option<usize>,
    base_url: Option<String>,
    cache_max_age: Option<u32>,
    response_cache: Option<bool>,
    jwt_secret: Option<SecretString>,
    environment: Option<Environment>,
    body_limit: Option<usize>,
    site_title: Option<String>,
    site_description: Option<String>,
    site_language: Option<String>,
    feed_items: Option<u32>,
    post_url: Option<String>,
    tag_url: Option<String>,
    category_url: Option<String>,
    author_url: Option<String>,
    webhook_delivery: Option<bool>,
    webhook_allow_hosts: Option<Vec<String>>,
    trusted_proxies: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid {name}: {message}")]
    Env { name: &'static str, message: String },
}

impl Settings {
    /// Every URL pattern must place the slug.
    fn check_patterns(&self) -> Result<(), ConfigError> {
        for (name, pattern) in [
            ("post_url", &self.post_url),
            ("tag_url", &self.tag_url),
            ("category_url", &self.category_url),
            ("author_url", &self.author_url),
        ] {
            if !pattern.contains("{slug}") {
                return Err(ConfigError::Env { name: "URL pattern", message: format!("{name} must contain {{slug}}") });
            }
        }
        Ok(())
    }

    /// Load from `explicit` (must exist) or `./longform.toml` (if it
    /// exists), then the environment (`env` looks a variable up).
    pub fn load(explicit: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut settings = Self::default();
        let default_path = Path::new(DEFAULT_CONFIG_FILE);
        let path = match explicit {
            Some(path) => Some(path),
            None if default_path.exists() => Some(default_path),
            None => None,
        };
        if let Some(path) = path {
            settings.apply_file(path)?;
        }
        settings.apply_env(env)?;
        settings.check_patterns()?;
        Ok(settings)
    }

    fn apply_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.into(), source })?;
        let file: FileSettings = toml::from_str(&text)
            .map_err(|e| ConfigError::Parse { path: path.into(), message: e.message().to_owned() })?;
        let FileSettings {
            database_url,
            bind,
            log,
            log_format,
            database_pool_size,
            workers,
            base_url,
            cache_max_age,
            response_cache,
            jwt_secret,
            environment,
            body_limit,
            site_title,
            site_description,
            site_language,
            feed_items,
            post_url,
            tag_url,
            category_url,
            author_url,
            webhook_delivery,
            webhook_allow_hosts,
            trusted_proxies,
        } = file;
        if let Some(proxies) = trusted_proxies {
            self.trusted_proxies = parse_proxies(proxies.iter().map(String::as_str))
                .map_err(|message| ConfigError::Parse { path: path.into(), message })?;
        }
        self.webhook_delivery = webhook_delivery.unwrap_or(self.webhook_delivery);
        self.webhook_allow_hosts = webhook_allow_hosts.unwrap_or(std::mem::take(&mut self.webhook_allow_hosts));
        for (value, slot) in [
            (post_url, &mut self.post_url),
            (tag_url, &mut self.tag_url),
            (category_url, &mut self.category_url),
            (author_url, &mut self.author_url),
        ] {
            if let Some(value) = value {
                *slot = value;
            }
        }
        self.site_title = site_title.unwrap_or(std::mem::take(&mut self.site_title));
        self.site_description = site_description.unwrap_or(std::mem::take(&mut self.site_description));
        self.site_language = site_language.unwrap_or(std::mem::take(&mut self.site_language));
        self.feed_items = feed_items.unwrap_or(self.feed_items).clamp(1, 100);
        self.jwt_secret = jwt_secret.or(self.jwt_secret.take());
        self.environment = environment.unwrap_or(self.environment);
        self.body_limit = body_limit.unwrap_or(self.body_limit);
        self.database_url = database_url.unwrap_or(std::mem::take(&mut self.database_url));
        self.bind = bind.unwrap_or(std::mem::take(&mut self.bind));
        self.log = log.unwrap_or(std::mem::take(&mut self.log));
        self.log_format = log_format.unwrap_or(self.log_format);
        self.database_pool_size = database_pool_size.unwrap_or(self.database_pool_size);
        self.workers = workers.filter(|n| *n > 0).or(self.workers);
        self.base_url = base_url.unwrap_or(std::mem::take(&mut self.base_url));
        self.cache_max_age = cache_max_age.unwrap_or(self.cache_max_age);
        self.response_cache = response_cache.unwrap_or(self.response_cache);
        Ok(())
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(url) = env("LONGFORM_DATABASE_URL") {
            self.database_url = url;
        }
        if let Some(bind) = env("LONGFORM_BIND") {
            self.bind = bind;
        }
        if let Some(log) = env("LONGFORM_LOG") {
            self.log = log;
        }
        if let Some(format) = env("LONGFORM_LOG_FORMAT") {
            self.log_format = match format.as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => return Err(ConfigError::Env { name: "LONGFORM_LOG_FORMAT", message: "use text or json".into() }),
            };
        }
        if let Some(url) = env("LONGFORM_BASE_URL") {
            self.base_url = url;
        }
        if let Some(age) = env("LONGFORM_CACHE_MAX_AGE") {
            self.cache_max_age = age
                .parse()
                .map_err(|_| ConfigError::Env { name: "LONGFORM_CACHE_MAX_AGE", message: "use seconds".into() })?;
        }
        if let Some(on) = env_bool(&env, "LONGFORM_RESPONSE_CACHE")? {
            self.response_cache = on;
        }
        if let Some(on) = env_bool(&env, "LONGFORM_WEBHOOK_DELIVERY")? {
            self.webhook_delivery = on;
        }
        if let Some(hosts) = env("LONGFORM_WEBHOOK_ALLOW_HOSTS") {
            self.webhook_allow_hosts =
                hosts.split(',').map(str::trim).filter(|h| !h.is_empty()).map(str::to_owned).collect();
        }
        if let Some(proxies) = env("LONGFORM_TRUSTED_PROXIES") {
            self.trusted_proxies = parse_proxies(proxies.split(',').map(str::trim).filter(|p| !p.is_empty()))
                .map_err(|message| ConfigError::Env { name: "LONGFORM_TRUSTED_PROXIES", message })?;
        }
        for (name, slot) in [
            ("LONGFORM_POST_URL", &mut self.post_url),
            ("LONGFORM_TAG_URL", &mut self.tag_url),
            ("LONGFORM_CATEGORY_URL", &mut self.category_url),
            ("LONGFORM_AUTHOR_URL", &mut self.author_url),
            ("LONGFORM_SITE_TITLE", &mut self.site_title),
            ("LONGFORM_SITE_DESCRIPTION", &mut self.site_description),
            ("LONGFORM_SITE_LANGUAGE", &mut self.site_language),
        ] {
            if let Some(value) = env(name) {
                *slot = value;
            }
        }
        if let Some(secret) = env("LONGFORM_JWT_SECRET") {
            self.jwt_secret = Some(SecretString(secret));
        }
        if let Some(environment) = env("LONGFORM_ENV") {
            self.environment = match environment.as_str() {
                "development" => Environment::Development,
                "production" => Environment::Production,
                _ => {
                    return Err(ConfigError::Env {
                        name: "LONGFORM_ENV",
                        message: "use development or production".into(),
                    });
                }
            };
        }
        if let Some(limit) = env("LONGFORM_BODY_LIMIT") {
            self.body_limit = limit.parse().ok().filter(|n| *n > 0).ok_or(ConfigError::Env {
                name: "LONGFORM_BODY_LIMIT",
                message: "use a positive number of bytes".into(),
            })?;
        }
        if let Some(n) = env("LONGFORM_WORKERS") {
            self.workers = Some(
                n.parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(ConfigError::Env { name: "LONGFORM_WORKERS", message: "use a positive integer".into() })?,
            );
        }
        if let Some(size) = env("LONGFORM_DATABASE_POOL_SIZE") {
            self.database_pool_size = size.parse().ok().filter(|n| *n > 0).ok_or(ConfigError::Env {
                name: "LONGFORM_DATABASE_POOL_SIZE",
                message: "use a positive integer".into(),
            })?;
        }
        Ok(())
    }
}

/// Addresses (`10.0.0.7`, `::1`) or CIDR ranges (`10.0.0.0/8`).
fn parse_proxies<'a>(entries: impl Iterator<Item = &'a str>) -> Result<Vec<ipnet::IpNet>, String> {
    entries
        .map(|entry| {
            entry
                .parse::<ipnet::IpNet>()
                .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("trusted_proxies: {entry:?} is neither an address nor a CIDR range"))
        })
        .collect()
}

fn env_bool(env: &impl Fn(&str) -> Option<String>, name: &'static str) -> Result<Option<bool>, ConfigError> {
    match env(name).as_deref() {
        None => Ok(None),
        Some("true" | "1" | "on") => Ok(Some(true)),
        Some("false" | "0" | "off") => Ok(Some(false)),
        Some(_) => Err(ConfigError::Env { name, message: "use true or false".into() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn layers_apply_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("longform.toml");
        std::fs::write(&path, "bind = \"0.0.0.0:9000\"\ndatabase_url = \"sqlite://file.db\"\n").unwrap();
        let settings = Settings::load(Some(&path), env(&[("LONGFORM_DATABASE_URL", "postgres://db/lf")])).unwrap();
        assert_eq!(settings.bind, "0.0.0.0:9000", "file over default");
        assert_eq!(settings.database_url, "postgres://db/lf", "environment over file");
        assert_eq!(settings.log, "info", "default where nothing is said");
        let secret = Settings::load(None, env(&[("LONGFORM_JWT_SECRET", "a-very-secret-value")])).unwrap();
        assert!(!format!("{secret:?}").contains("a-very-secret-value"), "secrets never print");
    }

    #[test]
    fn bad_files_and_values_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("longform.toml");
        std::fs::write(&path, "databse_url = \"typo\"\n").unwrap();
        let err = Settings::load(Some(&path), env(&[])).unwrap_err().to_string();
        assert!(err.contains("unknown field") && err.contains("databse_url"), "{err}");
        let missing = Settings::load(Some(&dir.path().join("nope.toml")), env(&[])).unwrap_err();
        assert!(matches!(missing, ConfigError::Read { .. }));
        let no_slug = Settings::load(None, env(&[("LONGFORM_POST_URL", "{base_url}/posts/")])).unwrap_err();
        assert!(no_slug.to_string().contains("post_url must contain {slug}"), "{no_slug}");
        let bad = Settings::load(None, env(&[("LONGFORM_LOG_FORMAT", "xml")])).unwrap_err();
        assert!(bad.to_string().contains("LONGFORM_LOG_FORMAT"));
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges_from_the_file_or_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("longform.toml");
        std::fs::write(&path, "trusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n").unwrap();
        let file = Settings::load(Some(&path), env(&[])).unwrap();
        assert_eq!(file.trusted_proxies, ["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()]);
        let vars = env(&[("LONGFORM_TRUSTED_PROXIES", "127.0.0.1, 192.168.0.0/16")]);
        let from_env = Settings::load(Some(&path), vars).unwrap();
        assert_eq!(from_env.trusted_proxies, ["127.0.0.1/32".parse().unwrap(), "192.168.0.0/16".parse().unwrap()]);
        let bad = Settings::load(None, env(&[("LONGFORM_TRUSTED_PROXIES", "10.0.0.0/33")])).unwrap_err();
        assert!(bad.to_string().contains("LONGFORM_TRUSTED_PROXIES") && bad.to_string().contains("10.0.0.0/33"));
        std::fs::write(&path, "trusted_proxies = [\"proxy.local\"]\n").unwrap();
        assert!(Settings::load(Some(&path), env(&[])).unwrap_err().to_string().contains("proxy.local"));
    }
}
