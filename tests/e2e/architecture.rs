//! Dependencies point one way. Within each crate, no module depends on a
//! sibling that depends back on it, directly or through others: the
//! sibling graph under every module is acyclic. A module using its parent
//! or a child is not an edge; `crate::…`, `super::…` and `self::…` paths
//! count wherever they appear outside test code (`use` lines, inline
//! paths, macro bodies), and names the parent re-exports count as the
//! module they come from. No exception list.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// A module's path from its crate root (`[]` is the root).
type ModPath = Vec<String>;

struct Module {
    path: ModPath,
    /// Paths it mentions, each as written from `crate`, `super` or `self`.
    mentions: Vec<Vec<String>>,
    /// Names it re-exports with `pub use`, and the path they come from.
    reexports: BTreeMap<String, Vec<String>>,
}

fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("cfg") && a.parse_args::<syn::Meta>().is_ok_and(|m| m.path().is_ident("test")))
}

/// Every `crate::…`/`super::…`/`self::…` path in a module's own items.
#[derive(Default)]
struct Mentions {
    found: Vec<Vec<String>>,
    reexports: BTreeMap<String, Vec<String>>,
    /// Inline child modules met on the way, to visit as modules of their own.
    children: Vec<syn::ItemMod>,
}

fn use_paths(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_paths(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut full = prefix.clone();
            full.push(n.ident.to_string());
            out.push((full, n.ident.to_string()));
        }
        syn::UseTree::Rename(r) => {
            let mut full = prefix.clone();
            full.push(r.ident.to_string());
            out.push((full, r.rename.to_string()));
        }
        syn::UseTree::Glob(_) => out.push((prefix.clone(), "*".into())),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_paths(t, prefix, out)),
    }
}

fn anchored(segments: &[String]) -> bool {
    matches!(segments.first().map(String::as_str), Some("crate" | "super" | "self"))
}

/// `crate :: a :: b` sequences in a macro's tokens.
fn token_paths(tokens: TokenStream, out: &mut Vec<Vec<String>>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        if let TokenTree::Group(g) = &tokens[i] {
            token_paths(g.stream(), out);
        }
        let starts = matches!(&tokens[i], TokenTree::Ident(id) if ["crate", "super", "self"].contains(&id.to_string().as_str()))
            && !matches!(i.checked_sub(1).map(|j| &tokens[j]), Some(TokenTree::Punct(p)) if p.as_char() == '$');
        if starts {
            let mut path = vec![tokens[i].to_string()];
            let mut j = i + 1;
            while j + 2 < tokens.len() + 1 {
                let colons = matches!((tokens.get(j), tokens.get(j + 1)), (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b))) if a.as_char() == ':' && b.as_char() == ':');
                match (colons, tokens.get(j + 2)) {
                    (true, Some(TokenTree::Ident(id))) => {
                        path.push(id.to_string());
                        j += 3;
                    }
                    _ => break,
                }
            }
            if path.len() > 1 {
                out.push(path);
            }
            i = j;
            continue;
        }
        i += 1;
    }
}

