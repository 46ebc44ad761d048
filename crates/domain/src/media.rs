//! Uploaded images and files: what a file is (decided by its bytes, never by
//! its name or the client's word), what it may be called, and the checks
//! an upload must pass before anything is stored. [`raster`] decodes and
//! makes the responsive sizes; [`svg`] refuses drawings that could run
//! script.

pub mod raster;
pub mod svg;

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::MediaId;

/// The kinds of file Longform keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Jpeg,
    Png,
    Gif,
    Webp,
    Avif,
    Svg,
    Pdf,
}

impl MediaKind {
    pub const ALL: [Self; 7] = [Self::Jpeg, Self::Png, Self::Gif, Self::Webp, Self::Avif, Self::Svg, Self::Pdf];

    /// The `Content-Type` it is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Avif => "image/avif",
            Self::Svg => "image/svg+xml",
            Self::Pdf => "application/pdf",
        }
    }

    pub fn from_content_type(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.content_type() == raw)
    }

    /// The file name extension it is given, and the ones it is known by.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Jpeg => &["jpg", "jpeg", "jpe"],
            Self::Png => &["png"],
            Self::Gif => &["gif"],
            Self::Webp => &["webp"],
            Self::Avif => &["avif"],
            Self::Svg => &["svg"],
            Self::Pdf => &["pdf"],
        }
    }

    pub fn extension(self) -> &'static str {
        self.extensions()[0]
    }

    /// What the bytes are, by their magic numbers; `None` for anything
    /// Longform does not keep.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        let at = |offset: usize, magic: &[u8]| bytes.get(offset..offset + magic.len()) == Some(magic);
        if at(0, b"\xFF\xD8\xFF") {
            Some(Self::Jpeg)
        } else if at(0, b"\x89PNG\r\n\x1A\n") {
            Some(Self::Png)
        } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
            Some(Self::Gif)
        } else if at(0, b"RIFF") && at(8, b"WEBP") {
            Some(Self::Webp)
        } else if is_avif(bytes) {
            Some(Self::Avif)
        } else if at(0, b"%PDF-") {
            Some(Self::Pdf)
        } else if svg::looks_like_svg(bytes) {
            Some(Self::Svg)
        } else {
            None
        }
    }

    /// Whether Longform decodes it to make smaller sizes.
    pub fn has_renditions(self) -> bool {
        matches!(self, Self::Jpeg | Self::Png | Self::Gif | Self::Webp)
    }

    /// What a list filter calls it: `image` or `file`.
    pub fn is_image(self) -> bool {
        self != Self::Pdf
    }
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.content_type())
    }
}

/// An ISO base media file (`ftyp` box) whose major brand, or one of whose
/// compatible brands, is AVIF.
fn is_avif(bytes: &[u8]) -> bool {
    if bytes.get(4..8) != Some(b"ftyp") {
        return false;
    }
    let Some(size) = bytes.get(0..4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize) else {
        return false;
    };
    let brands = bytes.get(8..size.clamp(8, 64).min(bytes.len())).unwrap_or_default();
    brands.chunks_exact(4).any(|brand| brand == b"avif" || brand == b"avis")
}

/// The formats renditions are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RenditionFormat {
    Webp,
    Jpeg,
    Png,
}

impl RenditionFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webp => "webp",
            Self::Jpeg => "jpeg",
            Self::Png => "png",
        }
    }

    pub fn kind(self) -> MediaKind {
        match self {
            Self::Webp => MediaKind::Webp,
            Self::Jpeg => MediaKind::Jpeg,
            Self::Png => MediaKind::Png,
        }
    }

    /// The formats an original of `kind` gets: WebP, and its own where that
    /// is another (a GIF's stills are PNG).
    pub fn for_original(kind: MediaKind) -> &'static [Self] {
        match kind {
            MediaKind::Jpeg => &[Self::Webp, Self::Jpeg],
            MediaKind::Png | MediaKind::Gif => &[Self::Webp, Self::Png],
            MediaKind::Webp => &[Self::Webp],
            MediaKind::Avif | MediaKind::Svg | MediaKind::Pdf => &[],
        }
    }
}

impl FromStr for RenditionFormat {
    type Err = ();
    fn from_str(raw: &str) -> Result<Self, ()> {
        match raw {
            "webp" => Ok(Self::Webp),
            "jpeg" | "jpg" => Ok(Self::Jpeg),
            "png" => Ok(Self::Png),
            _ => Err(()),
        }
    }
}

/// The widths renditions are made at, unless configured otherwise; never
/// wider than the original.
pub const DEFAULT_WIDTHS: [u32; 4] = [480, 960, 1440, 1920];

/// Longest file name kept, in bytes.
pub const MAX_FILENAME_BYTES: usize = 200;

