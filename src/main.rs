//! `longform`: the one binary. Serves the API, runs migrations and manages
//! users. Every failure ends with one line on stderr and a non-zero exit.

mod cli;
mod config;
mod corpus;
mod demo;
mod error;
mod export;
mod import;
mod media;
mod runtime;
mod serve;
mod users;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line, whatever the cause (libpq's messages span several).
            let message = error.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
            eprintln!("error: {message}");
            ExitCode::from(error.exit_code())
        }
    }
}
