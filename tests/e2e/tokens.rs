//! Tokens end to end: revoking an integration token names the version it
//! was made against, and an access token claiming a longer life than the
//! server gives them is refused, though signed with the server's own key.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use longform_domain::Role;
use serde_json::{Value, json};

use crate::helpers::{Db, Reply, TestApp, both_backends};
use crate::seed::Seed;

both_backends!(revoking_an_integration_token_needs_its_current_version, an_access_token_living_too_long_is_refused);

const SECRET: &str = "a test signing secret of more than 32 bytes";

fn call(app: &TestApp, auth: &str, method: &str, path: &str, etag: Option<&str>, body: Option<Value>) -> Reply {
    let mut headers = vec![("Authorization", auth)];
    headers.extend(etag.map(|etag| ("If-Match", etag)));
    app.send(method, path, &headers, body.as_ref())
}

fn revoking_an_integration_token_needs_its_current_version(db: &Db) {
    let seed = Seed::new(db.url());
    let app = TestApp::spawn(db.url());
    let admin = seed.sign_in(&app, "admin@example.com", Role::Admin);
    let body = json!({ "name": "ci", "scope": "read_drafts" });
    let created = call(&app, &admin, "POST", "/api/v1/admin/tokens", None, Some(body));
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!((created.header("etag"), &created.json()["token"]["version"]), (Some("\"1\""), &json!(1)));
    let token = created.json()["token"].clone();
    let bearer = format!("Bearer {}", token["token"].as_str().unwrap());
    let path = format!("/api/v1/admin/tokens/{}", token["id"].as_str().unwrap());

    let missing = call(&app, &admin, "DELETE", &path, None, None);
    assert_eq!((missing.status, missing.content_type.as_str()), (428, "application/problem+json"), "{}", missing.body);
    let stale = call(&app, &admin, "DELETE", &path, Some("\"5\""), None);
    assert_eq!((stale.status, &stale.json()["current_version"]), (412, &json!(1)), "{}", stale.body);
    assert_eq!(call(&app, &bearer, "GET", "/api/v1/admin/posts", None, None).status, 200, "not revoked yet");

    assert_eq!(call(&app, &admin, "DELETE", &path, Some("\"1\""), None).status, 204);
    assert_eq!(call(&app, &bearer, "GET", "/api/v1/admin/posts", None, None).status, 401, "revoked");
    let listed = call(&app, &admin, "GET", "/api/v1/admin/tokens", None, None).json();
    assert_eq!(listed["tokens"][0]["version"], 2, "{listed}");
    assert_eq!(call(&app, &admin, "DELETE", &path, Some("\"2\""), None).status, 204, "revoked already");
    let late = call(&app, &admin, "DELETE", &path, Some("\"1\""), None);
    assert_eq!((late.status, &late.json()["current_version"]), (412, &json!(2)), "{}", late.body);
    let unknown = "/api/v1/admin/tokens/00000000-0000-0000-0000-000000000000";
    assert_eq!(call(&app, &admin, "DELETE", unknown, Some("\"1\""), None).status, 404);
}

/// The claims of `bearer`, checked with the server's key.
fn claims(bearer: &str) -> Value {
    let token = bearer.trim_start_matches("Bearer ");
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&["longform-admin"]);
    jsonwebtoken::decode::<Value>(token, &DecodingKey::from_secret(SECRET.as_bytes()), &validation).unwrap().claims
}

fn signed(claims: &Value) -> String {
    let token =
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(SECRET.as_bytes()));
    format!("Bearer {}", token.unwrap())
}

fn an_access_token_living_too_long_is_refused(db: &Db) {
    let seed = Seed::new(db.url());
    let app = TestApp::spawn_with(tempfile::tempdir().unwrap(), db.url(), &[("LONGFORM_JWT_SECRET", SECRET)]);
    let issued = seed.sign_in(&app, "admin@example.com", Role::Admin);
    let mut claims = claims(&issued);
    let iat = claims["iat"].as_i64().unwrap();
    assert_eq!(claims["exp"].as_i64().unwrap() - iat, 15 * 60, "the server issues 15-minute tokens");
    let posts = |bearer: &str| call(&app, bearer, "GET", "/api/v1/admin/posts", None, None);
    assert_eq!(posts(&signed(&claims)).status, 200, "the same claims, signed here, pass");

    for lifetime in [15 * 60 + 1, 24 * 3600, 365 * 24 * 3600] {
        claims["exp"] = json!(iat + lifetime);
        let refused = posts(&signed(&claims));
        assert_eq!(refused.status, 401, "a token for {lifetime} s: {}", refused.body);
        assert_eq!(refused.content_type, "application/problem+json");
    }
}
