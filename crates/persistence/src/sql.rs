//! SQL assembled at run time (a search with optional facets, a batch of
//! rows), with placeholders in each backend's style and every value bound,
//! never spliced into the text.

use diesel::RunQueryDsl;
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Double, Nullable, Text, Timestamp};
use diesel::sqlite::Sqlite;

use crate::db::AnyConnection;
use crate::error::StoreError;

/// One bound value.
pub(crate) enum Param {
    Text(String),
    Float(f64),
    Int(i64),
    Time(chrono::NaiveDateTime),
    NullableText(Option<String>),
}

/// SQL text with its parameters.
pub(crate) struct Statement {
    sql: String,
    params: Vec<Param>,
    numbered: bool,
}

impl Statement {
    pub(crate) fn new(conn: &AnyConnection) -> Self {
        Self { sql: String::new(), params: Vec::new(), numbered: matches!(conn, AnyConnection::Postgresql(_)) }
    }

    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Append a placeholder bound to `param`.
    pub(crate) fn bind(&mut self, param: Param) -> &mut Self {
        self.params.push(param);
        if self.numbered {
            let n = self.params.len();
            self.sql.push_str(&format!("${n}"));
        } else {
            self.sql.push('?');
        }
        self
    }

    /// `(?, ?, ...)` for one row of values.
    pub(crate) fn row(&mut self, values: impl IntoIterator<Item = Param>) -> &mut Self {
        self.push("(");
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self.push(")")
    }

    pub(crate) fn load<R>(self, conn: &mut AnyConnection) -> Result<Vec<R>, StoreError>
    where
        R: diesel::QueryableByName<Sqlite> + diesel::QueryableByName<Pg> + 'static,
    {
        Ok(match conn {
            AnyConnection::Sqlite(c) => bind_all(diesel::sql_query(self.sql).into_boxed(), self.params).load(c)?,
            AnyConnection::Postgresql(c) => bind_all(diesel::sql_query(self.sql).into_boxed(), self.params).load(c)?,
        })
    }

    pub(crate) fn execute(self, conn: &mut AnyConnection) -> Result<usize, StoreError> {
        Ok(match conn {
            AnyConnection::Sqlite(c) => bind_all(diesel::sql_query(self.sql).into_boxed(), self.params).execute(c)?,
            AnyConnection::Postgresql(c) => {
                bind_all(diesel::sql_query(self.sql).into_boxed(), self.params).execute(c)?
            }
        })
    }
}

fn bind_all<DB>(
    mut query: BoxedSqlQuery<'static, DB, SqlQuery>,
    params: Vec<Param>,
) -> BoxedSqlQuery<'static, DB, SqlQuery>
where
    DB: diesel::backend::Backend
        + diesel::sql_types::HasSqlType<Text>
        + diesel::sql_types::HasSqlType<Double>
        + diesel::sql_types::HasSqlType<BigInt>
        + diesel::sql_types::HasSqlType<Timestamp>,
    String: diesel::serialize::ToSql<Text, DB>,
    Option<String>: diesel::serialize::ToSql<Nullable<Text>, DB>,
    f64: diesel::serialize::ToSql<Double, DB>,
    i64: diesel::serialize::ToSql<BigInt, DB>,
    chrono::NaiveDateTime: diesel::serialize::ToSql<Timestamp, DB>,
{
    for param in params {
        query = match param {
            Param::Text(v) => query.bind::<Text, _>(v),
            Param::Float(v) => query.bind::<Double, _>(v),
            Param::Int(v) => query.bind::<BigInt, _>(v),
            Param::Time(v) => query.bind::<Timestamp, _>(v),
            Param::NullableText(v) => query.bind::<Nullable<Text>, _>(v),
        };
    }
    query
}
