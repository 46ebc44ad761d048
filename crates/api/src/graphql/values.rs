//! Small output types several objects share.

use async_graphql::{ID, Object, SimpleObject};
use longform_domain::media::{IMAGE_SIZES, MediaRef};

/// A count for an `Int` field, which holds 32 bits.
fn int(n: impl TryInto<i32>) -> i32 {
    n.try_into().unwrap_or(i32::MAX)
}

pub struct FeatureImage {
    image: longform_domain::FeatureImage,
    /// Its address now (an upload's under the server's `api_url`).
    url: String,
}

impl FeatureImage {
    pub fn new(image: longform_domain::FeatureImage, api_url: &str) -> Self {
        Self { url: image.address(api_url), image }
    }
}

/// A post's feature image. Its size, `srcset` and media item are known
/// when it is an uploaded image (else null): render it without layout
/// shift, as the post HTML renders its images.
#[Object]
impl FeatureImage {
    async fn url(&self) -> &str {
        &self.url
    }

    async fn alt(&self) -> Option<&str> {
        self.image.alt.as_deref()
    }

    async fn width(&self) -> Option<i32> {
        self.item().and_then(|item| item.width).map(int)
    }

    async fn height(&self) -> Option<i32> {
        self.item().and_then(|item| item.height).map(int)
    }

    /// Its WebP renditions and the original, for `<img srcset>`.
    async fn srcset(&self) -> Option<String> {
        self.item().and_then(|item| item.srcset(&self.url))
    }

    /// The `sizes` that goes with `srcset`: the post HTML's.
    async fn sizes(&self) -> Option<&'static str> {
        self.item().filter(|item| item.srcset(&self.url).is_some()).map(|_| IMAGE_SIZES)
    }

    /// The uploaded media item it shows.
    async fn media(&self) -> Option<Media<'_>> {
        let media = self.image.media.as_ref()?;
        Some(Media { id: media.id.to_string(), url: &self.url, item: &media.item })
    }
}

impl FeatureImage {
    fn item(&self) -> Option<&MediaRef> {
        self.image.media.as_ref().map(|media| &media.item)
    }
}

pub struct Media<'a> {
    id: String,
    url: &'a str,
    item: &'a MediaRef,
}

/// An uploaded image, as a published post shows it. Media are never
/// listed: a post's feature image is the way to one.
#[Object]
impl Media<'_> {
    async fn id(&self) -> ID {
        ID(self.id.clone())
    }

    /// The original, byte for byte.
    async fn url(&self) -> &str {
        self.url
    }

    /// As sniffed from its bytes: `image/jpeg`, `image/png`, ...
    async fn content_type(&self) -> &str {
        &self.item.content_type
    }

    /// The original's length.
    async fn bytes(&self) -> i32 {
        int(self.item.bytes)
    }

    async fn width(&self) -> Option<i32> {
        self.item.width.map(int)
    }

    async fn height(&self) -> Option<i32> {
        self.item.height.map(int)
    }

    /// Its WebP renditions, widest first (never wider than the original).
    async fn renditions(&self) -> Vec<Rendition> {
        self.item
            .webp_renditions(self.url)
            .into_iter()
            .map(|(width, height, url)| Rendition { width: int(width), height: int(height), format: "webp", url })
            .collect()
    }
}

/// A resized copy of a media item.
#[derive(SimpleObject)]
pub struct Rendition {
    pub width: i32,
    pub height: i32,
    /// `webp`.
    pub format: &'static str,
    pub url: String,
}

/// One heading of a post.
#[derive(SimpleObject)]
pub struct TocEntry {
    /// 1 to 6, as in `<h1>`..`<h6>`.
    pub level: i32,
    pub text: String,
    /// The heading's anchor in `html`.
    pub id: String,
}

#[derive(SimpleObject)]
pub struct ProfileLink {
    pub label: String,
    pub url: String,
}

/// Relay's page info. Pagination is forward only: `hasPreviousPage` says
/// whether this page was asked for with `after`.
#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}
