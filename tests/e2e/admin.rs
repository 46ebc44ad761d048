//! The editor API end to end: sign-in and its tokens, the role matrix,
//! optimistic locking, idempotent creates, revisions, previews, and drafts
//! that never reach the public.

use serde_json::{Value, json};

use crate::helpers::{Db, Reply, TestApp, both_backends};
use crate::seed::Seed;

both_backends!(
    sign_in_refresh_rotation_logout_and_revocation,
    failed_logins_are_rate_limited,
    a_guesser_slows_themself_and_never_locks_the_owner_out,
    the_role_matrix,
    every_admin_route_checks_the_role,
    integration_tokens_act_within_their_scope,
    stale_and_missing_if_match_and_a_two_writer_race,
    idempotent_creates_return_the_first_post,
    revisions_can_be_listed_and_restored,
    a_writers_quick_edits_fold_into_one_revision_and_pages_walk_them,
    previews_show_drafts_to_token_holders_only,
    drafts_never_reach_the_public,
    bad_bodies_name_every_invalid_field,
    a_repeated_key_is_refused_by_name,
);

pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// Create a user straight in the database (the CLI's path) and sign in.
pub(crate) fn user(seed: &Seed, app: &TestApp, email: &str, role: &str) -> String {
    use longform_domain::{Email, Name, NewUser, Password, PasswordHash, Role};
    let hash = PasswordHash::create(&Password::parse(PASSWORD).unwrap()).unwrap();
    let new = NewUser {
        email: Email::parse(email).unwrap(),
        name: Name::parse(email.split('@').next().unwrap()).unwrap(),
        role: Role::parse(role).unwrap(),
        password_hash: hash,
    };
    seed.block_on(seed.store.users().create(new)).unwrap();
    login(app, email, PASSWORD).json()["access_token"].as_str().unwrap().to_owned()
}

