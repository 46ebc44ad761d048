//! Request bodies: JSON objects read whole (within the configured limit),
//! then checked field by field so that a bad request hears about every
//! invalid field at once, each by name, and unknown fields are refused.

use actix_web::error::JsonPayloadError;
use actix_web::{HttpRequest, web};
use serde_json::{Map, Value};

use crate::error::{ApiError, InvalidParam};

/// The default limit on request bodies.
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Maps body errors to problem+json: too large is 413, anything else 400.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(limit).error_handler(move |error, _req: &HttpRequest| match error {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::PayloadTooLarge { limit }.into()
        }
        JsonPayloadError::ContentType => ApiError::invalid("body", "send Content-Type: application/json").into(),
        JsonPayloadError::Payload(error) if crate::incoming::is_too_slow(&error) => ApiError::RequestTimeout.into(),
        other => ApiError::invalid("body", format!("is not valid JSON: {other}")).into(),
    })
}

/// A JSON object being taken apart field by field.
pub struct Fields {
    map: Map<String, Value>,
    errors: Vec<InvalidParam>,
}

impl Fields {
    /// The body as an object, refusing any key outside `known`.
    pub fn new(body: Value, known: &[&str]) -> Result<Self, ApiError> {
        let Value::Object(map) = body else {
            return Err(ApiError::invalid("body", "must be a JSON object"));
        };
        let errors = map
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .map(|k| InvalidParam { name: k.clone(), reason: "is not a known field".into() })
            .collect();
        Ok(Self { map, errors })
    }

    pub fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    pub fn fail(&mut self, name: &str, reason: impl Into<String>) {
        self.errors.push(InvalidParam { name: name.to_owned(), reason: reason.into() });
    }

    /// Run a parser on a present, non-null string field; `None` when absent,
    /// null, or invalid (the error is recorded).
    pub fn parse<T, E: std::fmt::Display>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match self.map.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(raw)) => match parse(raw) {
                Ok(value) => Some(value),
                Err(e) => {
                    let reason = e.to_string();
                    // Domain errors say "<field> <reason>"; keep only the reason.
                    let reason = reason.strip_prefix(&format!("{name} ")).map(str::to_owned).unwrap_or(reason);
                    self.fail(name, reason);
                    None
                }
            },
            Some(_) => {
                self.fail(name, "must be a string");
                None
            }
        }
    }

    /// A string field that must be present.
    pub fn required<T, E: std::fmt::Display>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        if matches!(self.map.get(name), None | Some(Value::Null)) {
            self.fail(name, "is required");
            return None;
        }
        self.parse(name, parse)
    }

    pub fn bool(&mut self, name: &str) -> Option<bool> {
        match self.map.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.fail(name, "must be true or false");
                None
            }
        }
    }

    /// A list of strings, each parsed.
    pub fn list<T, E: std::fmt::Display>(
        &mut self,
        name: &str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<Vec<T>> {
        let items = match self.map.get(name) {
            None | Some(Value::Null) => return None,
            Some(Value::Array(items)) => items.clone(),
            Some(_) => {
                self.fail(name, "must be a list of strings");
                return None;
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item.as_str().map(&parse) {
                Some(Ok(value)) => out.push(value),
                Some(Err(e)) => self.fail(&format!("{name}[{i}]"), e.to_string()),
                None => self.fail(&format!("{name}[{i}]"), "must be a string"),
            }
        }
        Some(out)
    }

    pub fn value(&self, name: &str) -> Option<&Value> {
        self.map.get(name)
    }

    /// Every error recorded, or nothing.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::Invalid(self.errors)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use longform_domain::{Slug, Title};
    use serde_json::json;

    #[test]
    fn every_invalid_field_is_reported_once_by_name() {
        let body = json!({"title": "", "tags": ["go", "Bad Tag", 3], "featured": "yes", "colour": "red"});
        let mut fields = Fields::new(body, &["title", "tags", "featured"]).unwrap();
        assert!(fields.required("title", Title::parse).is_none());
        fields.list("tags", Slug::parse);
        fields.bool("featured");
        let Err(ApiError::Invalid(params)) = fields.finish() else { panic!("expected errors") };
        let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["colour", "title", "tags[1]", "tags[2]", "featured"]);
        assert_eq!(params[1].reason, "must not be empty");
    }

    #[test]
    fn absent_and_null_are_the_same_and_non_objects_are_refused() {
        let mut fields = Fields::new(json!({"summary": null}), &["summary"]).unwrap();
        assert!(fields.parse("summary", Title::parse).is_none());
        assert!(fields.required("title", Title::parse).is_none());
        assert!(fields.finish().is_err());
        assert!(Fields::new(json!([1, 2]), &[]).is_err());
    }
}
