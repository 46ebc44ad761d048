//! GraphQL-over-HTTP requests as they arrive: which media type the client
//! accepts, the request read from a query string or a bounded JSON body,
//! the persisted query resolved, and the document parsed with the
//! operation to run picked out. Every refusal is a [`Failure`].

use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, web};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::apq::{ApqError, PersistedQueries, PersistedQuery};
use super::{budget, variables};

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
pub const JSON: &str = "application/json";

/// The media type of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// GraphQL-over-HTTP's own type: request errors are 4xx.
    GraphqlResponse,
    /// Legacy `application/json`: every GraphQL answer is a 200.
    Json,
}

impl Media {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponse => GRAPHQL_RESPONSE_JSON,
            Self::Json => JSON,
        }
    }
}

/// What to answer with, from the `Accept` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    Media(Media),
    /// A browser: the GraphiQL page.
    Html,
    NotAcceptable,
}

/// Media ranges named by `Accept` (parameters and `q=0` ranges dropped).
fn media_ranges(headers: &HeaderMap) -> Option<Vec<String>> {
    let accept = headers.get(header::ACCEPT)?.to_str().ok()?;
    let ranges = accept.split(',').filter_map(|range| {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next()?.to_ascii_lowercase();
        let refused = parts.any(|p| p.strip_prefix("q=").is_some_and(|q| q.parse::<f32>().is_ok_and(|q| q <= 0.0)));
        (!media.is_empty() && !refused).then_some(media)
    });
    Some(ranges.collect())
}

/// GraphQL media types first, then a browser's `text/html` (GET only),
/// then wildcards. A wildcard, or no `Accept` at all, means
/// `application/json`, which every client reads (GraphQL-over-HTTP's SHOULD).
pub fn negotiate(headers: &HeaderMap, html: bool) -> Accepted {
    let Some(ranges) = media_ranges(headers) else {
        return Accepted::Media(Media::Json);
    };
    let names = |name: &str| ranges.iter().any(|r| r == name);
    if names(GRAPHQL_RESPONSE_JSON) {
        Accepted::Media(Media::GraphqlResponse)
    } else if names(JSON) {
        Accepted::Media(Media::Json)
    } else if html && names("text/html") {
        Accepted::Html
    } else if names("*/*") || names("application/*") {
        Accepted::Media(Media::Json)
    } else {
        Accepted::NotAcceptable
    }
}

/// A request refused before or instead of execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// A GraphQL request error (bad document, unknown operation): with
    /// `application/json` it is still a 200, per GraphQL-over-HTTP.
    pub request_error: bool,
}

impl Failure {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), request_error: false }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    fn request_error(code: &'static str, message: impl Into<String>) -> Self {
        Self { request_error: true, ..Self::new(StatusCode::BAD_REQUEST, code, message) }
    }
}

/// The parameters of a GraphQL-over-HTTP request.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireRequest {
    pub query: Option<String>,
    pub operation_name: Option<String>,
    pub variables: Option<Map<String, Value>>,
    pub extensions: Option<Map<String, Value>>,
}

/// On a GET, `variables` and `extensions` are JSON text.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

fn json_object(name: &str, raw: Option<String>) -> Result<Option<Map<String, Value>>, Failure> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else { return Ok(None) };
    match serde_json::from_str::<Value>(&raw) {
        Ok(Value::Object(map)) => Ok(Some(map)),
        Ok(Value::Null) => Ok(None),
        _ => Err(Failure::bad_request(format!("{name} must be a JSON object"))),
    }
}

impl WireRequest {
    pub fn from_query_string(query: &str) -> Result<Self, Failure> {
        let params = web::Query::<QueryParams>::from_query(query)
            .map_err(|_| Failure::bad_request("the query string is malformed"))?
            .into_inner();
        Ok(Self {
            query: params.query.filter(|q| !q.is_empty()),
            operation_name: params.operation_name.filter(|n| !n.is_empty()),
            variables: json_object("variables", params.variables)?,
            extensions: json_object("extensions", params.extensions)?,
        })
    }

