//! Variables an operation declares but the request leaves out. By the
//! GraphQL spec, an argument or input field given such a variable counts
//! as not given, so its default applies (`query($f: Int) { posts(first:
//! $f) }` without variables lists 20 posts); and a nullable variable may
//! flow into a non-null argument that has a default. async-graphql 7 does
//! neither: it passes `null` for the missing variable, and its validation
//! refuses a nullable variable in a non-null position whatever the
//! position's default.
//!
//! So before validation the operation to run is rewritten into what the
//! spec means. A nullable variable without a default that the request
//! leaves out is dropped, with every argument and input field it is the
//! value of (in a list it becomes `null`, as the spec coerces it); one the
//! request sends with a value other than `null` is declared non-null, which
//! any position accepting it accepts too. Since a rewritten fragment could
//! break another operation sharing it, the rewritten document holds only
//! the operation to run and the fragments it reaches.

use std::collections::{HashMap, HashSet};

use async_graphql::Name;
use async_graphql::parser::Positioned;
use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql_value::Value;
use serde_json::Map;

/// What the request does with each nullable, defaultless variable.
enum Sent {
    Missing,
    NonNull,
}

/// `document` with `operation` rewritten as the module says, or `None`
/// when nothing needs to change.
pub fn apply(
    document: &ExecutableDocument,
    operation: (Option<&Name>, &Positioned<OperationDefinition>),
    variables: &Map<String, serde_json::Value>,
) -> Option<ExecutableDocument> {
    let (name, operation) = operation;
    let sent: HashMap<Name, Sent> = operation
        .node
        .variable_definitions
        .iter()
        .filter(|d| d.node.var_type.node.nullable && d.node.default_value.is_none())
        .filter_map(|d| {
            let name = d.node.name.node.clone();
            match variables.get(name.as_str()) {
                None => Some((name, Sent::Missing)),
                Some(serde_json::Value::Null) => None,
                Some(_) => Some((name, Sent::NonNull)),
            }
        })
        .collect();
    if sent.is_empty() {
        return None;
    }
    let missing: HashSet<Name> =
        sent.iter().filter(|(_, s)| matches!(s, Sent::Missing)).map(|(n, _)| n.clone()).collect();

    let mut operation = operation.clone();
    operation.node.variable_definitions.retain(|d| !missing.contains(&d.node.name.node));
    for definition in &mut operation.node.variable_definitions {
        if matches!(sent.get(&definition.node.name.node), Some(Sent::NonNull)) {
            definition.node.var_type.node.nullable = false;
        }
    }
    strip_directives(&mut operation.node.directives, &missing);
    strip_selections(&mut operation.node.selection_set.node, &missing);

    let mut fragments = HashMap::new();
    let mut pending = spreads(&operation.node.selection_set.node);
    while let Some(spread) = pending.pop() {
        if fragments.contains_key(&spread) {
            continue;
        }
        let Some(fragment) = document.fragments.get(&spread) else { continue };
        let mut fragment = fragment.clone();
        strip_directives(&mut fragment.node.directives, &missing);
        strip_selections(&mut fragment.node.selection_set.node, &missing);
        pending.extend(spreads(&fragment.node.selection_set.node));
        fragments.insert(spread, fragment);
    }
    let operations = match name {
        Some(name) => DocumentOperations::Multiple(HashMap::from([(name.clone(), operation)])),
        None => DocumentOperations::Single(operation),
    };
    Some(ExecutableDocument { operations, fragments })
}

/// The fragments a selection set spreads directly or through inline fragments.
fn spreads(set: &SelectionSet) -> Vec<Name> {
    let mut names = Vec::new();
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => names.extend(spreads(&field.node.selection_set.node)),
            Selection::FragmentSpread(spread) => names.push(spread.node.fragment_name.node.clone()),
            Selection::InlineFragment(inline) => names.extend(spreads(&inline.node.selection_set.node)),
        }
    }
    names
}

fn strip_selections(set: &mut SelectionSet, missing: &HashSet<Name>) {
    for item in &mut set.items {
        match &mut item.node {
            Selection::Field(field) => {
                strip_arguments(&mut field.node.arguments, missing);
                strip_directives(&mut field.node.directives, missing);
                strip_selections(&mut field.node.selection_set.node, missing);
            }
            Selection::FragmentSpread(spread) => strip_directives(&mut spread.node.directives, missing),
            Selection::InlineFragment(inline) => {
                strip_directives(&mut inline.node.directives, missing);
                strip_selections(&mut inline.node.selection_set.node, missing);
            }
        }
    }
}

