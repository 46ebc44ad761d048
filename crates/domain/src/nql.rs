//! Ghost's filter language (NQL), as Ghost frontends send it in `filter`:
//! `tag:go+featured:true`, `slug:-hello`, `published_at:>'2026-01-01'`,
//! `tags:[go,rust],(author:ada+reading_time:<10)`.
//!
//! Parsing gives a [`Syntax`] tree of comparisons on field *names*; [`check`]
//! then types it against a resource's allowlist ([`Fields`]) into a
//! [`Filter`] on field *values* of that allowlist. Storage compiles a
//! `Filter` with bind parameters only: no text of the request ever names a
//! column. A name outside the allowlist is an error like any unknown
//! field, whether a column of that name exists or not, so a filter cannot
//! tell a private field from a missing one.
//!
//! Every error names its byte position in the filter. Sizes are bounded
//! ([`MAX_FILTER_BYTES`], [`MAX_DEPTH`], [`MAX_COMPARISONS`],
//! [`MAX_VALUES`]), which bounds the statement a filter compiles to.

use std::fmt;

use chrono::{DateTime, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// The longest filter accepted, in bytes.
pub const MAX_FILTER_BYTES: usize = 4096;
/// The deepest nesting of parentheses.
pub const MAX_DEPTH: usize = 8;
/// The most comparisons in one filter.
pub const MAX_COMPARISONS: usize = 64;
/// The most values in one filter, lists included.
pub const MAX_VALUES: usize = 500;

/// Why a filter was refused, and where (a byte offset into it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at position {position}")]
pub struct FilterError {
    pub position: usize,
    pub message: String,
}

fn error<T>(position: usize, message: impl Into<String>) -> Result<T, FilterError> {
    Err(FilterError { position, message: message.into() })
}

// ------------------------------------------------------------------ syntax

/// A value as written: a bare word (`go`, `true`, `null`, `now-7d`, `5`) or
/// a quoted string (`'C++ atomics'`, which is never a keyword).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    Word(String),
    Quoted(String),
}

/// How a comparison compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `field:value`, or with a list `field:[a,b]` (any of them).
    Eq,
    Gt,
    Ge,
    Lt,
    Le,
    /// `~`: contains.
    Contains,
    /// `~^`: starts with.
    StartsWith,
    /// `~$`: ends with.
    EndsWith,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Self::Eq => "",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Contains => "~",
            Self::StartsWith => "~^",
            Self::EndsWith => "~$",
        }
    }
}

/// One `field:value` test as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub field: String,
    /// `field:-value` (or `-field:value`): the test's opposite.
    pub negated: bool,
    pub op: Op,
    pub values: Vec<Literal>,
    /// Whether the values were written as a `[list]`.
    pub list: bool,
    /// Where the field's name starts, for errors found when typing it.
    pub at: usize,
}

/// A parsed filter: `+` binds tighter than `,`; parentheses group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Syntax {
    And(Vec<Syntax>),
    Or(Vec<Syntax>),
    Compare(Comparison),
}

/// Parse `text` (within the size bounds) into its syntax tree.
pub fn parse(text: &str) -> Result<Syntax, FilterError> {
    if text.len() > MAX_FILTER_BYTES {
        return error(MAX_FILTER_BYTES, format!("a filter is at most {MAX_FILTER_BYTES} bytes"));
    }
    let mut parser = Parser { text, at: 0, depth: 0, comparisons: 0, values: 0 };
    let tree = parser.or()?;
    parser.skip_space();
    match parser.peek() {
        None => Ok(tree),
        Some(')') => error(parser.at, "')' closes no '('"),
        Some(c) => error(parser.at, format!("unexpected '{c}'")),
    }
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
    depth: usize,
    comparisons: usize,
    values: usize,
}

