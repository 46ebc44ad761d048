//! Content for end-to-end tests, written straight into the test database
//! through the persistence crate (the server under test sees it like any
//! other process's writes).

use longform_domain::{Markdown, Move, Post, PostDraft, Slug, Title};
use longform_persistence::{Missing, Store};

/// A store on the test database, with a runtime to drive it from sync tests.
pub struct Seed {
    pub store: Store,
    runtime: tokio::runtime::Runtime,
}

/// What one seeded post looks like.
pub struct PostSpec<'a> {
    pub title: &'a str,
    pub tags: &'a [&'a str],
    pub authors: &'a [&'a str],
    pub category: Option<&'a str>,
    pub featured: bool,
    pub publish: bool,
}

impl Default for PostSpec<'_> {
    fn default() -> Self {
        Self {
            title: "Untitled",
            tags: &[],
            authors: &["jane-doe"],
            category: Some("blog"),
            featured: false,
            publish: true,
        }
    }
}

pub const BODY: &str = "An opening paragraph about schedulers and memory.\n\n## Run queues\n\nText with `code` and more words.\n\n```rust\nfn main() {}\n```\n";

impl Seed {
    pub fn new(database_url: &str) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let store = Store::open(database_url, &Default::default()).unwrap();
        runtime.block_on(store.migrate()).unwrap();
        Self { store, runtime }
    }

    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    pub fn post(&self, spec: PostSpec<'_>) -> Post {
        let slugs = |names: &[&str]| names.iter().map(|n| Slug::parse(n).unwrap()).collect::<Vec<_>>();
        let mut draft = PostDraft::new(Title::parse(spec.title).unwrap(), Markdown::parse(BODY).unwrap());
        draft.tags = slugs(spec.tags);
        draft.authors = slugs(spec.authors);
        draft.category = spec.category.map(|c| Slug::parse(c).unwrap());
        draft.featured = spec.featured;
        let posts = self.store.posts();
        let post = self.block_on(posts.create(draft, Missing::Create, None)).unwrap();
        if !spec.publish {
            return post;
        }
        self.block_on(posts.apply_move(post.card.id, Move::Publish, None, None)).unwrap()
    }

    /// A user with `role` made straight in the database (the CLI's path),
    /// signed in through `app`: the `Authorization` header value.
    pub fn sign_in(&self, app: &crate::helpers::TestApp, email: &str, role: longform_domain::Role) -> String {
        use longform_domain::{Email, Name, NewUser, Password, PasswordHash};
        const PASSWORD: &str = "correct horse battery";
        let user = NewUser {
            email: Email::parse(email).unwrap(),
            name: Name::parse("Test User").unwrap(),
            role,
            password_hash: PasswordHash::create(&Password::parse(PASSWORD).unwrap()).unwrap(),
        };
        self.block_on(self.store.users().create(user)).unwrap();
        let body = serde_json::json!({ "email": email, "password": PASSWORD });
        let login = app.send("POST", "/api/v1/auth/login", &[], Some(&body));
        format!("Bearer {}", login.json()["access_token"].as_str().unwrap())
    }

    /// `n` published posts titled "Post 0".."Post n-1" (newest last), tagged
    /// by parity, two authors, every third in category "notes", every
    /// fourth featured.
    pub fn many(&self, n: usize) -> Vec<Post> {
        (0..n)
            .map(|i| {
                let title = format!("Post {i}");
                self.post(PostSpec {
                    title: &title,
                    tags: if i % 2 == 0 { &["even", "runtime"] } else { &["odd"] },
                    authors: if i % 3 == 0 { &["jane-doe", "mei-chen"] } else { &["mei-chen"] },
                    category: Some(if i % 3 == 0 { "notes" } else { "blog" }),
                    featured: i % 4 == 0,
                    publish: true,
                })
            })
            .collect()
    }
}
