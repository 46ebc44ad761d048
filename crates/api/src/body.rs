//! Request bodies: JSON objects read whole (within the configured limit),
//! then checked field by field so that a bad request hears about every
//! invalid field at once, each by name, and unknown fields are refused.

use std::fmt;

use actix_web::error::JsonPayloadError;
use actix_web::{HttpRequest, web};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::{ApiError, InvalidParam};

/// The default limit on request bodies.
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Maps body errors to problem+json: too large is 413, a repeated key a
/// 400 naming it, anything else 400 on `body`.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(limit).error_handler(move |error, _req: &HttpRequest| match error {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::PayloadTooLarge { limit }.into()
        }
        JsonPayloadError::ContentType => ApiError::invalid("body", "send Content-Type: application/json").into(),
        JsonPayloadError::Payload(error) if crate::incoming::is_too_slow(&error) => ApiError::RequestTimeout.into(),
        JsonPayloadError::Deserialize(error) => match repeated_key(&error) {
            Some(key) => {
                let key: String = key.chars().take(100).collect();
                ApiError::invalid(key, "is given more than once: send each key once").into()
            }
            None => ApiError::invalid("body", format!("is not valid JSON: {error}")).into(),
        },
        other => ApiError::invalid("body", format!("is not valid JSON: {other}")).into(),
    })
}

/// A JSON body in which no object repeats a key. serde_json keeps the last
/// of `{"slug":"a","slug":"b"}`, so a proxy or a validator in front may
/// read another value than the one stored; such a body is refused.
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl JsonBody {
    pub fn into_value(self) -> Value {
        self.0
    }
}

const REPEATED_KEY: &str = "repeated key: ";

/// The key a [`JsonBody`] refused for being repeated, from its error
/// (serde_json adds " at line L column C" to the message).
fn repeated_key(error: &serde_json::Error) -> Option<String> {
    let message = error.to_string();
    let rest = message.strip_prefix(REPEATED_KEY)?;
    Some(rest.rsplit_once(" at line ").map_or(rest, |(key, _)| key).to_owned())
}

impl<'de> Deserialize<'de> for JsonBody {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Strict).map(JsonBody)
    }
}

/// serde_json's own `Value` visitor, but refusing a repeated key.
struct Strict;

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(JsonBody(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("{REPEATED_KEY}{key}")));
            }
            let JsonBody(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
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
    fn a_repeated_key_is_refused_by_name_at_any_depth() {
        let parse = |text: &str| serde_json::from_str::<JsonBody>(text).map(JsonBody::into_value);
        let error = parse(r#"{"slug":"a","title":"T","slug":"b"}"#).unwrap_err();
        assert_eq!(repeated_key(&error).as_deref(), Some("slug"), "{error}");
        let nested = parse(r#"{"feature_image":{"url":"u","url":"v"}}"#).unwrap_err();
        assert_eq!(repeated_key(&nested).as_deref(), Some("url"));
        let deep = parse(r#"[{"a":1},{"a":2,"a":3}]"#).unwrap_err();
        assert_eq!(repeated_key(&deep).as_deref(), Some("a"));
        assert_eq!(repeated_key(&serde_json::from_str::<Value>("{").unwrap_err()), None);
        let fine = r#"{"a":[1,-2,3.5,"x",null,true,{"a":{}}],"b":{"a":1},"c":18446744073709551615}"#;
        assert_eq!(parse(fine).unwrap(), serde_json::from_str::<Value>(fine).unwrap());
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
