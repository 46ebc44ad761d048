//! `longform user ...`: account management from the shell, for the first
//! admin and for operators.

use std::io::{BufRead, IsTerminal};

use longform_domain::{Email, Name, NewUser, Password, PasswordHash, Role};

use crate::config::Settings;
use crate::error::CliError;
use crate::runtime::open_store;

/// The password from stdin's first line; on a terminal, prompted without echo.
pub fn read_password(no_prompt: bool) -> Result<String, CliError> {
    let stdin = std::io::stdin();
    if !no_prompt && stdin.is_terminal() {
        return Ok(rpassword::prompt_password("Password: ")?);
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub async fn create(
    settings: &Settings,
    email: &str,
    name: &str,
    role: &str,
    password: String,
) -> Result<(), CliError> {
    let invalid = |e: longform_domain::FieldError| CliError::Invalid(e.to_string());
    let email = Email::parse(email).map_err(invalid)?;
    let name = Name::parse(name).map_err(invalid)?;
    let role = Role::parse(role).map_err(invalid)?;
    let password = Password::parse(&password).map_err(invalid)?;
    let password_hash = tokio::task::spawn_blocking(move || PasswordHash::create(&password))
        .await
        .map_err(|e| CliError::Invalid(e.to_string()))?
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    let store = open_store(settings)?;
    store.migrate().await?;
    let user = match store.users().create(NewUser { email, name, role, password_hash }).await {
        Err(longform_persistence::StoreError::Conflict { field }) if field == "email" => {
            return Err(CliError::Invalid("a user with that email already exists".into()));
        }
        other => other?,
    };
    println!("created {} user {} ({})", user.role, user.email.as_str(), user.id);
    Ok(())
}

pub async fn set_password(settings: &Settings, email: &str, password: String) -> Result<(), CliError> {
    let invalid = |e: longform_domain::FieldError| CliError::Invalid(e.to_string());
    let email = Email::parse(email).map_err(invalid)?;
    let password = Password::parse(&password).map_err(invalid)?;
    let hash = tokio::task::spawn_blocking(move || PasswordHash::create(&password))
        .await
        .map_err(|e| CliError::Invalid(e.to_string()))?
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    let store = open_store(settings)?;
    store.migrate().await?;
    let user = store.users().find_by_email(email).await?.ok_or(CliError::Invalid("no user has that email".into()))?;
    store.users().set_password(user.id, hash).await?;
    store.auth().revoke_user_sessions(user.id).await?;
    println!("set the password of {} and ended their sessions", user.email.as_str());
    Ok(())
}

pub async fn list(settings: &Settings) -> Result<(), CliError> {
    let store = open_store(settings)?;
    store.migrate().await?;
    for user in store.users().list().await? {
        let state = if user.disabled { " (disabled)" } else { "" };
        println!("{}\t{}\t{}{state}", user.email.as_str(), user.name, user.role);
    }
    Ok(())
}
