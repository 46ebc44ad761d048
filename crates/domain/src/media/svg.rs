//! SVG is XML that a browser runs: `<script>`, `onload=`, a `javascript:`
//! link or an `<foreignObject>` full of HTML all execute when the drawing
//! is opened on its own. Longform serves SVG with a policy that forbids
//! all of that (and never inlines it into a post), and refuses, on upload,
//! any drawing that contains it or loads anything from elsewhere.

use super::UploadError;

/// Elements that run script, embed documents, or animate attributes into
/// links.
const FORBIDDEN_ELEMENTS: &[&str] =
    &["script", "foreignobject", "iframe", "embed", "object", "handler", "listener", "set", "animate", "animatemotion"];

/// More nodes than any real drawing has; parsing stops there.
const NODES_LIMIT: u32 = 500_000;

/// Whether the bytes are XML text whose first element is `<svg>`: a quick
/// look past a byte-order mark, the XML declaration, comments and a
/// doctype, without parsing the document.
pub fn looks_like_svg(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let mut rest = text.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("<?") {
            rest = after.split_once("?>").map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->").map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("<!") {
            rest = after.split_once('>').map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    let Some(element) = rest.strip_prefix('<') else { return false };
    let name: String = element.chars().take_while(|c| !c.is_whitespace() && !matches!(c, '>' | '/')).collect();
    name == "svg" || name.ends_with(":svg")
}

/// A drawing that passed: its size, where it says one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SvgInfo {
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Parse the drawing and refuse anything that could run script or load
/// another resource: the elements above, event-handler attributes, links
/// other than to the drawing's own `#fragments`, `javascript:` anywhere,
/// style that imports or fetches, and DTDs (entity expansion).
pub fn check(bytes: &[u8]) -> Result<SvgInfo, UploadError> {
    let malformed = |reason: String| UploadError::Malformed { kind: "SVG", reason };
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|_| malformed("it is not UTF-8 text".to_owned()))?;
    let options = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: NODES_LIMIT, ..Default::default() };
    let document = roxmltree::Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => UploadError::UnsafeSvg("it declares a DTD".to_owned()),
        other => malformed(other.to_string()),
    })?;
    let root = document.root_element();
    if !root.tag_name().name().eq_ignore_ascii_case("svg") {
        return Err(malformed("its root element is not <svg>".to_owned()));
    }
    for node in document.descendants() {
        if node.is_element() {
            check_element(node)?;
        } else if node.is_text()
            && node.parent_element().is_some_and(|p| p.tag_name().name().eq_ignore_ascii_case("style"))
        {
            check_style(node.text().unwrap_or_default())?;
        }
    }
    Ok(SvgInfo { width: length(root.attribute("width")), height: length(root.attribute("height")) }
        .or_view_box(root.attribute("viewBox")))
}

fn check_element(node: roxmltree::Node<'_, '_>) -> Result<(), UploadError> {
    let name = node.tag_name().name().to_ascii_lowercase();
    if FORBIDDEN_ELEMENTS.contains(&name.as_str()) {
        return Err(UploadError::UnsafeSvg(format!("it contains <{}>", node.tag_name().name())));
    }
    for attribute in node.attributes() {
        let key = attribute.name().to_ascii_lowercase();
        let value = attribute.value();
        let squeezed: String = value.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
        if key.starts_with("on") {
            return Err(UploadError::UnsafeSvg(format!("<{name}> has the event handler {}", attribute.name())));
        }
        if squeezed.to_ascii_lowercase().contains("javascript:") {
            return Err(UploadError::UnsafeSvg(format!("<{name}> {} holds a javascript: URL", attribute.name())));
        }
        if key == "href" && !value.trim_start().starts_with('#') {
            return Err(UploadError::UnsafeSvg(format!(
                "<{name}> links to {value:?}: only the drawing's own #fragments may be linked"
            )));
        }
        if key == "style" {
            check_style(value)?;
        }
        // Presentation attributes such as fill="url(...)" load resources too.
        if key != "href" && fetches(value) {
            return Err(UploadError::UnsafeSvg(format!("<{name}> {} loads {value:?}", attribute.name())));
        }
    }
    Ok(())
}

