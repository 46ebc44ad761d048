//! Layers, precedence, and one exact line for every bad value from every
//! source.

use std::ffi::OsString;
use std::path::PathBuf;

use secrecy::ExposeSecret;

use super::keys::KEYS;
use super::*;

fn vars(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
    pairs.iter().map(|(k, v)| (OsString::from(k), OsString::from(v))).collect()
}

/// A config file holding `text`, in a folder that lives as long as the guard.
fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("longform.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn load_file(text: &str) -> (Result<Settings, ConfigError>, PathBuf) {
    let (_dir, path) = file(text);
    (Settings::load(Some(&path), vars(&[])), path)
}

fn load_env(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    Settings::load(None, vars(pairs))
}

/// A file line, and the error after "invalid " up to " in PATH: ", then the hint.
const BAD_IN_FILE: &[(&str, &str, &str)] = &[
    ("database_url = \"mysql://db/lf\"", "database_url", "unsupported database URL scheme \"mysql\""),
    ("database_url = \"data/lf.db\"", "database_url", "database URL has no scheme"),
    ("database_url = 5", "database_url", "use sqlite://PATH or postgres://USER:PASSWORD@HOST/DB"),
    ("bind = \"8080\"", "bind = \"8080\"", "use HOST:PORT, e.g. 127.0.0.1:8080"),
    ("bind = \"localhost:http\"", "bind = \"localhost:http\"", "use HOST:PORT"),
    ("log = \"longform=loud\"", "log = \"longform=loud\"", "use a tracing filter"),
    ("log_format = \"xml\"", "log_format = \"xml\"", "use text or json"),
    ("database_pool_size = 0", "database_pool_size = 0", "use a positive integer"),
    ("database_pool_size = -1", "database_pool_size = -1", "use a positive integer"),
    ("database_pool_size = 4.5", "database_pool_size = 4.5", "use a positive integer"),
    ("database_pool_size = 5000000000", "database_pool_size = 5000000000", "use a positive integer"),
    ("workers = 0", "workers = 0", "use an integer from 1 to 1024"),
    ("workers = 100000", "workers = 100000", "use an integer from 1 to 1024"),
    ("base_url = \"blog.example.com\"", "base_url = \"blog.example.com\"", "use an absolute http(s) URL"),
    ("base_url = \"ftp://example.com\"", "base_url = \"ftp://example.com\"", "use an absolute http(s) URL"),
    ("api_url = \"api.example.com\"", "api_url = \"api.example.com\"", "use an absolute http(s) URL"),
    ("post_url = \"{base_url}/posts/\"", "post_url = \"{base_url}/posts/\"", "use a pattern containing {slug}"),
    ("tag_url = \"/tag/\"", "tag_url = \"/tag/\"", "use a pattern containing {slug}"),
    ("category_url = \"/c/{id}\"", "category_url = \"/c/{id}\"", "use a pattern containing {slug}"),
    ("author_url = \"\"", "author_url = \"\"", "use a pattern containing {slug}"),
    ("cache_max_age = -1", "cache_max_age = -1", "use a whole number of seconds"),
    ("response_cache = \"maybe\"", "response_cache = \"maybe\"", "use true or false"),
    ("metrics = \"maybe\"", "metrics = \"maybe\"", "use true or false"),
    ("jwt_secret = \"short\"", "jwt_secret", "use a secret of at least 32 bytes"),
    ("environment = \"staging\"", "environment = \"staging\"", "use development or production"),
    ("graphql_introspection = \"maybe\"", "graphql_introspection = \"maybe\"", "use true or false"),
    ("body_limit = 0", "body_limit = 0", "use a positive number of bytes"),
    ("site_title = 5", "site_title = 5", "use a string"),
    ("site_description = true", "site_description = true", "use a string"),
    ("site_language = [\"en\"]", "site_language = [\"en\"]", "use a string"),
    ("feed_items = 0", "feed_items = 0", "use an integer from 1 to 100"),
    ("feed_items = 101", "feed_items = 101", "use an integer from 1 to 100"),
    ("webhook_delivery = 1.5", "webhook_delivery = 1.5", "use true or false"),
    ("webhook_allow_hosts = \"a,b\"", "webhook_allow_hosts = \"a,b\"", "use a list of host names"),
    ("webhook_timeout = 0", "webhook_timeout = 0", "use a whole number of seconds from 1 to 300"),
    ("trusted_proxies = [\"10.0.0.0/33\"]", "trusted_proxies entry \"10.0.0.0/33\"", "use IP addresses or CIDR"),
    ("trusted_proxies = [\"127.0.0.1\", \"proxy.local\"]", "trusted_proxies entry \"proxy.local\"", "use IP"),
    ("media_store = \" \"", "media_store = \" \"", "use a directory path"),
    ("media_store = \"ftp://files/media\"", "media_store", "unknown scheme \"ftp\""),
    ("media_store = \"s3://media?endpoint=localhost:9000\"", "media_store", "is not an http:// or https:// URL"),
    ("media_max_bytes = 0", "media_max_bytes = 0", "use a positive number of bytes"),
    ("media_max_pixels = -5", "media_max_pixels = -5", "use a positive number of pixels"),
];

