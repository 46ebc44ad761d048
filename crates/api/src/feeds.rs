//! Feeds: JSON Feed 1.1, RSS 2.0 and Atom 1.0 for the whole site and for
//! each tag, category and author. Items are the newest published posts
//! with stable ids (`urn:uuid:<post id>`, never changed after publish),
//! full sanitised HTML with links made absolute (or summaries only with
//! `?content=summary`); an RSS item has its summary in `description` and
//! the HTML in `content:encoded`, as feed readers expect. Links to the
//! posts point at the frontend (`base_url`), a feed's own links at
//! Longform (`api_url`). Served from the response cache with ETag and
//! Last-Modified, so polling costs a 304.

use crate::xml::text as escape;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use longform_domain::{FeatureImage, Post, PostCard, Slug};
use longform_persistence::{Keyset, ListingFilter};
use serde_json::json;

use crate::AppState;
use crate::error::ApiError;
use crate::params::{Params, encode_cursor};
use crate::rest::{Body, public_response};
use crate::routes::Routes;

/// Which posts a feed holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slice {
    Site,
    Tag,
    Category,
    Author,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Rss,
    Atom,
}

impl Format {
    const ALL: [(Format, &'static str); 3] =
        [(Format::Json, "feed.json"), (Format::Rss, "feed.xml"), (Format::Atom, "atom.xml")];

    fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/feed+json",
            Self::Rss => "application/rss+xml; charset=utf-8",
            Self::Atom => "application/atom+xml; charset=utf-8",
        }
    }
}

/// Every feed: three formats for the site and for each tag, category and author.
pub fn routes(r: &mut Routes<'_>) {
    for (format, file) in Format::ALL {
        r.get(&format!("/{file}"), move |req, state| feed(Slice::Site, format, req, state, None));
        for (slice, prefix) in [(Slice::Tag, "tags"), (Slice::Category, "categories"), (Slice::Author, "authors")] {
            r.get(&format!("/{prefix}/{{slug}}/{file}"), move |req, state, slug: web::Path<String>| {
                feed(slice, format, req, state, Some(slug.into_inner()))
            });
        }
    }
}

/// What a feed is about: its title, page URL and filter.
struct About {
    title: String,
    home: String,
    filter: ListingFilter,
}

async fn about(state: &AppState, slice: Slice, slug: Option<String>) -> Result<About, ApiError> {
    let site = &state.site;
    let slug = match (slice, slug) {
        (Slice::Site, _) => {
            return Ok(About {
                title: site.title.clone(),
                home: format!("{}/", site.base_url),
                filter: ListingFilter::default(),
            });
        }
        (_, Some(raw)) => Slug::parse(&raw).map_err(|_| ApiError::NotFound)?,
        (_, None) => return Err(ApiError::NotFound),
    };
    let taxonomy = state.store.taxonomy();
    let (name, home, filter) = match slice {
        Slice::Tag => {
            let tag = taxonomy.public_tag(slug.clone()).await?.ok_or(ApiError::NotFound)?;
            (
                tag.item.name.to_string(),
                site.tag_url(slug.as_str()),
                ListingFilter { tag: Some(slug), ..Default::default() },
            )
        }
        Slice::Category => {
            let category = taxonomy.public_category(slug.clone()).await?.ok_or(ApiError::NotFound)?;
            (
                category.item.name.to_string(),
                site.category_url(slug.as_str()),
                ListingFilter { category: Some(slug), ..Default::default() },
            )
        }
        _ => {
            let author = taxonomy.public_author(slug.clone()).await?.ok_or(ApiError::NotFound)?;
            (
                author.item.name.to_string(),
                site.author_url(slug.as_str()),
                ListingFilter { author: Some(slug), ..Default::default() },
            )
        }
    };
    Ok(About { title: format!("{name} · {}", site.title), home, filter })
}

