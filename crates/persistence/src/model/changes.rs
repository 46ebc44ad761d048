//! The change feed's entries: what happened to which post, in commit order.

use chrono::{DateTime, Utc};
use longform_domain::{PostId, PostStatus};

/// What happened to a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Created,
    Updated,
    Published,
    Unpublished,
    Scheduled,
    Archived,
    Deleted,
    Restored,
    Purged,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Published => "published",
            Self::Unpublished => "unpublished",
            Self::Scheduled => "scheduled",
            Self::Archived => "archived",
            Self::Deleted => "deleted",
            Self::Restored => "restored",
            Self::Purged => "purged",
        }
    }

    /// The change a move to `status` is.
    pub fn of_status(status: PostStatus) -> Self {
        match status {
            PostStatus::Draft => Self::Unpublished,
            PostStatus::Scheduled => Self::Scheduled,
            PostStatus::Published => Self::Published,
            PostStatus::Archived => Self::Archived,
        }
    }
}

/// One entry of the feed: the post's state right after the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub post_id: PostId,
    pub kind: String,
    pub slug: String,
    pub status: String,
    pub at: DateTime<Utc>,
}

impl Change {
    /// Whether the post is public after this change (a tombstone is not).
    pub fn is_live(&self) -> bool {
        self.status == PostStatus::Published.as_str() && !matches!(self.kind.as_str(), "deleted" | "purged")
    }
}
