//! `GET /sitemap.xml`: every published post, tag, category and author page
//! with its true last modification. Past 50,000 URLs (the protocol's limit
//! per file) it is a sitemap index of `/sitemap-N.xml` files.

use crate::xml::text as escape;
use actix_web::{HttpRequest, HttpResponse, web};
use longform_persistence::SitemapEntry;

use crate::error::ApiError;
use crate::params::Params;
use crate::rest::{Body, public_response};
use crate::{AppState, Site};

/// URLs per sitemap file (sitemaps.org).
pub const MAX_URLS: usize = 50_000;

fn location(site: &Site, entry: &SitemapEntry) -> String {
    match entry.kind {
        "post" => site.post_url(&entry.slug),
        "tag" => site.tag_url(&entry.slug),
        "category" => site.category_url(&entry.slug),
        _ => site.author_url(&entry.slug),
    }
}

fn urlset(site: &Site, entries: &[SitemapEntry]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\">\n",
    );
    for entry in entries {
        let image = entry
            .image
            .as_ref()
            .map(|url| if url.starts_with('/') { format!("{}{url}", site.api_url) } else { url.clone() })
            .map(|url| format!("<image:image><image:loc>{}</image:loc></image:image>", escape(&url)))
            .unwrap_or_default();
        out += &format!(
            "<url><loc>{}</loc><lastmod>{}</lastmod>{image}</url>\n",
            escape(location(site, entry).as_str()),
            entry.lastmod.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
    }
    out + "</urlset>\n"
}

/// The index of `parts` files, each dated by its newest entry.
fn sitemap_index(site: &Site, parts: &[&[SitemapEntry]]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (i, part) in parts.iter().enumerate() {
        let newest = part.iter().map(|e| e.lastmod).max().unwrap_or_else(longform_persistence::now);
        out += &format!(
            "<sitemap><loc>{}/sitemap-{}.xml</loc><lastmod>{}</lastmod></sitemap>\n",
            escape(site.api_url.as_str()),
            i + 1,
            newest.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
    }
    out + "</sitemapindex>\n"
}

/// One file when everything fits, else an index of `per_file`-URL parts.
pub fn render(site: &Site, entries: &[SitemapEntry], per_file: usize) -> String {
    if entries.len() <= per_file {
        return urlset(site, entries);
    }
    sitemap_index(site, &entries.chunks(per_file).collect::<Vec<_>>())
}

fn xml(text: String) -> Body {
    Body { content_type: "application/xml; charset=utf-8", bytes: text.into_bytes(), headers: Vec::new() }
}

pub async fn index(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Params::public(req.query_string(), &[])?;
    public_response(&req, &state, || async {
        let entries = state.store.posts().sitemap().await?;
        Ok(xml(render(&state.site, &entries, MAX_URLS)))
    })
    .await
}

pub async fn part(
    req: HttpRequest,
    state: web::Data<AppState>,
    n: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Params::public(req.query_string(), &[])?;
    let n: usize = n.parse().ok().filter(|n| *n >= 1).ok_or(ApiError::NotFound)?;
    public_response(&req, &state, || async {
        let entries = state.store.posts().sitemap().await?;
        let part = entries.chunks(MAX_URLS).nth(n - 1).ok_or(ApiError::NotFound)?;
        Ok(xml(urlset(&state.site, part)))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn past_the_limit_it_becomes_an_index_of_parts() {
        let site =
            Site { base_url: "https://blog.example".into(), api_url: "https://api.example".into(), ..Site::default() };
        let entries: Vec<SitemapEntry> = (0..5)
            .map(|i| SitemapEntry {
                kind: "post",
                slug: format!("p{i}"),
                lastmod: Utc.with_ymd_and_hms(2026, 1, 1 + i, 0, 0, 0).unwrap(),
                image: match i {
                    0 => Some("https://cdn.example/a&b.png".to_owned()),
                    1 => Some("/media/y/c.png".to_owned()),
                    _ => None,
                },
            })
            .collect();
        let one = render(&site, &entries, 5);
        assert!(one.contains("<urlset") && one.matches("<url>").count() == 5);
        assert!(one.contains("<loc>https://blog.example/p0/</loc>"), "pages are the frontend's: {one}");
        assert!(
            one.contains("<image:image><image:loc>https://cdn.example/a&amp;b.png</image:loc></image:image>"),
            "a feature image, in the image extension: {one}"
        );
        assert!(
            one.contains("<image:loc>https://api.example/media/y/c.png</image:loc>"),
            "an upload, under the API: {one}"
        );
        assert_eq!(one.matches("<image:image>").count(), 2);
        let index = render(&site, &entries, 2);
        assert!(index.contains("<sitemapindex"));
        assert_eq!(index.matches("<sitemap>").count(), 3);
        assert!(
            index.contains("<loc>https://api.example/sitemap-3.xml</loc><lastmod>2026-01-05T00:00:00Z"),
            "parts are served by Longform itself: {index}"
        );
    }
}
