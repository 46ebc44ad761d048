//! What the `media_store` setting names: a directory, or a bucket as
//! `s3://BUCKET?endpoint=URL&region=REGION&prefix=PATH`. Credentials are
//! never part of it: they come from the environment ([`S3Credentials`]),
//! so the setting can be shown in errors and logs as it is.

use std::fmt;
use std::path::PathBuf;

use crate::error::StoreError;

/// Where media bytes are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaLocation {
    Directory(PathBuf),
    S3(S3Location),
}

/// A bucket (and a prefix inside it) on an S3-compatible service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    bucket: String,
    /// `http(s)://host[:port]`; `None` is AWS itself.
    endpoint: Option<String>,
    region: String,
    /// Empty, or segments joined by `/`, without a slash at either end.
    prefix: String,
}

const PARAMETERS: &str = "s3:// takes endpoint, region and prefix; \
    credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";

impl MediaLocation {
    /// A path is a directory; `s3://` a bucket; any other scheme is refused.
    pub fn parse(spec: &str) -> Result<Self, StoreError> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err(invalid("use a directory path or s3://BUCKET?endpoint=URL"));
        }
        match spec.split_once("://") {
            None => Ok(Self::Directory(PathBuf::from(spec))),
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("s3") => S3Location::parse(rest).map(Self::S3),
            Some((scheme, _)) => {
                Err(invalid(&format!("unknown scheme {scheme:?}: use a directory path or s3://BUCKET?endpoint=URL")))
            }
        }
    }
}

impl S3Location {
    /// What follows `s3://`.
    fn parse(rest: &str) -> Result<Self, StoreError> {
        let (bucket, query) = rest.split_once('?').unwrap_or((rest, ""));
        if bucket.contains('@') {
            return Err(invalid(
                "credentials do not belong in the URL: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            ));
        }
        let bucket = bucket.trim_end_matches('/');
        if bucket.contains('/') {
            return Err(invalid("a bucket name holds no '/': give a prefix as ?prefix=PATH"));
        }
        if !is_bucket_name(bucket) {
            return Err(invalid(&format!(
                "{bucket:?} is not a bucket name (3 to 63 lowercase letters, digits, dots and hyphens)"
            )));
        }
        let mut location =
            Self { bucket: bucket.to_owned(), endpoint: None, region: "us-east-1".to_owned(), prefix: String::new() };
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match name {
                "endpoint" => location.endpoint = Some(endpoint(value)?),
                "region" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') => {
                    location.region = value.to_owned();
                }
                "region" => return Err(invalid(&format!("{value:?} is not a region name"))),
                "prefix" => location.prefix = prefix(value)?,
                // Only the name: an unknown parameter may be a secret put in the wrong place.
                other => return Err(invalid(&format!("unknown parameter {other:?}: {PARAMETERS}"))),
            }
        }
        Ok(location)
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// Keys are stored under `prefix/` (nothing when empty).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Plain http is allowed only to an endpoint that says `http://`.
    pub fn allows_http(&self) -> bool {
        self.endpoint.as_deref().is_some_and(|e| e.starts_with("http://"))
    }
}

/// `s3://bucket/prefix at http://endpoint (region)`: nothing secret in it.
impl fmt::Display for S3Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}", self.bucket)?;
        if !self.prefix.is_empty() {
            write!(f, "/{}", self.prefix)?;
        }
        write!(f, " at {} ({})", self.endpoint.as_deref().unwrap_or("AWS"), self.region)
    }
}

/// `http(s)://host[:port][/path]`, without credentials, query or fragment.
fn endpoint(value: &str) -> Result<String, StoreError> {
    let rest = value.strip_prefix("https://").or_else(|| value.strip_prefix("http://"));
    let host = rest.map(|rest| rest.split('/').next().unwrap_or_default());
    match host {
        Some(host) if host.contains('@') => {
            Err(invalid("credentials do not belong in the endpoint: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"))
        }
        Some(host)
            if !host.is_empty()
                && !host.starts_with(':')
                && !value.contains(['?', '#'])
                && !value.contains(char::is_whitespace) =>
        {
            Ok(value.trim_end_matches('/').to_owned())
        }
        _ => Err(invalid(&format!("endpoint {value:?} is not an http:// or https:// URL with a host"))),
    }
}

fn prefix(value: &str) -> Result<String, StoreError> {
    let trimmed = value.trim_matches('/');
    let fine = |segment: &str| {
        !segment.is_empty()
            && segment != "."
            && segment != ".."
            && segment.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    if trimmed.is_empty() || trimmed.split('/').all(fine) {
        Ok(trimmed.to_owned())
    } else {
        Err(invalid(&format!("prefix {value:?}: use letters, digits, '.', '_', '-' and '/'")))
    }
}

fn is_bucket_name(name: &str) -> bool {
    let edge = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && edge(name.as_bytes().first())
        && edge(name.as_bytes().last())
}

fn invalid(reason: &str) -> StoreError {
    StoreError::InvalidUrl(reason.to_owned())
}

/// Keys for an S3-compatible service, from the environment only.
#[derive(Clone)]
pub struct S3Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
}

