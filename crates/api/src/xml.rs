//! Text for the XML documents (feeds, sitemaps): escaped, and never with a
//! character XML 1.0 forbids, which would make the whole document not
//! well-formed for every reader. Stored text has none (they are removed on
//! input), but a writer that cannot emit one does not depend on that.

use std::borrow::Cow;

use longform_domain::text::without_forbidden;
use quick_xml::escape::escape;

/// `raw` without forbidden characters, escaped for text and attribute values.
pub fn text(raw: &str) -> Cow<'_, str> {
    match without_forbidden(raw) {
        Cow::Borrowed(clean) => escape(clean),
        Cow::Owned(clean) => Cow::Owned(escape(&clean).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_and_drops_what_xml_forbids() {
        assert_eq!(super::text("a\u{1}<b> & \"c\"\u{ffff}"), "a&lt;b&gt; &amp; &quot;c&quot;");
        assert_eq!(super::text("plain"), "plain");
    }
}
