//! openapi.yaml as a contract on every answer the end-to-end tests
//! receive through [`TestApp`](crate::helpers::TestApp): the status must be
//! documented for the operation, the media type must be one the response
//! documents, and a JSON body must match the documented schema (JSON Schema
//! 2020-12, which OpenAPI 3.1 schemas are). A request to no documented path
//! is not checked (a 404 for a made-up URL), nor is a 405 (documented once,
//! in `info`) or a 500 (never meant to happen).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::Validator;
use serde_json::{Map, Value};
use yaml_rust2::{Yaml, YamlLoader};

use crate::helpers::Reply;

/// The committed document, as JSON.
fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let text = include_str!("../../openapi.yaml");
        let docs = YamlLoader::load_from_str(text).expect("openapi.yaml is YAML");
        json(&docs[0])
    })
}

fn json(yaml: &Yaml) -> Value {
    match yaml {
        Yaml::Real(real) => real.parse::<f64>().map_or(Value::Null, Value::from),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::from(s.as_str()),
        Yaml::Boolean(b) => Value::from(*b),
        Yaml::Array(items) => Value::Array(items.iter().map(json).collect()),
        Yaml::Hash(hash) => {
            let map: Map<String, Value> = hash
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        other => panic!("openapi.yaml: a key that is not a string: {other:?}"),
                    };
                    (key, json(v))
                })
                .collect();
            Value::Object(map)
        }
        Yaml::Null => Value::Null,
        Yaml::Alias(_) | Yaml::BadValue => panic!("openapi.yaml: aliases and bad values are not supported"),
    }
}

/// Whether `template` (`/posts/{slug}`, `/sitemap-{n}.xml`) matches `path`.
fn matches(template: &str, path: &str) -> bool {
    let (template, path): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    template.len() == path.len()
        && template.iter().zip(&path).all(|(t, p)| match (t.find('{'), t.rfind('}')) {
            (Some(open), Some(close)) => {
                let (prefix, suffix) = (&t[..open], &t[close + 1..]);
                p.len() > prefix.len() + suffix.len() && p.starts_with(prefix) && p.ends_with(suffix)
            }
            _ => t == p,
        })
}

/// The documented path `path` is an instance of: the most literal one.
fn template_of(path: &str) -> Option<&'static str> {
    let paths = document()["paths"].as_object()?;
    paths.keys().filter(|t| matches(t, path)).min_by_key(|t| t.matches('{').count()).map(String::as_str)
}

/// `#/components/...` resolved, for response objects.
fn resolve(value: &'static Value) -> (&'static Value, Option<String>) {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            let target = document().pointer(pointer).unwrap_or_else(|| panic!("openapi.yaml: no {reference}"));
            (target, Some(pointer.to_owned()))
        }
        None => (value, None),
    }
}

/// JSON Pointer escaping of one key.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A JSON Pointer as a URI fragment: characters a URI may not hold, such
/// as the braces of `/posts/{slug}`, percent-encoded.
fn fragment(pointer: &str) -> String {
    pointer
        .chars()
        .map(|c| match c {
            '{' | '}' | '%' | ' ' | '"' | '<' | '>' | '\\' | '^' | '`' | '|' => format!("%{:02X}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// A validator for the schema at `pointer` in the document, compiled once.
fn validator(pointer: &str) -> Arc<Validator> {
    static VALIDATORS: OnceLock<Mutex<HashMap<String, Arc<Validator>>>> = OnceLock::new();
    let mut cache = VALIDATORS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(pointer.to_owned())
        .or_insert_with(|| {
            // The whole document, so that `#/components/...` resolves, aimed at one schema.
            let mut schema = document().clone();
            schema["$ref"] = Value::from(format!("#{}", fragment(pointer)));
            Arc::new(jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("schema at {pointer}: {e}")))
        })
        .clone()
}

/// Check `reply` to `method path` against the document; panics naming the
/// operation and what does not match.
pub fn check(method: &str, path: &str, reply: &Reply) {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let Some(template) = template_of(path) else { return };
    let status = reply.status;
    if status == 405 || status >= 500 && status != 503 {
        return;
    }
    let verb = if method.eq_ignore_ascii_case("HEAD") { "get" } else { &method.to_ascii_lowercase() };
    let Some(operation) = document()["paths"][template].get(verb) else { return };
    let responses = &operation["responses"];
    let code = status.to_string();
    let class = format!("{}XX", status / 100);
    let (key, response) = [code.as_str(), class.as_str(), "default"]
        .into_iter()
        .find_map(|key| responses.get(key).map(|r| (key, r)))
        .unwrap_or_else(|| panic!("{method} {template}: status {status} is not documented: {}", reply.body));
    let (response, referenced) = resolve(response);
    if reply.body.is_empty() || method.eq_ignore_ascii_case("HEAD") || status == 304 {
        return;
    }
    let media = reply.content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let Some(content) = response.get("content").and_then(Value::as_object) else {
        panic!("{method} {template}: {status} documents no body, but one came: {media}: {}", reply.body)
    };
    let Some(documented) = content.get(&media) else {
        panic!("{method} {template}: {status} answered {media}, not documented ({:?})", content.keys())
    };
    let is_json = media.ends_with("/json") || media.ends_with("+json");
    if !is_json || documented.get("schema").is_none() {
        return;
    }
    let pointer = match referenced {
        Some(base) => format!("{base}/content/{}/schema", escape(&media)),
        None => format!("/paths/{}/{verb}/responses/{}/content/{}/schema", escape(template), key, escape(&media)),
    };
    let body: Value = serde_json::from_str(&reply.body)
        .unwrap_or_else(|e| panic!("{method} {template}: {status} is not JSON ({e}): {}", reply.body));
    let errors: Vec<String> =
        validator(&pointer).iter_errors(&body).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(
        errors.is_empty(),
        "{method} {path} ({template}): the {status} answer does not match openapi.yaml:\n  {}\n{}",
        errors.join("\n  "),
        reply.body.chars().take(2000).collect::<String>()
    );
}

#[test]
fn paths_match_their_templates() {
    assert!(matches("/api/v1/posts/{slug}", "/api/v1/posts/hello"));
    assert!(!matches("/api/v1/posts/{slug}", "/api/v1/posts"));
    assert!(matches("/sitemap-{n}.xml", "/sitemap-2.xml"));
    assert!(!matches("/sitemap-{n}.xml", "/sitemap.xml"));
    assert_eq!(template_of("/api/v1/posts/hello"), Some("/api/v1/posts/{slug}"));
    assert_eq!(template_of("/api/v1/admin/posts"), Some("/api/v1/admin/posts"));
}

#[test]
fn a_body_off_its_schema_is_caught() {
    let reply = |body: &str| Reply {
        status: 200,
        content_type: "application/json".into(),
        headers: Default::default(),
        body: body.into(),
        bytes: body.as_bytes().to_vec(),
    };
    let good = std::panic::catch_unwind(|| check("GET", "/api/v1/tags", &reply(r#"{"tags": []}"#)));
    assert!(good.is_ok());
    let bad = std::panic::catch_unwind(|| check("GET", "/api/v1/tags", &reply(r#"{"tags": [{"slug": 5}]}"#)));
    assert!(bad.is_err(), "a tag whose slug is a number passed");
}