/// The name an upload is kept and served under: its last path component,
/// without control characters, `/`, `\` or leading dots, at most
/// [`MAX_FILENAME_BYTES`], and with an extension that says what the bytes
/// are (`notes.txt` holding a PNG becomes `notes.txt.png`).
pub fn clean_filename(raw: &str, kind: MediaKind) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect::<String>()
        .split(' ')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let cleaned = cleaned.trim_start_matches('.');
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if kind.extensions().contains(&ext.to_ascii_lowercase().as_str()) => (stem, ext),
        _ => (cleaned, kind.extension()),
    };
    let stem = if stem.trim().is_empty() { "file" } else { stem.trim() };
    let budget = MAX_FILENAME_BYTES - ext.len() - 1;
    let mut end = stem.len().min(budget);
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}.{ext}", &stem[..end])
}

/// A media item as a post shows it (in its HTML, as its feature image).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRef {
    /// As displayed; `None` for a PDF or an SVG without a size.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The widths of its WebP renditions, widest first.
    pub webp_widths: Vec<u32>,
    /// The original's type, as sniffed, and its length.
    pub content_type: String,
    pub bytes: u64,
}

impl MediaRef {
    /// Its WebP renditions at `src` (the original's address): width,
    /// height and address each, widest first.
    pub fn webp_renditions(&self, src: &str) -> Vec<(u32, u32, String)> {
        let (Some(width), Some(height), Some((base, name))) = (self.width, self.height, src.rsplit_once('/')) else {
            return Vec::new();
        };
        // The renditions sit beside the original, named after it as `src`
        // spells it (percent-encoded or not).
        let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
        self.webp_widths
            .iter()
            .map(|&w| (w, scaled_height(width, height, w), format!("{base}/{stem}-{w}w.webp")))
            .collect()
    }

    /// A `srcset` for the original at `src`: its WebP renditions, then the
    /// original at its own width. `None` without renditions.
    pub fn srcset(&self, src: &str) -> Option<String> {
        let renditions = self.webp_renditions(src);
        if renditions.is_empty() {
            return None;
        }
        let mut candidates: Vec<String> = renditions.iter().rev().map(|(w, _, url)| format!("{url} {w}w")).collect();
        candidates.push(format!("{src} {}w", self.width?));
        Some(candidates.join(", "))
    }
}

/// The height of a `width` × `height` picture scaled to `to` pixels wide,
/// rounded, at least 1: what a rendition of that width measures.
pub fn scaled_height(width: u32, height: u32, to: u32) -> u32 {
    let scaled = (u64::from(height) * u64::from(to) + u64::from(width) / 2) / u64::from(width.max(1));
    u32::try_from(scaled.max(1)).unwrap_or(u32::MAX)
}

/// The media items a body mentions, by id.
pub type Catalog = HashMap<MediaId, MediaRef>;

/// Most media ids one text is looked up for.
pub const MAX_MENTIONED: usize = 200;

/// The media ids `text` mentions as `/media/{id}/`: in an image, a link,
/// a feature image, even in code (a post that shows a file's address uses
/// it too). In order of first mention, at most [`MAX_MENTIONED`].
pub fn mentioned(text: &str) -> Vec<MediaId> {
    let mut ids = Vec::new();
    for (at, _) in text.match_indices("/media/") {
        let rest = &text[at + "/media/".len()..];
        let Some(id) = rest.get(..36).filter(|_| rest[36..].starts_with('/')) else { continue };
        if let Ok(id) = id.parse::<MediaId>()
            && !ids.contains(&id)
        {
            ids.push(id);
            if ids.len() == MAX_MENTIONED {
                break;
            }
        }
    }
    ids
}

/// What a responsive image's `sizes` says: an article column of at most
/// 960 CSS pixels.
pub const IMAGE_SIZES: &str = "(min-width: 960px) 960px, 100vw";

/// Rendered (sanitised) HTML with each `<img>` of a media item in `catalog`
/// given its `width` and `height` (no layout shift), a `srcset` of its WebP
/// renditions and the original, `sizes`, `decoding="async"`, and
/// `loading="lazy"` for every image but the first. The attributes go right
/// after `src`, which the Markdown writer puts first; their values are
/// made here from numbers and the URL already in `src`.
pub fn responsive(html: &str, catalog: &Catalog) -> String {
    const OPEN: &str = "<img src=\"";
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    let mut first = true;
    while let Some(at) = rest.find(OPEN) {
        let value_start = at + OPEN.len();
        let Some(len) = rest[value_start..].find('"') else { break };
        let src = &rest[value_start..value_start + len];
        out.push_str(&rest[..value_start + len + 1]);
        rest = &rest[value_start + len + 1..];
        if let Some(attributes) = image_attributes(src, catalog, first) {
            out.push_str(&attributes);
        }
        first = false;
    }
    out.push_str(rest);
    out
}

