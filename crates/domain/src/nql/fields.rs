//! The allowlists: what a filter or an order may name on each resource.

use super::typed::{Fields, Kind};

/// What a filter or an order may name on a post, in Ghost's names: its
/// public fields, and its tags and authors. Drafts, owners, Markdown and
/// every account field are not here, so no filter reaches them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostField {
    Id,
    Slug,
    Title,
    Featured,
    PublishedAt,
    UpdatedAt,
    CreatedAt,
    ReadingTime,
    FeatureImage,
    Visibility,
    TagSlug,
    TagId,
    TagName,
    AuthorSlug,
    AuthorId,
    AuthorName,
    PrimaryTag,
    PrimaryAuthor,
}

impl Fields for PostField {
    fn named(name: &str) -> Option<Self> {
        Some(match name {
            "id" | "uuid" => Self::Id,
            "slug" => Self::Slug,
            "title" => Self::Title,
            "featured" => Self::Featured,
            "published_at" => Self::PublishedAt,
            "updated_at" => Self::UpdatedAt,
            "created_at" => Self::CreatedAt,
            "reading_time" => Self::ReadingTime,
            "feature_image" => Self::FeatureImage,
            "visibility" => Self::Visibility,
            "tag" | "tags" | "tags.slug" => Self::TagSlug,
            "tags.id" => Self::TagId,
            "tags.name" => Self::TagName,
            "author" | "authors" | "authors.slug" => Self::AuthorSlug,
            "authors.id" => Self::AuthorId,
            "authors.name" => Self::AuthorName,
            "primary_tag" | "primary_tag.slug" => Self::PrimaryTag,
            "primary_author" | "primary_author.slug" => Self::PrimaryAuthor,
            _ => return None,
        })
    }

    fn kind(self) -> Kind {
        match self {
            Self::Id | Self::Title => Kind::Text,
            Self::Slug => Kind::Slug,
            Self::Featured => Kind::Bool,
            Self::PublishedAt | Self::UpdatedAt | Self::CreatedAt => Kind::Time,
            Self::ReadingTime => Kind::Int,
            Self::FeatureImage => Kind::OptionalText,
            Self::Visibility => Kind::Visibility,
            Self::TagSlug | Self::AuthorSlug | Self::PrimaryTag | Self::PrimaryAuthor => Kind::Member { slug: true },
            Self::TagId | Self::TagName | Self::AuthorId | Self::AuthorName => Kind::Member { slug: false },
        }
    }
}

impl PostField {
    /// The keys an `order` may sort posts by.
    pub fn sortable(name: &str) -> Option<Self> {
        Self::named(name).filter(|f| {
            matches!(
                f,
                Self::Id
                    | Self::Slug
                    | Self::Title
                    | Self::Featured
                    | Self::PublishedAt
                    | Self::UpdatedAt
                    | Self::CreatedAt
                    | Self::ReadingTime
            )
        })
    }
}

/// What a filter or an order may name on a tag or an author profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TermField {
    Id,
    Slug,
    Name,
    Visibility,
}

impl Fields for TermField {
    fn named(name: &str) -> Option<Self> {
        Some(match name {
            "id" => Self::Id,
            "slug" => Self::Slug,
            "name" => Self::Name,
            "visibility" => Self::Visibility,
            _ => return None,
        })
    }

    fn kind(self) -> Kind {
        match self {
            Self::Id | Self::Name => Kind::Text,
            Self::Slug => Kind::Slug,
            Self::Visibility => Kind::Visibility,
        }
    }
}

impl TermField {
    /// The keys an `order` may sort tags and authors by.
    pub fn sortable(name: &str) -> Option<Self> {
        Self::named(name).filter(|f| *f != Self::Visibility)
    }
}
