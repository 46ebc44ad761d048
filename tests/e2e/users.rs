//! Accounts under `/api/v1/admin/users`: changes name the version they
//! were made against (`If-Match`), and the site keeps an active admin even
//! when two admins demote, disable or delete each other at the same moment.

use std::sync::Barrier;

use serde_json::{Value, json};

use crate::admin::{PASSWORD, call, call_if, login, setup, user};
use crate::helpers::{Db, Reply, TestApp, both_backends};
use crate::seed::Seed;

both_backends!(
    user_changes_need_the_current_version,
    two_admins_demoting_each_other_at_once_leave_one,
    two_admins_disabling_each_other_at_once_leave_one,
    two_admins_deleting_each_other_at_once_leave_one,
);

fn user_path(id: &str) -> String {
    format!("/api/v1/admin/users/{id}")
}

fn version_of(reply: &Reply) -> i64 {
    assert_eq!(reply.status / 100, 2, "{}", reply.body);
    let version = reply.json()["user"]["version"].as_i64().unwrap();
    assert_eq!(reply.header("etag"), Some(format!("\"{version}\"").as_str()), "the ETag is the version");
    version
}

fn user_changes_need_the_current_version(db: &Db) {
    let (seed, app) = setup(db);
    let admin = user(&seed, &app, "root@example.com", "admin");
    let body = json!({ "email": "ed@example.com", "name": "Ed", "role": "editor", "password": PASSWORD });
    let created = call(&app, &admin, "POST", "/api/v1/admin/users", Some(body));
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(version_of(&created), 1);
    let id = created.json()["user"]["id"].as_str().unwrap().to_owned();
    let path = user_path(&id);
    assert_eq!(version_of(&call(&app, &admin, "GET", &path, None)), 1);
    let listed = call(&app, &admin, "GET", "/api/v1/admin/users", None).json();
    assert!(listed["users"].as_array().unwrap().iter().all(|u| u["version"] == 1), "{listed}");

    for method in ["PATCH", "DELETE"] {
        let missing = call(&app, &admin, method, &path, Some(json!({ "name": "No Precondition" })));
        assert_eq!(missing.status, 428, "{method}: {}", missing.body);
        assert_eq!(missing.content_type, "application/problem+json");
    }
    let renamed = call_if(&app, &admin, "PATCH", &path, 1, Some(json!({ "name": "Edward" })));
    assert_eq!(version_of(&renamed), 2);
    for (method, body) in [("PATCH", Some(json!({ "role": "admin" }))), ("DELETE", None)] {
        let stale = call_if(&app, &admin, method, &path, 1, body);
        assert_eq!(stale.status, 412, "{method}: {}", stale.body);
        assert_eq!(stale.content_type, "application/problem+json");
        assert_eq!(stale.json()["current_version"], 2, "{}", stale.body);
    }
    let now = call(&app, &admin, "GET", &path, None).json();
    assert_eq!((&now["user"]["name"], &now["user"]["role"]), (&json!("Edward"), &json!("editor")), "nothing written");

    // A password change moves the account on too.
    let ed = login(&app, "ed@example.com", PASSWORD).json()["access_token"].as_str().unwrap().to_owned();
    let change = json!({ "current_password": PASSWORD, "new_password": "an entirely new passphrase" });
    assert_eq!(call(&app, &ed, "POST", "/api/v1/auth/password", Some(change)).status, 204);
    assert_eq!(version_of(&call(&app, &admin, "GET", &path, None)), 3);
    assert_eq!(call_if(&app, &admin, "DELETE", &path, 2, None).status, 412);
    assert_eq!(call_if(&app, &admin, "DELETE", &path, 3, None).status, 204);
    assert_eq!(call(&app, &admin, "GET", &path, None).status, 404);
}

/// Rounds of two admins changing each other at the same moment: enough that
/// without the check inside the write's transaction (and the lock that
/// makes its answer hold) the site lost every admin in most runs.
const ROUNDS: usize = 24;

#[derive(Clone, Copy)]
enum Change {
    Demote,
    Disable,
    Delete,
}

impl Change {
    fn request(self) -> (&'static str, Option<Value>) {
        match self {
            Self::Demote => ("PATCH", Some(json!({ "role": "editor" }))),
            Self::Disable => ("PATCH", Some(json!({ "disabled": true }))),
            Self::Delete => ("DELETE", None),
        }
    }
}

