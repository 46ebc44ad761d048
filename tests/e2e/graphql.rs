//! The GraphQL API at `/graphql`: published content only, Relay pagination,
//! global ids, a constant statement count for the index, the limits, the
//! GraphQL-over-HTTP status codes, persisted queries and caching.

use std::io::Write;
use std::process::{Command, Stdio};

use chrono::{Duration, Utc};
use longform_domain::{Move, Post};
use serde_json::{Value, json};

use crate::helpers::{DEADLINE, Db, Reply, TestApp, agent, both_backends, wait_for};
use crate::seed::{PostSpec, Seed};

both_backends!(
    the_index_walks_every_published_post_once_newest_first,
    unpublished_posts_are_unreachable,
    node_ids_round_trip,
    the_index_costs_the_same_statements_whatever_first,
    limits_and_bad_requests_are_refused_with_graphql_over_http_statuses,
    persisted_queries_work_over_get_once_registered,
    get_answers_are_cached_and_browsers_get_graphiql,
    variables_left_out_leave_arguments_to_their_defaults,
    wildcard_or_missing_accept_gets_json_and_extra_parameters_change_nothing,
    costly_documents_are_refused_before_anything_runs,
    production_hides_the_schema_unless_configured_to_show_it,
    the_site_describes_itself_as_its_feeds_do,
);

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// GraphQL's own media type unless `headers` ask for another.
fn accepting<'a>(headers: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = headers.to_vec();
    if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("accept")) {
        all.push(("Accept", GRAPHQL_RESPONSE));
    }
    all
}

fn post_raw(app: &TestApp, body: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = agent().post(&app.url("/graphql")).header("Content-Type", "application/json");
    for (name, value) in accepting(headers) {
        request = request.header(name, value);
    }
    let reply = Reply::from(request.send(body).unwrap());
    crate::contract::check("POST", "/graphql", &reply);
    reply
}

fn post(app: &TestApp, query: &str, variables: Value) -> Reply {
    post_raw(app, &json!({ "query": query, "variables": variables }).to_string(), &[])
}

/// The `data` of a successful POST.
fn data(app: &TestApp, query: &str, variables: Value) -> Value {
    let reply = post(app, query, variables);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.content_type, GRAPHQL_RESPONSE);
    let body = reply.json();
    assert!(body.get("errors").is_none(), "{}", reply.body);
    body["data"].clone()
}

fn get(app: &TestApp, params: &[(&str, &str)], headers: &[(&str, &str)]) -> Reply {
    let mut request = agent().get(&app.url("/graphql"));
    for (name, value) in params {
        request = request.query(*name, *value);
    }
    for (name, value) in accepting(headers) {
        request = request.header(name, value);
    }
    let reply = Reply::from(request.call().unwrap());
    crate::contract::check("GET", "/graphql", &reply);
    reply
}

fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default()
}

fn newest_first(posts: &[Post]) -> Vec<String> {
    posts.iter().rev().map(|p| p.card.slug.to_string()).collect()
}

fn slugs(nodes: &Value) -> Vec<String> {
    nodes.as_array().unwrap().iter().map(|n| n["slug"].as_str().unwrap().to_owned()).collect()
}

