//! Work waiting in the database: the webhook backlog and overdue
//! scheduled posts.

use chrono::{DateTime, Utc};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use longform_domain::PostStatus;

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::model::{DeliveryStatus, Gauges, OVERDUE_AFTER};
use crate::schema::{posts, webhook_deliveries};
use crate::time::{from_db, to_db};

/// The gauges as they stand at `at`.
pub(crate) fn gauges(conn: &mut AnyConnection, at: DateTime<Utc>) -> Result<Gauges, StoreError> {
    let (pending_deliveries, oldest) = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .select((count_star(), min(webhook_deliveries::created_at)))
        .first::<(i64, Option<chrono::NaiveDateTime>)>(conn)?;
    let overdue_scheduled_posts = posts::table
        .filter(posts::status.eq(PostStatus::Scheduled.as_str()))
        .filter(posts::published_at.lt(to_db(at - OVERDUE_AFTER)))
        .filter(posts::deleted_at.is_null())
        .select(count_star())
        .first::<i64>(conn)?;
    let age = |created| (at - from_db(created)).num_milliseconds().max(0) as f64 / 1000.0;
    Ok(Gauges { pending_deliveries, oldest_pending_seconds: oldest.map(age), overdue_scheduled_posts })
}
