//! The public GraphQL read API at `/graphql`: a Query-only schema over
//! published content (posts, tags, categories, authors, `node(id:)`),
//! served over GraphQL-over-HTTP with Automatic Persisted Queries and the
//! REST API's response cache. Its SDL is committed as `schema/schema.graphql`.
//!
//! Limits, always on:
//! - depth 10 (introspection-only operations, run on a schema that resolves
//!   nothing else, may nest 20 deep: GraphiQL's introspection query does);
//! - complexity [`MAX_COMPLEXITY`]: each field costs 1 plus its children;
//!   a field that reads the database on its own (every root field, a
//!   term's or author's `posts`) 20 more, a `search` 2,000 more (so five
//!   at most); a paginated field (`posts`, `related`) costs its children
//!   once per item asked for, a post's `tags`/`authors` 5 times, the root
//!   taxonomy lists 50 times. The blog index (100 posts with feature
//!   image, category, tags, authors, `pageInfo` and `totalCount`) costs
//!   about 4,700, 5,200 with `html` and `toc`; `related` nested in
//!   `related` under 100 posts, or a tag's posts under every post, is
//!   refused;
//! - the document itself (`budget`): 500 fields, 50 aliases, one
//!   `__schema` and ten `__type`, fragments counted where spread, all
//!   counted before anything is validated or run;
//! - `first` at most 100 (`related`: 10), else a `VALIDATION` error naming
//!   `first`; bodies at most 256 KiB; answers at most [`MAX_RESPONSE_BYTES`]
//!   (past it, an error in place of the data).

mod apq;
mod args;
mod budget;
mod error;
mod graphiql;
mod http;
mod ids;
mod loaders;
mod objects;
mod query;
mod search;
mod values;
mod variables;
mod wire;

#[cfg(test)]
mod tests;

use actix_web::http::Method;
use actix_web::web;
use async_graphql::{EmptyMutation, EmptySubscription, Schema};

pub use error::GqlError;

use crate::routes::Routes;

pub type LongformSchema = Schema<query::Query, EmptyMutation, EmptySubscription>;

pub const MAX_DEPTH: usize = 10;
pub const MAX_COMPLEXITY: usize = 10_000;
/// The largest answer sent: 100 long posts with their HTML fit.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;
/// GraphiQL's introspection query nests `ofType` deeply; only
/// introspection-only operations get this much.
const INTROSPECTION_MAX_DEPTH: usize = 20;

/// The served schema, with its limits.
pub fn build_schema() -> LongformSchema {
    Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// The same schema for introspection-only operations: it resolves
/// nothing but `__schema`, `__type` and `__typename`.
fn build_introspection_schema() -> LongformSchema {
    Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .introspection_only()
        .limit_depth(INTROSPECTION_MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// The schema with nothing to discover it by: no introspection (but
/// `__typename`), no "Did you mean" suggestions in errors.
fn build_closed_schema() -> LongformSchema {
    Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .disable_introspection()
        .disable_suggestions()
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// What the endpoint keeps for the life of the process: the schemas, built
/// once, and the persisted queries, shared by every worker.
pub struct Graphql {
    schema: LongformSchema,
    introspection: LongformSchema,
    persisted: apq::PersistedQueries,
    /// Whether a browser gets GraphiQL (it needs introspection).
    explorer: bool,
}

impl Default for Graphql {
    fn default() -> Self {
        Self::new(true)
    }
}

impl Graphql {
    /// With introspection, suggestions and GraphiQL when `open` (the
    /// default in development), else none of them (production's).
    pub fn new(open: bool) -> Self {
        let (schema, introspection) = if open {
            (build_schema(), build_introspection_schema())
        } else {
            (build_closed_schema(), build_closed_schema())
        };
        Self { schema, introspection, persisted: apq::PersistedQueries::default(), explorer: open }
    }

    pub fn schema(&self) -> &LongformSchema {
        &self.schema
    }
}

/// Mount `GET` and `POST /graphql` as one resource, which answers other
/// methods with a GraphQL-over-HTTP 405 of its own.
pub fn routes(r: &mut Routes<'_>) {
    r.resource("/graphql", vec![(Method::GET, web::to(http::get)), (Method::POST, web::to(http::post))], |resource| {
        resource.default_service(web::to(http::method_not_allowed)).wrap(crate::rest::public_cors())
    });
}