/// Characters that end a bare word.
fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | '+' | '(' | ')' | '[' | ']' | '\'' | '"')
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.at..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += c.len_utf8();
        Some(c)
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        if self.peek() == Some(c) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Syntax, FilterError> {
        let mut terms = vec![self.and()?];
        while self.eat(',') {
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Syntax::Or(terms) })
    }

    fn and(&mut self) -> Result<Syntax, FilterError> {
        let mut terms = vec![self.unary()?];
        while self.eat('+') {
            terms.push(self.unary()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Syntax::And(terms) })
    }

    fn unary(&mut self) -> Result<Syntax, FilterError> {
        self.skip_space();
        if self.eat('(') {
            let open = self.at - 1;
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return error(open, format!("parentheses nest at most {MAX_DEPTH} deep"));
            }
            let inner = self.or()?;
            if !self.eat(')') {
                return error(self.at, "expected ')'");
            }
            self.depth -= 1;
            return Ok(inner);
        }
        self.comparison().map(Syntax::Compare)
    }

    fn comparison(&mut self) -> Result<Comparison, FilterError> {
        self.skip_space();
        let start = self.at;
        let negated_field = self.peek() == Some('-');
        if negated_field {
            self.bump();
        }
        let at = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
            self.bump();
        }
        let field = &self.text[at..self.at];
        if field.is_empty() {
            return match self.peek() {
                None => error(self.at, "expected a field name, found the end"),
                Some(c) => error(self.at, format!("expected a field name, found '{c}'")),
            };
        }
        if self.peek() != Some(':') {
            return error(self.at, format!("expected ':' after {field}"));
        }
        self.bump();
        let negated_value = self.peek() == Some('-');
        if negated_value {
            self.bump();
        }
        if negated_field && negated_value {
            return error(start, "a comparison is negated once: -field:value or field:-value");
        }
        let op = self.op();
        let list = self.peek() == Some('[');
        let values = if list {
            if op != Op::Eq {
                return error(self.at, format!("a [list] takes no operator ('{}')", op.symbol()));
            }
            self.list()?
        } else {
            vec![self.literal()?]
        };
        self.comparisons += 1;
        if self.comparisons > MAX_COMPARISONS {
            return error(at, format!("a filter holds at most {MAX_COMPARISONS} comparisons"));
        }
        Ok(Comparison { field: field.to_owned(), negated: negated_field || negated_value, op, values, list, at })
    }

    fn op(&mut self) -> Op {
        let rest = &self.text[self.at..];
        let (op, len) = [
            (">=", Op::Ge),
            ("<=", Op::Le),
            ("~^", Op::StartsWith),
            ("~$", Op::EndsWith),
            (">", Op::Gt),
            ("<", Op::Lt),
            ("~", Op::Contains),
        ]
        .into_iter()
        .find(|(symbol, _)| rest.starts_with(symbol))
        .map_or((Op::Eq, 0), |(symbol, op)| (op, symbol.len()));
        self.at += len;
        op
    }

    fn list(&mut self) -> Result<Vec<Literal>, FilterError> {
        self.bump(); // [
        let mut values = vec![self.literal()?];
        loop {
            self.skip_space();
            match self.bump() {
                Some(',') => values.push(self.literal()?),
                Some(']') => return Ok(values),
                Some(c) => return error(self.at - c.len_utf8(), format!("expected ',' or ']' in a list, found '{c}'")),
                None => return error(self.at, "a list is not closed: expected ']'"),
            }
        }
    }

    fn literal(&mut self) -> Result<Literal, FilterError> {
        self.skip_space();
        let start = self.at;
        self.values += 1;
        if self.values > MAX_VALUES {
            return error(start, format!("a filter holds at most {MAX_VALUES} values"));
        }
        match self.peek() {
            Some(quote @ ('\'' | '"')) => {
                self.bump();
                let mut value = String::new();
                loop {
                    match self.bump() {
                        Some('\\') => match self.bump() {
                            Some(c) => value.push(c),
                            None => return error(self.at, "a quoted value ends with '\\'"),
                        },
                        Some(c) if c == quote => return Ok(Literal::Quoted(value)),
                        Some(c) => value.push(c),
                        None => return error(start, "a quoted value is not closed"),
                    }
                }
            }
            _ => {
                while self.peek().is_some_and(|c| !ends_word(c)) {
                    self.bump();
                }
                // `now+7d` is one value, though `+` ends a comparison.
                if &self.text[start..self.at] == "now" {
                    let rest = &self.text[self.at..];
                    let digits =
                        rest.get(1..).map_or(0, |r| r.len() - r.trim_start_matches(|c: char| c.is_ascii_digit()).len());
                    if rest.starts_with('+')
                        && digits > 0
                        && rest[1 + digits..].starts_with(|c: char| c.is_ascii_alphabetic())
                    {
                        self.at += 1 + digits + 1;
                    }
                }
                let word = &self.text[start..self.at];
                if word.is_empty() {
                    return match self.peek() {
                        None => error(self.at, "expected a value, found the end"),
                        Some(c) => error(self.at, format!("expected a value, found '{c}'")),
                    };
                }
                Ok(Literal::Word(word.to_owned()))
            }
        }
    }
}

