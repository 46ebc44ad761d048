//! A [`Syntax`] tree typed against a resource's allowlist ([`Fields`]):
//! each name a field, each value of that field's kind, relative dates
//! resolved to whole days.

use std::fmt;

use chrono::{DateTime, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::syntax::{Comparison, Literal, Op, Syntax, parse};
use super::{FilterError, error};
/// What a field holds, which decides the values and operators it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Compared as written: `=`, lists, `~` `~^` `~$`.
    Text,
    /// Text that may be null (`feature_image:null`, `feature_image:-null`).
    OptionalText,
    /// A slug: compared in lower case.
    Slug,
    /// A tag's or author's slug, id or name, matching when any of the
    /// post's does: `=` and lists only.
    Member {
        slug: bool,
    },
    Bool,
    /// A time: all comparisons; dates, times and `now-30d`.
    Time,
    /// A whole number: all comparisons.
    Int,
    /// Ghost's `visibility`, which is `public` for everything public.
    Visibility,
}

/// A resource's allowlist of filterable fields.
pub trait Fields: Copy + Eq + fmt::Debug + Sized {
    /// The field a filter names, aliases included; `None` for anything not
    /// public (or not a field at all).
    fn named(name: &str) -> Option<Self>;
    fn kind(self) -> Kind;
}

/// A typed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Int(i64),
    Bool(bool),
    Time(DateTime<Utc>),
    Null,
}

/// A filter checked against a resource's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter<F> {
    And(Vec<Filter<F>>),
    Or(Vec<Filter<F>>),
    /// `field op value`, or with several values (`op` is then `Eq`) any of
    /// them; `negated` turns it into its opposite (for a member field:
    /// none of the post's tags is it).
    Test {
        field: F,
        op: Op,
        negated: bool,
        values: Vec<Value>,
    },
    /// A test whose answer the filter fixes (`visibility:public`).
    Const(bool),
}

/// A checked filter, and whether it used a relative date (whose meaning
/// changes with the day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked<F> {
    pub filter: Filter<F>,
    pub relative: bool,
}

/// Type `syntax` against `F`'s allowlist; relative dates count whole days
/// from `today` (UTC), widened: `>` `>=` `:` from the day's start, `<` `<=`
/// to its end. A filter then means the same all day, and can be cached so.
pub fn check<F: Fields>(syntax: &Syntax, today: NaiveDate) -> Result<Checked<F>, FilterError> {
    let mut relative = false;
    let filter = check_node(syntax, today, &mut relative)?;
    Ok(Checked { filter, relative })
}

/// [`parse`] then [`check`].
pub fn parse_checked<F: Fields>(text: &str, today: NaiveDate) -> Result<Checked<F>, FilterError> {
    check(&parse(text)?, today)
}

fn check_node<F: Fields>(syntax: &Syntax, today: NaiveDate, relative: &mut bool) -> Result<Filter<F>, FilterError> {
    match syntax {
        Syntax::And(terms) => {
            Ok(Filter::And(terms.iter().map(|t| check_node(t, today, relative)).collect::<Result<_, _>>()?))
        }
        Syntax::Or(terms) => {
            Ok(Filter::Or(terms.iter().map(|t| check_node(t, today, relative)).collect::<Result<_, _>>()?))
        }
        Syntax::Compare(c) => check_comparison(c, today, relative),
    }
}

