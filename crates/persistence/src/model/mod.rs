//! The values the repositories take and give beyond the domain's own:
//! filters, cursors, pages, changes to apply, and what a write did. They
//! hold no SQL; every layer above may use them.

mod accounts;
mod browse;
mod changes;
mod import;
mod listing;
mod media;
mod search;
mod stats;
mod taxonomy;
mod webhooks;

pub use accounts::{ActiveSession, ApiToken, Refresh, UserChanges};
pub use browse::{BodiesTooLarge, Browse, Browsed, BrowsedPost, MAX_BROWSE_DEPTH, MAX_BROWSE_PAGE};
pub use changes::{Change, ChangeKind};
pub use import::{BatchOutcome, ImportOutcome};
pub use listing::{
    AdminFilter, Counted, CreatedKeyset, Keyset, ListingFilter, MAX_PAGE_SIZE, Missing, Page, SitemapEntry,
};
pub use media::{Media, MediaBytes, MediaChanges, MediaDeletion, MediaFilter, MediaUse, NewMedia, RenditionInfo};
pub use search::{SearchCursor, SearchFilter, SearchHit, SearchPage};
pub use stats::{Gauges, OVERDUE_AFTER};
pub use taxonomy::{AuthorChanges, Term, TermChanges, TermKind};
pub use webhooks::{
    Attempt, AttemptReport, Delivery, DeliveryOutcome, DeliveryStatus, Due, NewWebhook, Webhook, WebhookChanges,
};