impl<'ast> Visit<'ast> for Mentions {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if !is_test(&item.attrs) && item.content.is_some() {
            self.children.push(item.clone());
        }
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if !is_test(&item.attrs) {
            syn::visit::visit_item_fn(self, item);
        }
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        if !is_test(&item.attrs) {
            syn::visit::visit_item_impl(self, item);
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        if is_test(&item.attrs) {
            return;
        }
        let mut found = Vec::new();
        use_paths(&item.tree, &mut Vec::new(), &mut found);
        for (path, name) in found {
            if matches!(item.vis, syn::Visibility::Public(_)) && name != "*" {
                // A relative path starts at the module itself (or names a crate).
                let from_here =
                    if anchored(&path) { path.clone() } else { [vec!["self".into()], path.clone()].concat() };
                self.reexports.insert(name, from_here);
            }
            if anchored(&path) {
                self.found.push(path);
            }
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if anchored(&segments) {
            self.found.push(segments);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        token_paths(mac.tokens.clone(), &mut self.found);
        syn::visit::visit_macro(self, mac);
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        token_paths(item.mac.tokens.clone(), &mut self.found);
    }
}

/// The modules of the crate whose root file is `root`.
fn modules(root: &Path) -> Vec<Module> {
    let mut out = Vec::new();
    let source = std::fs::read_to_string(root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    let file = syn::parse_file(&source).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    walk(Vec::new(), file.items, root.parent().unwrap().to_path_buf(), &mut out);
    out
}

/// Visit one module's items; `dir` is where its child modules' files live.
fn walk(path: ModPath, items: Vec<syn::Item>, dir: PathBuf, out: &mut Vec<Module>) {
    let mut mentions = Mentions::default();
    let mut files = Vec::new();
    for item in &items {
        if let syn::Item::Mod(m) = item
            && m.content.is_none()
            && !is_test(&m.attrs)
        {
            files.push(m.ident.to_string());
        }
        mentions.visit_item(item);
    }
    for child in std::mem::take(&mut mentions.children) {
        let mut child_path = path.clone();
        child_path.push(child.ident.to_string());
        let items = child.content.map(|(_, items)| items).unwrap_or_default();
        walk(child_path, items, dir.join(child.ident.to_string()), out);
    }
    for name in files {
        let flat = dir.join(format!("{name}.rs"));
        let nested = dir.join(&name).join("mod.rs");
        let file = if flat.exists() { flat } else { nested };
        let source = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let parsed = syn::parse_file(&source).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut child_path = path.clone();
        child_path.push(name.clone());
        walk(child_path, parsed.items, dir.join(&name), out);
    }
    out.push(Module { path, mentions: mentions.found, reexports: mentions.reexports });
}

/// The module a mention from `from` refers to: the longest prefix that is
/// a module, followed through the re-exports of the module it stops at.
fn resolve(
    from: &ModPath,
    mention: &[String],
    known: &BTreeSet<ModPath>,
    reexports: &BTreeMap<ModPath, BTreeMap<String, Vec<String>>>,
    depth: usize,
) -> Option<ModPath> {
    let mut base: ModPath = match mention[0].as_str() {
        "crate" => Vec::new(),
        "self" => from.clone(),
        _ => from.clone(),
    };
    let mut rest = &mention[1..];
    if mention[0] == "super" {
        base.pop();
        while rest.first().is_some_and(|s| s == "super") {
            base.pop();
            rest = &rest[1..];
        }
    }
    for segment in rest {
        let mut next = base.clone();
        next.push(segment.clone());
        if known.contains(&next) {
            base = next;
            continue;
        }
        // A name the module re-exports: follow it to where it lives.
        if depth < 4
            && let Some(target) = reexports.get(&base).and_then(|r| r.get(segment))
        {
            return resolve(&base, target, known, reexports, depth + 1).or(Some(base));
        }
        break;
    }
    Some(base)
}

/// Sibling edges, per parent module: parent -> (from child -> to child).
fn sibling_edges(modules: &[Module]) -> BTreeMap<ModPath, BTreeSet<(String, String)>> {
    let known: BTreeSet<ModPath> = modules.iter().map(|m| m.path.clone()).collect();
    let reexports: BTreeMap<ModPath, BTreeMap<String, Vec<String>>> =
        modules.iter().map(|m| (m.path.clone(), m.reexports.clone())).collect();
    let mut edges: BTreeMap<ModPath, BTreeSet<(String, String)>> = BTreeMap::new();
    for module in modules {
        for mention in &module.mentions {
            let Some(target) = resolve(&module.path, mention, &known, &reexports, 0) else { continue };
            let common = module.path.iter().zip(&target).take_while(|(a, b)| a == b).count();
            if common == module.path.len() || common == target.len() {
                continue; // itself, an ancestor or a descendant
            }
            let parent = module.path[..common].to_vec();
            edges.entry(parent).or_default().insert((module.path[common].clone(), target[common].clone()));
        }
    }
    edges
}

/// A cycle in the graph, if there is one.
fn cycle(edges: &BTreeSet<(String, String)>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeSet<(String, String)>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut found = stack[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for (_, to) in edges.iter().filter(|(from, _)| from == node) {
            if let Some(found) = visit(to, edges, stack, done) {
                return Some(found);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges.iter().find_map(|(from, _)| visit(from, edges, &mut Vec::new(), &mut done))
}

const CRATES: &[&str] =
    &["crates/domain/src/lib.rs", "crates/persistence/src/lib.rs", "crates/api/src/lib.rs", "src/main.rs"];

#[test]
fn no_module_depends_on_a_sibling_that_depends_back_on_it() {
    let mut cycles = Vec::new();
    for root in CRATES {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
        let modules = modules(&root);
        assert!(modules.len() > 3, "{}: read {} modules", root.display(), modules.len());
        for (parent, edges) in sibling_edges(&modules) {
            if let Some(found) = cycle(&edges) {
                cycles.push(format!("{}: under crate::{}: {}", root.display(), parent.join("::"), found.join(" -> ")));
            }
        }
    }
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_checker_sees_a_cycle_through_uses_inline_paths_and_reexports() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("lib.rs", "mod a;\nmod b;\nmod c;\npub use c::Thing;\n");
    write("a.rs", "use crate::b::helper;\n");
    write("b.rs", "pub fn helper() -> crate::Thing { todo!() }\n");
    write("c.rs", "pub struct Thing;\nfn f() { crate::a::g(); }\n#[cfg(test)]\nmod tests { use crate::b::helper; }\n");
    let modules = modules(&dir.path().join("lib.rs"));
    let edges = &sibling_edges(&modules)[&Vec::new()];
    assert!(edges.contains(&("a".into(), "b".into())), "a use line: {edges:?}");
    assert!(edges.contains(&("b".into(), "c".into())), "a re-export: {edges:?}");
    assert!(edges.contains(&("c".into(), "a".into())), "an inline path: {edges:?}");
    assert!(!edges.contains(&("c".into(), "b".into())), "test modules do not count: {edges:?}");
    let found = cycle(edges).unwrap();
    assert_eq!(found.first(), found.last());
    assert_eq!(found.len(), 4, "{found:?}");
}
