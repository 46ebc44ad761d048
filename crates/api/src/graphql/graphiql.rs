//! The GraphiQL page a browser gets on `GET /graphql`: GraphiQL 3 on
//! React 18, vendored and served from `/assets` (see [`crate::assets`]).

use std::sync::OnceLock;

use actix_web::HttpResponse;
use actix_web::http::header;

use crate::assets;

pub fn page() -> HttpResponse {
    static PAGE: OnceLock<String> = OnceLock::new();
    let html = PAGE.get_or_init(|| {
        format!(
            r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="robots" content="noindex">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Longform GraphQL</title>
    <link rel="stylesheet" href="{css}">
    <style>body {{ height: 100%; margin: 0; width: 100%; overflow: hidden; }} #graphiql {{ height: 100vh; }}</style>
  </head>
  <body>
    <div id="graphiql">Loading…</div>
    <script src="{react}"></script>
    <script src="{react_dom}"></script>
    <script src="{graphiql}"></script>
    <script src="{init}"></script>
  </body>
</html>
"#,
            css = assets::path("graphiql.min.css"),
            react = assets::path("react.production.min.js"),
            react_dom = assets::path("react-dom.production.min.js"),
            graphiql = assets::path("graphiql.min.js"),
            init = assets::path("graphiql.js"),
        )
    });
    let mut response = assets::page(html);
    response.headers_mut().insert(header::VARY, header::HeaderValue::from_static("Accept"));
    response
}