async fn feed(
    slice: Slice,
    format: Format,
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::public(req.query_string(), &["content", "after"])?;
    let summaries = match params.get("content") {
        None | Some("full") => false,
        Some("summary") => true,
        Some(_) => return Err(ApiError::invalid("content", "must be full or summary")),
    };
    let after = params.cursor("after")?;
    let self_url = format!("{}{}", state.site.api_url, req.path());
    public_response(&req, &state, || async {
        let about = about(&state, slice, slug).await?;
        let page = state.store.posts().list_published(about.filter.clone(), after, state.site.feed_items).await?;
        let ids = page.cards.iter().map(|c| c.id).collect();
        let mut bodies = state.store.posts().bodies(ids).await?;
        let posts: Vec<Post> =
            page.cards.into_iter().filter_map(|card| bodies.remove(&card.id).map(|body| Post { card, body })).collect();
        let feed =
            Feed { state: &state, about: &about, posts: &posts, summaries, self_url: &self_url, next: page.next };
        let bytes = match format {
            Format::Json => feed.json(),
            Format::Rss => feed.rss().into_bytes(),
            Format::Atom => feed.atom().into_bytes(),
        };
        let modified = posts.iter().map(|p| p.card.updated_at).max().unwrap_or_else(longform_persistence::now);
        let last_modified = HeaderValue::from_str(&modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
            .map_err(|_| ApiError::Internal)?;
        Ok(Body { content_type: format.content_type(), bytes, headers: vec![(header::LAST_MODIFIED, last_modified)] })
    })
    .await
}

struct Feed<'a> {
    state: &'a AppState,
    about: &'a About,
    posts: &'a [Post],
    summaries: bool,
    self_url: &'a str,
    next: Option<Keyset>,
}

/// Links and images in post bodies point at the site, not at the feed reader.
fn absolute(html: &str, base: &str) -> String {
    html.replace("href=\"/", &format!("href=\"{base}/")).replace("src=\"/", &format!("src=\"{base}/"))
}

/// A feature image as an enclosure: its URL, type and length. An uploaded
/// image's are known (sniffed, measured); an image elsewhere's type is
/// guessed from its extension and its length is unknown.
fn enclosure<'a>(image: &'a FeatureImage, api_url: &str) -> (String, &'a str, Option<u64>) {
    let url = image.address(api_url);
    match &image.media {
        Some(media) => (url, media.item.content_type.as_str(), Some(media.item.bytes)),
        None => {
            let kind = image_type(image.url.as_str());
            (url, kind, None)
        }
    }
}

/// The media type an enclosure needs, from the image URL's extension.
fn image_type(url: &str) -> &'static str {
    let path = url.split(['?', '#']).next().unwrap_or(url).to_ascii_lowercase();
    match path.rsplit('.').next() {
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        Some("avif") => "image/avif",
        _ => "image/jpeg",
    }
}

fn stable_id(card: &PostCard) -> String {
    format!("urn:uuid:{}", card.id)
}

fn published(card: &PostCard) -> DateTime<Utc> {
    card.published_at.unwrap_or(card.updated_at)
}