const PAGE: &str = "query Page($after: String) {
  posts(first: 4, after: $after) {
    edges { cursor node { slug } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}";

fn the_index_walks_every_published_post_once_newest_first(db: &Db) {
    let seed = Seed::new(db.url());
    let expected = newest_first(&seed.many(11));
    seed.post(PostSpec { title: "A Draft", publish: false, ..Default::default() });
    let app = TestApp::spawn(db.url());
    let (mut seen, mut after) = (Vec::new(), Value::Null);
    for page in 0.. {
        assert!(page < 10, "pagination does not end");
        let posts = data(&app, PAGE, json!({ "after": after }))["posts"].clone();
        assert_eq!(posts["totalCount"], 11);
        let edges = posts["edges"].as_array().unwrap();
        seen.extend(edges.iter().map(|e| e["node"]["slug"].as_str().unwrap().to_owned()));
        let end = &posts["pageInfo"]["endCursor"];
        assert_eq!(end, &edges.last().unwrap()["cursor"]);
        if posts["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = end.clone();
    }
    assert_eq!(seen, expected);
}

/// Global ids are base64url("<Type>:<uuid>"), written out here so the test
/// can name posts the API never shows.
fn global_id(kind: &str, id: impl std::fmt::Display) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let text = format!("{kind}:{id}");
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let bytes = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(bytes[0]) << 16) | (u32::from(bytes[1]) << 8) | u32::from(bytes[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

fn unpublished_posts_are_unreachable(db: &Db) {
    let seed = Seed::new(db.url());
    let published = seed.post(PostSpec { title: "Live", tags: &["shared"], ..Default::default() });
    let draft = seed.post(PostSpec { title: "Draft", tags: &["shared"], publish: false, ..Default::default() });
    let scheduled = seed.post(PostSpec { title: "Later", tags: &["shared"], publish: false, ..Default::default() });
    let tomorrow = Move::Schedule(Utc::now() + Duration::days(1));
    seed.block_on(seed.store.posts().apply_move(scheduled.card.id, tomorrow, None, None)).unwrap();
    let archived = seed.post(PostSpec { title: "Old", tags: &["shared"], ..Default::default() });
    seed.block_on(seed.store.posts().apply_move(archived.card.id, Move::Archive, None, None)).unwrap();
    let app = TestApp::spawn(db.url());

    for hidden in [&draft, &scheduled, &archived] {
        let query = "query($slug: String!, $id: ID!) { post(slug: $slug) { slug } node(id: $id) { id } }";
        let id = global_id("Post", hidden.card.id);
        let found = data(&app, query, json!({ "slug": hidden.card.slug.as_str(), "id": id }));
        assert_eq!(found, json!({ "post": null, "node": null }), "{}", hidden.card.slug);
    }
    let query = r#"{ posts { nodes { slug related { slug } } totalCount }
        tag(slug: "shared") { postCount posts { nodes { slug } } } }"#;
    let listed = data(&app, query, json!({}));
    assert_eq!(slugs(&listed["posts"]["nodes"]), ["live"]);
    assert_eq!(listed["posts"]["nodes"][0]["related"], json!([]));
    assert_eq!(listed["posts"]["totalCount"], 1);
    assert_eq!(listed["tag"]["postCount"], 1);
    assert_eq!(slugs(&listed["tag"]["posts"]["nodes"]), [published.card.slug.as_str()]);
}

fn node_ids_round_trip(db: &Db) {
    let seed = Seed::new(db.url());
    seed.many(3);
    let app = TestApp::spawn(db.url());
    let query = "{ posts(first: 1) { nodes { id slug category { id slug } tags { id slug } authors { id slug } } } }";
    let post = data(&app, query, json!({}))["posts"]["nodes"][0].clone();
    let objects =
        [("Post", &post), ("Category", &post["category"]), ("Tag", &post["tags"][0]), ("Author", &post["authors"][0])];
    let node = "query($id: ID!) { node(id: $id) { __typename id
        ... on Post { slug } ... on Tag { slug } ... on Category { slug } ... on Author { slug } } }";
    for (typename, object) in objects {
        let found = data(&app, node, json!({ "id": object["id"] }))["node"].clone();
        assert_eq!(found["__typename"], typename);
        assert_eq!((&found["id"], &found["slug"]), (&object["id"], &object["slug"]));
    }
    assert_eq!(data(&app, node, json!({ "id": "not-an-id" }))["node"], Value::Null);
}

pub fn statements(app: &TestApp) -> u64 {
    let metrics = app.get("/metrics").body;
    let line = metrics.lines().find_map(|l| l.strip_prefix("longform_db_statements_total ")).unwrap();
    line.trim().parse().unwrap()
}

