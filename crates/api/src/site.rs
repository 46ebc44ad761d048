//! The public face of the site: its base URL, where posts, tags, categories
//! and authors live on the frontend, and how long public answers may be
//! cached.

/// Site settings the API needs; built by the binary from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The frontend's base URL, without a trailing slash.
    pub base_url: String,
    /// Where clients reach Longform itself, without a trailing slash: feed
    /// self links, sitemap parts and openapi.yaml's `servers` use it.
    pub api_url: String,
    /// `Cache-Control: max-age` of public responses, in seconds.
    pub cache_max_age: u32,
    /// `stale-while-revalidate` of public responses, in seconds.
    pub cache_stale_while_revalidate: u32,
    /// Whether repeated public reads are served from memory.
    pub response_cache: bool,
    /// Whether requests are counted and `/metrics` answers (404 when not).
    pub metrics: bool,
    /// Whether GraphQL answers introspection, suggests field names and
    /// serves GraphiQL (off in production unless configured on).
    pub graphql_introspection: bool,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The site's name, description and language, for feeds.
    pub title: String,
    pub description: String,
    pub language: String,
    /// Items per feed page.
    pub feed_items: u32,
    /// Where the frontend shows posts, tags, categories and authors:
    /// `{base_url}` and `{slug}` are filled in.
    pub patterns: UrlPatterns,
    /// Hosts webhook deliveries may reach although they are not public.
    pub webhook_allow: crate::webhooks::AllowList,
    /// Proxies whose forwarding headers name the client.
    pub trusted_proxies: crate::client::TrustedProxies,
}

/// Public URL patterns, each holding `{slug}` (and usually `{base_url}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlPatterns {
    pub post: String,
    pub tag: String,
    pub category: String,
    pub author: String,
}

impl Default for UrlPatterns {
    fn default() -> Self {
        Self {
            post: "{base_url}/{slug}/".to_owned(),
            tag: "{base_url}/tag/{slug}/".to_owned(),
            category: "{base_url}/category/{slug}/".to_owned(),
            author: "{base_url}/author/{slug}/".to_owned(),
        }
    }
}

impl Default for Site {
    fn default() -> Self {
        Self {
            base_url: "http://127.0.0.1:8080".to_owned(),
            api_url: "http://127.0.0.1:8080".to_owned(),
            cache_max_age: 60,
            cache_stale_while_revalidate: 300,
            response_cache: true,
            metrics: true,
            graphql_introspection: true,
            body_limit: crate::body::DEFAULT_BODY_LIMIT,
            title: "Longform".to_owned(),
            description: "Long-form technical writing.".to_owned(),
            language: "en".to_owned(),
            feed_items: 20,
            patterns: UrlPatterns::default(),
            webhook_allow: crate::webhooks::AllowList::default(),
            trusted_proxies: crate::client::TrustedProxies::default(),
        }
    }
}

impl Site {
    fn fill(&self, pattern: &str, slug: &str) -> String {
        pattern.replace("{base_url}", &self.base_url).replace("{slug}", slug)
    }

    pub fn post_url(&self, slug: &str) -> String {
        self.fill(&self.patterns.post, slug)
    }

    pub fn tag_url(&self, slug: &str) -> String {
        self.fill(&self.patterns.tag, slug)
    }

    pub fn category_url(&self, slug: &str) -> String {
        self.fill(&self.patterns.category, slug)
    }

    pub fn author_url(&self, slug: &str) -> String {
        self.fill(&self.patterns.author, slug)
    }

    /// The `Cache-Control` value of every public response.
    pub fn cache_control(&self) -> String {
        format!("public, max-age={}, stale-while-revalidate={}", self.cache_max_age, self.cache_stale_while_revalidate)
    }

    /// [`Site::cache_control`] as a header value (built once per process).
    pub fn cache_control_header(&self) -> actix_web::http::header::HeaderValue {
        actix_web::http::header::HeaderValue::from_str(&self.cache_control())
            .unwrap_or_else(|_| actix_web::http::header::HeaderValue::from_static("no-cache"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_the_patterns() {
        let mut site = Site { base_url: "https://blog.example".into(), ..Site::default() };
        assert_eq!(site.post_url("go-channels"), "https://blog.example/go-channels/");
        assert_eq!(site.tag_url("ebpf"), "https://blog.example/tag/ebpf/");
        site.patterns.post = "{base_url}/posts/{slug}.html".into();
        site.patterns.author = "https://people.example/{slug}".into();
        assert_eq!(site.post_url("go-channels"), "https://blog.example/posts/go-channels.html");
        assert_eq!(site.author_url("jane-doe"), "https://people.example/jane-doe");
    }
}