fn check_comparison<F: Fields>(
    c: &Comparison,
    today: NaiveDate,
    relative: &mut bool,
) -> Result<Filter<F>, FilterError> {
    let Some(field) = F::named(&c.field) else {
        return error(c.at, format!("{} is not a field this resource can be filtered by", c.field));
    };
    let kind = field.kind();
    let ordered = matches!(c.op, Op::Gt | Op::Ge | Op::Lt | Op::Le);
    let pattern = matches!(c.op, Op::Contains | Op::StartsWith | Op::EndsWith);
    let refused = match kind {
        Kind::Time | Kind::Int => pattern,
        Kind::Text | Kind::OptionalText | Kind::Slug => ordered,
        Kind::Member { .. } | Kind::Bool | Kind::Visibility => ordered || pattern,
    };
    if refused {
        return error(c.at, format!("{} cannot be compared with '{}'", c.field, c.op.symbol()));
    }
    let mut values = Vec::with_capacity(c.values.len());
    for literal in &c.values {
        let value = typed(kind, c.op, literal, today, relative)
            .map_err(|message| FilterError { position: c.at, message: format!("{}: {message}", c.field) })?;
        if value == Value::Null && (c.list || c.op != Op::Eq) {
            return error(c.at, format!("{}: null is compared with ':' alone, not in a list", c.field));
        }
        values.push(value);
    }
    if kind == Kind::Visibility {
        let public = values.iter().any(|v| *v == Value::Text("public".into()));
        return Ok(Filter::Const(public != c.negated));
    }
    Ok(Filter::Test { field, op: c.op, negated: c.negated, values })
}

fn typed(kind: Kind, op: Op, literal: &Literal, today: NaiveDate, relative: &mut bool) -> Result<Value, String> {
    let (text, bare) = match literal {
        Literal::Word(word) => (word.as_str(), true),
        Literal::Quoted(text) => (text.as_str(), false),
    };
    if bare && text == "null" {
        return match kind {
            Kind::OptionalText => Ok(Value::Null),
            _ => Err("is never null".into()),
        };
    }
    match kind {
        Kind::Text | Kind::OptionalText | Kind::Visibility | Kind::Member { slug: false } => {
            Ok(Value::Text(text.to_owned()))
        }
        Kind::Slug | Kind::Member { slug: true } => Ok(Value::Text(text.to_lowercase())),
        Kind::Bool => match (text, bare) {
            ("true", true) => Ok(Value::Bool(true)),
            ("false", true) => Ok(Value::Bool(false)),
            _ => Err(format!("'{text}' is not true or false")),
        },
        Kind::Int => text.parse::<i64>().map(Value::Int).map_err(|_| format!("'{text}' is not a whole number")),
        Kind::Time => {
            if bare && text.starts_with("now") {
                *relative = true;
                // Whole days, widened: `<` and `<=` count to the day's end.
                let until_end = matches!(op, Op::Lt | Op::Le);
                return relative_date(text, today, until_end).map(Value::Time);
            }
            absolute_time(text)
                .map(Value::Time)
                .ok_or_else(|| format!("'{text}' is not a date (2026-01-31), a time (2026-01-31T09:00:00Z) or now-30d"))
        }
    }
}

/// `now`, `now-30d`, `now+1w`, `now-6M`, `now-1y`: the start of that UTC
/// day, or with `until_end` the start of the next.
fn relative_date(text: &str, today: NaiveDate, until_end: bool) -> Result<DateTime<Utc>, String> {
    let invalid = || format!("'{text}' is not a relative date such as now-30d (units d, w, M, y)");
    let rest = &text[3..];
    let day = if rest.is_empty() {
        Some(today)
    } else {
        let (sign, rest) = rest.split_at(1);
        let (amount, unit) = rest.split_at(rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(invalid)?);
        let amount: u32 = amount.parse().map_err(|_| invalid())?;
        let later = match sign {
            "+" => true,
            "-" => false,
            _ => return Err(invalid()),
        };
        let shift_days = |days: u64| {
            if later { today.checked_add_days(Days::new(days)) } else { today.checked_sub_days(Days::new(days)) }
        };
        let shift_months = |months: u32| {
            if later {
                today.checked_add_months(Months::new(months))
            } else {
                today.checked_sub_months(Months::new(months))
            }
        };
        match unit {
            "d" => shift_days(u64::from(amount)),
            "w" => shift_days(u64::from(amount) * 7),
            "M" => shift_months(amount),
            "y" => amount.checked_mul(12).and_then(shift_months),
            _ => return Err(invalid()),
        }
    };
    let day = if until_end { day.and_then(|d| d.succ_opt()) } else { day };
    day.map(|d| d.and_time(NaiveTime::MIN).and_utc()).ok_or_else(invalid)
}

/// A date (its start, UTC) or a time, with an offset or in UTC.
fn absolute_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Some(at.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(|d| d.and_time(NaiveTime::MIN).and_utc())
}