fn the_index_costs_the_same_statements_whatever_first(db: &Db) {
    let seed = Seed::new(db.url());
    seed.many(25);
    let app = TestApp::spawn(db.url());
    let index = "query($first: Int!) { posts(first: $first) {
        edges { cursor node { id slug title summary publishedAt url html toc { id }
          featureImage { url } category { slug postCount } tags { slug postCount } authors { slug name }
          related(first: 2) { slug } } }
        pageInfo { hasNextPage endCursor } totalCount } }";
    let mut costs = Vec::new();
    for first in [5, 20] {
        let before = statements(&app);
        let posts = data(&app, index, json!({ "first": first }))["posts"].clone();
        costs.push(statements(&app) - before);
        assert_eq!(posts["edges"].as_array().unwrap().len(), first);
        assert!(posts["edges"][0]["node"]["html"].as_str().unwrap().contains("<h2"));
    }
    assert_eq!(costs[0], costs[1], "statements for first: 5 and first: 20");
    assert!(costs[0] < 40, "{costs:?}");
}

fn limits_and_bad_requests_are_refused_with_graphql_over_http_statuses(db: &Db) {
    let app = TestApp::spawn(db.url());
    let deep = "{ posts(first: 1) { nodes { related(first: 1) { related(first: 1) { related(first: 1) {
        related(first: 1) { related(first: 1) { related(first: 1) { related(first: 1) { related(first: 1) { slug }
        } } } } } } } } } }";
    let complex = "{ posts(first: 100) { nodes { tags { posts(first: 100) { nodes { html } } } } } }";
    for (query, message) in [(deep, "nested too deep"), (complex, "too complex"), ("{ posts {", "")] {
        let refused = post(&app, query, json!({}));
        assert_eq!((refused.status, refused.content_type.as_str()), (400, GRAPHQL_RESPONSE), "{}", refused.body);
        let body = refused.json();
        assert!(body.get("data").is_none(), "a request error has no data: {body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains(message), "{body}");
        // Plain JSON clients get a 200 for the same errors.
        let legacy = post_raw(&app, &json!({ "query": query }).to_string(), &[("Accept", "application/json")]);
        assert_eq!((legacy.status, legacy.content_type.as_str()), (200, "application/json"));
    }
    let too_many = post(&app, "{ posts(first: 101) { totalCount } }", json!({}));
    assert_eq!(too_many.status, 200, "a field error is a 200: {}", too_many.body);
    let body = too_many.json();
    assert_eq!((error_code(&body), &body["errors"][0]["extensions"]["field"]), ("VALIDATION", &json!("first")));

    let malformed = post_raw(&app, "{ not json", &[]);
    assert_eq!(malformed.status, 400);
    let huge = json!({ "query": format!("{{ posts {{ totalCount }} }} # {}", "x".repeat(300 * 1024)) });
    assert_eq!(post_raw(&app, &huge.to_string(), &[]).status, 413);
    let mutation = get(&app, &[("query", "mutation { anything }")], &[]);
    assert_eq!((mutation.status, mutation.header("allow")), (405, Some("POST")), "{}", mutation.body);
    let missing = get(&app, &[], &[("Accept", GRAPHQL_RESPONSE)]);
    assert_eq!(missing.status, 400);
}