fn image_attributes(src: &str, catalog: &Catalog, first: bool) -> Option<String> {
    let id = mentioned(src).into_iter().next().filter(|_| src.starts_with("/media/"))?;
    let item = catalog.get(&id)?;
    let (width, height) = (item.width?, item.height?);
    let mut attributes = format!(" width=\"{width}\" height=\"{height}\"");
    if let Some(srcset) = item.srcset(src) {
        attributes.push_str(&format!(" srcset=\"{srcset}\" sizes=\"{IMAGE_SIZES}\""));
    }
    attributes.push_str(if first {
        " decoding=\"async\" fetchpriority=\"high\""
    } else {
        " loading=\"lazy\" decoding=\"async\""
    });
    Some(attributes)
}

/// The `src` of each image in rendered (sanitised) `html` that has no
/// alt text, or only blanks: what an editor should describe. At most
/// [`MAX_MENTIONED`], in order.
pub fn missing_alt(html: &str) -> Vec<String> {
    let attribute = |tag: &str, name: &str| {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        tag[at..].find('"').map(|end| tag[at..at + end].to_owned())
    };
    let mut missing = Vec::new();
    for (at, _) in html.match_indices("<img ") {
        let tag = &html[at..html[at..].find('>').map_or(html.len(), |end| at + end)];
        if attribute(tag, "alt").is_none_or(|alt| alt.trim().is_empty()) {
            missing.push(attribute(tag, "src").unwrap_or_default());
            if missing.len() == MAX_MENTIONED {
                break;
            }
        }
    }
    missing
}

/// What an upload is, once it passed every check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inspected {
    pub kind: MediaKind,
    /// As displayed; `None` for a PDF, or an SVG that gives no size.
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub has_location: bool,
}

/// Sniff `bytes` and check them as their kind must be checked: a raster
/// image's header (its pixels counted against `max_pixels`), an SVG's
/// whole document. Cheap: nothing is decoded.
pub fn inspect(bytes: &[u8], max_pixels: u64) -> Result<Inspected, UploadError> {
    let kind = MediaKind::sniff(bytes).ok_or(UploadError::UnsupportedType)?;
    match kind {
        MediaKind::Svg => {
            let info = svg::check(bytes)?;
            Ok(Inspected { kind, width: info.width, height: info.height, has_location: false })
        }
        MediaKind::Pdf => Ok(Inspected { kind, width: None, height: None, has_location: false }),
        _ => {
            let probe = raster::probe(bytes, kind, max_pixels)?;
            Ok(Inspected {
                kind,
                width: Some(probe.width),
                height: Some(probe.height),
                has_location: probe.has_location,
            })
        }
    }
}