/// An admin of the race: their account and their own signed-in token.
struct Admin {
    email: String,
    id: String,
    token: String,
}

impl Admin {
    fn sign_in(seed: &Seed, app: &TestApp, email: &str) -> Self {
        let token = user(seed, app, email, "admin");
        let me = call(app, &token, "GET", "/api/v1/auth/me", None).json();
        Self { email: email.to_owned(), id: me["user"]["id"].as_str().unwrap().to_owned(), token }
    }

    fn version(&self, app: &TestApp, by: &Admin) -> i64 {
        version_of(&call(app, &by.token, "GET", &user_path(&self.id), None))
    }
}

fn two_admins_demoting_each_other_at_once_leave_one(db: &Db) {
    race(db, Change::Demote);
}

fn two_admins_disabling_each_other_at_once_leave_one(db: &Db) {
    race(db, Change::Disable);
}

fn two_admins_deleting_each_other_at_once_leave_one(db: &Db) {
    race(db, Change::Delete);
}

fn race(db: &Db, change: Change) {
    let (seed, app) = setup(db);
    let mut admins = [Admin::sign_in(&seed, &app, "a@example.com"), Admin::sign_in(&seed, &app, "b@example.com")];
    let mut refused = 0;
    for round in 0..ROUNDS {
        let statuses = at_once(&app, &admins, change);
        let active: Vec<String> = seed
            .block_on(seed.store.users().list())
            .unwrap()
            .into_iter()
            .filter(|u| u.is_active_admin())
            .map(|u| u.email.as_str().to_owned())
            .collect();
        assert_eq!(active.len(), 1, "round {round}: active admins {active:?} after {statuses:?}");
        let winner = statuses.iter().position(|s| s / 100 == 2);
        let Some(winner) = winner else { panic!("round {round}: nobody's change went through: {statuses:?}") };
        let loser = statuses[1 - winner];
        // The loser's write is refused inside its transaction (409), or, when
        // the winner committed before the loser was even authenticated, the
        // loser is no admin (403) or no longer signed in (401) by then.
        assert!([409, 403, 401].contains(&loser), "round {round}: {statuses:?}");
        refused += usize::from(loser == 409);
        reinstate(&seed, &app, &mut admins, 1 - winner, change);
    }
    assert!(refused > 0, "no round reached the check inside the write: the race was never run");
}

/// Each admin changes the other at the same moment, naming the version
/// read just before; their answers' statuses, in order.
fn at_once(app: &TestApp, admins: &[Admin; 2], change: Change) -> Vec<u16> {
    let versions = [admins[1].version(app, &admins[0]), admins[0].version(app, &admins[1])];
    let start = Barrier::new(2);
    std::thread::scope(|scope| {
        let racers: Vec<_> = (0..2)
            .map(|i| {
                let (me, target, version, start) = (&admins[i], &admins[1 - i], versions[i], &start);
                scope.spawn(move || {
                    let (method, body) = change.request();
                    start.wait();
                    call_if(app, &me.token, method, &user_path(&target.id), version, body).status
                })
            })
            .collect();
        racers.into_iter().map(|racer| racer.join().unwrap()).collect()
    })
}

/// Make admin `i` (the one changed) an active, signed-in admin again.
fn reinstate(seed: &Seed, app: &TestApp, admins: &mut [Admin; 2], i: usize, change: Change) {
    let survivor = &admins[1 - i];
    let path = user_path(&admins[i].id);
    match change {
        Change::Demote => {
            let version = admins[i].version(app, survivor);
            let promoted = call_if(app, &survivor.token, "PATCH", &path, version, Some(json!({ "role": "admin" })));
            assert_eq!(promoted.status, 200, "{}", promoted.body);
        }
        Change::Disable => {
            let version = admins[i].version(app, survivor);
            let enabled = call_if(app, &survivor.token, "PATCH", &path, version, Some(json!({ "disabled": false })));
            assert_eq!(enabled.status, 200, "{}", enabled.body);
            let email = admins[i].email.clone();
            admins[i].token = login(app, &email, PASSWORD).json()["access_token"].as_str().unwrap().to_owned();
        }
        Change::Delete => {
            let email = admins[i].email.clone();
            admins[i] = Admin::sign_in(seed, app, &email);
        }
    }
}