/// Issue 15: one anonymous request of aliased searches ran 21,000
/// statements; an introspection fragment under aliases made 17 KB into
/// 10 MB. Each is refused with a 400 naming the limit, and no statement runs.
fn costly_documents_are_refused_before_anything_runs(db: &Db) {
    Seed::new(db.url()).many(3);
    let app = TestApp::spawn(db.url());
    let aliased = |field: &str, times: usize| -> String {
        format!("{{ {} }}", (0..times).map(|i| format!("a{i}: {field} ")).collect::<String>())
    };
    let search = "search(query: \"memory\", first: 1) { pageInfo { hasNextPage } }";
    let introspection = "fragment Everything on __Schema { types { name fields { name args { name type { name } } \
                         type { name ofType { name ofType { name } } } } } }";
    let schemas: String = (0..40).map(|i| format!("s{i}: __schema {{ ...Everything }} ")).collect();
    let fields: String = (0..501).map(|_| "__typename ").collect();
    let cases = [
        (aliased(search, 3_000), "alias"),
        (aliased(search, 6), "too complex"),
        (format!("{{ {schemas} }} {introspection}"), "__schema once"),
        (format!("{{ {fields} }}"), "500 fields"),
    ];
    for (query, message) in cases {
        let before = statements(&app);
        let refused = post(&app, &query, json!({}));
        assert_eq!(refused.status, 400, "{}", refused.body);
        let body = refused.json();
        assert!(body.get("data").is_none(), "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains(message), "{message}: {body}");
        assert_eq!(statements(&app), before, "{message}: refused before any statement ran");
    }
    // Within the limits, the same kinds of request run.
    let four = data(&app, &aliased(search, 4), json!({}));
    assert_eq!(four.as_object().unwrap().len(), 4);
    let schema = data(&app, &format!("{{ s0: __schema {{ ...Everything }} }} {introspection}"), json!({}));
    assert!(schema["s0"]["types"].as_array().unwrap().len() > 10);
}

fn sha256(text: &str) -> String {
    let mut child = Command::new("sha256sum").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8(output.stdout).unwrap().split_whitespace().next().unwrap().to_owned()
}

fn persisted_queries_work_over_get_once_registered(db: &Db) {
    Seed::new(db.url()).many(2);
    let app = TestApp::spawn(db.url());
    let query = "{ posts { totalCount } }";
    let extensions = |hash: &str| json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
    let hash = sha256(query);

    let unknown = get(&app, &[("extensions", &extensions(&hash))], &[]);
    assert_eq!(unknown.status, 200, "Apollo clients expect a 200: {}", unknown.body);
    assert_eq!(error_code(&unknown.json()), "PERSISTED_QUERY_NOT_FOUND");

    let wrong = post_raw(
        &app,
        &json!({ "query": query, "extensions": { "persistedQuery":
        { "version": 1, "sha256Hash": sha256("{ other }") } } })
        .to_string(),
        &[],
    );
    assert_eq!(wrong.status, 400, "{}", wrong.body);

    let register = json!({ "query": query, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
    let registered = post_raw(&app, &register.to_string(), &[]);
    assert_eq!(registered.json()["data"]["posts"]["totalCount"], 2, "{}", registered.body);
    let by_hash = get(&app, &[("extensions", &extensions(&hash))], &[]);
    assert_eq!(by_hash.status, 200, "{}", by_hash.body);
    assert_eq!(by_hash.json()["data"]["posts"]["totalCount"], 2);
}

/// `request`'s reply once it runs no statement: answered from the response
/// cache. (The change watcher moves the generation once after start on
/// PostgreSQL, which may empty the cache once.)
fn from_memory(app: &TestApp, request: impl Fn() -> Reply) -> Reply {
    wait_for(DEADLINE, "an answer from the response cache", || {
        let before = statements(app);
        let reply = request();
        (statements(app) == before).then_some(reply)
    })
}

fn get_answers_are_cached_and_browsers_get_graphiql(db: &Db) {
    Seed::new(db.url()).many(2);
    let app = TestApp::spawn(db.url());
    let params = [
        ("query", "query Count($tag: String) { posts(filter: { tag: $tag }) { totalCount } }"),
        ("variables", r#"{"tag": "odd"}"#),
        ("operationName", "Count"),
    ];
    let first = get(&app, &params, &[]);
    assert_eq!((first.status, first.content_type.as_str()), (200, GRAPHQL_RESPONSE), "{}", first.body);
    assert_eq!(first.json()["data"]["posts"]["totalCount"], 1);
    assert!(first.header("cache-control").unwrap().starts_with("public"));
    let etag = first.header("etag").unwrap().to_owned();
    let again = from_memory(&app, || get(&app, &params, &[("If-None-Match", &etag)]));
    assert_eq!(again.status, 304);

    let counted = post(&app, "{ posts { totalCount } }", json!({}));
    assert_eq!(counted.header("cache-control"), Some("no-store"));
    assert_eq!(from_memory(&app, || post(&app, "{ posts { totalCount } }", json!({}))).body, counted.body);

    let browser = get(&app, &[], &[("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")]);
    assert_eq!(browser.status, 200);
    assert!(browser.content_type.starts_with("text/html") && browser.body.contains("graphiql"));
    let introspection = "{ __schema { types { name fields { name type { name ofType { name ofType { name
        ofType { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } } } } }";
    let schema = data(&app, introspection, json!({}));
    assert!(schema["__schema"]["types"].as_array().unwrap().iter().any(|t| t["name"] == "Post"));
}

