//! The repositories other crates use: async, one transaction per write,
//! each call a tracing span. `store.posts()`, `store.taxonomy()`, ...

mod accounts;
mod browse;
mod content;
mod maintenance;
mod media;
mod posts;
mod schedule;
mod stats;
mod taxonomy;
mod webhooks;

pub use accounts::{Auth, Users};
pub use browse::Browser;
pub use content::Content;
pub use media::{Garbage, MediaItems, STRAY_GRACE};
pub use posts::Posts;
pub use schedule::{Scheduler, Sweep};
pub use stats::GaugeReader;
pub use taxonomy::Taxonomy;
pub use webhooks::{AttemptLog, Outbox, Webhooks};
