//! End-to-end tests: the real `longform` binary, started on port 0 against
//! a fresh SQLite file or PostgreSQL database, spoken to over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod admin;
mod architecture;
mod bodies;
mod contract;
mod helpers;
mod node;
mod receiver;
mod seed;

mod changes;
mod cli;
mod clients;
mod compression;
mod content_keys;
mod demo;
mod editor;
mod faults;
mod feeds;
mod frontend;
mod ghost;
mod graphql;
mod head;
mod health;
mod import;
mod logging;
mod media;
mod media_s3;
mod metrics;
mod openapi;
mod proxies;
mod replicas;
mod rest;
mod schedule;
mod search;
mod slugs;
mod taxonomy;
mod tokens;
mod users;
mod webhooks;