fn edge_count(data: &Value) -> usize {
    data["posts"]["edges"].as_array().map_or(0, Vec::len)
}

fn variables_left_out_leave_arguments_to_their_defaults(db: &Db) {
    Seed::new(db.url()).many(23);
    let app = TestApp::spawn(db.url());
    let query = "query Page($f: Int, $tag: String) {
        posts(first: $f, filter: { tag: $tag }) { edges { cursor } totalCount }
    }";
    // Left out: `first` is its default (20), the filter field is not given.
    let defaulted = data(&app, query, json!({}));
    assert_eq!((edge_count(&defaulted), &defaulted["posts"]["totalCount"]), (20, &json!(23)));
    // Sent: a nullable variable flows into `first: Int! = 20`.
    let sent = data(&app, query, json!({ "f": 3, "tag": "odd" }));
    assert_eq!((edge_count(&sent), &sent["posts"]["totalCount"]), (3, &json!(11)));
    // Over GET, with no `variables` parameter at all.
    let over_get = get(&app, &[("query", query)], &[]);
    assert_eq!(over_get.status, 200, "{}", over_get.body);
    assert_eq!(edge_count(&over_get.json()["data"]), 20);
    // `search(first: Int! = 10)`, through a fragment.
    let search =
        "query Find($n: Int) { ...F } fragment F on Query { search(query: \"post\", first: $n) { edges { cursor } } }";
    let found = data(&app, search, json!({}));
    assert_eq!(found["search"]["edges"].as_array().unwrap().len(), 10, "{found}");
    // An explicit null is not "left out": `first` cannot be null.
    let null = post(&app, query, json!({ "f": null }));
    assert!(null.json()["errors"].as_array().is_some_and(|e| !e.is_empty()), "{}", null.body);
}

/// A GET of `path` with no `Accept` header at all (every HTTP library
/// adds one): the status and the content type.
fn without_accept(app: &TestApp, path: &str) -> (u16, String) {
    use std::io::Read;
    let address = app.url("").trim_start_matches("http://").trim_end_matches('/').to_owned();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let head = response.split("\r\n\r\n").next().unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-type:").map(|v| v.trim().to_owned()))
        .unwrap_or_default();
    (status, content_type)
}