pub(crate) fn login(app: &TestApp, email: &str, password: &str) -> Reply {
    app.send("POST", "/api/v1/auth/login", &[], Some(&json!({ "email": email, "password": password })))
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

pub(crate) fn call(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> Reply {
    app.send(method, path, &[("Authorization", &bearer(token))], body.as_ref())
}

pub(crate) fn call_if(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    version: i64,
    body: Option<Value>,
) -> Reply {
    let etag = format!("\"{version}\"");
    app.send(method, path, &[("Authorization", &bearer(token)), ("If-Match", &etag)], body.as_ref())
}

fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let reply = call(app, token, "POST", "/api/v1/admin/posts", Some(body));
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["post"].clone()
}

pub(crate) fn setup(db: &Db) -> (Seed, TestApp) {
    (Seed::new(db.url()), TestApp::spawn(db.url()))
}

fn sign_in_refresh_rotation_logout_and_revocation(db: &Db) {
    let (seed, app) = setup(db);
    user(&seed, &app, "ed@example.com", "editor");
    let tokens = login(&app, "ed@example.com", PASSWORD).json();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let me = call(&app, &access, "GET", "/api/v1/auth/me", None);
    assert_eq!(me.json()["user"]["role"], "editor");
    assert!(me.json()["user"].get("password_hash").is_none());

    // Wrong password and unknown email: the same answer.
    let wrong = login(&app, "ed@example.com", "not the password");
    let unknown = login(&app, "nobody@example.com", "not the password");
    assert_eq!((wrong.status, unknown.status), (401, 401));
    assert_eq!(wrong.json()["detail"], unknown.json()["detail"]);

    // Refresh rotates; the spent token presented again revokes the family.
    let first_refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let rotated = app.send("POST", "/api/v1/auth/refresh", &[], Some(&json!({ "refresh_token": first_refresh })));
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let second_access = rotated.json()["access_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated.json()["refresh_token"], first_refresh.as_str());
    assert_eq!(call(&app, &second_access, "GET", "/api/v1/auth/me", None).status, 200);
    let replay = app.send("POST", "/api/v1/auth/refresh", &[], Some(&json!({ "refresh_token": first_refresh })));
    assert_eq!(replay.status, 401);
    assert_eq!(call(&app, &second_access, "GET", "/api/v1/auth/me", None).status, 401, "the family is revoked");
    let next = rotated.json()["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(app.send("POST", "/api/v1/auth/refresh", &[], Some(&json!({ "refresh_token": next }))).status, 401);

    // Logout ends the session at once.
    let fresh = login(&app, "ed@example.com", PASSWORD).json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(call(&app, &fresh, "POST", "/api/v1/auth/logout", None).status, 204);
    assert_eq!(call(&app, &fresh, "GET", "/api/v1/auth/me", None).status, 401);

    // A password change ends every session.
    let a = login(&app, "ed@example.com", PASSWORD).json()["access_token"].as_str().unwrap().to_owned();
    let b = login(&app, "ed@example.com", PASSWORD).json()["access_token"].as_str().unwrap().to_owned();
    let change = json!({ "current_password": PASSWORD, "new_password": "an entirely new passphrase" });
    assert_eq!(call(&app, &a, "POST", "/api/v1/auth/password", Some(change)).status, 204);
    assert_eq!(call(&app, &b, "GET", "/api/v1/auth/me", None).status, 401);
    assert_eq!(login(&app, "ed@example.com", "an entirely new passphrase").status, 200);

    // Disabling a user ends their sessions too.
    let admin = user(&seed, &app, "admin@example.com", "admin");
    let ed =
        login(&app, "ed@example.com", "an entirely new passphrase").json()["access_token"].as_str().unwrap().to_owned();
    let me = call(&app, &ed, "GET", "/api/v1/auth/me", None).json();
    let path = format!("/api/v1/admin/users/{}", me["user"]["id"].as_str().unwrap());
    // Version 2: the password change above moved the account on.
    assert_eq!(call_if(&app, &admin, "PATCH", &path, 2, Some(json!({ "disabled": true }))).status, 200);
    assert_eq!(call(&app, &ed, "GET", "/api/v1/auth/me", None).status, 401);
    assert_eq!(login(&app, "ed@example.com", "an entirely new passphrase").status, 401);

    for garbage in ["", "Bearer", "Bearer not.a.jwt", "Basic abc", "Bearer lf_unknown"] {
        let reply = app.send("GET", "/api/v1/auth/me", &[("Authorization", garbage)], None);
        assert_eq!(reply.status, 401, "{garbage:?}");
        assert_eq!(reply.content_type, "application/problem+json");
    }
    assert_eq!(app.get("/api/v1/admin/posts").status, 401);
    assert_eq!(app.get("/api/v1/admin/posts").header("www-authenticate"), Some("Bearer"));
}

/// Issue 15: five wrong passwords used to lock the account from everywhere.
/// Failures now slow down that account from that address only, with
/// delays that grow; the owner elsewhere signs in.
fn a_guesser_slows_themself_and_never_locks_the_owner_out(db: &Db) {
    let seed = Seed::new(db.url());
    let env = [("LONGFORM_TRUSTED_PROXIES", "127.0.0.1")];
    let app = TestApp::spawn_with(tempfile::tempdir().unwrap(), db.url(), &env);
    user(&seed, &app, "root@example.com", "admin");
    let from = |address: &str, password: &str| {
        let body = json!({ "email": "root@example.com", "password": password });
        app.send("POST", "/api/v1/auth/login", &[("X-Forwarded-For", address)], Some(&body))
    };
    for _ in 0..5 {
        assert_eq!(from("198.51.100.7", "wrong guess!").status, 401);
    }
    let slowed = from("198.51.100.7", "wrong guess!");
    assert_eq!(slowed.status, 429, "{}", slowed.body);
    assert_eq!(slowed.header("retry-after"), Some("1"));
    assert_eq!(from("203.0.113.9", PASSWORD).status, 200, "the owner, elsewhere, is not locked out");
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    assert_eq!(from("198.51.100.7", "wrong guess!").status, 401, "the wait is over");
    let slower = from("198.51.100.7", "wrong guess!");
    assert_eq!((slower.status, slower.header("retry-after")), (429, Some("2")), "and the next is twice as long");
}

fn failed_logins_are_rate_limited(db: &Db) {
    let (seed, app) = setup(db);
    user(&seed, &app, "ed@example.com", "editor");
    for _ in 0..5 {
        assert_eq!(login(&app, "ed@example.com", "wrong guess!").status, 401);
    }
    let limited = login(&app, "ed@example.com", PASSWORD);
    assert_eq!(limited.status, 429, "even the right password waits");
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    assert_eq!(limited.content_type, "application/problem+json");
}

/// Each role against each kind of write, on objects it does and does not own.
fn the_role_matrix(db: &Db) {
    let (seed, app) = setup(db);
    let roles = ["contributor", "author", "editor", "admin"];
    let tokens: Vec<String> = roles.iter().map(|r| user(&seed, &app, &format!("{r}@example.com"), r)).collect();
    let admin = &tokens[3];
    assert_eq!(call(&app, admin, "POST", "/api/v1/admin/tags", Some(json!({ "name": "known" }))).status, 201);
    let others = create(&app, admin, json!({ "title": "Someone Else's" }));
    let others_id = others["id"].as_str().unwrap().to_owned();
    for (i, role) in roles.iter().enumerate() {
        let token = &tokens[i];
        let (is_author_up, is_editor_up, is_admin) = (i >= 1, i >= 2, i == 3);
        let own = create(&app, token, json!({ "title": format!("{role}'s draft"), "tags": ["known"] }));
        let own_path = format!("/api/v1/admin/posts/{}", own["id"].as_str().unwrap());
        let expect = |allowed: bool, reply: Reply, what: &str| {
            let want = if allowed { "2xx" } else { "403" };
            assert!(
                if allowed { reply.status / 100 == 2 } else { reply.status == 403 },
                "{role} {what}: want {want}, got {} {}",
                reply.status,
                reply.body
            );
        };
        expect(
            true,
            call_if(&app, token, "PATCH", &own_path, 1, Some(json!({ "summary": "Mine." }))),
            "edits own draft",
        );
        let theirs = format!("/api/v1/admin/posts/{others_id}");
        // Another's draft does not exist for contributors and authors: 404, as for an unknown id.
        let hidden = |reply: Reply, what: &str| {
            let want = if is_editor_up { 200 } else { 404 };
            assert_eq!(reply.status, want, "{role} {what}: {}", reply.body);
        };
        hidden(call(&app, token, "GET", &theirs, None), "reads another's draft");
        hidden(call(&app, token, "GET", &format!("{theirs}/revisions"), None), "reads another's revisions");
        let version = call(&app, admin, "GET", &theirs, None).json()["post"]["version"].as_i64().unwrap();
        let edit = call_if(&app, token, "PATCH", &theirs, version, Some(json!({ "summary": role })));
        hidden(edit, "edits another's draft");
        let preview = call(&app, token, "POST", &format!("{theirs}/preview"), None);
        assert_eq!(preview.status, if is_editor_up { 201 } else { 404 }, "{role} previews another's draft");
        let listed = |path: &str| -> Vec<String> {
            let list = call(&app, token, "GET", path, None).json();
            list["posts"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect()
        };
        let own_id = own["id"].as_str().unwrap().to_owned();
        for path in ["/api/v1/admin/posts?limit=100", "/api/v1/admin/posts?status=draft&limit=100"] {
            let ids = listed(path);
            assert!(ids.contains(&own_id), "{role} lists own draft at {path}");
            assert_eq!(ids.contains(&others_id), is_editor_up, "{role} lists another's draft at {path}");
        }
        let version = call(&app, admin, "GET", &own_path, None).json()["post"]["version"].as_i64().unwrap();
        expect(
            is_author_up,
            call_if(&app, token, "POST", &format!("{own_path}/publish"), version, None),
            "publishes own post",
        );
        let version = call(&app, admin, "GET", &theirs, None).json()["post"]["version"].as_i64().unwrap();
        let published = call_if(&app, token, "POST", &format!("{theirs}/publish"), version, None);
        hidden(published, "publishes another's draft");
        let version = call(&app, admin, "GET", &theirs, None).json()["post"]["version"].as_i64().unwrap();
        if is_editor_up {
            assert_eq!(call_if(&app, admin, "POST", &format!("{theirs}/unpublish"), version, None).status, 200);
        } else {
            // Once published, another's post is readable and listed, its history still not.
            assert_eq!(call_if(&app, admin, "POST", &format!("{theirs}/publish"), version, None).status, 200);
            let version = call(&app, admin, "GET", &theirs, None).json()["post"]["version"].as_i64().unwrap();
            assert_eq!(call(&app, token, "GET", &theirs, None).status, 200, "{role} reads a published post");
            assert!(listed("/api/v1/admin/posts?limit=100").contains(&others_id), "{role} lists a published post");
            let history = call(&app, token, "GET", &format!("{theirs}/revisions"), None);
            assert_eq!(history.status, 404, "{role} reads a published post's history");
            let edit = call_if(&app, token, "PATCH", &theirs, version, Some(json!({ "summary": role })));
            expect(false, edit, "edits another's published post");
            assert_eq!(call_if(&app, admin, "POST", &format!("{theirs}/unpublish"), version, None).status, 200);
        }
        let new_tag = create_with_new_tag(&app, token, role);
        expect(is_editor_up, new_tag, "creates a tag by naming it on a post");
        expect(
            is_editor_up,
            call(&app, token, "POST", "/api/v1/admin/tags", Some(json!({ "name": format!("{role} tag") }))),
            "creates a tag",
        );
        expect(is_admin, call(&app, token, "GET", "/api/v1/admin/users", None), "lists users");
        expect(
            is_admin,
            call(&app, token, "POST", "/api/v1/admin/tokens", Some(json!({ "name": "ci", "scope": "write_content" }))),
            "creates a token",
        );
        let version = call(&app, admin, "GET", &own_path, None).json()["post"]["version"].as_i64().unwrap();
        let own_status =
            call(&app, admin, "GET", &own_path, None).json()["post"]["status"].as_str().unwrap().to_owned();
        let can_delete_own = own_status == "draft" || is_author_up;
        expect(can_delete_own, call_if(&app, token, "DELETE", &own_path, version, None), "trashes own post");
        if can_delete_own {
            expect(
                is_admin,
                call(&app, token, "POST", &format!("{own_path}/restore"), None),
                "restores from the trash",
            );
        }
    }
}

fn create_with_new_tag(app: &TestApp, token: &str, role: &str) -> Reply {
    let reply = call(
        app,
        token,
        "POST",
        "/api/v1/admin/posts",
        Some(json!({ "title": "Tagged", "tags": [format!("brand-new-{role}")] })),
    );
    if reply.status == 400 {
        let problem = reply.json();
        assert_eq!(problem["field"], "tags", "{problem}");
        // Contributors and authors may only use existing tags: a 400 naming the field is their 403 here.
        return Reply { status: 403, ..reply };
    }
    reply
}

fn integration_tokens_act_within_their_scope(db: &Db) {
    let (seed, app) = setup(db);
    let admin = user(&seed, &app, "admin@example.com", "admin");
    let mint = |scope: &str| {
        let reply = call(&app, &admin, "POST", "/api/v1/admin/tokens", Some(json!({ "name": scope, "scope": scope })));
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.json()["token"]["token"].as_str().unwrap().to_owned()
    };
    let (reader, writer) = (mint("read_drafts"), mint("write_content"));
    create(&app, &admin, json!({ "title": "A Draft" }));
    assert_eq!(call(&app, &reader, "GET", "/api/v1/admin/posts", None).json()["posts"].as_array().unwrap().len(), 1);
    assert_eq!(call(&app, &reader, "POST", "/api/v1/admin/posts", Some(json!({ "title": "No" }))).status, 403);
    let post = create(&app, &writer, json!({ "title": "From CI", "tags": ["pipeline"] }));
    let path = format!("/api/v1/admin/posts/{}/publish", post["id"].as_str().unwrap());
    assert_eq!(call_if(&app, &writer, "POST", &path, 1, None).status, 200);
    assert_eq!(call(&app, &writer, "GET", "/api/v1/admin/users", None).status, 403);
    let listed = call(&app, &admin, "GET", "/api/v1/admin/tokens", None).json();
    let tokens = listed["tokens"].as_array().unwrap();
    assert!(tokens.iter().all(|t| t.get("token").is_none() && t.get("token_hash").is_none()), "shown once only");
    assert!(tokens.iter().any(|t| t["last_used_at"].is_string()), "last use recorded");
    let id = tokens.iter().find(|t| t["scope"] == "write_content").unwrap()["id"].as_str().unwrap().to_owned();
    assert_eq!(call_if(&app, &admin, "DELETE", &format!("/api/v1/admin/tokens/{id}"), 1, None).status, 204);
    assert_eq!(call(&app, &writer, "GET", "/api/v1/admin/posts", None).status, 401, "revoked");
}

fn stale_and_missing_if_match_and_a_two_writer_race(db: &Db) {
    let (seed, app) = setup(db);
    let ed = user(&seed, &app, "ed@example.com", "editor");
    let post = create(&app, &ed, json!({ "title": "Contested" }));
    let path = format!("/api/v1/admin/posts/{}", post["id"].as_str().unwrap());
    let read = call(&app, &ed, "GET", &path, None);
    assert_eq!(read.header("etag"), Some("\"1\""));
    let missing = call(&app, &ed, "PATCH", &path, Some(json!({ "title": "No Precondition" })));
    assert_eq!(missing.status, 428);
    for (method, suffix) in [("POST", "/publish"), ("DELETE", "")] {
        assert_eq!(call(&app, &ed, method, &format!("{path}{suffix}"), None).status, 428, "{method} {suffix}");
    }
    // Two editors save the same version at once: one wins, one hears 412.
    let replies: Vec<Reply> = std::thread::scope(|scope| {
        let handles: Vec<_> = ["Writer A", "Writer B"]
            .into_iter()
            .map(|title| {
                let (app, ed, path) = (&app, &ed, &path);
                scope.spawn(move || call_if(app, ed, "PATCH", path, 1, Some(json!({ "title": title }))))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412], "{:?}", replies.iter().map(|r| &r.body).collect::<Vec<_>>());
    let winner = replies.iter().find(|r| r.status == 200).unwrap().json()["post"]["title"].clone();
    let loser = replies.iter().find(|r| r.status == 412).unwrap().json();
    assert_eq!(loser["current_version"], 2);
    let stored = call(&app, &ed, "GET", &path, None).json();
    assert_eq!(stored["post"]["title"], winner, "nothing silently overwritten");
    assert_eq!(stored["post"]["version"], 2);
}

fn idempotent_creates_return_the_first_post(db: &Db) {
    let (seed, app) = setup(db);
    let ed = user(&seed, &app, "ed@example.com", "editor");
    let headers = |key: &'static str| [("Authorization", bearer(&ed)), ("Idempotency-Key", key.to_owned())];
    let send = |key: &'static str, body: Value| {
        let h = headers(key);
        let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app.send("POST", "/api/v1/admin/posts", &h, Some(&body))
    };
    let first = send("key-1", json!({ "title": "Once" }));
    let retry = send("key-1", json!({ "title": "Once" }));
    assert_eq!((first.status, retry.status), (201, 201));
    assert_eq!(first.json()["post"]["id"], retry.json()["post"]["id"]);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    let reused = send("key-1", json!({ "title": "Something Else" }));
    assert_eq!(reused.status, 409);
    assert_eq!(reused.json()["field"], "Idempotency-Key");
    let listed = call(&app, &ed, "GET", "/api/v1/admin/posts", None).json();
    assert_eq!(listed["posts"].as_array().unwrap().len(), 1, "no duplicate post");
}

fn revisions_can_be_listed_and_restored(db: &Db) {
    let (seed, app) = setup(db);
    let ed = user(&seed, &app, "ed@example.com", "editor");
    let post = create(&app, &ed, json!({ "title": "Draft One", "markdown": "First words." }));
    let path = format!("/api/v1/admin/posts/{}", post["id"].as_str().unwrap());
    assert_eq!(
        call_if(&app, &ed, "PATCH", &path, 1, Some(json!({ "title": "Draft Two", "markdown": "Second words." })))
            .status,
        200
    );
    let revisions = call(&app, &ed, "GET", &format!("{path}/revisions"), None).json();
    let list = revisions["revisions"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1]["markdown"], "First words.");
    assert!(list[0]["user_id"].is_string());
    assert_eq!(list[0]["user_name"], "ed", "the writer's name, for the history");
    let restored = call_if(&app, &ed, "POST", &format!("{path}/revisions/1/restore"), 2, None);
    assert_eq!(restored.status, 200, "{}", restored.body);
    assert_eq!(restored.json()["post"]["title"], "Draft One");
    assert_eq!(restored.json()["post"]["markdown"], "First words.");
    assert_eq!(call_if(&app, &ed, "POST", &format!("{path}/revisions/1/restore"), 2, None).status, 412);
    assert_eq!(call_if(&app, &ed, "POST", &format!("{path}/revisions/99/restore"), 3, None).status, 404);
}

/// An editor autosaving every few seconds must not make a revision each
/// time: a writer's edits fold into the revision of their first, until
/// someone else edits, the status moves, or a revision is restored.
fn a_writers_quick_edits_fold_into_one_revision_and_pages_walk_them(db: &Db) {
    let (seed, app) = setup(db);
    let ed = user(&seed, &app, "ed@example.com", "editor");
    let ann = user(&seed, &app, "ann@example.com", "editor");
    let post = create(&app, &ed, json!({ "title": "Folding", "markdown": "Created." }));
    let path = format!("/api/v1/admin/posts/{}", post["id"].as_str().unwrap());
    let version = std::cell::Cell::new(1);
    let edit = |token: &str, markdown: &str| {
        let reply = call_if(&app, token, "PATCH", &path, version.get(), Some(json!({ "markdown": markdown })));
        assert_eq!(reply.status, 200, "{}", reply.body);
        version.set(version.get() + 1);
    };
    let numbers = |query: &str| -> (Vec<(i64, String)>, Value) {
        let page = call(&app, &ed, "GET", &format!("{path}/revisions{query}"), None).json();
        let list = page["revisions"].as_array().unwrap().iter();
        let list = list.map(|r| (r["number"].as_i64().unwrap(), r["markdown"].as_str().unwrap().to_owned())).collect();
        (list, page["meta"]["next_before"].clone())
    };
    for n in 1..=3 {
        edit(&ed, &format!("Ed's save {n}."));
    }
    let (list, _) = numbers("");
    assert_eq!(list, [(2, "Ed's save 3.".to_owned()), (1, "Created.".to_owned())], "three saves, one revision");
    edit(&ann, "Ann's turn.");
    edit(&ed, "Ed again.");
    let (list, _) = numbers("");
    assert_eq!(list.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [4, 3, 2, 1], "another writer between makes new ones");

    let published = call_if(&app, &ed, "POST", &format!("{path}/publish"), version.get(), None);
    assert_eq!(published.status, 200, "{}", published.body);
    version.set(version.get() + 1);
    edit(&ed, "After publishing.");
    edit(&ed, "After publishing, again.");
    let restored = call_if(&app, &ed, "POST", &format!("{path}/revisions/2/restore"), version.get(), None);
    assert_eq!(restored.status, 200, "{}", restored.body);
    version.set(version.get() + 1);
    edit(&ed, "After the restore.");
    let (list, _) = numbers("");
    let expected: Vec<(i64, &str)> =
        vec![(8, "After the restore."), (7, "Ed's save 3."), (6, "After publishing, again."), (5, "Ed again.")];
    let got: Vec<(i64, &str)> = list.iter().take(4).map(|(n, m)| (*n, m.as_str())).collect();
    assert_eq!(got, expected, "the published text and the restored one each keep a revision");

    let (first, next) = numbers("?limit=3");
    assert_eq!((first.iter().map(|(n, _)| *n).collect::<Vec<_>>(), next.clone()), (vec![8, 7, 6], json!(6)));
    let (second, next) = numbers("?limit=3&before=6");
    assert_eq!((second.iter().map(|(n, _)| *n).collect::<Vec<_>>(), next.clone()), (vec![5, 4, 3], json!(3)));
    let (last, next) = numbers("?limit=3&before=3");
    assert_eq!((last.iter().map(|(n, _)| *n).collect::<Vec<_>>(), next), (vec![2, 1], Value::Null));
    let bad = call(&app, &ed, "GET", &format!("{path}/revisions?before=x"), None);
    assert_eq!((bad.status, bad.json()["field"].clone()), (400, json!("before")));
}

fn previews_show_drafts_to_token_holders_only(db: &Db) {
    let (seed, app) = setup(db);
    let ed = user(&seed, &app, "ed@example.com", "editor");
    let post = create(&app, &ed, json!({ "title": "Secret Draft", "markdown": "Not yet." }));
    let minted =
        call(&app, &ed, "POST", &format!("/api/v1/admin/posts/{}/preview", post["id"].as_str().unwrap()), None);
    assert_eq!(minted.status, 201, "{}", minted.body);
    let url = minted.json()["url"].as_str().unwrap().to_owned();
    let preview = app.get(&url);
    assert_eq!(preview.status, 200);
    assert_eq!(preview.json()["post"]["title"], "Secret Draft");
    assert!(preview.header("cache-control").unwrap().contains("no-store"));
    assert!(preview.header("etag").is_none());
    assert_eq!(app.get("/api/v1/preview/not-a-token").status, 404);
    assert_eq!(app.get("/api/v1/posts/secret-draft").status, 404, "previews never open the public API");
    // An access token is no preview token.
    assert_eq!(app.get(&format!("/api/v1/preview/{ed}")).status, 404);
}

fn drafts_never_reach_the_public(db: &Db) {
    let (seed, app) = setup(db);
    let ed = user(&seed, &app, "ed@example.com", "editor");
    create(&app, &ed, json!({ "title": "Hidden Draft", "tags": ["hidden"], "authors": ["ghost"] }));
    let live = create(&app, &ed, json!({ "title": "Live Post" }));
    let path = format!("/api/v1/admin/posts/{}", live["id"].as_str().unwrap());
    call_if(&app, &ed, "POST", &format!("{path}/publish"), 1, None);
    let index = app.get("/api/v1/posts").json();
    assert_eq!(index["posts"].as_array().unwrap().len(), 1);
    assert_eq!(index["meta"]["pagination"]["total"], 1);
    assert_eq!(app.get("/api/v1/posts/hidden-draft").status, 404);
    assert_eq!(app.get("/api/v1/tags/hidden").status, 404, "a tag only a draft has is not public");
    let graphql = app.send("POST", "/graphql", &[], Some(&json!({ "query": "{ posts(first: 50) { totalCount edges { node { slug } } } post(slug: \"hidden-draft\") { slug } }" })));
    let data = &graphql.json()["data"];
    assert_eq!(data["posts"]["totalCount"], 1, "{}", graphql.body);
    assert_eq!(data["post"], Value::Null);
    // Trashed posts leave every public read at once.
    call_if(&app, &ed, "DELETE", &path, 2, None);
    assert_eq!(app.get("/api/v1/posts").json()["posts"].as_array().unwrap().len(), 0);
    assert_eq!(app.get("/api/v1/posts/live-post").status, 404);
}

fn bad_bodies_name_every_invalid_field(db: &Db) {
    let (seed, app) = setup(db);
    let ed = user(&seed, &app, "ed@example.com", "editor");
    let reply = call(
        &app,
        &ed,
        "POST",
        "/api/v1/admin/posts",
        Some(
            json!({ "title": "", "slug": "Not A Slug", "canonical_url": "javascript:alert(1)", "tags": ["ok", 7], "featured": "yes", "colour": "red" }),
        ),
    );
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.content_type, "application/problem+json");
    let mut names: Vec<String> = reply.json()["invalid_params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["canonical_url", "colour", "featured", "slug", "tags[1]", "title"]);
    let post = create(&app, &ed, json!({ "title": "Valid" }));
    let path = format!("/api/v1/admin/posts/{}", post["id"].as_str().unwrap());
    // Invalid input is a 400 even with a stale If-Match.
    let bad_image = call_if(
        &app,
        &ed,
        "PATCH",
        &path,
        9,
        Some(json!({ "feature_image": { "url": "https://a.example/x.png", "alt": {} } })),
    );
    assert_eq!(
        (bad_image.status, bad_image.json()["field"].as_str()),
        (400, Some("feature_image.alt")),
        "{}",
        bad_image.body
    );
    let not_json = app.send(
        "POST",
        "/api/v1/admin/posts",
        &[("Authorization", &bearer(&ed)), ("content-type", "application/json")],
        None,
    );
    assert_eq!(not_json.status, 400);
    let huge = json!({ "title": "Huge", "markdown": "x".repeat(3 * 1024 * 1024) });
    let too_large = call(&app, &ed, "POST", "/api/v1/admin/posts", Some(huge));
    assert_eq!(too_large.status, 413);
    assert_eq!(too_large.content_type, "application/problem+json");
    // Within the byte limit, but more markup than sanitising may cost.
    for markdown in ["# a\n".repeat(1_001), "&".repeat(300_000)] {
        let refused =
            call(&app, &ed, "POST", "/api/v1/admin/posts", Some(json!({ "title": "Dense", "markdown": markdown })));
        assert_eq!((refused.status, refused.json()["field"].as_str()), (400, Some("markdown")), "{}", refused.body);
    }
    let posts = call(&app, &ed, "GET", "/api/v1/admin/posts", None).json();
    assert_eq!(posts["posts"].as_array().unwrap().len(), 1, "only the valid post: nothing half-written");
    assert_eq!(posts["posts"][0]["version"], 1, "the refused patch changed nothing");
}

/// Every admin route, for every role: allowed roles get past the role check
/// (any answer but 401/403), the others get 403, and nobody signed out gets
/// anything but 401.
/// An id no object has.
const NIL: &str = "00000000-0000-0000-0000-000000000000";

/// Restoring from and purging the trash: admins' routes, whoever owns the post.
fn trash_route(path: &str) -> bool {
    path.ends_with("/purge") || (path.ends_with("/restore") && !path.contains("/revisions/"))
}

fn every_admin_route_checks_the_role(db: &Db) {
    let (seed, app) = setup(db);
    let roles = ["contributor", "author", "editor", "admin"];
    let tokens: Vec<String> = roles.iter().map(|r| user(&seed, &app, &format!("{r}2@example.com"), r)).collect();
    let admin = &tokens[3];
    // Objects nobody in the loop owns, recreated per role as needed.
    let fresh_post = || create(&app, admin, json!({ "title": "Target" }))["id"].as_str().unwrap().to_owned();
    let trashed_post = || {
        let id = fresh_post();
        call_if(&app, admin, "DELETE", &format!("/api/v1/admin/posts/{id}"), 1, None);
        id
    };
    // (method, path builder, body, lowest role index allowed)
    type Route<'a> = (&'a str, Box<dyn Fn() -> String + 'a>, Option<Value>, usize);
    let routes: Vec<Route> = vec![
        ("GET", Box::new(|| "/api/v1/admin/posts".into()), None, 0),
        ("POST", Box::new(|| "/api/v1/admin/posts".into()), Some(json!({ "title": "New" })), 0),
        ("GET", Box::new(|| format!("/api/v1/admin/posts/{}", fresh_post())), None, 0),
        ("PATCH", Box::new(|| format!("/api/v1/admin/posts/{}", fresh_post())), Some(json!({ "title": "Edited" })), 2),
        ("DELETE", Box::new(|| format!("/api/v1/admin/posts/{}", fresh_post())), None, 2),
        ("POST", Box::new(|| format!("/api/v1/admin/posts/{}/publish", fresh_post())), None, 2),
        ("POST", Box::new(|| format!("/api/v1/admin/posts/{}/unpublish", fresh_post())), None, 2),
        (
            "POST",
            Box::new(|| format!("/api/v1/admin/posts/{}/schedule", fresh_post())),
            Some(json!({ "published_at": "2099-01-01T00:00:00Z" })),
            2,
        ),
        ("POST", Box::new(|| format!("/api/v1/admin/posts/{}/preview", fresh_post())), None, 2),
        ("GET", Box::new(|| format!("/api/v1/admin/posts/{}/revisions", fresh_post())), None, 0),
        ("POST", Box::new(|| format!("/api/v1/admin/posts/{}/revisions/1/restore", fresh_post())), None, 2),
        ("POST", Box::new(|| format!("/api/v1/admin/posts/{}/restore", trashed_post())), None, 3),
        ("DELETE", Box::new(|| format!("/api/v1/admin/posts/{}/purge", trashed_post())), None, 3),
        ("GET", Box::new(|| "/api/v1/admin/tags".into()), None, 0),
        ("GET", Box::new(|| "/api/v1/admin/tags/target-tag".into()), None, 0),
        ("GET", Box::new(|| "/api/v1/admin/categories".into()), None, 0),
        ("GET", Box::new(|| "/api/v1/admin/categories/target-category".into()), None, 0),
        ("GET", Box::new(|| "/api/v1/admin/authors".into()), None, 0),
        ("GET", Box::new(|| "/api/v1/admin/authors/target-author".into()), None, 0),
        ("POST", Box::new(|| "/api/v1/admin/tags".into()), Some(json!({ "name": "fresh tag" })), 2),
        ("PATCH", Box::new(|| "/api/v1/admin/tags/target-tag".into()), Some(json!({ "name": "Renamed" })), 2),
        ("DELETE", Box::new(|| "/api/v1/admin/tags/target-tag".into()), None, 2),
        ("POST", Box::new(|| "/api/v1/admin/categories".into()), Some(json!({ "name": "fresh category" })), 2),
        (
            "PATCH",
            Box::new(|| "/api/v1/admin/categories/target-category".into()),
            Some(json!({ "name": "Renamed" })),
            2,
        ),
        ("DELETE", Box::new(|| "/api/v1/admin/categories/target-category".into()), None, 2),
        ("POST", Box::new(|| "/api/v1/admin/authors".into()), Some(json!({ "name": "Fresh Author" })), 2),
        ("PATCH", Box::new(|| "/api/v1/admin/authors/target-author".into()), Some(json!({ "bio": "Writes." })), 2),
        ("DELETE", Box::new(|| "/api/v1/admin/authors/target-author".into()), None, 2),
        ("GET", Box::new(|| "/api/v1/admin/users".into()), None, 3),
        (
            "POST",
            Box::new(|| "/api/v1/admin/users".into()),
            Some(
                json!({ "email": "new@example.com", "name": "New", "role": "author", "password": "long enough password" }),
            ),
            3,
        ),
        ("GET", Box::new(|| "/api/v1/admin/users/00000000-0000-0000-0000-000000000000".into()), None, 3),
        (
            "PATCH",
            Box::new(|| "/api/v1/admin/users/00000000-0000-0000-0000-000000000000".into()),
            Some(json!({ "name": "X" })),
            3,
        ),
        ("DELETE", Box::new(|| "/api/v1/admin/users/00000000-0000-0000-0000-000000000000".into()), None, 3),
        ("GET", Box::new(|| "/api/v1/admin/tokens".into()), None, 3),
        ("POST", Box::new(|| "/api/v1/admin/tokens".into()), Some(json!({ "name": "ci", "scope": "read_drafts" })), 3),
        ("DELETE", Box::new(|| "/api/v1/admin/tokens/00000000-0000-0000-0000-000000000000".into()), None, 3),
        ("GET", Box::new(|| "/api/v1/admin/webhooks".into()), None, 3),
        (
            "POST",
            Box::new(|| "/api/v1/admin/webhooks".into()),
            Some(json!({ "url": "https://hooks.example.com/in", "events": ["post.*"] })),
            3,
        ),
        ("GET", Box::new(|| format!("/api/v1/admin/webhooks/{NIL}")), None, 3),
        ("PATCH", Box::new(|| format!("/api/v1/admin/webhooks/{NIL}")), Some(json!({ "active": false })), 3),
        ("DELETE", Box::new(|| format!("/api/v1/admin/webhooks/{NIL}")), None, 3),
        ("GET", Box::new(|| format!("/api/v1/admin/webhooks/{NIL}/deliveries")), None, 3),
        ("POST", Box::new(|| format!("/api/v1/admin/webhooks/{NIL}/deliveries/{NIL}/replay")), None, 3),
        ("POST", Box::new(|| format!("/api/v1/admin/webhooks/{NIL}/ping")), None, 3),
    ];
    for (method, path, body, lowest) in &routes {
        for (i, role) in roles.iter().enumerate() {
            for (kind, slug) in
                [("tags", "target-tag"), ("categories", "target-category"), ("authors", "target-author")]
            {
                let name = slug.replace('-', " ");
                call(
                    &app,
                    admin,
                    "POST",
                    &format!("/api/v1/admin/{kind}"),
                    Some(json!({ "name": name, "slug": slug })),
                );
            }
            let path = path();
            let reply = call_if(&app, &tokens[i], method, &path, 1, body.clone());
            if i >= *lowest {
                assert!(![401, 403].contains(&reply.status), "{role} {method} {path}: {} {}", reply.status, reply.body);
            } else if i < 2 && path.starts_with("/api/v1/admin/posts/") && !trash_route(&path) {
                // The admin's draft is hidden from contributors and authors (the_role_matrix covers it).
                assert_eq!(reply.status, 404, "{role} {method} {path}: {}", reply.body);
            } else {
                assert_eq!(reply.status, 403, "{role} {method} {path}: {}", reply.body);
            }
            let anonymous = app.send(method, &path, &[], body.as_ref());
            assert_eq!(anonymous.status, 401, "anonymous {method} {path}");
        }
    }
}

fn a_repeated_key_is_refused_by_name(db: &Db) {
    let (seed, app) = setup(db);
    let ed = user(&seed, &app, "ed@example.com", "editor");
    let auth = [("Authorization", bearer(&ed))];
    let auth: Vec<(&str, &str)> = auth.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for (path, body, key) in [
        ("/api/v1/admin/posts", r#"{"title":"Twice","slug":"first","slug":"second"}"#, "slug"),
        (
            "/api/v1/admin/posts",
            r#"{"title":"Image","feature_image":{"url":"https://a.example/x.png","url":"https://b.example/y.png"}}"#,
            "url",
        ),
        ("/api/v1/admin/tags", r#"{"name":"a","name":"b"}"#, "name"),
        ("/api/v1/auth/login", r#"{"email":"ed@example.com","password":"x","password":"y"}"#, "password"),
    ] {
        let reply = app.send_text("POST", path, &auth, Some(body));
        assert_eq!(
            (reply.status, reply.content_type.as_str()),
            (400, "application/problem+json"),
            "{path} {body}: {}",
            reply.body
        );
        assert_eq!(reply.json()["field"], key, "{}", reply.body);
    }
    // Nothing was stored.
    let list = call(&app, &ed, "GET", "/api/v1/admin/posts", None).json();
    assert_eq!(list["posts"].as_array().unwrap().len(), 0, "{list}");
    assert_eq!(call(&app, &ed, "GET", "/api/v1/admin/tags/a", None).status, 404);
}
