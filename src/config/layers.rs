//! The two outside sources as figment providers: the TOML file and the
//! `LONGFORM_*` environment. Each refuses names that are no setting, so a
//! typo never falls back to a default, and figment remembers which layer
//! gave each value so an error can say where it came from.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use figment::value::{Dict, Map, Value};
use figment::{Metadata, Profile, Provider, Source};

use super::error::{ConfigError, Origin, Shown, describe};
use super::keys;

const FILE: &str = "config file";
const ENVIRONMENT: &str = "environment";

/// `longform.toml`, parsed, with only known keys.
pub struct FileLayer {
    path: PathBuf,
    values: Dict,
}

impl FileLayer {
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        // Errors name the file wherever the process was started from.
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read { path: path.clone(), source })?;
        let values: Dict = toml::from_str(&text)
            .map_err(|e| ConfigError::Parse { path: path.clone(), message: e.message().to_owned() })?;
        if let Some(unknown) = values.keys().find(|name| keys::by_name(name).is_none()) {
            return Err(ConfigError::Unknown {
                setting: format!("key {unknown}"),
                origin: Origin::File(path),
                did_you_mean: keys::suggest_name(unknown),
            });
        }
        Ok(Self { path, values })
    }
}

impl Provider for FileLayer {
    fn metadata(&self) -> Metadata {
        Metadata::from(FILE, Source::File(self.path.clone()))
    }

    fn data(&self) -> figment::Result<Map<Profile, Dict>> {
        Ok(Profile::Default.collect(self.values.clone()))
    }
}

/// The `LONGFORM_*` variables, as strings (figment's lossy extraction reads
/// numbers and booleans from them), lists split at commas.
pub struct EnvLayer {
    values: Dict,
}

impl EnvLayer {
    pub fn from_vars(vars: impl IntoIterator<Item = (OsString, OsString)>) -> Result<Self, ConfigError> {
        let mut values = Dict::new();
        for (var, raw) in vars {
            // A name that is not UTF-8 is not one of ours.
            let Some(var) = var.to_str().filter(|var| keys::is_setting_var(var)) else {
                continue;
            };
            let key = keys::by_var(var).ok_or_else(|| ConfigError::Unknown {
                setting: var.to_owned(),
                origin: Origin::Environment,
                did_you_mean: keys::suggest_var(var),
            })?;
            let raw = raw.into_string().map_err(|_| ConfigError::Invalid {
                setting: describe(key, &Origin::Environment, Shown::Value(None)),
                origin: Origin::Environment,
                hint: "not valid UTF-8".to_owned(),
            })?;
            let value = if key.list { Value::from(split_list(&raw)) } else { Value::from(raw) };
            values.insert(key.name.to_owned(), value);
        }
        Ok(Self { values })
    }
}

/// `a, b,,c` is `["a", "b", "c"]`; an empty variable is an empty list.
fn split_list(raw: &str) -> Vec<String> {
    raw.split(',').map(str::trim).filter(|item| !item.is_empty()).map(str::to_owned).collect()
}

impl Provider for EnvLayer {
    fn metadata(&self) -> Metadata {
        Metadata::named(ENVIRONMENT)
    }

    fn data(&self) -> figment::Result<Map<Profile, Dict>> {
        Ok(Profile::Default.collect(self.values.clone()))
    }
}

/// Which layer a value's metadata names.
pub fn origin(metadata: Option<&Metadata>) -> Origin {
    match metadata {
        Some(metadata) if metadata.name == ENVIRONMENT => Origin::Environment,
        Some(metadata) => match metadata.source.as_ref().and_then(Source::file_path) {
            Some(path) => Origin::File(path.to_owned()),
            None => Origin::Default,
        },
        None => Origin::Default,
    }
}
