//! What of a request's target may be written to a log: the path, with the
//! segment after `preview` (a preview token) masked, and the query, with
//! the value of every parameter that may hold a secret masked. Formatting
//! happens only when a line is written.

use std::borrow::Cow;
use std::fmt;

pub const MASK: &str = "[redacted]";

/// Query parameters whose value is masked: these names, and any name
/// ending in one of them (`api_key`, `id_token`, `client_secret`), in any
/// case, after percent-decoding. `variables` is GraphQL's, which may carry
/// anything.
const SECRET_PARAMETER_SUFFIXES: &[&str] = &["token", "key", "secret", "password", "passwd", "signature"];
const SECRET_PARAMETERS: &[&str] = &["variables", "code"];
/// Path segments after which the next segment is a secret.
const SECRET_PATH_SEGMENTS: &[&str] = &["preview"];

/// `path?query` for a log line, secrets masked.
pub struct Target<'a> {
    pub path: &'a str,
    pub query: &'a str,
}

impl fmt::Display for Target<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_path(f, self.path)?;
        if self.query.is_empty() {
            return Ok(());
        }
        f.write_str("?")?;
        for (i, pair) in self.query.split('&').enumerate() {
            if i > 0 {
                f.write_str("&")?;
            }
            match pair.split_once('=') {
                Some((name, _)) if is_secret_parameter(name) => write!(f, "{name}={MASK}")?,
                _ => f.write_str(pair)?,
            }
        }
        Ok(())
    }
}

/// The path, percent-decoded (so an encoded `preview` is still seen), with
/// the segment after a secret-bearing one masked.
fn write_path(f: &mut fmt::Formatter<'_>, raw: &str) -> fmt::Result {
    let path = decode(raw);
    let mut mask_next = false;
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            f.write_str("/")?;
        }
        if mask_next && !segment.is_empty() {
            f.write_str(MASK)?;
            mask_next = false;
            continue;
        }
        f.write_str(segment)?;
        if SECRET_PATH_SEGMENTS.iter().any(|s| segment.eq_ignore_ascii_case(s)) {
            mask_next = true;
        }
    }
    Ok(())
}

fn is_secret_parameter(raw_name: &str) -> bool {
    let name = decode(raw_name).to_ascii_lowercase();
    let name = name.trim_end_matches("[]");
    SECRET_PARAMETERS.contains(&name) || SECRET_PARAMETER_SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
}

/// Percent-decoded, lossily.
fn decode(raw: &str) -> Cow<'_, str> {
    percent_encoding::percent_decode_str(raw).decode_utf8_lossy()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(path: &str, query: &str) -> String {
        Target { path, query }.to_string()
    }

    #[test]
    fn preview_tokens_are_masked_however_the_path_is_spelled() {
        assert_eq!(target("/api/v1/preview/eyJhbGciOi.x.y", ""), "/api/v1/preview/[redacted]");
        assert_eq!(target("/api/v1/%70review/SECRET", ""), "/api/v1/preview/[redacted]");
        assert_eq!(target("/api/v1/PREVIEW//SECRET/", ""), "/api/v1/PREVIEW//[redacted]/");
        assert_eq!(target("/api/v1/admin/posts/p1/preview", ""), "/api/v1/admin/posts/p1/preview");
        assert_eq!(target("/api/v1/posts/hello", "limit=5&page=2"), "/api/v1/posts/hello?limit=5&page=2");
    }

    #[test]
    fn secret_query_parameters_are_masked() {
        let cases = [
            ("key=abc123", "key=[redacted]"),
            ("token=abc&limit=5", "token=[redacted]&limit=5"),
            ("access_token=a&refresh_token=b", "access_token=[redacted]&refresh_token=[redacted]"),
            ("Password=hunter2", "Password=[redacted]"),
            ("api_key=a&client_secret=b", "api_key=[redacted]&client_secret=[redacted]"),
            ("%6Bey=abc", "%6Bey=[redacted]"),
            ("key%5B%5D=abc", "key%5B%5D=[redacted]"),
            ("variables=%7B%22t%22%3A1%7D", "variables=[redacted]"),
            ("q=monkey+business", "q=monkey+business"),
            ("key", "key"),
        ];
        for (query, logged) in cases {
            assert_eq!(target("/x", query), format!("/x?{logged}"), "{query}");
        }
    }
}
