//! Work waiting in the database, as `/metrics` reports it.

/// How late a scheduled post may be before it counts as overdue: the
/// scheduler looks every second, and a publish takes a moment.
pub const OVERDUE_AFTER: chrono::Duration = chrono::Duration::seconds(5);

/// Work waiting in the database.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Gauges {
    /// Webhook deliveries not yet delivered nor given up.
    pub pending_deliveries: i64,
    /// Age of the oldest of them, in seconds.
    pub oldest_pending_seconds: Option<f64>,
    /// Scheduled posts more than [`OVERDUE_AFTER`] past their time.
    pub overdue_scheduled_posts: i64,
}
