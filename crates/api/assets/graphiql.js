// GraphiQL on this server's /graphql, with the vendored React 18 and
// GraphiQL 3 builds (loaded before this file).
'use strict';
const defaultQuery = `{
  posts(first: 5) {
    edges { node { title url readingTimeMinutes } }
    pageInfo { hasNextPage endCursor }
  }
}
`;
const url = new URL('/graphql', window.location.origin).toString();
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher: GraphiQL.createFetcher({ url }),
    defaultEditorToolsVisibility: true,
    defaultQuery,
  }),
);
