//! Global object ids for `Node`: base64url without padding of
//! `"<Type>:<uuid>"`, e.g. `Post:0190f1c2-...` becomes `UG9zdDowMTkwZjFjMi0uLi4`.
//! Opaque to clients (Relay's convention), self-describing for `node(id:)`.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

/// The object types a global id can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Post,
    Tag,
    Category,
    Author,
}

impl NodeKind {
    const ALL: [Self; 4] = [Self::Post, Self::Tag, Self::Category, Self::Author];

    fn name(self) -> &'static str {
        match self {
            Self::Post => "Post",
            Self::Tag => "Tag",
            Self::Category => "Category",
            Self::Author => "Author",
        }
    }
}

pub fn encode(kind: NodeKind, id: &Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", kind.name(), id.hyphenated())))
}

/// The kind and uuid a global id names; `None` for anything else.
pub fn decode(id: &str) -> Option<(NodeKind, Uuid)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id).ok()?).ok()?;
    let (name, uuid) = text.split_once(':')?;
    let kind = NodeKind::ALL.into_iter().find(|k| k.name() == name)?;
    Some((kind, Uuid::parse_str(uuid).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_garbage_is_none() {
        let uuid = Uuid::now_v7();
        for kind in NodeKind::ALL {
            assert_eq!(decode(&encode(kind, &uuid)), Some((kind, uuid)));
        }
        let wrong_type = URL_SAFE_NO_PAD.encode(format!("User:{uuid}"));
        for bad in ["", "!!", "UG9zdA", wrong_type.as_str(), &URL_SAFE_NO_PAD.encode("Post:nope")] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
