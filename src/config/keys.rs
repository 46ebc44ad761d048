//! Every setting's name in the file and in the environment, and what a good
//! value looks like: the one table that the layers, the validation and the
//! error messages read (README's configuration table says the same).

/// One setting.
#[derive(Debug)]
pub struct Key {
    /// The key in `longform.toml`.
    pub name: &'static str,
    /// The environment variable.
    pub var: &'static str,
    /// What to do instead of a bad value, ending an error line.
    pub hint: &'static str,
    /// A list: comma-separated in the environment, an array in the file.
    pub list: bool,
    /// Never printed, not even in an error (secrets, URLs with passwords).
    pub hidden: bool,
}

const fn key(name: &'static str, var: &'static str, hint: &'static str) -> Key {
    Key { name, var, hint, list: false, hidden: false }
}

const fn list(name: &'static str, var: &'static str, hint: &'static str) -> Key {
    Key { name, var, hint, list: true, hidden: false }
}

const fn hidden(name: &'static str, var: &'static str, hint: &'static str) -> Key {
    Key { name, var, hint, list: false, hidden: true }
}

const POSITIVE: &str = "use a positive integer";
const PATTERN: &str = "use a pattern containing {slug}, e.g. {base_url}/{slug}/";
const TEXT: &str = "use a string";
const BOOL: &str = "use true or false";

pub const KEYS: &[Key] = &[
    hidden("database_url", "LONGFORM_DATABASE_URL", "use sqlite://PATH or postgres://USER:PASSWORD@HOST/DB"),
    key("bind", "LONGFORM_BIND", "use HOST:PORT, e.g. 127.0.0.1:8080"),
    key("log", "LONGFORM_LOG", "use a tracing filter, e.g. info or longform=debug,info"),
    key("log_format", "LONGFORM_LOG_FORMAT", "use text or json"),
    key("database_pool_size", "LONGFORM_DATABASE_POOL_SIZE", POSITIVE),
    key("workers", "LONGFORM_WORKERS", "use an integer from 1 to 1024"),
    key("base_url", "LONGFORM_BASE_URL", "use an absolute http(s) URL, e.g. https://blog.example.com"),
    key("api_url", "LONGFORM_API_URL", "use an absolute http(s) URL, e.g. https://api.blog.example.com"),
    key("post_url", "LONGFORM_POST_URL", PATTERN),
    key("tag_url", "LONGFORM_TAG_URL", PATTERN),
    key("category_url", "LONGFORM_CATEGORY_URL", PATTERN),
    key("author_url", "LONGFORM_AUTHOR_URL", PATTERN),
    key("cache_max_age", "LONGFORM_CACHE_MAX_AGE", "use a whole number of seconds"),
    key("response_cache", "LONGFORM_RESPONSE_CACHE", BOOL),
    key("metrics", "LONGFORM_METRICS", BOOL),
    hidden("jwt_secret", "LONGFORM_JWT_SECRET", "use a secret of at least 32 bytes"),
    key("environment", "LONGFORM_ENV", "use development or production"),
    key("graphql_introspection", "LONGFORM_GRAPHQL_INTROSPECTION", BOOL),
    key("body_limit", "LONGFORM_BODY_LIMIT", "use a positive number of bytes"),
    key("site_title", "LONGFORM_SITE_TITLE", TEXT),
    key("site_description", "LONGFORM_SITE_DESCRIPTION", TEXT),
    key("site_language", "LONGFORM_SITE_LANGUAGE", TEXT),
    key("feed_items", "LONGFORM_FEED_ITEMS", "use an integer from 1 to 100"),
    key("webhook_delivery", "LONGFORM_WEBHOOK_DELIVERY", BOOL),
    key("webhook_timeout", "LONGFORM_WEBHOOK_TIMEOUT", "use a whole number of seconds from 1 to 300"),
    list("webhook_allow_hosts", "LONGFORM_WEBHOOK_ALLOW_HOSTS", "use a list of host names or IP addresses"),
    list("trusted_proxies", "LONGFORM_TRUSTED_PROXIES", "use IP addresses or CIDR ranges, e.g. 10.0.0.0/8"),
    key("media_store", "LONGFORM_MEDIA_STORE", "use a directory path or s3://BUCKET?endpoint=URL&region=REGION"),
    key("media_max_bytes", "LONGFORM_MEDIA_MAX_BYTES", "use a positive number of bytes"),
    key("media_max_pixels", "LONGFORM_MEDIA_MAX_PIXELS", "use a positive number of pixels, e.g. 50000000"),
];

