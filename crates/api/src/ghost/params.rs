//! The query string of a Ghost request: the parameters a route knows
//! (others ignored, as Ghost ignores them), the cache key they make, and a
//! browse's filter, order, page and limit read from them.

use actix_web::HttpRequest;
use chrono::Utc;
use longform_domain::nql::{self, Fields, Filter, Op, Value};
use longform_persistence::{Browse, MAX_BROWSE_DEPTH, MAX_BROWSE_PAGE};
use serde::Serialize;
use serde_json::json;

use super::error::GhostError;
use crate::error::{ApiError, InvalidParam};

/// Ghost's default page size, and its largest short of `all`.
pub const DEFAULT_LIMIT: u32 = 15;
pub const MAX_LIMIT: u32 = 100;
/// The most names `fields` and `include` take.
const MAX_NAMES: usize = 64;

/// What browse and read routes take; anything else is ignored.
pub(super) const BROWSE: &[&str] = &["key", "include", "fields", "formats", "filter", "limit", "page", "order"];
pub(super) const READ: &[&str] = &["key", "include", "fields", "formats"];

pub(super) fn invalid(name: &str, reason: impl Into<String>) -> GhostError {
    GhostError(ApiError::Invalid(vec![InvalidParam { name: name.to_owned(), reason: reason.into() }]))
}

/// The parameters a route knows (others ignored), each at most once, and
/// their canonical text for the cache key.
pub(super) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub(super) fn parse(req: &HttpRequest, known: &[&str]) -> Result<Self, GhostError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
            if !known.contains(&name.as_ref()) {
                continue;
            }
            if pairs.iter().any(|(n, _)| *n == name) {
                return Err(invalid(&name, "is given more than once"));
            }
            pairs.push((name.into_owned(), value.into_owned()));
        }
        pairs.sort();
        Ok(Self { pairs })
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// A comma list (`include=tags,authors`), trimmed, each name one of
    /// `allowed` when given.
    pub(super) fn names(&self, name: &str, allowed: Option<&[&str]>) -> Result<Vec<String>, GhostError> {
        let Some(raw) = self.get(name) else { return Ok(Vec::new()) };
        let names: Vec<String> = raw.split(',').map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned).collect();
        if names.len() > MAX_NAMES {
            return Err(invalid(name, format!("takes at most {MAX_NAMES} names")));
        }
        if let Some(allowed) = allowed
            && let Some(unknown) = names.iter().find(|n| !allowed.contains(&n.as_str()))
        {
            return Err(invalid(name, format!("does not take {unknown:?}: one of {}", allowed.join(", "))));
        }
        Ok(names)
    }

    /// `fields`: which of the answer's fields to keep (`None`: all). Names
    /// the answer lacks are ignored, as Ghost ignores them: [`only`] keeps
    /// fields of the public type, so no name can reach anything else.
    pub(super) fn fields(&self) -> Result<Option<Vec<String>>, GhostError> {
        self.get("fields").map(|_| self.names("fields", None)).transpose()
    }

    /// The response cache's key: the path and the known parameters, plus
    /// the day a relative date was resolved on.
    pub(super) fn cache_key(&self, req: &HttpRequest, relative: bool) -> String {
        let mut key = url::form_urlencoded::Serializer::new(format!("{}?", req.path()));
        for (name, value) in &self.pairs {
            key.append_pair(name, value);
        }
        if relative {
            key.append_pair("day", &Utc::now().date_naive().to_string());
        }
        key.finish()
    }
}

/// How many per page: 1-100, or `all` (up to [`MAX_BROWSE_PAGE`]).
#[derive(Debug, Clone, Copy)]
pub(super) enum Limit {
    Count(u32),
    All,
}