fn check_style(css: &str) -> Result<(), UploadError> {
    if css.to_ascii_lowercase().contains("@import") {
        return Err(UploadError::UnsafeSvg("its style imports another sheet".to_owned()));
    }
    if fetches(css) {
        return Err(UploadError::UnsafeSvg("its style loads a resource by url()".to_owned()));
    }
    Ok(())
}

/// A CSS `url(...)` that is not a `#fragment` of the drawing itself.
fn fetches(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.match_indices("url(").any(|(at, _)| {
        let target = lower[at + 4..].trim_start().trim_start_matches(['"', '\'']);
        !target.starts_with('#')
    })
}

/// A length in user units (`640`, `640px`, `640.5`); `None` for percentages,
/// other units and nonsense.
fn length(raw: Option<&str>) -> Option<u32> {
    let raw = raw?.trim();
    let number = raw.strip_suffix("px").unwrap_or(raw).trim();
    let value: f64 = number.parse().ok()?;
    (value.is_finite() && value >= 1.0 && value <= f64::from(u32::MAX)).then(|| value.round() as u32)
}

impl SvgInfo {
    /// Without both a width and a height, the view box's.
    fn or_view_box(self, view_box: Option<&str>) -> Self {
        if self.width.is_some() && self.height.is_some() {
            return self;
        }
        let numbers: Vec<f64> = view_box
            .unwrap_or_default()
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|part| !part.is_empty())
            .filter_map(|part| part.parse().ok())
            .collect();
        match numbers.as_slice() {
            [_, _, w, h] if *w >= 1.0 && *h >= 1.0 && w.is_finite() && h.is_finite() => {
                Self { width: Some(w.round() as u32), height: Some(h.round() as u32) }
            }
            _ => self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = "xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\"";

    fn svg(inner: &str) -> String {
        format!("<svg {NS} width=\"640\" height=\"480\">{inner}</svg>")
    }

    #[test]
    fn a_plain_drawing_passes_with_its_size() {
        let drawing =
            svg("<defs><linearGradient id=\"g\"/></defs><rect fill=\"url(#g)\" width=\"10\" height=\"10\"/><use \
             href=\"#g\"/><style>rect { fill: url(#g) }</style>");
        assert_eq!(check(drawing.as_bytes()), Ok(SvgInfo { width: Some(640), height: Some(480) }));
        let boxed = format!("<svg {NS} viewBox=\"0 0 1200 630\"><circle r=\"4\"/></svg>");
        assert_eq!(check(boxed.as_bytes()), Ok(SvgInfo { width: Some(1200), height: Some(630) }));
        assert!(looks_like_svg(
            format!("\u{FEFF}<?xml version=\"1.0\"?>\n<!-- made by hand -->\n{drawing}").as_bytes()
        ));
        assert!(!looks_like_svg(b"<html><svg/></html>"));
    }

    #[test]
    fn anything_that_could_run_or_fetch_is_refused() {
        let unsafe_inputs = [
            svg("<script>alert(1)</script>"),
            svg("<SCRIPT>alert(1)</SCRIPT>"),
            svg("<rect onload=\"alert(1)\"/>"),
            svg("<a href=\"javascript:alert(1)\"><text>x</text></a>"),
            svg("<a xlink:href=\" java\nscript:alert(1)\"><text>x</text></a>"),
            svg("<image href=\"https://tracker.example/pixel.png\"/>"),
            svg("<use xlink:href=\"https://evil.example/sprites.svg#a\"/>"),
            svg("<foreignObject><body xmlns=\"http://www.w3.org/1999/xhtml\">hi</body></foreignObject>"),
            svg("<set attributeName=\"href\" to=\"javascript:alert(1)\"/>"),
            svg("<style>@import url(https://evil.example/a.css);</style>"),
            svg("<rect style=\"fill: url(https://evil.example/a.svg#p)\"/>"),
            svg("<rect fill=\"url('https://evil.example/a.svg#p')\"/>"),
            format!("<!DOCTYPE svg [<!ENTITY x \"boom\">]><svg {NS}>&x;</svg>"),
        ];
        for input in unsafe_inputs {
            assert!(matches!(check(input.as_bytes()), Err(UploadError::UnsafeSvg(_))), "accepted: {input}");
        }
        assert!(matches!(check(b"<svg><unclosed>"), Err(UploadError::Malformed { .. })));
        assert!(matches!(check(b"<svg \xFF/>"), Err(UploadError::Malformed { .. })));
    }
}
