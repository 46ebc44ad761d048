//! The GraphiQL page a browser gets on `GET /graphql`. Written out here
//! rather than generated: async-graphql's generator needs its `graphiql`
//! feature (and handlebars) for one static page.

use actix_web::HttpResponse;
use actix_web::http::header;

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="robots" content="noindex">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Longform GraphQL</title>
    <style>
      body { height: 100%; margin: 0; width: 100%; overflow: hidden; }
      #graphiql { height: 100vh; }
    </style>
    <script crossorigin src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
    <script crossorigin src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
    <link rel="stylesheet" href="https://unpkg.com/graphiql@3/graphiql.min.css">
  </head>
  <body>
    <div id="graphiql">Loading...</div>
    <script crossorigin src="https://unpkg.com/graphiql@3/graphiql.min.js"></script>
    <script>
      const url = new URL('/graphql', window.location.origin).toString();
      ReactDOM.createRoot(document.getElementById('graphiql')).render(
        React.createElement(GraphiQL, {
          fetcher: GraphiQL.createFetcher({ url }),
          defaultEditorToolsVisibility: true,
          defaultQuery: '{\n  posts(first: 5) {\n    edges { node { title url } }\n    pageInfo { hasNextPage endCursor }\n  }\n}\n',
        })
      );
    </script>
  </body>
</html>
"#;

pub fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::VARY, "Accept"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(PAGE)
}