    /// A JSON body of at most [`MAX_BODY_BYTES`].
    pub async fn from_body(req: &HttpRequest, payload: web::Payload) -> Result<Self, Failure> {
        let too_large = || {
            let limit = format!("the request body is larger than {MAX_BODY_BYTES} bytes");
            Failure::new(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", limit)
        };
        let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
        if declared.is_some_and(|length| length > MAX_BODY_BYTES) {
            return Err(too_large());
        }
        let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        if !essence.eq_ignore_ascii_case(JSON) {
            let message = "send the request as application/json";
            return Err(Failure::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE", message));
        }
        let body = match payload.to_bytes_limited(MAX_BODY_BYTES).await {
            Ok(Ok(body)) => body,
            Ok(Err(error)) if error.as_error::<PayloadError>().is_some_and(crate::incoming::is_too_slow) => {
                return Err(Failure::new(StatusCode::REQUEST_TIMEOUT, "REQUEST_TIMEOUT", error.to_string()));
            }
            Ok(Err(_)) => return Err(Failure::bad_request("the request body could not be read")),
            Err(_) => return Err(too_large()),
        };
        serde_json::from_slice(&body)
            .map_err(|e| Failure::bad_request(format!("the body is not a GraphQL request: {e}")))
    }
}

/// A request with its query text known (persisted queries resolved).
#[derive(Debug)]
pub struct Resolved {
    pub query: String,
    pub operation_name: Option<String>,
    pub variables: Map<String, Value>,
}

impl Resolved {
    /// Resolve `extensions.persistedQuery`: an unknown hash is the error
    /// Apollo clients expect (a 200), on which they resend with the query.
    pub fn new(wire: WireRequest, persisted: &PersistedQueries) -> Result<Self, Failure> {
        let apq = wire.extensions.and_then(|mut e| e.remove("persistedQuery"));
        let text = wire.query.filter(|q| !q.is_empty());
        let query = match apq {
            Some(value) => {
                let apq: PersistedQuery = serde_json::from_value(value)
                    .map_err(|_| Failure::bad_request("extensions.persistedQuery is malformed"))?;
                persisted.resolve(&apq, text).map_err(|e| match e {
                    ApqError::NotFound => {
                        Failure::new(StatusCode::OK, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
                    }
                    ApqError::Invalid(reason) => Failure::bad_request(reason),
                })?
            }
            None => text.ok_or_else(|| Failure::bad_request("query is required"))?,
        };
        Ok(Self { query, operation_name: wire.operation_name, variables: wire.variables.unwrap_or_default() })
    }
}

/// A parsed request, ready to run.
pub struct Prepared {
    pub resolved: Resolved,
    pub document: ExecutableDocument,
    /// Only `__schema`, `__type` or `__typename` at the root.
    pub introspection_only: bool,
}

impl Prepared {
    /// Parse; on a GET, refuse anything but a query (405, per GraphQL-over-HTTP).
    pub fn new(resolved: Resolved, method: &Method) -> Result<Self, Failure> {
        let document = async_graphql::parser::parse_query(&resolved.query)
            .map_err(|e| Failure::request_error("GRAPHQL_PARSE_FAILED", e.to_string()))?;
        let operation = match &resolved.operation_name {
            Some(name) => document.operations.iter().find(|(n, _)| n.is_some_and(|n| n.as_str() == name)),
            None => {
                let mut all = document.operations.iter();
                all.next().filter(|_| all.next().is_none())
            }
        };
        let Some((name, operation)) = operation else {
            let message = match &resolved.operation_name {
                Some(name) => format!("unknown operation named \"{name}\""),
                None => "operationName is required when the document has several operations".to_owned(),
            };
            return Err(Failure::request_error("GRAPHQL_VALIDATION_FAILED", message));
        };
        let (kind, root) = (operation.node.ty, &operation.node.selection_set.node.items);
        if *method == Method::GET && kind != OperationType::Query {
            let message = format!("{kind} operations are not allowed over GET: use POST");
            return Err(Failure::new(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", message));
        }
        budget::check(&operation.node.selection_set.node, &document.fragments)
            .map_err(|over| Failure::request_error("GRAPHQL_VALIDATION_FAILED", over.0))?;
        let introspection_only =
            root.iter().all(|s| matches!(&s.node, Selection::Field(f) if f.node.name.node.starts_with("__")));
        let document = match variables::apply(&document, (name, operation), &resolved.variables) {
            Some(rewritten) => rewritten,
            None => document,
        };
        Ok(Self { resolved, document, introspection_only })
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn accept(value: &str, html: bool) -> Accepted {
        negotiate(TestRequest::get().insert_header((header::ACCEPT, value)).to_http_request().headers(), html)
    }

    #[test]
    fn negotiation() {
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(accept(browser, true), Accepted::Html);
        assert_eq!(accept(browser, false), Accepted::Media(Media::Json));
        assert_eq!(accept("application/json", true), Accepted::Media(Media::Json));
        let both = "application/graphql-response+json, application/json;q=0.9";
        assert_eq!(accept(both, true), Accepted::Media(Media::GraphqlResponse));
        assert_eq!(accept("*/*", true), Accepted::Media(Media::Json));
        assert_eq!(accept("application/*", false), Accepted::Media(Media::Json));
        assert_eq!(accept("text/plain", false), Accepted::NotAcceptable);
        assert_eq!(accept("application/json;q=0, text/plain", false), Accepted::NotAcceptable);
        assert_eq!(negotiate(TestRequest::get().to_http_request().headers(), true), Accepted::Media(Media::Json));
    }

    #[test]
    fn get_parameters() {
        let wire =
            WireRequest::from_query_string("query=%7Bposts%7D&operationName=Q&variables=%7B%22a%22%3A1%7D").unwrap();
        assert_eq!(wire.query.as_deref(), Some("{posts}"));
        assert_eq!(wire.operation_name.as_deref(), Some("Q"));
        assert_eq!(wire.variables.unwrap()["a"], 1);
        assert_eq!(
            WireRequest::from_query_string("query=x&variables=%5B1%5D").unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
    }

    fn prepare(query: &str, name: Option<&str>, method: Method) -> Result<Prepared, Failure> {
        let resolved = Resolved { query: query.into(), operation_name: name.map(Into::into), variables: Map::new() };
        Prepared::new(resolved, &method)
    }

    #[test]
    fn mutations_never_run_over_get() {
        let refused = prepare("mutation { publish }", None, Method::GET).err().unwrap();
        assert_eq!(refused.status, StatusCode::METHOD_NOT_ALLOWED);
        let doc = "query A { posts { totalCount } } mutation B { publish }";
        assert!(prepare(doc, Some("A"), Method::GET).is_ok());
        assert_eq!(prepare(doc, Some("B"), Method::GET).err().unwrap().status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(prepare(doc, None, Method::GET).err().unwrap().code, "GRAPHQL_VALIDATION_FAILED");
        assert_eq!(prepare("{ posts ", None, Method::GET).err().unwrap().code, "GRAPHQL_PARSE_FAILED");
        assert!(prepare("mutation { publish }", None, Method::POST).is_ok());
    }

    #[test]
    fn introspection_is_told_apart() {
        assert!(prepare("{ __schema { types { name } } }", None, Method::GET).unwrap().introspection_only);
        assert!(!prepare("{ __typename posts { totalCount } }", None, Method::GET).unwrap().introspection_only);
    }
}
