//! What one operation may ask for, counted on the parsed document before
//! anything is validated or run. Complexity (see the module above) prices
//! what resolvers do; this bounds the document itself, fragments counted
//! once per place they are spread, so a small request cannot stand for a
//! large one:
//!
//! - at most [`MAX_FIELDS`] fields, [`MAX_ALIASES`] of them aliased;
//! - `__schema` once and `__type` at most [`MAX_TYPE_LOOKUPS`] times (the
//!   schema's whole description is the largest answer there is);
//! - fragments nested at most [`MAX_SPREAD_DEPTH`] deep (a cycle, which
//!   validation refuses anyway, ends here first).
//!
//! The walk stops at the first limit passed, so its own cost is bounded by
//! the limits, not by the document.

use std::collections::HashMap;

use async_graphql::Name;
use async_graphql::parser::Positioned;
use async_graphql::parser::types::{FragmentDefinition, Selection, SelectionSet};

pub const MAX_FIELDS: usize = 500;
pub const MAX_ALIASES: usize = 50;
pub const MAX_TYPE_LOOKUPS: usize = 10;
const MAX_SPREAD_DEPTH: usize = 16;

/// Which limit an operation passed, said as the client should read it.
#[derive(Debug, PartialEq, Eq)]
pub struct OverBudget(pub String);

type Fragments = HashMap<Name, Positioned<FragmentDefinition>>;

#[derive(Default)]
struct Count {
    fields: usize,
    aliases: usize,
    schemas: usize,
    types: usize,
}

/// Count `set` (an operation's selection set) against the limits.
pub fn check(set: &SelectionSet, fragments: &Fragments) -> Result<(), OverBudget> {
    walk(set, fragments, &mut Count::default(), 0)
}

fn walk(set: &SelectionSet, fragments: &Fragments, count: &mut Count, spread_depth: usize) -> Result<(), OverBudget> {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                count.fields += 1;
                count.aliases += usize::from(field.alias.is_some());
                match field.name.node.as_str() {
                    "__schema" => count.schemas += 1,
                    "__type" => count.types += 1,
                    _ => {}
                }
                within(count)?;
                walk(&field.selection_set.node, fragments, count, spread_depth)?;
            }
            Selection::InlineFragment(inline) => {
                walk(&inline.node.selection_set.node, fragments, count, spread_depth)?;
            }
            Selection::FragmentSpread(spread) => {
                if spread_depth >= MAX_SPREAD_DEPTH {
                    return Err(OverBudget(format!("fragments may nest at most {MAX_SPREAD_DEPTH} deep")));
                }
                // An unknown fragment is validation's to report.
                if let Some(fragment) = fragments.get(&spread.node.fragment_name.node) {
                    walk(&fragment.node.selection_set.node, fragments, count, spread_depth + 1)?;
                }
            }
        }
    }
    Ok(())
}

fn within(count: &Count) -> Result<(), OverBudget> {
    let over = |what: String| Err(OverBudget(what));
    if count.fields > MAX_FIELDS {
        return over(format!("an operation may select at most {MAX_FIELDS} fields, fragments counted where spread"));
    }
    if count.aliases > MAX_ALIASES {
        return over(format!("an operation may alias at most {MAX_ALIASES} fields"));
    }
    if count.schemas > 1 {
        return over("an operation may select __schema once".to_owned());
    }
    if count.types > MAX_TYPE_LOOKUPS {
        return over(format!("an operation may select __type at most {MAX_TYPE_LOOKUPS} times"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn checked(query: &str) -> Result<(), OverBudget> {
        let document = parse_query(query).unwrap();
        let (_, operation) = document.operations.iter().next().unwrap();
        check(&operation.node.selection_set.node, &document.fragments)
    }

    fn aliased(field: &str, times: usize) -> String {
        let fields: String = (0..times).map(|i| format!("a{i}: {field} ")).collect();
        format!("{{ {fields} }}")
    }

    #[test]
    fn a_blog_page_fits() {
        let index = "{ posts(first: 20) { edges { node { id slug title summary publishedAt readingTimeMinutes \
                     category { name } tags { slug name } authors { name } } } pageInfo { hasNextPage endCursor } } }";
        assert_eq!(checked(index), Ok(()));
        assert_eq!(checked(&aliased("__typename", MAX_ALIASES)), Ok(()));
    }

    #[test]
    fn aliases_fields_and_introspection_are_capped() {
        assert!(
            checked(&aliased("search(query: \"x\") { totalCount }", MAX_ALIASES + 1)).unwrap_err().0.contains("alias")
        );
        let fields: String = (0..=MAX_FIELDS).map(|_| "__typename ").collect();
        assert!(checked(&format!("{{ {fields} }}")).unwrap_err().0.contains("fields"));
        assert!(checked("{ __schema { queryType { name } } __schema { types { name } } }").is_err());
        assert!(checked(&aliased("__type(name: \"Post\") { name }", MAX_TYPE_LOOKUPS + 1)).is_err());
    }

    #[test]
    fn fragments_count_wherever_they_are_spread() {
        let many: String = (0..100).map(|_| "__typename ").collect();
        let spreads: String = (0..6).map(|i| format!("a{i}: posts {{ ...F }} ")).collect();
        let query = format!("{{ {spreads} }} fragment F on PostConnection {{ {many} }}");
        assert!(checked(&query).unwrap_err().0.contains("fields"), "600 fields, written as 100");
        let cycle = "{ posts { ...A } } fragment A on PostConnection { ...B } fragment B on PostConnection { ...A }";
        assert!(checked(cycle).unwrap_err().0.contains("nest"));
    }
}