fn strip_directives(directives: &mut [Positioned<Directive>], missing: &HashSet<Name>) {
    for directive in directives {
        strip_arguments(&mut directive.node.arguments, missing);
    }
}

fn strip_arguments(arguments: &mut Vec<(Positioned<Name>, Positioned<Value>)>, missing: &HashSet<Name>) {
    arguments.retain_mut(|(_, value)| keep(&mut value.node, missing));
}

/// Whether `value` still counts as given once missing variables are taken
/// out of it: a missing variable does not; in an input object its field is
/// dropped, in a list it is `null`.
fn keep(value: &mut Value, missing: &HashSet<Name>) -> bool {
    match value {
        Value::Variable(name) => !missing.contains(name),
        Value::Object(fields) => {
            fields.retain(|_, field| keep(field, missing));
            true
        }
        Value::List(items) => {
            for item in items.iter_mut() {
                if !keep(item, missing) {
                    *item = Value::Null;
                }
            }
            true
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;
    use serde_json::json;

    use super::*;

    /// The rewritten document printed back, one line.
    fn rewrite(query: &str, variables: serde_json::Value) -> Option<String> {
        let document = parse_query(query).unwrap();
        let (name, operation) = document.operations.iter().next().unwrap();
        let serde_json::Value::Object(variables) = variables else { panic!("variables must be an object") };
        let rewritten = apply(&document, (name, operation), &variables)?;
        let (_, operation) = rewritten.operations.iter().next().unwrap();
        let definitions: Vec<String> = operation
            .node
            .variable_definitions
            .iter()
            .map(|d| format!("${}: {}", d.node.name.node, d.node.var_type.node))
            .collect();
        let Selection::Field(field) = &operation.node.selection_set.node.items[0].node else { panic!("a field") };
        let arguments: Vec<String> =
            field.node.arguments.iter().map(|(n, v)| format!("{}: {}", n.node, v.node)).collect();
        Some(format!("({}) {}({})", definitions.join(", "), field.node.name.node, arguments.join(", ")))
    }

    #[test]
    fn a_missing_variable_leaves_the_argument_to_its_default() {
        let query = "query($f: Int, $a: String) { posts(first: $f, after: $a) { totalCount } }";
        assert_eq!(rewrite(query, json!({})).unwrap(), "() posts()");
        assert_eq!(rewrite(query, json!({"a": "x"})).unwrap(), "($a: String!) posts(after: $a)");
    }

    #[test]
    fn a_sent_variable_is_declared_non_null() {
        let query = "query($f: Int) { posts(first: $f) { totalCount } }";
        assert_eq!(rewrite(query, json!({"f": 5})).unwrap(), "($f: Int!) posts(first: $f)");
    }

    #[test]
    fn null_defaults_and_non_null_variables_are_left_alone() {
        assert_eq!(rewrite("query($f: Int) { posts(first: $f) { totalCount } }", json!({"f": null})), None);
        assert_eq!(rewrite("query($f: Int = 3) { posts(first: $f) { totalCount } }", json!({})), None);
        assert_eq!(rewrite("query($f: Int!) { posts(first: $f) { totalCount } }", json!({})), None);
    }

    #[test]
    fn input_fields_are_dropped_and_list_items_become_null() {
        let query = "query($t: String, $c: String) { posts(filter: {tag: $t, category: $c}, ids: [$t, 1]) { a } }";
        assert_eq!(
            rewrite(query, json!({"c": "go"})).unwrap(),
            "($c: String!) posts(filter: {category: $c}, ids: [null, 1])"
        );
    }

    #[test]
    fn only_the_operation_and_the_fragments_it_reaches_remain() {
        let query = "query A($f: Int) { posts(first: $f) { ...P } } query B { tags { ...T } } \
                     fragment P on PostConnection { edges { ...Q } } fragment Q on PostEdge { cursor } \
                     fragment T on Tag { slug }";
        let document = parse_query(query).unwrap();
        let a = document.operations.iter().find(|(n, _)| n.is_some_and(|n| n.as_str() == "A")).unwrap();
        let rewritten = apply(&document, a, &Map::new()).unwrap();
        assert_eq!(rewritten.operations.iter().map(|(n, _)| n.unwrap().to_string()).collect::<Vec<_>>(), ["A"]);
        let mut fragments: Vec<&str> = rewritten.fragments.keys().map(Name::as_str).collect();
        fragments.sort_unstable();
        assert_eq!(fragments, ["P", "Q"]);
    }
}
