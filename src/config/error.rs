//! What a bad configuration says: one line naming the setting, the value
//! (unless it is secret) and where it came from.

use std::fmt;
use std::path::PathBuf;

use figment::value::Value;

use super::keys::Key;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    /// A key in the file or a `LONGFORM_*` variable that is no setting.
    #[error("unknown {setting} {origin}: no such setting{}", suggestion(.did_you_mean))]
    Unknown { setting: String, origin: Origin, did_you_mean: Option<&'static str> },
    /// A value that does not parse, or parses to something unusable.
    #[error("invalid {setting} {origin}: {hint}")]
    Invalid { setting: String, origin: Origin, hint: String },
}

fn suggestion(name: &Option<&'static str>) -> String {
    name.map(|name| format!("; did you mean {name}?")).unwrap_or_default()
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    File(PathBuf),
    Environment,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => f.write_str("(built-in default)"),
            Self::File(path) => write!(f, "in {}", path.display()),
            Self::Environment => f.write_str("(environment)"),
        }
    }
}

/// What of a bad value an error shows.
pub enum Shown<'a> {
    /// The whole value, as it was written (unless the key is hidden).
    Value(Option<&'a Value>),
    /// One entry of a list.
    Entry(&'a str),
}

/// `workers = 0` for the file, `LONGFORM_WORKERS="0"` for the environment;
/// the name alone for a hidden key.
pub fn describe(key: &Key, origin: &Origin, shown: Shown<'_>) -> String {
    let name = match origin {
        Origin::Environment => key.var,
        Origin::Default | Origin::File(_) => key.name,
    };
    match shown {
        Shown::Value(_) | Shown::Entry(_) if key.hidden => name.to_owned(),
        Shown::Entry(entry) => format!("{name} entry {entry:?}"),
        Shown::Value(None) => name.to_owned(),
        Shown::Value(Some(Value::String(_, raw))) if *origin == Origin::Environment => format!("{name}={raw:?}"),
        Shown::Value(Some(value)) => format!("{name} = {}", render(value)),
    }
}

/// A value as TOML would spell it.
fn render(value: &Value) -> String {
    match value {
        Value::String(_, text) => format!("{text:?}"),
        Value::Char(_, c) => format!("{:?}", c.to_string()),
        Value::Bool(_, b) => b.to_string(),
        Value::Num(_, n) => n
            .to_i128()
            .map(|i| i.to_string())
            .or_else(|| n.to_u128().map(|u| u.to_string()))
            .or_else(|| n.to_f64().map(|f| f.to_string()))
            .unwrap_or_default(),
        Value::Empty(..) => "nothing".to_owned(),
        Value::Array(_, items) => format!("[{}]", items.iter().map(render).collect::<Vec<_>>().join(", ")),
        Value::Dict(..) => "a table".to_owned(),
    }
}
