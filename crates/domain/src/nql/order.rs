//! `order`: sort keys against an allowlist.

/// Which way an `order` key sorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

/// The most keys one `order` takes.
pub const MAX_ORDER_KEYS: usize = 4;

/// `published_at desc, title asc` against an allowlist (`named`), at most
/// [`MAX_ORDER_KEYS`] keys; a key without a direction sorts ascending.
pub fn parse_order<F: Copy + PartialEq>(
    text: &str,
    named: impl Fn(&str) -> Option<F>,
) -> Result<Vec<(F, Direction)>, String> {
    let mut keys: Vec<(F, Direction)> = Vec::new();
    for part in text.split(',') {
        let mut words = part.split_whitespace();
        let Some(name) = words.next() else { return Err("names an empty key".into()) };
        let field = named(name).ok_or_else(|| format!("cannot sort by {name}"))?;
        let direction = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => Direction::Asc,
            Some("desc") => Direction::Desc,
            Some(other) => return Err(format!("'{other}' is not asc or desc")),
        };
        if words.next().is_some() {
            return Err(format!("'{}' is not `field asc` or `field desc`", part.trim()));
        }
        if keys.iter().any(|(f, _)| *f == field) {
            return Err(format!("sorts by {name} twice"));
        }
        keys.push((field, direction));
    }
    if keys.len() > MAX_ORDER_KEYS {
        return Err(format!("takes at most {MAX_ORDER_KEYS} keys"));
    }
    Ok(keys)
}