/// A variable, its value, and the error up to " (environment): ", then the hint.
const BAD_IN_ENV: &[(&str, &str, &str, &str)] = &[
    ("LONGFORM_DATABASE_URL", "mysql://u:pw@db/lf", "LONGFORM_DATABASE_URL", "unsupported database URL scheme"),
    ("LONGFORM_DATABASE_URL", "localhost/lf", "LONGFORM_DATABASE_URL", "database URL has no scheme"),
    ("LONGFORM_BIND", "127.0.0.1", "LONGFORM_BIND=\"127.0.0.1\"", "use HOST:PORT"),
    ("LONGFORM_LOG", "longform=loud", "LONGFORM_LOG=\"longform=loud\"", "use a tracing filter"),
    ("LONGFORM_LOG_FORMAT", "xml", "LONGFORM_LOG_FORMAT=\"xml\"", "use text or json"),
    ("LONGFORM_DATABASE_POOL_SIZE", "0", "LONGFORM_DATABASE_POOL_SIZE=\"0\"", "use a positive integer"),
    ("LONGFORM_DATABASE_POOL_SIZE", "eight", "LONGFORM_DATABASE_POOL_SIZE=\"eight\"", "use a positive integer"),
    ("LONGFORM_DATABASE_POOL_SIZE", "", "LONGFORM_DATABASE_POOL_SIZE=\"\"", "use a positive integer"),
    ("LONGFORM_WORKERS", "0", "LONGFORM_WORKERS=\"0\"", "use an integer from 1 to 1024"),
    ("LONGFORM_WORKERS", "-2", "LONGFORM_WORKERS=\"-2\"", "use an integer from 1 to 1024"),
    ("LONGFORM_BASE_URL", "example.com", "LONGFORM_BASE_URL=\"example.com\"", "use an absolute http(s) URL"),
    ("LONGFORM_API_URL", "//api.example.com", "LONGFORM_API_URL=\"//api.example.com\"", "use an absolute http(s) URL"),
    ("LONGFORM_POST_URL", "{base_url}/p/", "LONGFORM_POST_URL=\"{base_url}/p/\"", "use a pattern containing {slug}"),
    ("LONGFORM_TAG_URL", "/t/", "LONGFORM_TAG_URL=\"/t/\"", "use a pattern containing {slug}"),
    ("LONGFORM_CATEGORY_URL", "/c/", "LONGFORM_CATEGORY_URL=\"/c/\"", "use a pattern containing {slug}"),
    ("LONGFORM_AUTHOR_URL", "/a/", "LONGFORM_AUTHOR_URL=\"/a/\"", "use a pattern containing {slug}"),
    ("LONGFORM_CACHE_MAX_AGE", "1m", "LONGFORM_CACHE_MAX_AGE=\"1m\"", "use a whole number of seconds"),
    ("LONGFORM_RESPONSE_CACHE", "maybe", "LONGFORM_RESPONSE_CACHE=\"maybe\"", "use true or false"),
    ("LONGFORM_METRICS", "sometimes", "LONGFORM_METRICS=\"sometimes\"", "use true or false"),
    ("LONGFORM_GRAPHQL_INTROSPECTION", "maybe", "LONGFORM_GRAPHQL_INTROSPECTION=\"maybe\"", "use true or false"),
    ("LONGFORM_JWT_SECRET", "short", "LONGFORM_JWT_SECRET", "use a secret of at least 32 bytes"),
    ("LONGFORM_ENV", "prod", "LONGFORM_ENV=\"prod\"", "use development or production"),
    ("LONGFORM_BODY_LIMIT", "0", "LONGFORM_BODY_LIMIT=\"0\"", "use a positive number of bytes"),
    ("LONGFORM_BODY_LIMIT", "2MB", "LONGFORM_BODY_LIMIT=\"2MB\"", "use a positive number of bytes"),
    ("LONGFORM_FEED_ITEMS", "500", "LONGFORM_FEED_ITEMS=\"500\"", "use an integer from 1 to 100"),
    ("LONGFORM_WEBHOOK_DELIVERY", "sometimes", "LONGFORM_WEBHOOK_DELIVERY=\"sometimes\"", "use true or false"),
    ("LONGFORM_WEBHOOK_TIMEOUT", "301", "LONGFORM_WEBHOOK_TIMEOUT=\"301\"", "use a whole number of seconds"),
    ("LONGFORM_TRUSTED_PROXIES", "10.0.0.0/8,10.1", "LONGFORM_TRUSTED_PROXIES entry \"10.1\"", "use IP addresses"),
    ("LONGFORM_MEDIA_STORE", "", "LONGFORM_MEDIA_STORE=\"\"", "use a directory path"),
    ("LONGFORM_MEDIA_STORE", "s3://", "LONGFORM_MEDIA_STORE", "\"\" is not a bucket name"),
    ("LONGFORM_MEDIA_STORE", "s3://media?key=AKID", "LONGFORM_MEDIA_STORE", "unknown parameter \"key\""),
    ("LONGFORM_MEDIA_STORE", "s3://media", "LONGFORM_MEDIA_STORE", "needs AWS_ACCESS_KEY_ID and AWS_SECRET"),
    ("LONGFORM_MEDIA_MAX_BYTES", "lots", "LONGFORM_MEDIA_MAX_BYTES=\"lots\"", "use a positive number of bytes"),
    ("LONGFORM_MEDIA_MAX_PIXELS", "0", "LONGFORM_MEDIA_MAX_PIXELS=\"0\"", "use a positive number of pixels"),
];

