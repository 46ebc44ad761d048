use chrono::{NaiveDate, NaiveTime};
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
    assert_eq!(typed("tags:[Go, runtime]").unwrap(), test(F::Tag, Op::Eq, false, vec![text("go"), text("runtime")]));
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
    assert_eq!(typed("published_at:>'2026-01-01'").unwrap(), test(F::Published, Op::Gt, false, vec![Value::Time(jan)]));
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
    assert_eq!(typed(" ( tag:a , tag:b ) + featured:false ").unwrap(), typed("(tag:a,tag:b)+featured:false").unwrap());
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
    for bad in ["published_at:>now-3h", "published_at:>now-d", "published_at:>now*3d", "published_at:>now-99999999999d"]
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