/// What an upload may be refused for, before anything is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error(
        "is not a file type Longform keeps (JPEG, PNG, GIF, WebP, AVIF, SVG or PDF), whatever its name or Content-Type \
         says"
    )]
    UnsupportedType,
    #[error("is {width} × {height} pixels, more than the {max} pixels allowed (media_max_pixels)")]
    TooManyPixels { width: u32, height: u32, max: u64 },
    #[error("is not a well-formed {kind} file: {reason}")]
    Malformed { kind: &'static str, reason: String },
    #[error("is an SVG drawing that could run script or load other resources: {0}")]
    UnsafeSvg(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_reads_the_bytes_not_the_name() {
        assert_eq!(MediaKind::sniff(b"\xFF\xD8\xFF\xE0rest"), Some(MediaKind::Jpeg));
        assert_eq!(MediaKind::sniff(b"\x89PNG\r\n\x1A\n...."), Some(MediaKind::Png));
        assert_eq!(MediaKind::sniff(b"GIF89a...."), Some(MediaKind::Gif));
        assert_eq!(MediaKind::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(MediaKind::Webp));
        assert_eq!(MediaKind::sniff(b"\0\0\0\x1cftypmif1\0\0\0\0mif1avifmiaf"), Some(MediaKind::Avif));
        assert_eq!(MediaKind::sniff(b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom"), None, "an MP4 is not an AVIF");
        assert_eq!(MediaKind::sniff(b"%PDF-1.7\n"), Some(MediaKind::Pdf));
        assert_eq!(
            MediaKind::sniff(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Some(MediaKind::Svg)
        );
        assert_eq!(MediaKind::sniff(b"MZ\x90\0\x03\0\0\0"), None, "a Windows executable");
        assert_eq!(MediaKind::sniff(b"\x7fELF\x02\x01\x01"), None);
        assert_eq!(MediaKind::sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(MediaKind::sniff(b""), None);
        assert_eq!(MediaKind::sniff(b"\xFF\xD8"), None);
    }

    #[test]
    fn mentions_are_found_wherever_they_are_written() {
        let (a, b) = (MediaId::new(), MediaId::new());
        let text = format!(
            "![x](/media/{a}/x.png) and [paper](https://api.example/media/{b}/p.pdf), again /media/{a}/x.png, \
             /media/not-an-id/x.png, /media/{a}"
        );
        assert_eq!(mentioned(&text), [a, b]);
    }

    #[test]
    fn images_without_alt_text_are_named_by_src() {
        let html = "<p><img src=\"/a.png\" alt=\"A queue\"><img src=\"/b.png\" alt=\"\"></p>\
                    <p><img src=\"/c.png\" alt=\" \"><img src=\"/d.png\" title=\"alt=&quot;x&quot;\"></p>";
        assert_eq!(missing_alt(html), ["/b.png", "/c.png", "/d.png"]);
        assert!(missing_alt("<p>no images</p>").is_empty());
    }

    #[test]
    fn renditions_are_addressed_beside_the_original() {
        let item = MediaRef {
            width: Some(1200),
            height: Some(675),
            webp_widths: vec![960, 480],
            content_type: "image/jpeg".into(),
            bytes: 1,
        };
        let src = "https://api.example/media/x/harbour.jpg";
        assert_eq!(
            item.webp_renditions(src),
            [
                (960, 540, "https://api.example/media/x/harbour-960w.webp".to_owned()),
                (480, 270, "https://api.example/media/x/harbour-480w.webp".to_owned())
            ]
        );
        assert_eq!(
            item.srcset(src).unwrap(),
            "https://api.example/media/x/harbour-480w.webp 480w, https://api.example/media/x/harbour-960w.webp 960w, \
             https://api.example/media/x/harbour.jpg 1200w"
        );
        assert_eq!(MediaRef { webp_widths: vec![], ..item }.srcset(src), None);
    }

    #[test]
    fn known_images_get_their_size_and_renditions() {
        let (photo, vector, unknown) = (MediaId::new(), MediaId::new(), MediaId::new());
        let mut catalog = Catalog::new();
        let entry = |w: Option<u32>, h: Option<u32>, widths: Vec<u32>| MediaRef {
            width: w,
            height: h,
            webp_widths: widths,
            content_type: "image/png".into(),
            bytes: 1,
        };
        catalog.insert(photo, entry(Some(1200), Some(600), vec![960, 480]));
        catalog.insert(vector, entry(Some(300), Some(100), vec![]));
        let html = format!(
            "<p><img src=\"/media/{photo}/a%20b.png\" alt=\"one\"></p><p><img src=\"/media/{vector}/a%20b.png\" \
             alt=\"two\"><img src=\"/media/{unknown}/c.png\" alt=\"\"><img src=\"https://x.example/y.png\"></p>"
        );
        let out = responsive(&html, &catalog);
        let first = format!(
            "<img src=\"/media/{photo}/a%20b.png\" width=\"1200\" height=\"600\" srcset=\"/media/{photo}/a%20b-480w.webp \
             480w, /media/{photo}/a%20b-960w.webp 960w, /media/{photo}/a%20b.png 1200w\" sizes=\"{IMAGE_SIZES}\" \
             decoding=\"async\" fetchpriority=\"high\" alt=\"one\">"
        );
        assert!(out.contains(&first), "{out}");
        let second = format!(
            "<img src=\"/media/{vector}/a%20b.png\" width=\"300\" height=\"100\" loading=\"lazy\" decoding=\"async\" alt"
        );
        assert!(out.contains(&second), "{out}");
        assert!(out.contains(&format!("<img src=\"/media/{unknown}/c.png\" alt=\"\">")), "unknown: as it was");
        assert!(out.ends_with("<img src=\"https://x.example/y.png\"></p>"), "{out}");
    }

    #[test]
    fn file_names_lose_paths_and_controls_and_say_what_they_are() {
        assert_eq!(clean_filename("diagram.png", MediaKind::Png), "diagram.png");
        assert_eq!(clean_filename("../../etc/passwd", MediaKind::Png), "passwd.png");
        assert_eq!(clean_filename("C:\\Users\\me\\Photo.JPG", MediaKind::Jpeg), "Photo.JPG");
        assert_eq!(clean_filename("a\u{0}b\nc  d.gif", MediaKind::Gif), "abc d.gif");
        assert_eq!(clean_filename(".htaccess", MediaKind::Png), "htaccess.png");
        assert_eq!(clean_filename("", MediaKind::Pdf), "file.pdf");
        assert_eq!(clean_filename("...", MediaKind::Pdf), "file.pdf");
        assert_eq!(clean_filename("payload.html", MediaKind::Svg), "payload.html.svg");
        let long = clean_filename(&"é".repeat(300), MediaKind::Webp);
        assert!(long.len() <= MAX_FILENAME_BYTES && long.ends_with(".webp"), "{long}");
    }
}