/// Keys whose every value from the environment is valid (any string).
const ANY_STRING_FROM_ENV: &[&str] = &["site_title", "site_description", "site_language", "webhook_allow_hosts"];

#[test]
fn every_bad_value_in_the_file_is_one_line_naming_key_file_and_fix() {
    for (line, setting, hint) in BAD_IN_FILE {
        let (result, path) = load_file(line);
        let message = result.unwrap_err().to_string();
        let expected = format!("invalid {setting} in {}: ", path.display());
        assert!(message.starts_with(&expected), "{line}:\n  got      {message}\n  expected {expected}…");
        assert!(message.contains(hint), "{line}: {message}");
        assert_eq!(message.lines().count(), 1, "{message}");
    }
}

#[test]
fn every_bad_value_in_the_environment_is_one_line_naming_variable_and_fix() {
    for (var, value, setting, hint) in BAD_IN_ENV {
        let message = load_env(&[(var, value)]).unwrap_err().to_string();
        let expected = format!("invalid {setting} (environment): ");
        assert!(message.starts_with(&expected), "{var}={value}:\n  got      {message}\n  expected {expected}…");
        assert!(message.contains(hint), "{var}={value}: {message}");
        assert_eq!(message.lines().count(), 1, "{message}");
    }
}

#[test]
fn the_tables_cover_every_key_from_every_source_that_can_be_wrong() {
    for key in KEYS {
        let in_file = BAD_IN_FILE.iter().any(|(line, ..)| line.starts_with(&format!("{} =", key.name)));
        assert!(in_file, "no bad value of {} in the file is tested", key.name);
        let in_env = BAD_IN_ENV.iter().any(|(var, ..)| *var == key.var);
        assert!(in_env || ANY_STRING_FROM_ENV.contains(&key.name), "no bad {} is tested", key.var);
    }
}

#[test]
fn only_the_value_that_wins_is_checked_and_blamed_on_its_layer() {
    // The environment wins, so the file's bad value is never used...
    let (_dir, path) = file("workers = 0\n");
    let settings = Settings::load(Some(&path), vars(&[("LONGFORM_WORKERS", "3")])).unwrap();
    assert_eq!(settings.workers, Some(3));
    // ...and a bad environment value is blamed on the environment, not the file.
    let err = Settings::load(Some(&path), vars(&[("LONGFORM_WORKERS", "0")])).unwrap_err();
    assert!(err.to_string().starts_with("invalid LONGFORM_WORKERS=\"0\" (environment)"), "{err}");
}