fn wildcard_or_missing_accept_gets_json_and_extra_parameters_change_nothing(db: &Db) {
    Seed::new(db.url()).many(2);
    let app = TestApp::spawn(db.url());
    let query = [("query", "{ posts { totalCount } }")];
    let wildcard = get(&app, &query, &[("Accept", "*/*")]);
    assert_eq!((wildcard.status, wildcard.content_type.as_str()), (200, "application/json"), "{}", wildcard.body);
    let posted = post_raw(&app, r#"{"query": "{ posts { totalCount } }"}"#, &[("Accept", "*/*")]);
    assert_eq!((posted.status, posted.content_type.as_str()), (200, "application/json"));
    assert_eq!(without_accept(&app, "/graphql?query=%7Bposts%7BtotalCount%7D%7D"), (200, "application/json".into()));
    // A document error with `application/json` is still a 200.
    assert_eq!(without_accept(&app, "/graphql?query=%7Bposts"), (200, "application/json".into()));

    // Tracking and cache-busting parameters neither fail nor make another
    // cache entry: once the plain query is cached, the tracked one runs no
    // statement.
    let first = from_memory(&app, || get(&app, &query, &[]));
    let tracked = [("query", query[0].1), ("utm_source", "newsletter"), ("_", "1733170000"), ("fbclid", "x")];
    let before = statements(&app);
    let again = get(&app, &tracked, &[]);
    assert_eq!(statements(&app), before, "the tracked request was not answered from the cache");
    assert_eq!((again.status, &again.body), (200, &first.body));
    assert_eq!(again.header("etag"), first.header("etag"));
}

/// Introspection, "Did you mean" suggestions and GraphiQL, as a server in
/// `env` answers them: (schema readable, suggestions given, GraphiQL served).
fn discoverability(db: &Db, env: &[(&str, &str)]) -> (bool, bool, bool) {
    let app = TestApp::spawn_with(tempfile::tempdir().unwrap(), db.url(), env);
    let schema = post(&app, "{ __schema { queryType { name } } __type(name: \"Post\") { name } }", json!({})).json();
    let readable =
        schema["data"]["__schema"]["queryType"]["name"] == "Query" && schema["data"]["__type"]["name"] == "Post";
    let typo = post(&app, "{ postz(first: 1) { totalCount } }", json!({}));
    assert_eq!(typo.status, 400, "{}", typo.body);
    let suggested = typo.body.contains("Did you mean");
    let page = get(&app, &[], &[("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")]);
    let graphiql = page.content_type.starts_with("text/html") && page.body.contains("graphiql");
    // Clients add __typename everywhere: it always works.
    assert_eq!(data(&app, "{ __typename }", json!({}))["__typename"], "Query");
    (readable, suggested, graphiql)
}

fn production_hides_the_schema_unless_configured_to_show_it(db: &Db) {
    let secret = ("LONGFORM_JWT_SECRET", "a production secret of at least thirty-two bytes");
    let production = ("LONGFORM_ENV", "production");
    assert_eq!(discoverability(db, &[]), (true, true, true), "development shows the schema");
    assert_eq!(discoverability(db, &[production, secret]), (false, false, false), "production hides it");
    let opened = [production, secret, ("LONGFORM_GRAPHQL_INTROSPECTION", "true")];
    assert_eq!(discoverability(db, &opened), (true, true, true), "unless configured on");
    let closed = [("LONGFORM_GRAPHQL_INTROSPECTION", "false")];
    assert_eq!(discoverability(db, &closed), (false, false, false), "and it may be closed in development");
}

/// A frontend's header and `<head>` need the site's own words: the same
/// the feeds carry (from the `site_*` settings).
fn the_site_describes_itself_as_its_feeds_do(db: &Db) {
    let app = TestApp::spawn_with(
        tempfile::tempdir().unwrap(),
        db.url(),
        &[("LONGFORM_SITE_DESCRIPTION", "Notes on schedulers.")],
    );
    let site = data(&app, "{ site { title description language url } }", json!({}))["site"].clone();
    let feed = app.get("/feed.json").json();
    assert_eq!(site["description"], "Notes on schedulers.");
    assert_eq!((&site["title"], &site["description"]), (&feed["title"], &feed["description"]));
    assert_eq!(feed["home_page_url"].as_str().map(|u| u.trim_end_matches('/')), site["url"].as_str());
    assert!(!site["language"].as_str().unwrap().is_empty());
}