/// The environment variables that are settings start with this.
pub const PREFIX: &str = "LONGFORM_";

/// `LONGFORM_*` variables that are not settings, left alone: the config
/// file's path (clap reads it) and the test and benchmark tooling's own.
const NOT_SETTINGS: &[&str] = &["LONGFORM_CONFIG", "LONGFORM_BIN"];
const NOT_SETTINGS_PREFIX: &str = "LONGFORM_TEST_";

pub fn by_name(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|key| key.name == name)
}

pub fn by_var(var: &str) -> Option<&'static Key> {
    KEYS.iter().find(|key| key.var == var)
}

/// Whether the environment variable `var` should be read as a setting.
pub fn is_setting_var(var: &str) -> bool {
    var.starts_with(PREFIX) && !NOT_SETTINGS.contains(&var) && !var.starts_with(NOT_SETTINGS_PREFIX)
}

/// The file key someone who wrote `unknown` most likely meant, including
/// `environment` for `env` or `LONGFORM_ENV`.
pub fn suggest_name(unknown: &str) -> Option<&'static str> {
    let lower = unknown.to_ascii_lowercase();
    let bare = lower.strip_prefix("longform_").unwrap_or(&lower);
    let as_var = format!("{PREFIX}{}", bare.to_ascii_uppercase());
    by_name(bare).or_else(|| by_var(&as_var)).or_else(|| nearest(bare, |key| key.name)).map(|key| key.name)
}

/// The variable someone who set `unknown` most likely meant, including
/// `LONGFORM_ENV` for `LONGFORM_ENVIRONMENT` (the file key's name).
pub fn suggest_var(unknown: &str) -> Option<&'static str> {
    let upper = unknown.to_ascii_uppercase();
    let bare = upper.strip_prefix(PREFIX).unwrap_or(&upper).to_ascii_lowercase();
    by_name(&bare).or_else(|| nearest(&upper, |key| key.var)).map(|key| key.var)
}

/// The key whose `field` is within two edits of `unknown`, if any.
fn nearest(unknown: &str, field: impl Fn(&Key) -> &str) -> Option<&'static Key> {
    KEYS.iter()
        .map(|key| (edits(unknown, field(key)), key))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, key)| key)
}

/// Levenshtein distance, for names of a few dozen bytes.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substituted = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substituted.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_one_variable_named_after_it() {
        for key in KEYS {
            let expected = match key.name {
                "environment" => "LONGFORM_ENV".to_owned(),
                name => format!("{PREFIX}{}", name.to_ascii_uppercase()),
            };
            assert_eq!(key.var, expected);
            assert!(is_setting_var(key.var), "{} must be read", key.var);
        }
    }

    #[test]
    fn near_misses_get_a_suggestion_and_others_none() {
        assert_eq!(suggest_var("LONGFORM_WORKER"), Some("LONGFORM_WORKERS"));
        assert_eq!(suggest_var("LONGFORM_ENVIRONMENT"), Some("LONGFORM_ENV"));
        assert_eq!(suggest_var("LONGFORM_DATABSE_URL"), Some("LONGFORM_DATABASE_URL"));
        assert_eq!(suggest_var("LONGFORM_COLOUR"), None);
        assert_eq!(suggest_name("databse_url"), Some("database_url"));
        assert_eq!(suggest_name("LONGFORM_BIND"), Some("bind"));
        assert_eq!(suggest_name("env"), Some("environment"));
        assert_eq!(suggest_name("colour"), None);
        assert_eq!(edits("kitten", "sitting"), 3);
    }

    #[test]
    fn tooling_variables_are_not_settings() {
        for var in ["LONGFORM_CONFIG", "LONGFORM_TEST_SKIP", "LONGFORM_BIN", "PATH"] {
            assert!(!is_setting_var(var), "{var}");
        }
    }
}
