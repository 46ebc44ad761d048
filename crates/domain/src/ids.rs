//! Typed ids: a `PostId` can never be passed where a `TagId` is expected.
//! All are UUIDs: v7, so they sort by creation time, except a media
//! item's, which is random.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Stored as their hyphenated text on both backends (a column of type
/// TEXT), so a row reads back into the id type itself.
#[cfg(feature = "diesel")]
macro_rules! sql_text {
    ($name:ident) => {
        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = String::from_sql(bytes)?;
                Ok(text.parse()?)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                use std::io::Write;
                out.write_all(self.0.hyphenated().encode_lower(&mut Uuid::encode_buffer()).as_bytes())?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                out.set_value(self.to_string());
                Ok(diesel::serialize::IsNull::No)
            }
        }
    };
}

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident = $fresh:path),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "diesel", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
        #[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
        #[serde(transparent)]
        pub struct $name(Uuid);

        #[cfg(feature = "diesel")]
        sql_text!($name);

        impl $name {
            /// A fresh id: time-ordered, or random where the id is a secret.
            pub fn new() -> Self {
                Self($fresh())
            }

            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

typed_id!(
    /// Identifies a post.
    PostId = Uuid::now_v7,
    /// Identifies a tag.
    TagId = Uuid::now_v7,
    /// Identifies a category.
    CategoryId = Uuid::now_v7,
    /// Identifies an author profile.
    AuthorId = Uuid::now_v7,
    /// Identifies a user account.
    UserId = Uuid::now_v7,
    /// Identifies a webhook endpoint.
    WebhookId = Uuid::now_v7,
    /// Identifies one event sent to one endpoint (the `webhook-id` header).
    DeliveryId = Uuid::now_v7,
    /// Identifies an uploaded image or file: 122 random bits, since its
    /// public URL holds it (a time-ordered id would also tell when it was
    /// made).
    MediaId = Uuid::new_v4,
);
