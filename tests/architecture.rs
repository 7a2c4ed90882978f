//! The layering of docs/architecture.md, checked on the source: no import cycle between the top-level modules of
//! `src/`, queries only in stores (and db/, and the scope filters in access/), access decided in access/ alone,
//! backend-specific SQL only in db/. Unit-test blocks (`#[cfg(test)]` to the end of a file) are left out: a test may
//! reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

struct Source {
    /// Path under src/, with `/`.
    rel: String,
    /// The code without its unit tests and comments.
    code: String,
}

fn sources() -> Vec<Source> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let text = match text.find("#[cfg(test)]") {
                Some(i) => &text[..i],
                None => &text[..],
            };
            let code: String = text
                .lines()
                .map(|l| match l.find("//") {
                    Some(i) if !l[..i].contains('"') => &l[..i],
                    _ => l,
                })
                .collect::<Vec<_>>()
                .join("\n");
            let rel = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
            Source { rel, code }
        })
        .collect()
}

/// The top-level module a file belongs to (`cases/store.rs` → `cases`, `paging.rs` → `paging`).
fn module_of(rel: &str) -> String {
    let head = rel.split('/').next().unwrap();
    head.trim_end_matches(".rs").to_string()
}

/// Every top-level module a piece of code names through `crate::`, grouped imports (`crate::{a, b::c}`) included.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

fn graph(sources: &[Source]) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in sources {
        let from = module_of(&s.rel);
        if from == "main" || from == "lib" {
            continue;
        }
        for to in named_modules(&s.code) {
            // `crate::db_run!` is the db module's macro.
            let to = if to == "db_run" { "db".to_string() } else { to };
            if to != from {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

/// The strongly connected components with more than one module (Tarjan).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on: BTreeSet<String>,
        out: Vec<Vec<String>>,
    }
    fn visit(t: &mut T, v: &str) {
        let i = t.index.len();
        t.index.insert(v.to_string(), i);
        t.low.insert(v.to_string(), i);
        t.stack.push(v.to_string());
        t.on.insert(v.to_string());
        for w in t.edges.get(v).cloned().unwrap_or_default() {
            if !t.index.contains_key(&w) {
                visit(t, &w);
                let lw = t.low[&w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.on.contains(&w) {
                let iw = t.index[&w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = t.stack.pop().unwrap();
                t.on.remove(&w);
                comp.push(w.clone());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let nodes: BTreeSet<String> = edges.keys().cloned().chain(edges.values().flatten().cloned()).collect();
    let mut t =
        T { edges, index: BTreeMap::new(), low: BTreeMap::new(), stack: vec![], on: BTreeSet::new(), out: vec![] };
    for n in &nodes {
        if !t.index.contains_key(n) {
            visit(&mut t, n);
        }
    }
    t.out
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let edges = graph(&sources());
    assert_eq!(cycles(&edges), Vec::<Vec<String>>::new(), "import cycles between top-level modules of src/");
}

#[test]
fn the_cycle_check_sees_grouped_imports_and_would_fail() {
    // The check itself: a grouped import closes a cycle the plain paths do not show.
    let fake = vec![
        Source { rel: "a.rs".into(), code: "use crate::{b::X, c};".into() },
        Source { rel: "b/service.rs".into(), code: "fn f() { crate::a::g() }".into() },
    ];
    assert_eq!(cycles(&graph(&fake)), vec![vec!["a".to_string(), "b".to_string()]]);
}

/// Lower layers import no feature folder (docs/architecture.md).
#[test]
fn lower_layers_import_no_feature() {
    let lower = [
        "error", "input", "paging", "crypto", "roles", "calendar", "rules", "config", "db", "audit", "access", "state",
        "http",
    ];
    let features = [
        "identity",
        "auth",
        "households",
        "consent",
        "cases",
        "breakglass",
        "plans",
        "signals",
        "escalations",
        "notify",
        "privacy",
        "jobs",
        "demo",
        "scale",
        "openapi",
        "health",
    ];
    let edges = graph(&sources());
    let mut wrong = Vec::new();
    for from in lower {
        for to in edges.get(from).into_iter().flatten() {
            if features.contains(&to.as_str()) {
                wrong.push(format!("{from} → {to}"));
            }
        }
    }
    assert!(wrong.is_empty(), "a lower layer imports a feature: {wrong:?}");
}

fn may_query(rel: &str) -> bool {
    rel.ends_with("store.rs")
        || rel.starts_with("db/")
        || rel.starts_with("access/")
        // Data generators for the demo and the benchmarks write rows in bulk.
        || rel.starts_with("demo/")
        || rel == "scale.rs"
        || rel == "scale_audit.rs"
}

#[test]
fn queries_only_in_stores() {
    let dsl = [
        "::table",
        "diesel::insert_into",
        "diesel::update",
        "diesel::delete",
        "diesel::sql_query",
        ".get_result(",
        ".get_results(",
        ".load::<",
        ".load(c",
        ".first::<",
        ".execute(c",
    ];
    let mut wrong = Vec::new();
    for s in sources().iter().filter(|s| !may_query(&s.rel)) {
        for pattern in dsl {
            if s.code.contains(pattern) {
                wrong.push(format!("{}: {pattern}", s.rel));
            }
        }
    }
    assert!(wrong.is_empty(), "diesel queries outside stores: {wrong:#?}");
}

#[test]
fn access_is_decided_in_access_alone() {
    // Recording a decision, constructing a basis and computing scope belong to access/ (and the record's own
    // definition in audit/); main.rs records the server operator's own acts.
    let decision_only = [
        ".allowed(",
        ".allowed_first(",
        ".denied()",
        ".partial_view(",
        "denied = true",
        "Basis::",
        "lead_teams(",
        "member_teams(",
        "access::allow(",
        "access::allow_first(",
        "access::forbidden(",
        "access::not_found(",
    ];
    let mut wrong = Vec::new();
    for s in sources() {
        if s.rel.starts_with("access/") || s.rel.starts_with("audit/") || s.rel == "main.rs" {
            continue;
        }
        // The demo's planted history (past events for the privacy officer's workbench to find) records the bases
        // those past requests had; it decides nothing, and may do nothing else of access's.
        let planted_history = s.rel == "demo/privacy.rs";
        for pattern in decision_only {
            if planted_history && pattern == "Basis::" {
                continue;
            }
            if s.code.contains(pattern) {
                wrong.push(format!("{}: {pattern}", s.rel));
            }
        }
    }
    assert!(wrong.is_empty(), "access decided outside access/: {wrong:#?}");
}

#[test]
fn backend_specific_sql_only_in_db() {
    let mut wrong = Vec::new();
    for s in sources().iter().filter(|s| !s.rel.starts_with("db/")) {
        for pattern in ["DbConn::Pg", "DbConn::Sqlite"] {
            if s.code.contains(pattern) {
                wrong.push(format!("{}: {pattern}", s.rel));
            }
        }
    }
    assert!(wrong.is_empty(), "backend dispatch outside db/ (use db_run!): {wrong:#?}");
}

#[test]
fn one_rule_for_an_active_involvement() {
    let mut wrong = Vec::new();
    for s in sources().iter().filter(|s| s.rel != "db/mod.rs") {
        if s.code.contains("involvements::valid_from.le(") {
            wrong.push(s.rel.clone());
        }
    }
    assert!(wrong.is_empty(), "'an involvement active now' written again (use db::involvement_active): {wrong:?}");
}
