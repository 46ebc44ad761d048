//! A post's life cycle. The legal moves, and what each does to
//! `published_at`: set on the first publish and kept on later edits and
//! re-publishes, so a post's date never jumps because someone fixed a typo.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, FieldError, InvalidKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PostStatus {
    Draft,
    Scheduled,
    Published,
    Archived,
}

impl PostStatus {
    pub const ALL: [PostStatus; 4] = [Self::Draft, Self::Scheduled, Self::Published, Self::Archived];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    /// Whether `self -> to` is a legal move. Staying put is not a move.
    /// A live post cannot be scheduled (unpublish it first), and an archived
    /// one comes back only as a draft or by publishing it again.
    pub fn can_become(self, to: PostStatus) -> bool {
        use PostStatus::*;
        matches!(
            (self, to),
            (Draft, Scheduled | Published | Archived)
                | (Scheduled, Draft | Published | Archived)
                | (Published, Draft | Archived)
                | (Archived, Draft | Published)
        )
    }
}

impl fmt::Display for PostStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PostStatus {
    type Err = FieldError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw).ok_or(FieldError::new(
            "status",
            InvalidKind::NotOneOf { allowed: "draft, scheduled, published, archived" },
        ))
    }
}

/// Where a post stands in its life cycle: its status and the date it shows.
/// While scheduled, `published_at` is the time it will go live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    pub status: PostStatus,
    pub published_at: Option<DateTime<Utc>>,
}

/// What the caller wants the post to become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Publish,
    Schedule(DateTime<Utc>),
    Unpublish,
    Archive,
}

impl Lifecycle {
    pub const fn draft() -> Self {
        Self { status: PostStatus::Draft, published_at: None }
    }

    /// Apply `action` at time `now`, or say why it is not allowed.
    pub fn apply(self, action: Move, now: DateTime<Utc>) -> Result<Self, DomainError> {
        let to = match action {
            Move::Publish => PostStatus::Published,
            Move::Schedule(_) => PostStatus::Scheduled,
            Move::Unpublish => PostStatus::Draft,
            Move::Archive => PostStatus::Archived,
        };
        if !self.status.can_become(to) {
            return Err(DomainError::IllegalTransition { from: self.status.as_str(), to: to.as_str() });
        }
        let published_at = match action {
            // Going live early keeps "now"; the scheduler going live at T keeps T.
            Move::Publish if self.status == PostStatus::Scheduled => {
                self.published_at.map(|at| at.min(now)).or(Some(now))
            }
            Move::Publish => self.published_at.or(Some(now)),
            Move::Schedule(at) if at <= now => {
                return Err(FieldError::new("published_at", InvalidKind::NotInFuture).into());
            }
            Move::Schedule(at) => Some(at),
            // A cancelled schedule never happened; an unpublished post keeps its first date.
            Move::Unpublish if self.status == PostStatus::Scheduled => None,
            Move::Unpublish | Move::Archive => self.published_at,
        };
        Ok(Self { status: to, published_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn t(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, hour, 0, 0).unwrap()
    }

    #[test]
    fn transition_table() {
        use PostStatus::*;
        let legal = [
            (Draft, Scheduled),
            (Draft, Published),
            (Draft, Archived),
            (Scheduled, Draft),
            (Scheduled, Published),
            (Scheduled, Archived),
            (Published, Draft),
            (Published, Archived),
            (Archived, Draft),
            (Archived, Published),
        ];
        for from in PostStatus::ALL {
            for to in PostStatus::ALL {
                assert_eq!(from.can_become(to), legal.contains(&(from, to)), "{from} -> {to}");
            }
        }
    }

    #[test]
    fn first_publish_sets_the_date_and_later_ones_keep_it() {
        let published = Lifecycle::draft().apply(Move::Publish, t(9)).unwrap();
        assert_eq!(published, Lifecycle { status: PostStatus::Published, published_at: Some(t(9)) });
        let unpublished = published.apply(Move::Unpublish, t(10)).unwrap();
        assert_eq!(unpublished.published_at, Some(t(9)));
        let again = unpublished.apply(Move::Publish, t(11)).unwrap();
        assert_eq!(again.published_at, Some(t(9)));
    }

    #[test]
    fn scheduling() {
        let scheduled = Lifecycle::draft().apply(Move::Schedule(t(12)), t(9)).unwrap();
        assert_eq!(scheduled, Lifecycle { status: PostStatus::Scheduled, published_at: Some(t(12)) });
        // The scheduler publishing a little late keeps the scheduled time.
        assert_eq!(scheduled.apply(Move::Publish, t(12) + Duration::seconds(3)).unwrap().published_at, Some(t(12)));
        // An editor publishing early gets the actual time.
        assert_eq!(scheduled.apply(Move::Publish, t(10)).unwrap().published_at, Some(t(10)));
        assert_eq!(scheduled.apply(Move::Unpublish, t(10)).unwrap(), Lifecycle::draft());
        let past = Lifecycle::draft().apply(Move::Schedule(t(8)), t(9)).unwrap_err();
        assert_eq!(past, DomainError::Invalid(vec![FieldError::new("published_at", InvalidKind::NotInFuture)]));
    }

    #[test]
    fn illegal_moves_are_refused() {
        let published = Lifecycle::draft().apply(Move::Publish, t(9)).unwrap();
        assert_eq!(
            published.apply(Move::Publish, t(10)).unwrap_err(),
            DomainError::IllegalTransition { from: "published", to: "published" }
        );
        assert!(published.apply(Move::Schedule(t(12)), t(10)).is_err());
        assert!(Lifecycle::draft().apply(Move::Unpublish, t(10)).is_err());
    }

    fn moves() -> impl Strategy<Value = Move> {
        prop_oneof![
            Just(Move::Publish),
            (1i64..100).prop_map(|h| Move::Schedule(t(0) + Duration::hours(h))),
            Just(Move::Unpublish),
            Just(Move::Archive),
        ]
    }

    proptest! {
        /// Whatever the sequence of moves, the first publish date never changes
        /// (short of a new schedule), and a published post always has a date.
        #[test]
        fn first_publish_date_is_stable(actions in prop::collection::vec(moves(), 1..30)) {
            let mut state = Lifecycle::draft();
            let mut first_publish = None;
            for (i, action) in actions.into_iter().enumerate() {
                let now = t(0) + Duration::minutes(i as i64);
                let Ok(next) = state.apply(action, now) else { continue };
                match next.status {
                    // A schedule names a new date of its own.
                    PostStatus::Scheduled => first_publish = None,
                    PostStatus::Published => {
                        prop_assert!(next.published_at.is_some());
                        let first = *first_publish.get_or_insert(next.published_at);
                        prop_assert_eq!(next.published_at, first);
                    }
                    _ => {}
                }
                state = next;
            }
        }
    }
}
