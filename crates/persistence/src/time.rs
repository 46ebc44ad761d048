//! Time as both backends store it: UTC, to the microsecond, in a
//! `timestamp` column without a zone, so a value reads back exactly as
//! it was written.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// The current time at the precision both backends store.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// `at` at the precision both backends store.
pub fn truncate(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

pub(crate) fn to_db(at: DateTime<Utc>) -> NaiveDateTime {
    at.trunc_subsecs(6).naive_utc()
}

pub(crate) fn from_db(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}