impl Feed<'_> {
    fn url(&self, card: &PostCard) -> String {
        self.state.site.post_url(card.slug.as_str())
    }

    fn html(&self, post: &Post) -> String {
        let site = &self.state.site;
        absolute(&crate::media::absolute_media(&post.body.html, &site.api_url), &site.base_url)
    }

    fn updated(&self) -> DateTime<Utc> {
        self.posts.iter().map(|p| p.card.updated_at).max().unwrap_or_else(longform_persistence::now)
    }

    fn json(&self) -> Vec<u8> {
        let items: Vec<_> = self
            .posts
            .iter()
            .map(|post| {
                let card = &post.card;
                let mut item = json!({
                    "id": stable_id(card),
                    "url": self.url(card),
                    "title": card.title.as_str(),
                    "summary": card.summary,
                    "date_published": published(card).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "date_modified": card.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "authors": card.authors.iter().map(|a| json!({ "name": a.name.as_str(), "url": self.state.site.author_url(a.slug.as_str()) })).collect::<Vec<_>>(),
                    "tags": card.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
                });
                if self.summaries {
                    item["content_text"] = json!(card.summary);
                } else {
                    item["content_html"] = json!(self.html(post));
                }
                if let Some(image) = &card.feature_image {
                    item["image"] = json!(image.address(&self.state.site.api_url));
                }
                item
            })
            .collect();
        let mut feed = json!({
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.about.title,
            "home_page_url": self.about.home,
            "feed_url": self.self_url,
            "description": self.state.site.description,
            "language": self.state.site.language,
            "items": items,
        });
        if let Some(next) = &self.next {
            feed["next_url"] = json!(format!("{}?after={}", self.self_url, encode_cursor(next)));
        }
        serde_json::to_vec(&feed).unwrap_or_default()
    }

    fn rss(&self) -> String {
        let site = &self.state.site;
        let mut out = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n",
        );
        out += &format!(
            "<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<language>{}</language>\n<lastBuildDate>{}</lastBuildDate>\n<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
            escape(self.about.title.as_str()),
            escape(self.about.home.as_str()),
            escape(site.description.as_str()),
            escape(site.language.as_str()),
            self.updated().to_rfc2822(),
            escape(self.self_url),
        );
        for post in self.posts {
            let card = &post.card;
            out += &format!(
                "<item>\n<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"false\">{}</guid>\n<pubDate>{}</pubDate>\n",
                escape(card.title.as_str()),
                escape(self.url(card).as_str()),
                stable_id(card),
                published(card).to_rfc2822(),
            );
            for author in &card.authors {
                out += &format!("<dc:creator>{}</dc:creator>\n", escape(author.name.as_str()));
            }
            for tag in &card.tags {
                out += &format!("<category>{}</category>\n", escape(tag.name.as_str()));
            }
            if let Some(image) = &card.feature_image {
                // RSS needs a length: 0 says "unknown" for an image elsewhere.
                let (url, kind, length) = enclosure(image, &self.state.site.api_url);
                let length = length.unwrap_or(0);
                out += &format!("<enclosure url=\"{}\" length=\"{length}\" type=\"{kind}\"/>\n", escape(&url));
            }
            // The summary for the list, the whole post for readers that
            // show it (content:encoded), unless the feed is summaries only.
            out += &format!("<description>{}</description>\n", escape(card.summary.as_str()));
            if !self.summaries {
                out += &format!("<content:encoded>{}</content:encoded>\n", escape(self.html(post).as_str()));
            }
            out += "</item>\n";
        }
        out + "</channel>\n</rss>\n"
    }

    fn atom(&self) -> String {
        let site = &self.state.site;
        let mut out =
            String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
        out += &format!(
            "<id>{}</id>\n<title>{}</title>\n<subtitle>{}</subtitle>\n<updated>{}</updated>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<author><name>{}</name></author>\n",
            escape(self.self_url),
            escape(self.about.title.as_str()),
            escape(site.description.as_str()),
            self.updated().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            escape(self.self_url),
            escape(self.about.home.as_str()),
            escape(site.title.as_str()),
        );
        for post in self.posts {
            let card = &post.card;
            out += &format!(
                "<entry>\n<id>{}</id>\n<title type=\"text\">{}</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<published>{}</published>\n<updated>{}</updated>\n",
                stable_id(card),
                escape(card.title.as_str()),
                escape(self.url(card).as_str()),
                published(card).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                card.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            );
            for author in &card.authors {
                out += &format!("<author><name>{}</name></author>\n", escape(author.name.as_str()));
            }
            for tag in &card.tags {
                out += &format!(
                    "<category term=\"{}\" label=\"{}\"/>\n",
                    escape(tag.slug.as_str()),
                    escape(tag.name.as_str())
                );
            }
            if let Some(image) = &card.feature_image {
                let (url, kind, length) = enclosure(image, &self.state.site.api_url);
                let length = length.map(|n| format!(" length=\"{n}\"")).unwrap_or_default();
                out += &format!("<link rel=\"enclosure\" type=\"{kind}\"{length} href=\"{}\"/>\n", escape(&url));
            }
            out += &format!("<summary type=\"text\">{}</summary>\n", escape(card.summary.as_str()));
            if !self.summaries {
                out += &format!("<content type=\"html\">{}</content>\n", escape(self.html(post).as_str()));
            }
            out += "</entry>\n";
        }
        out + "</feed>\n"
    }
}

#[cfg(test)]
mod tests {
    use super::absolute;

    #[test]
    fn relative_links_become_absolute() {
        let html = r#"<a href="/go-channels/">x</a> <img src="/images/1.png"> <a href="https://other.example/">y</a>"#;
        let out = absolute(html, "https://blog.example");
        assert!(out.contains(r#"href="https://blog.example/go-channels/""#));
        assert!(out.contains(r#"src="https://blog.example/images/1.png""#));
        assert!(out.contains(r#"href="https://other.example/""#));
    }
}