/// The canonical text of a tree: what [`parse`] reads back as the same tree.
impl fmt::Display for Syntax {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, terms: &[Syntax], sep: &str| {
            for (i, term) in terms.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                match term {
                    Syntax::Compare(_) => write!(f, "{term}")?,
                    _ => write!(f, "({term})")?,
                }
            }
            Ok(())
        };
        match self {
            Self::And(terms) => join(f, terms, "+"),
            Self::Or(terms) => join(f, terms, ","),
            Self::Compare(c) => {
                write!(f, "{}:{}{}", c.field, if c.negated { "-" } else { "" }, c.op.symbol())?;
                let values: Vec<String> = c.values.iter().map(ToString::to_string).collect();
                if c.list { write!(f, "[{}]", values.join(",")) } else { f.write_str(&values.join(",")) }
            }
        }
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Word(word) => f.write_str(word),
            Self::Quoted(text) => {
                f.write_str("'")?;
                for c in text.chars() {
                    if matches!(c, '\'' | '\\') {
                        f.write_str("\\")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str("'")
            }
        }
    }
}

// ------------------------------------------------------------------ typed

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

// ------------------------------------------------------------------ order

/// Which way an `order` key sorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

/// The most keys one `order` takes.
pub const MAX_ORDER_KEYS: usize = 4;

/// `published_at desc, title asc` against an allowlist (`named`), at most
/// [`MAX_ORDER_KEYS`] keys; a key without a direction sorts ascending.
pub fn parse_order<F: Copy + PartialEq>(
    text: &str,
    named: impl Fn(&str) -> Option<F>,
) -> Result<Vec<(F, Direction)>, String> {
    let mut keys: Vec<(F, Direction)> = Vec::new();
    for part in text.split(',') {
        let mut words = part.split_whitespace();
        let Some(name) = words.next() else { return Err("names an empty key".into()) };
        let field = named(name).ok_or_else(|| format!("cannot sort by {name}"))?;
        let direction = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => Direction::Asc,
            Some("desc") => Direction::Desc,
            Some(other) => return Err(format!("'{other}' is not asc or desc")),
        };
        if words.next().is_some() {
            return Err(format!("'{}' is not `field asc` or `field desc`", part.trim()));
        }
        if keys.iter().any(|(f, _)| *f == field) {
            return Err(format!("sorts by {name} twice"));
        }
        keys.push((field, direction));
    }
    if keys.len() > MAX_ORDER_KEYS {
        return Err(format!("takes at most {MAX_ORDER_KEYS} keys"));
    }
    Ok(keys)
}

// ------------------------------------------------------------------ public fields

/// What a filter or an order may name on a post, in Ghost's names: its
/// public fields, and its tags and authors. Drafts, owners, Markdown and
/// every account field are not here, so no filter reaches them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostField {
    Id,
    Slug,
    Title,
    Featured,
    PublishedAt,
    UpdatedAt,
    CreatedAt,
    ReadingTime,
    FeatureImage,
    Visibility,
    TagSlug,
    TagId,
    TagName,
    AuthorSlug,
    AuthorId,
    AuthorName,
    PrimaryTag,
    PrimaryAuthor,
}

impl Fields for PostField {
    fn named(name: &str) -> Option<Self> {
        Some(match name {
            "id" | "uuid" => Self::Id,
            "slug" => Self::Slug,
            "title" => Self::Title,
            "featured" => Self::Featured,
            "published_at" => Self::PublishedAt,
            "updated_at" => Self::UpdatedAt,
            "created_at" => Self::CreatedAt,
            "reading_time" => Self::ReadingTime,
            "feature_image" => Self::FeatureImage,
            "visibility" => Self::Visibility,
            "tag" | "tags" | "tags.slug" => Self::TagSlug,
            "tags.id" => Self::TagId,
            "tags.name" => Self::TagName,
            "author" | "authors" | "authors.slug" => Self::AuthorSlug,
            "authors.id" => Self::AuthorId,
            "authors.name" => Self::AuthorName,
            "primary_tag" | "primary_tag.slug" => Self::PrimaryTag,
            "primary_author" | "primary_author.slug" => Self::PrimaryAuthor,
            _ => return None,
        })
    }