#[test]
fn layers_apply_in_order_defaults_file_environment() {
    let (_dir, path) = file(
        "bind = \"0.0.0.0:9000\"\ndatabase_url = \"sqlite://file.db\"\nworkers = 2\n\
         webhook_allow_hosts = [\"hooks.internal\"]\nresponse_cache = false\n",
    );
    let env = vars(&[
        ("LONGFORM_DATABASE_URL", "postgres://db/lf"),
        ("LONGFORM_WORKERS", "6"),
        ("LONGFORM_WEBHOOK_ALLOW_HOSTS", "localhost, 127.0.0.1,,"),
        ("PATH", "/usr/bin"),
    ]);
    let settings = Settings::load(Some(&path), env).unwrap();
    assert_eq!(settings.bind, "0.0.0.0:9000", "file over default");
    assert!(!settings.response_cache, "file over default");
    assert_eq!(settings.database_url.expose_secret(), "postgres://db/lf", "environment over file");
    assert_eq!(settings.workers, Some(6), "environment over file");
    assert_eq!(settings.webhook_allow_hosts, ["localhost", "127.0.0.1"], "a list replaces, never appends");
    assert_eq!(settings.log, "info", "default where nothing is said");
    let defaults = load_env(&[]).unwrap();
    assert_eq!(defaults.workers, None, "one per core unless told");
    assert_eq!(defaults.feed_items, 20);
    assert!(defaults.trusted_proxies.is_empty(), "no proxy is trusted unless told");
}

#[test]
fn environment_values_read_as_their_types() {
    let settings = load_env(&[
        ("LONGFORM_RESPONSE_CACHE", "off"),
        ("LONGFORM_WEBHOOK_DELIVERY", "0"),
        ("LONGFORM_CACHE_MAX_AGE", "0"),
        ("LONGFORM_FEED_ITEMS", "100"),
        ("LONGFORM_ENV", "production"),
        ("LONGFORM_LOG_FORMAT", "json"),
        ("LONGFORM_SITE_TITLE", "2024"),
        ("LONGFORM_JWT_SECRET", "00000000000000000000000000000000007"),
    ])
    .unwrap();
    assert!(!settings.response_cache && !settings.webhook_delivery);
    assert_eq!((settings.cache_max_age, settings.feed_items), (0, 100));
    assert_eq!((settings.environment, settings.log_format), (Environment::Production, LogFormat::Json));
    assert_eq!(settings.site_title, "2024", "a string that looks like a number stays a string");
    let secret = settings.jwt_secret.as_ref().map(ExposeSecret::expose_secret);
    assert_eq!(secret, Some("00000000000000000000000000000000007"), "leading zeros survive");
}

#[test]
fn trusted_proxies_are_addresses_or_networks() {
    let expected: Vec<IpNet> = ["10.0.0.0/8", "127.0.0.1/32", "::1/128", "fd00::/8"].map(|n| n.parse().unwrap()).into();
    let from_env = load_env(&[("LONGFORM_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1,fd00::/8")]).unwrap();
    assert_eq!(from_env.trusted_proxies, expected);
    let (from_file, _) = load_file("trusted_proxies = [\"10.0.0.0/8\", \"127.0.0.1\", \"::1\", \"fd00::/8\"]\n");
    assert_eq!(from_file.unwrap().trusted_proxies, expected);
    let host_bits = load_env(&[("LONGFORM_TRUSTED_PROXIES", "10.1.2.3/8")]).unwrap();
    assert_eq!(host_bits.trusted_proxies, [expected[0]], "a range is its network");
    assert!(load_env(&[("LONGFORM_TRUSTED_PROXIES", "")]).unwrap().trusted_proxies.is_empty());
}

#[test]
fn unknown_names_are_errors_with_a_suggestion() {
    let (result, path) = load_file("databse_url = \"sqlite://x.db\"\n");
    let expected =
        format!("unknown key databse_url in {}: no such setting; did you mean database_url?", path.display());
    assert_eq!(result.unwrap_err().to_string(), expected);
    let (result, _) = load_file("[server]\nbind = \"0.0.0.0:1\"\n");
    assert!(result.unwrap_err().to_string().starts_with("unknown key server in "));
    let err = load_env(&[("LONGFORM_WORKER", "4")]).unwrap_err().to_string();
    assert_eq!(err, "unknown LONGFORM_WORKER (environment): no such setting; did you mean LONGFORM_WORKERS?");
    let err = load_env(&[("LONGFORM_ENVIRONMENT", "production")]).unwrap_err().to_string();
    assert!(err.ends_with("did you mean LONGFORM_ENV?"), "{err}");
    let err = load_env(&[("LONGFORM_COLOUR", "blue")]).unwrap_err().to_string();
    assert_eq!(err, "unknown LONGFORM_COLOUR (environment): no such setting");
    let tooling = [("LONGFORM_CONFIG", "x.toml"), ("LONGFORM_TEST_SKIP", "postgres"), ("LONGFORM_BIN", "x")];
    assert!(load_env(&tooling).is_ok(), "the CLI's and the tooling's own variables are not settings");
}

