//! The command line: what each subcommand takes and which code runs it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::error::CliError;
use crate::runtime::{open_store, runtime};

#[derive(Debug, Parser)]
#[command(name = "longform", version, about = "A headless CMS for long-form technical blogs")]
pub struct Cli {
    /// Configuration file (default: ./longform.toml when present).
    #[arg(long, global = true, env = "LONGFORM_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (runs pending migrations first).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free one).
        #[arg(long)]
        bind: Option<String>,
        /// Start without the demo blog an empty database otherwise gets.
        #[arg(long)]
        no_demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Import a folder of Markdown files with YAML front matter (and
    /// _authors.json), creating or updating posts by slug.
    Import {
        /// The folder, searched recursively for *.md.
        dir: PathBuf,
        /// Report what would change without writing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a deterministic corpus of long-form posts (front matter,
    /// _authors.json, _manifest.json) for trying the importer and benchmarks.
    Corpus {
        #[arg(long, default_value_t = 200)]
        posts: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Export everything: `--format json` (a lossless, versioned backup that
    /// import-json restores) or `--format markdown` (a front-matter folder).
    Export {
        #[arg(long, default_value = "json")]
        format: String,
        out: PathBuf,
    },
    /// Restore a JSON export into an empty database (also how a site moves
    /// from SQLite to PostgreSQL).
    ImportJson { file: PathBuf },
    /// Copy a SQLite database to FILE while the server runs (consistent
    /// snapshot). For PostgreSQL, use pg_dump. Media bytes stay in the media
    /// store: copy it too.
    Backup { file: PathBuf },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Look after uploaded media.
    Media {
        #[command(subcommand)]
        command: MediaCommand,
    },
}

#[derive(Debug, Subcommand)]
enum MediaCommand {
    /// Remove the bytes no media item uses any more (deleted items'), and
    /// files under no item's name older than an hour.
    Gc {
        /// Say what would be removed, and remove nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Hash every stored original again and check every rendition is
    /// there at its size; exit 1 when any does not match.
    Verify,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user. The password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// contributor, author, editor or admin.
        #[arg(long)]
        role: String,
        /// Read the password from the first line of stdin without prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password (read from stdin) and end their sessions.
    SetPassword {
        #[arg(long)]
        email: String,
        /// Read the password from the first line of stdin without prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users (email, name, role).
    List,
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    let mut settings = Settings::load(cli.config.as_deref(), std::env::vars_os())?;
    match cli.command {
        Command::Serve { bind, no_demo } => {
            if let Some(bind) = bind {
                settings.bind = bind;
            }
            crate::serve::run(settings, !no_demo)
        }
        Command::Migrate => runtime()?.block_on(async {
            let store = open_store(&settings)?;
            let applied = store.migrate().await?;
            println!("applied {} migration(s) to {}", applied.len(), store.redacted_url());
            Ok(())
        }),
        Command::User { command: UserCommand::Create { email, name, role, password_stdin } } => {
            let password = crate::users::read_password(password_stdin)?;
            runtime()?.block_on(crate::users::create(&settings, &email, &name, &role, password))
        }
        Command::Export { format, out } => runtime()?.block_on(crate::export::export(&settings, &format, &out)),
        Command::ImportJson { file } => runtime()?.block_on(crate::export::import_json(&settings, &file)),
        Command::Corpus { posts, out } => crate::corpus::write(posts, &out),
        Command::Backup { file } => runtime()?.block_on(async {
            let store = open_store(&settings)?;
            store.backup_to(file.clone()).await?;
            println!("backed up {} to {}", store.redacted_url(), file.display());
            let media = crate::media::open_media_store(&settings).await?;
            println!(
                "media bytes are not in it: copy {} along, or use `longform export --format json`, which carries them",
                media.describe()
            );
            Ok(())
        }),
        Command::Import { dir, dry_run } => runtime()?.block_on(crate::import::run(&settings, &dir, dry_run)),
        Command::User { command: UserCommand::SetPassword { email, password_stdin } } => {
            let password = crate::users::read_password(password_stdin)?;
            runtime()?.block_on(crate::users::set_password(&settings, &email, password))
        }
        Command::User { command: UserCommand::List } => runtime()?.block_on(crate::users::list(&settings)),
        Command::Media { command: MediaCommand::Gc { dry_run } } => {
            runtime()?.block_on(crate::media::gc(&settings, dry_run))
        }
        Command::Media { command: MediaCommand::Verify } => runtime()?.block_on(crate::media::verify(&settings)),
    }
}
