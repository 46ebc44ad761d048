//! The public face of the site: its base URL, where posts, tags, categories
//! and authors live on the frontend, and how long public answers may be
//! cached.

/// Site settings the API needs; built by the binary from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The frontend's base URL, without a trailing slash.
    pub base_url: String,
    /// `Cache-Control: max-age` of public responses, in seconds.
    pub cache_max_age: u32,
    /// `stale-while-revalidate` of public responses, in seconds.
    pub cache_stale_while_revalidate: u32,
    /// Whether repeated public reads are served from memory.
    pub response_cache: bool,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The site's name, description and language, for feeds.
    pub title: String,
    pub description: String,
    pub language: String,
    /// Items per feed page.
    pub feed_items: u32,
}

impl Default for Site {
    fn default() -> Self {
        Self {
            base_url: "http://127.0.0.1:8080".to_owned(),
            cache_max_age: 60,
            cache_stale_while_revalidate: 300,
            response_cache: true,
            body_limit: crate::body::DEFAULT_BODY_LIMIT,
            title: "Longform".to_owned(),
            description: "Long-form technical writing.".to_owned(),
            language: "en".to_owned(),
            feed_items: 20,
        }
    }
}

impl Site {
    pub fn post_url(&self, slug: &str) -> String {
        format!("{}/{slug}/", self.base_url)
    }

    pub fn tag_url(&self, slug: &str) -> String {
        format!("{}/tag/{slug}/", self.base_url)
    }

    pub fn category_url(&self, slug: &str) -> String {
        format!("{}/category/{slug}/", self.base_url)
    }

    pub fn author_url(&self, slug: &str) -> String {
        format!("{}/author/{slug}/", self.base_url)
    }

    /// The `Cache-Control` value of every public response.
    pub fn cache_control(&self) -> String {
        format!("public, max-age={}, stale-while-revalidate={}", self.cache_max_age, self.cache_stale_while_revalidate)
    }
}