#[test]
fn files_that_cannot_be_read_or_parsed_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let missing = Settings::load(Some(&dir.path().join("nope.toml")), vars(&[])).unwrap_err();
    assert!(matches!(missing, ConfigError::Read { .. }), "{missing}");
    let (result, path) = load_file("bind = [");
    let message = result.unwrap_err().to_string();
    assert!(message.starts_with(&format!("invalid config file {}: ", path.display())), "{message}");
}

#[test]
fn secrets_never_print() {
    let secret = "a-very-secret-value-of-more-than-32-bytes";
    let password = "pg-password-123";
    let url = format!("postgres://longform:{password}@db/lf");
    let settings = load_env(&[("LONGFORM_JWT_SECRET", secret), ("LONGFORM_DATABASE_URL", &url)]).unwrap();
    let debug = format!("{settings:?}");
    assert!(!debug.contains(secret) && !debug.contains(password), "{debug}");

    let short = "short-secret";
    let mut messages = vec![load_env(&[("LONGFORM_JWT_SECRET", short)]).unwrap_err().to_string()];
    for line in [format!("jwt_secret = \"{short}\""), format!("jwt_secret = [\"{short}\"]")] {
        messages.push(load_file(&line).0.unwrap_err().to_string());
    }
    let bad_url = format!("mysql://longform:{password}@db/lf");
    messages.push(load_env(&[("LONGFORM_DATABASE_URL", &bad_url)]).unwrap_err().to_string());
    messages.push(load_file(&format!("database_url = [\"{bad_url}\"]")).0.unwrap_err().to_string());
    // Another key's error while the secret is set says nothing of it either.
    messages.push(load_env(&[("LONGFORM_JWT_SECRET", secret), ("LONGFORM_WORKERS", "0")]).unwrap_err().to_string());
    messages.push(format!("{:?}", load_env(&[("LONGFORM_JWT_SECRET", short)]).unwrap_err()));
    for message in messages {
        assert!(!message.contains(short) && !message.contains(password) && !message.contains(secret), "{message}");
    }
}

#[test]
fn api_url_is_set_or_where_the_server_listens_or_the_site_itself() {
    let at = |address: &str| address.parse::<std::net::SocketAddr>().unwrap();
    let defaults = load_env(&[]).unwrap();
    // `make run`: the frontend's address is the server's own.
    assert_eq!(defaults.api_url(at("127.0.0.1:8080")), "http://127.0.0.1:8080");
    // Another port (tests bind port 0): the address the server got.
    assert_eq!(defaults.api_url(at("127.0.0.1:41234")), "http://127.0.0.1:41234");
    let frontend = load_env(&[("LONGFORM_BASE_URL", "https://blog.example/")]).unwrap();
    assert_eq!(frontend.api_url(at("0.0.0.0:9000")), "http://127.0.0.1:9000");
    assert_eq!(frontend.api_url(at("[::]:9000")), "http://[::1]:9000");
    let local = load_env(&[("LONGFORM_BASE_URL", "http://localhost:9000/")]).unwrap();
    assert_eq!(local.api_url(at("127.0.0.1:9000")), "http://localhost:9000");
    let set = load_env(&[("LONGFORM_BASE_URL", "https://blog.example"), ("LONGFORM_API_URL", "https://api.example/")])
        .unwrap();
    assert_eq!(set.api_url(at("0.0.0.0:9000")), "https://api.example");
}

#[test]
fn an_s3_media_store_takes_its_keys_from_the_environment_and_never_shows_them() {
    let url = "s3://media?endpoint=http://127.0.0.1:9000&region=eu-west-3";
    let settings = load_env(&[
        ("LONGFORM_MEDIA_STORE", url),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/SECRET"),
    ])
    .unwrap();
    let Some(MediaLocation::S3(location)) = &settings.media_store else { panic!("{:?}", settings.media_store) };
    assert_eq!((location.bucket(), location.region()), ("media", "eu-west-3"));
    assert!(settings.s3_credentials.is_some());
    assert!(!format!("{settings:?}").contains("SECRET"), "{settings:?}");
    // Without a bucket, the keys are not kept; a secret in the URL is not echoed.
    let local = load_env(&[("AWS_ACCESS_KEY_ID", "AKID"), ("AWS_SECRET_ACCESS_KEY", "SECRET")]).unwrap();
    assert!(local.s3_credentials.is_none());
    let message = load_env(&[("LONGFORM_MEDIA_STORE", "s3://AKID:hunter2@media")]).unwrap_err().to_string();
    assert!(message.contains("credentials do not belong") && !message.contains("hunter2"), "{message}");
}