impl S3Credentials {
    pub fn new(access_key_id: String, secret_access_key: String, session_token: Option<String>) -> Self {
        Self { access_key_id, secret_access_key, session_token: session_token.filter(|t| !t.is_empty()) }
    }

    /// From `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and (optional)
    /// `AWS_SESSION_TOKEN`, as `var` looks them up; `None` unless the
    /// first two are set.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let set = |name: &str| var(name).filter(|value| !value.trim().is_empty());
        Some(Self::new(set("AWS_ACCESS_KEY_ID")?, set("AWS_SECRET_ACCESS_KEY")?, set("AWS_SESSION_TOKEN")))
    }

    pub(super) fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    pub(super) fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    pub(super) fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// `text` with every credential replaced, for error messages that
    /// quote a server's answer.
    pub(super) fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in [Some(&self.secret_access_key), self.session_token.as_ref(), Some(&self.access_key_id)]
            .into_iter()
            .flatten()
        {
            text = text.replace(secret.as_str(), "[redacted]");
        }
        text
    }
}

impl fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("S3Credentials([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(spec: &str) -> Result<S3Location, String> {
        match MediaLocation::parse(spec) {
            Ok(MediaLocation::S3(location)) => Ok(location),
            Ok(other) => Err(format!("not s3: {other:?}")),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn paths_are_directories_and_s3_urls_buckets() {
        assert_eq!(MediaLocation::parse(" data/media ").unwrap(), MediaLocation::Directory("data/media".into()));
        let location = s3("s3://media-1?endpoint=http://127.0.0.1:9000/&region=eu-west-3&prefix=/blog/media/").unwrap();
        assert_eq!(
            (location.bucket(), location.endpoint(), location.region(), location.prefix()),
            ("media-1", Some("http://127.0.0.1:9000"), "eu-west-3", "blog/media")
        );
        assert!(location.allows_http());
        assert_eq!(location.to_string(), "s3://media-1/blog/media at http://127.0.0.1:9000 (eu-west-3)");
        let aws = s3("S3://media.example").unwrap();
        assert_eq!((aws.endpoint(), aws.region(), aws.prefix(), aws.allows_http()), (None, "us-east-1", "", false));
        assert!(!s3("s3://b12?endpoint=https://s3.example").unwrap().allows_http());
    }

    #[test]
    fn bad_locations_say_what_is_wrong_without_repeating_secrets() {
        for (spec, expected) in [
            ("", "use a directory path"),
            ("ftp://host/dir", "unknown scheme \"ftp\""),
            ("s3://", "\"\" is not a bucket name"),
            ("s3://ab", "\"ab\" is not a bucket name"),
            ("s3://Media", "not a bucket name"),
            ("s3://media/blog", "give a prefix as ?prefix="),
            ("s3://KEY:hunter2@media", "credentials do not belong"),
            ("s3://media?endpoint=localhost:9000", "is not an http:// or https:// URL"),
            ("s3://media?endpoint=http://", "is not an http:// or https:// URL"),
            ("s3://media?endpoint=http://KEY:hunter2@host", "credentials do not belong"),
            ("s3://media?region=", "is not a region name"),
            ("s3://media?prefix=a/../b", "prefix \"a/../b\""),
        ] {
            let error = s3(spec).unwrap_err();
            assert!(error.contains(expected), "{spec}: {error}");
            assert!(!error.contains("hunter2"), "{spec}: {error}");
        }
        let error = s3("s3://media?secret_access_key=hunter2").unwrap_err();
        assert!(error.contains("unknown parameter \"secret_access_key\"") && !error.contains("hunter2"), "{error}");
    }

    #[test]
    fn credentials_come_from_the_environment_and_never_show() {
        let env = |name: &str| match name {
            "AWS_ACCESS_KEY_ID" => Some("AKIDEXAMPLE".to_owned()),
            "AWS_SECRET_ACCESS_KEY" => Some("wJalr/SECRET".to_owned()),
            "AWS_SESSION_TOKEN" => Some(String::new()),
            _ => None,
        };
        let credentials = S3Credentials::from_env(env).unwrap();
        assert_eq!(credentials.session_token(), None, "an empty token is none");
        assert!(!format!("{credentials:?}").contains("SECRET"));
        assert_eq!(credentials.redact("sig for wJalr/SECRET by AKIDEXAMPLE"), "sig for [redacted] by [redacted]");
        assert!(S3Credentials::from_env(|name| (name == "AWS_ACCESS_KEY_ID").then(|| "x".to_owned())).is_none());
    }
}
