//! Strict query strings: every parameter a route does not know is a 400
//! naming it (a typo like `?tags=go` must not silently list everything),
//! and every value is parsed into a domain type or refused by name. Public
//! reads accept and ignore the parameters shared links and cache-busting
//! clients add (`utm_*`, `fbclid`, `gclid`, `ref`, `_`), and leave them out
//! of the response cache's key.

use std::borrow::Cow;
use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};
use longform_domain::{PostId, Slug};
use longform_persistence::{Keyset, MAX_PAGE_SIZE, SearchCursor};

use crate::error::{ApiError, InvalidParam};

pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// The parameters of one request, each at most once, all known to the route.
pub struct Params(HashMap<String, String>);

/// A parameter added to shared links or for cache busting, not by the reader.
fn is_tracking(name: &str) -> bool {
    name.starts_with("utm_") || matches!(name, "fbclid" | "gclid" | "ref" | "_")
}

/// `query` without tracking parameters: the part of a public read's query
/// that decides its answer (the response cache's key). Borrowed, with no
/// work beyond a scan, when there are none.
pub fn without_tracking(query: &str) -> Cow<'_, str> {
    let tracked = |pair: &&str| is_tracking(pair.split_once('=').map_or(pair, |(name, _)| name));
    if !query.split('&').any(|pair| tracked(&pair)) {
        return Cow::Borrowed(query);
    }
    Cow::Owned(query.split('&').filter(|pair| !tracked(pair)).collect::<Vec<_>>().join("&"))
}

impl Params {
    /// An editor's or integration's parameters: all of them known.
    pub fn parse(query: &str, known: &[&str]) -> Result<Self, ApiError> {
        Self::parse_ignoring(query, known, |_| false)
    }

    /// A public read's parameters: tracking ones ignored, the rest known.
    pub fn public(query: &str, known: &[&str]) -> Result<Self, ApiError> {
        Self::parse_ignoring(query, known, is_tracking)
    }

    fn parse_ignoring(query: &str, known: &[&str], ignored: fn(&str) -> bool) -> Result<Self, ApiError> {
        let mut map = HashMap::new();
        let mut invalid = Vec::new();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            if ignored(&name) {
                continue;
            }
            if !known.contains(&name.as_ref()) {
                invalid.push(InvalidParam { name: name.into_owned(), reason: "is not a known parameter".into() });
            } else if map.insert(name.clone().into_owned(), value.into_owned()).is_some() {
                invalid.push(InvalidParam { name: name.into_owned(), reason: "is given more than once".into() });
            }
        }
        if invalid.is_empty() { Ok(Self(map)) } else { Err(ApiError::Invalid(invalid)) }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn slug(&self, name: &str) -> Result<Option<Slug>, ApiError> {
        self.get(name).map(|raw| Slug::parse(raw).map_err(|e| ApiError::invalid(name, e.to_string()))).transpose()
    }

    pub fn limit(&self) -> Result<u32, ApiError> {
        let Some(raw) = self.get("limit") else { return Ok(DEFAULT_PAGE_SIZE) };
        match raw.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid("limit", format!("must be an integer from 1 to {MAX_PAGE_SIZE}"))),
        }
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(ApiError::invalid(name, "must be true or false")),
        }
    }

    /// An RFC 3339 time, or a date (meaning its midnight UTC).
    pub fn time(&self, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
        let Some(raw) = self.get(name) else { return Ok(None) };
        if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
            return Ok(Some(at.with_timezone(&Utc)));
        }
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| Some(t.and_utc()))
            .ok_or_else(|| ApiError::invalid(name, "must be an RFC 3339 time or a YYYY-MM-DD date"))
    }

    pub fn cursor(&self, name: &str) -> Result<Option<Keyset>, ApiError> {
        self.get(name)
            .map(|raw| parse_cursor(raw).ok_or_else(|| ApiError::invalid(name, "is not a valid cursor")))
            .transpose()
    }

    pub fn search_cursor(&self, name: &str) -> Result<Option<SearchCursor>, ApiError> {
        self.get(name).map(|raw| decode_search_cursor(raw, name)).transpose()
    }
}

/// An opaque cursor: base64url of `<published_at µs since epoch>.<post id>`.
/// Clients pass it back; its shape may change between versions.
pub fn encode_cursor(keyset: &Keyset) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}.{}", keyset.published_at.timestamp_micros(), keyset.id))
}