    fn kind(self) -> Kind {
        match self {
            Self::Id | Self::Title => Kind::Text,
            Self::Slug => Kind::Slug,
            Self::Featured => Kind::Bool,
            Self::PublishedAt | Self::UpdatedAt | Self::CreatedAt => Kind::Time,
            Self::ReadingTime => Kind::Int,
            Self::FeatureImage => Kind::OptionalText,
            Self::Visibility => Kind::Visibility,
            Self::TagSlug | Self::AuthorSlug | Self::PrimaryTag | Self::PrimaryAuthor => Kind::Member { slug: true },
            Self::TagId | Self::TagName | Self::AuthorId | Self::AuthorName => Kind::Member { slug: false },
        }
    }
}

impl PostField {
    /// The keys an `order` may sort posts by.
    pub fn sortable(name: &str) -> Option<Self> {
        Self::named(name).filter(|f| {
            matches!(
                f,
                Self::Id
                    | Self::Slug
                    | Self::Title
                    | Self::Featured
                    | Self::PublishedAt
                    | Self::UpdatedAt
                    | Self::CreatedAt
                    | Self::ReadingTime
            )
        })
    }
}

/// What a filter or an order may name on a tag or an author profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TermField {
    Id,
    Slug,
    Name,
    Visibility,
}

impl Fields for TermField {
    fn named(name: &str) -> Option<Self> {
        Some(match name {
            "id" => Self::Id,
            "slug" => Self::Slug,
            "name" => Self::Name,
            "visibility" => Self::Visibility,
            _ => return None,
        })
    }

    fn kind(self) -> Kind {
        match self {
            Self::Id | Self::Name => Kind::Text,
            Self::Slug => Kind::Slug,
            Self::Visibility => Kind::Visibility,
        }
    }
}

