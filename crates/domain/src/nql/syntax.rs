//! NQL's grammar: text to a [`Syntax`] tree of comparisons on field names,
//! within the size bounds, and back to canonical text.

use std::fmt;

use super::{FilterError, MAX_COMPARISONS, MAX_DEPTH, MAX_FILTER_BYTES, MAX_VALUES, error};
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
    pub(crate) fn symbol(self) -> &'static str {
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