/// The keyset a cursor from [`encode_cursor`] names; an `after` argument
/// that is not one is a 400 naming `after`.
pub fn decode_cursor(raw: &str) -> Result<Keyset, ApiError> {
    parse_cursor(raw).ok_or_else(|| ApiError::invalid("after", "is not a valid cursor"))
}

fn parse_cursor(raw: &str) -> Option<Keyset> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(raw).ok()?).ok()?;
    let (micros, id) = text.split_once('.')?;
    let published_at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
    Some(Keyset { published_at, id: id.parse::<PostId>().ok()? })
}

/// A search cursor: base64url of `<score>:<post id>`; the score printed
/// in full, so the next page starts exactly after the last hit.
pub fn encode_search_cursor(cursor: &SearchCursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}", cursor.score, cursor.id))
}

/// The cursor a search's `after` names; anything else is a 400 naming `field`.
pub fn decode_search_cursor(raw: &str, field: &str) -> Result<SearchCursor, ApiError> {
    let parse = || -> Option<SearchCursor> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(raw).ok()?).ok()?;
        let (score, id) = text.split_once(':')?;
        let score: f64 = score.parse().ok().filter(|s: &f64| s.is_finite())?;
        Some(SearchCursor { score, id: id.parse().ok()? })
    };
    parse().ok_or_else(|| ApiError::invalid(field, "is not a valid cursor"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_repeated_parameters_are_named() {
        let Err(ApiError::Invalid(params)) = Params::parse("limit=5&tags=go&limit=6", &["limit", "tag"]) else {
            panic!("expected a validation error")
        };
        let names: Vec<_> = params.iter().map(|p| (p.name.as_str(), p.reason.as_str())).collect();
        assert_eq!(names, [("tags", "is not a known parameter"), ("limit", "is given more than once")]);
    }

    #[test]
    fn public_reads_ignore_tracking_parameters_and_nothing_else() {
        let query = "utm_source=newsletter&utm_medium=email&fbclid=x&gclid=y&ref=hn&_=1733170000&limit=5";
        assert_eq!(Params::public(query, &["limit"]).unwrap().limit().unwrap(), 5);
        assert!(Params::parse(query, &["limit"]).is_err(), "editors' routes stay strict");
        let Err(ApiError::Invalid(params)) = Params::public("utm_source=x&tags=go&utmsource=y", &["tag"]) else {
            panic!("expected a validation error")
        };
        let names: Vec<_> = params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["tags", "utmsource"]);
        assert_eq!(without_tracking(query), "limit=5");
        assert_eq!(without_tracking("_=1&tag=go&ref=x"), "tag=go");
        assert!(matches!(without_tracking("limit=5&tag=go"), Cow::Borrowed("limit=5&tag=go")));
        assert_eq!(without_tracking(""), "");
    }

    #[test]
    fn limits_and_values() {
        let limit = |q: &str| Params::parse(q, &["limit"]).unwrap().limit();
        assert_eq!(limit("").unwrap(), 20);
        assert_eq!(limit("limit=100").unwrap(), 100);
        for bad in ["limit=0", "limit=101", "limit=-1", "limit=ten"] {
            assert!(matches!(limit(bad), Err(ApiError::Invalid(p)) if p[0].name == "limit"), "{bad}");
        }
        let p =
            Params::parse("featured=yes&published_after=2026-06-01&tag=Go", &["featured", "published_after", "tag"])
                .unwrap();
        assert!(p.bool("featured").is_err());
        assert_eq!(p.time("published_after").unwrap().unwrap().to_rfc3339(), "2026-06-01T00:00:00+00:00");
        assert!(p.slug("tag").is_err());
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let keyset =
            Keyset { published_at: DateTime::from_timestamp_micros(1_781_000_000_123_456).unwrap(), id: PostId::new() };
        assert_eq!(decode_cursor(&encode_cursor(&keyset)).unwrap(), keyset);
        for bad in ["", "!!!", "bm90LWEtY3Vyc29y", &URL_SAFE_NO_PAD.encode("12.not-a-uuid")] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
        let search = SearchCursor { score: -0.000_001_234_567_890_123_4, id: PostId::new() };
        assert_eq!(decode_search_cursor(&encode_search_cursor(&search), "after").unwrap(), search);
        for bad in [&encode_cursor(&keyset), &URL_SAFE_NO_PAD.encode(format!("NaN:{}", PostId::new())), "~"] {
            assert!(decode_search_cursor(bad, "after").is_err(), "{bad}");
        }
    }
}