impl TermField {
    /// The keys an `order` may sort tags and authors by.
    pub fn sortable(name: &str) -> Option<Self> {
        Self::named(name).filter(|f| *f != Self::Visibility)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum F {
        Slug,
        Tag,
        Featured,
        Published,
        Minutes,
        Image,
        Title,
        Visibility,
    }

    impl Fields for F {
        fn named(name: &str) -> Option<Self> {
            Some(match name {
                "slug" => Self::Slug,
                "tag" | "tags" | "tags.slug" => Self::Tag,
                "featured" => Self::Featured,
                "published_at" => Self::Published,
                "reading_time" => Self::Minutes,
                "feature_image" => Self::Image,
                "title" => Self::Title,
                "visibility" => Self::Visibility,
                _ => return None,
            })
        }
        fn kind(self) -> Kind {
            match self {
                Self::Slug => Kind::Slug,
                Self::Tag => Kind::Member { slug: true },
                Self::Featured => Kind::Bool,
                Self::Published => Kind::Time,
                Self::Minutes => Kind::Int,
                Self::Image => Kind::OptionalText,
                Self::Title => Kind::Text,
                Self::Visibility => Kind::Visibility,
            }
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    }

    fn typed(text: &str) -> Result<Filter<F>, FilterError> {
        parse_checked::<F>(text, today()).map(|c| c.filter)
    }

    fn test(field: F, op: Op, negated: bool, values: Vec<Value>) -> Filter<F> {
        Filter::Test { field, op, negated, values }
    }

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn what_frontends_send_parses_as_meant() {
        assert_eq!(typed("tag:ebpf").unwrap(), test(F::Tag, Op::Eq, false, vec![text("ebpf")]));
        assert_eq!(
            typed("tags:[Go, runtime]").unwrap(),
            test(F::Tag, Op::Eq, false, vec![text("go"), text("runtime")])
        );
        assert_eq!(typed("slug:-some-post").unwrap(), test(F::Slug, Op::Eq, true, vec![text("some-post")]));
        assert_eq!(typed("-slug:a").unwrap(), typed("slug:-a").unwrap());
        assert_eq!(
            typed("slug:-a+tag:go,featured:true").unwrap(),
            Filter::Or(vec![
                Filter::And(vec![
                    test(F::Slug, Op::Eq, true, vec![text("a")]),
                    test(F::Tag, Op::Eq, false, vec![text("go")])
                ]),
                test(F::Featured, Op::Eq, false, vec![Value::Bool(true)]),
            ])
        );
        let jan = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap().and_time(NaiveTime::MIN).and_utc();
        assert_eq!(
            typed("published_at:>'2026-01-01'").unwrap(),
            test(F::Published, Op::Gt, false, vec![Value::Time(jan)])
        );
        assert_eq!(
            typed("published_at:>=2026-01-01T00:00:00Z").unwrap(),
            test(F::Published, Op::Ge, false, vec![Value::Time(jan)])
        );
        assert_eq!(
            typed("published_at:<'2026-01-01 00:00:00'").unwrap(),
            test(F::Published, Op::Lt, false, vec![Value::Time(jan)])
        );
        assert_eq!(typed("feature_image:-null").unwrap(), test(F::Image, Op::Eq, true, vec![Value::Null]));
        assert_eq!(typed("reading_time:<=12").unwrap(), test(F::Minutes, Op::Le, false, vec![Value::Int(12)]));
        assert_eq!(typed("title:~'C++'").unwrap(), test(F::Title, Op::Contains, false, vec![text("C++")]));
        assert_eq!(typed("title:-~^'Why'").unwrap(), test(F::Title, Op::StartsWith, true, vec![text("Why")]));
        assert_eq!(typed("visibility:public").unwrap(), Filter::Const(true));
        assert_eq!(typed("visibility:-public").unwrap(), Filter::Const(false));
        assert_eq!(typed("visibility:paid").unwrap(), Filter::Const(false));
        assert_eq!(
            typed(" ( tag:a , tag:b ) + featured:false ").unwrap(),
            typed("(tag:a,tag:b)+featured:false").unwrap()
        );
        assert_eq!(typed("title:'it\\'s'").unwrap(), test(F::Title, Op::Eq, false, vec![text("it's")]));
        assert_eq!(typed("title:'null'").unwrap(), test(F::Title, Op::Eq, false, vec![text("null")]));
    }

    #[test]
    fn relative_dates_are_whole_days_and_say_so() {
        let checked = parse_checked::<F>("published_at:>now-30d", today()).unwrap();
        assert!(checked.relative);
        let day = NaiveDate::from_ymd_opt(2026, 11, 4).unwrap().and_time(NaiveTime::MIN).and_utc();
        assert_eq!(checked.filter, test(F::Published, Op::Gt, false, vec![Value::Time(day)]));
        let at = |t: &str| match typed(t).unwrap() {
            Filter::Test { values, .. } => values[0].clone(),
            other => panic!("{other:?}"),
        };
        let start = |y, m, d| Value::Time(NaiveDate::from_ymd_opt(y, m, d).unwrap().and_time(NaiveTime::MIN).and_utc());
        // Widened to whole days: `>` from the day's start, `<` to its end.
        assert_eq!(at("published_at:>=now"), start(2026, 12, 4));
        assert_eq!(at("published_at:<now"), start(2026, 12, 5));
        assert_eq!(at("published_at:<=now+1w"), start(2026, 12, 12));
        assert_eq!(at("published_at:>now-2M"), start(2026, 10, 4));
        assert_eq!(at("published_at:>now-1y"), start(2025, 12, 4));
        assert!(!parse_checked::<F>("published_at:>'2026-01-01'", today()).unwrap().relative);
        for bad in
            ["published_at:>now-3h", "published_at:>now-d", "published_at:>now*3d", "published_at:>now-99999999999d"]
        {
            assert!(typed(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refusals_name_the_field_and_position() {
        let refused = |t: &str| typed(t).unwrap_err();
        let e = refused("featured:true+status:draft");
        assert_eq!((e.position, e.message.as_str()), (14, "status is not a field this resource can be filtered by"));
        assert_eq!(refused("email:a@b").position, 0);
        assert_eq!(refused("password_hash:x").message, "password_hash is not a field this resource can be filtered by");
        assert_eq!(refused("tag:a+").position, 6);
        assert_eq!(refused("tag:a)").message, "')' closes no '('");
        assert_eq!(refused("(tag:a").message, "expected ')'");
        assert_eq!(refused("tag:[a,b").message, "a list is not closed: expected ']'");
        assert_eq!(refused("tag").message, "expected ':' after tag");
        assert_eq!(refused("title:'open").position, 6);
        assert!(refused("tag:>a").message.contains("cannot be compared with '>'"));
        assert!(refused("slug:<a").message.contains("cannot be compared"));
        assert!(refused("published_at:~2026").message.contains("cannot be compared"));
        assert!(refused("featured:yes").message.contains("not true or false"));
        assert!(refused("featured:'true'").message.contains("not true or false"));
        assert!(refused("reading_time:ten").message.contains("whole number"));
        assert!(refused("published_at:>yesterday").message.contains("is not a date"));
        assert!(refused("slug:null").message.contains("never null"));
        assert!(refused("feature_image:[null,a]").message.contains("not in a list"));
        assert!(refused("-slug:-a").message.contains("negated once"));
        assert!(refused("").message.contains("expected a field name"));
    }

    #[test]
    fn sizes_are_bounded() {
        let long = format!("title:'{}'", "a".repeat(MAX_FILTER_BYTES));
        assert!(typed(&long).unwrap_err().message.contains("at most 4096 bytes"));
        let deep = format!("{}tag:a{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
        assert!(typed(&deep).unwrap_err().message.contains("nest at most"));
        let fine = format!("{}tag:a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(typed(&fine).is_ok());
        let many = vec!["tag:a"; MAX_COMPARISONS + 1].join(",");
        assert!(typed(&many).unwrap_err().message.contains("comparisons"));
        let values: Vec<String> = (0..=MAX_VALUES).map(|i| format!("t{i}")).collect();
        assert!(typed(&format!("tag:[{}]", values.join(","))).unwrap_err().message.contains("values"));
    }

    #[test]
    fn order_takes_allowed_keys_only() {
        let named = |n: &str| match n {
            "published_at" => Some(1),
            "title" => Some(2),
            _ => None,
        };
        assert_eq!(parse_order("published_at desc", named).unwrap(), vec![(1, Direction::Desc)]);
        assert_eq!(
            parse_order("title ASC, published_at DESC", named).unwrap(),
            vec![(2, Direction::Asc), (1, Direction::Desc)]
        );
        assert_eq!(parse_order("title", named).unwrap(), vec![(2, Direction::Asc)]);
        assert!(parse_order("password desc", named).unwrap_err().contains("cannot sort by password"));
        assert!(parse_order("title; drop table posts", named).is_err());
        assert!(parse_order("title sideways", named).is_err());
        assert!(parse_order("title asc,title desc", named).is_err());
        assert!(parse_order("", named).is_err());
    }

    fn field_name() -> impl Strategy<Value = String> {
        prop_oneof![Just("slug"), Just("tag"), Just("title"), Just("a.b_c"), Just("x1")].prop_map(String::from)
    }

    fn literal() -> impl Strategy<Value = Literal> {
        prop_oneof!["[a-z0-9][a-z0-9._:-]{0,12}".prop_map(Literal::Word), ".{0,12}".prop_map(Literal::Quoted),]
    }

    fn comparison() -> impl Strategy<Value = Syntax> {
        let op = prop_oneof![
            Just(Op::Eq),
            Just(Op::Gt),
            Just(Op::Ge),
            Just(Op::Lt),
            Just(Op::Le),
            Just(Op::Contains),
            Just(Op::StartsWith),
            Just(Op::EndsWith)
        ];
        (field_name(), any::<bool>(), op, proptest::collection::vec(literal(), 1..4), any::<bool>()).prop_map(
            |(field, negated, op, mut values, list)| {
                let list = list && op == Op::Eq;
                if !list {
                    values.truncate(1);
                }
                Syntax::Compare(Comparison { field, negated, op, values, list, at: 0 })
            },
        )
    }

    fn syntax() -> impl Strategy<Value = Syntax> {
        comparison().prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 2..4).prop_map(Syntax::And),
                proptest::collection::vec(inner, 2..4).prop_map(Syntax::Or),
            ]
        })
    }

    /// The tree with positions zeroed, and nested groups of the same kind
    /// kept as written (the printer parenthesizes them, so they stay).
    fn without_positions(tree: &Syntax) -> Syntax {
        match tree {
            Syntax::And(t) => Syntax::And(t.iter().map(without_positions).collect()),
            Syntax::Or(t) => Syntax::Or(t.iter().map(without_positions).collect()),
            Syntax::Compare(c) => Syntax::Compare(Comparison { at: 0, ..c.clone() }),
        }
    }

    proptest! {
        #[test]
        fn printing_then_parsing_gives_the_same_tree(tree in syntax()) {
            let text = tree.to_string();
            let parsed = parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            prop_assert_eq!(without_positions(&parsed), tree, "{}", text);
        }

        #[test]
        fn any_text_parses_or_is_refused_at_a_position_within_it(text in ".{0,64}") {
            if let Err(e) = parse(&text) {
                prop_assert!(e.position <= text.len(), "{:?}: {:?}", text, e);
                prop_assert!(text.is_char_boundary(e.position.min(text.len())));
            }
        }

        #[test]
        fn nql_shaped_noise_never_panics(text in "[-a-z_.:+,()\\[\\]'\"<>=~^$ 0-9]{0,48}") {
            let _ = parse_checked::<F>(&text, today());
        }
    }
}