impl Limit {
    pub(super) fn parse(query: &Query) -> Result<Self, GhostError> {
        match query.get("limit") {
            None => Ok(Self::Count(DEFAULT_LIMIT)),
            Some("all") => Ok(Self::All),
            Some(raw) => match raw.parse::<u32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(Self::Count(n)),
                _ => Err(invalid("limit", format!("is a whole number from 1 to {MAX_LIMIT}, or all"))),
            },
        }
    }

    pub(super) fn rows(self) -> u32 {
        match self {
            Self::Count(n) => n,
            Self::All => MAX_BROWSE_PAGE,
        }
    }
}

#[derive(Serialize)]
pub(super) struct Pagination {
    page: u32,
    limit: serde_json::Value,
    pages: i64,
    total: i64,
    next: Option<i64>,
    prev: Option<i64>,
}

impl Pagination {
    pub(super) fn new(page: u32, limit: Limit, total: i64) -> Self {
        let rows = i64::from(limit.rows());
        let pages = ((total + rows - 1) / rows).max(1);
        let page_n = i64::from(page);
        Self {
            page,
            limit: match limit {
                Limit::Count(n) => json!(n),
                Limit::All => json!("all"),
            },
            pages,
            total,
            next: (page_n < pages).then_some(page_n + 1),
            prev: (page_n > 1).then_some(page_n - 1),
        }
    }
}

/// A browse's filter, order and page from the query, against `F`'s
/// allowlist; and whether the filter holds a relative date.
pub(super) fn browse_of<F: Fields>(
    query: &Query,
    sortable: fn(&str) -> Option<F>,
) -> Result<(Browse<F>, Limit, bool), GhostError> {
    let limit = Limit::parse(query)?;
    let page = match query.get("page") {
        None => 1,
        Some(raw) => {
            raw.parse::<u32>().ok().filter(|p| *p >= 1).ok_or_else(|| invalid("page", "is a whole number from 1"))?
        }
    };
    let checked = query
        .get("filter")
        .map(|text| nql::parse_checked::<F>(text, Utc::now().date_naive()))
        .transpose()
        .map_err(|e| invalid("filter", e.to_string()))?;
    let order =
        query.get("order").map(|text| nql::parse_order(text, sortable)).transpose().map_err(|e| invalid("order", e))?;
    let relative = checked.as_ref().is_some_and(|c| c.relative);
    let browse =
        Browse { filter: checked.map(|c| c.filter), order: order.unwrap_or_default(), page, limit: limit.rows() };
    if browse.offset().is_none() {
        return Err(invalid("page", format!("page × limit is at most {MAX_BROWSE_DEPTH}: narrow the filter instead")));
    }
    Ok((browse, limit, relative))
}

/// One item by the id or slug the path names, as a filter.
pub(super) fn one_of<F>(req: &HttpRequest, id: F, slug: F) -> Browse<F> {
    let (field, value) = match (req.match_info().get("slug"), req.match_info().get("id")) {
        (Some(slug_value), _) => (slug, slug_value.to_lowercase()),
        (None, id_value) => (id, id_value.unwrap_or_default().to_owned()),
    };
    let filter = Filter::Test { field, op: Op::Eq, negated: false, values: vec![Value::Text(value)] };
    Browse { filter: Some(filter), order: Vec::new(), page: 1, limit: 1 }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn key(query: &str, relative: bool) -> String {
        let req = TestRequest::get().uri(&format!("/ghost/api/content/posts/?{query}")).to_http_request();
        Query::parse(&req, BROWSE).map(|q| q.cache_key(&req, relative)).unwrap_or_default()
    }

    /// Unknown parameters and their order make no answers of their own; a
    /// relative date's answer is kept for its day only.
    #[test]
    fn the_cache_key_is_the_known_parameters_in_order_and_a_relative_dates_day() {
        assert_eq!(key("limit=2&key=k&utm_source=x&zzz=1", false), key("key=k&limit=2", false));
        assert_ne!(key("key=k&limit=2", false), key("key=k&limit=3", false));
        let today = Utc::now().date_naive().to_string();
        assert!(key("key=k&filter=x", true).contains(&today));
        assert!(!key("key=k&filter=x", false).contains(&today));
    }
}
