//! The architecture's rule table, checked: reads every module of the server and fails when a lower
//! layer imports a higher one, when one HTTP handler module imports another, when a shell reaches
//! into another shell outside the listed exceptions, or when a pure crate depends on I/O. The table
//! below is the one place these rules live; `docs/architecture.md` explains them. When a new
//! exception is needed, add it to [`SHELL_EXCEPTIONS`] with its reason, in the same commit, and
//! say why in `docs/architecture.md`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    /// The program's vocabulary (`vocab`: roles, statuses, kinds, a person's reference). Every
    /// layer speaks it; it imports nothing of the server.
    Vocabulary,
    /// Seams: store, bus, mail, clock, configuration. Import nothing above them.
    Seam,
    /// One module per capability under `domain::`; imports seams and other capabilities.
    Domain,
    /// Wire types (`wire`): what HTTP and the WebSocket send, built from domain values and rows.
    /// Shells import them; they import nothing above the domain.
    Wire,
    /// Transports: HTTP handlers, the WebSocket gateway, the SFU engine, static files.
    Shell,
    /// The composition root: `main`, `lib`, `app`, `cli`. Wires everything; may import anything.
    Root,
}

/// Top-level modules of `server/src` and their layer.
const LAYERS: &[(&str, Layer)] = &[
    ("main", Layer::Root),
    ("lib", Layer::Root),
    ("app", Layer::Root),
    ("cli", Layer::Root),
    ("api", Layer::Shell),
    ("gateway", Layer::Shell),
    ("live", Layer::Shell),
    ("web", Layer::Shell),
    ("state", Layer::Shell),
    ("domain", Layer::Domain),
    ("store", Layer::Seam),
    ("bus", Layer::Seam),
    ("mail", Layer::Seam),
    ("clock", Layer::Seam),
    ("config", Layer::Seam),
    ("vocab", Layer::Vocabulary),
    ("wire", Layer::Wire),
];

/// Modules of `api` that are the HTTP shell's shared infrastructure rather than handlers: any
/// handler may import these; no handler imports another handler.
const API_INFRASTRUCTURE: &[&str] = &["api", "api::error", "api::extract", "api::validate"];

/// The only places one shell may import another, with the reason.
const SHELL_EXCEPTIONS: &[(&str, &str, &str)] = &[
    ("gateway", "api::error", "the /ws upgrade is an HTTP request and answers refusals as one"),
    ("gateway", "api::extract", "the /ws upgrade authenticates like any HTTP request"),
    ("gateway", "live", "the gateway carries room frames to this node's SFU engine and back"),
    ("gateway", "state", "the /ws upgrade handler reads the HTTP state"),
    ("api", "state", "handlers read the HTTP state"),
    ("web", "state", "static files are served from the same router"),
    ("state", "gateway", "the HTTP state holds this node's gateway"),
];

/// Crates that are pure code: no database, network, runtime or web framework.
const PURE_CRATES: &[&str] = &["matching", "signaling", "sfu"];
const IO_CRATES: &[&str] = &["sqlx", "redis", "tokio", "axum", "reqwest", "hyper", "rtc", "webrtc"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/domain/matching/mod.rs` → `["domain", "matching"]`; `src/lib.rs` → `["lib"]`.
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).expect("under src");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" {
        parts.push(stem.to_owned());
    }
    parts
}

fn layer_of(module: &[String]) -> Option<Layer> {
    LAYERS.iter().find(|(name, _)| module.first().is_some_and(|m| m == name)).map(|(_, l)| *l)
}

/// Module paths a file refers to: `crate::a::b` anywhere, and `super::…` resolved against the
/// file's module. Test modules (`#[cfg(test)]` to the end of the file) are left out.
fn references(file: &Path, module: &[String]) -> Vec<(usize, Vec<String>)> {
    let text = std::fs::read_to_string(file).expect("a readable source file");
    let mut out = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        for prefix in ["crate::", "super::"] {
            let mut rest = code;
            while let Some(at) = rest.find(prefix) {
                let before = rest[..at].chars().last();
                let mut after = &rest[at + prefix.len()..];
                rest = after;
                // `kindred_x::crate::` or `a::super::` are not paths from here; `super::super::` is
                // handled below.
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                let mut path: Vec<String> = Vec::new();
                if prefix == "super::" {
                    // `super` of module `a::b` (in `a/b.rs` or `a/b/mod.rs`) is `a`.
                    path = module.to_vec();
                    path.pop();
                    while let Some(more) = after.strip_prefix("super::") {
                        path.pop();
                        after = more;
                    }
                }
                let segments = after
                    .split("::")
                    .map(|s| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>())
                    .take_while(|s| s.chars().next().is_some_and(|c| c.is_lowercase()));
                path.extend(segments);
                if !path.is_empty() {
                    out.push((number + 1, path));
                }
            }
        }
    }
    out
}

fn starts_with(path: &[String], prefix: &str) -> bool {
    let want: Vec<&str> = prefix.split("::").collect();
    path.len() >= want.len() && path.iter().zip(&want).all(|(a, b)| a == b)
}

/// The handler module a path names, if it is one (`api::events`, not `api::error`).
fn handler(path: &[String]) -> Option<String> {
    // `api::ics_response` names an item of `api` itself, not a module: only files are handlers.
    let is_module = |name: &str| src().join("api").join(format!("{name}.rs")).exists();
    if path.first().is_some_and(|p| p == "api") && path.len() >= 2 && is_module(&path[1]) {
        let module = format!("api::{}", path[1]);
        if !API_INFRASTRUCTURE.contains(&module.as_str()) {
            return Some(module);
        }
    }
    None
}

#[test]
fn no_module_imports_upward_or_across_shells() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    assert!(files.len() > 50, "found the sources ({} files)", files.len());
    let mut problems = BTreeSet::new();
    for file in &files {
        let module = module_of(file);
        let Some(from) = layer_of(&module) else {
            problems.insert(format!("{}: module `{}` is not in the rule table", file.display(), module.join("::")));
            continue;
        };
        for (line, target) in references(file, &module) {
            let Some(to) = layer_of(&target) else { continue };
            let at = format!("{}:{line}", file.strip_prefix(src()).unwrap().display());
            let (from_name, to_name) = (module.join("::"), target.join("::"));
            if from == Layer::Root {
                continue;
            }
            if to > from {
                problems.insert(format!("{at}: {from:?} `{from_name}` imports {to:?} `{to_name}`"));
                continue;
            }
            if from == Layer::Shell && to == Layer::Shell && module[0] != target[0] {
                let allowed = SHELL_EXCEPTIONS.iter().any(|(a, b, _)| module[0] == *a && starts_with(&target, b));
                if !allowed {
                    problems.insert(format!("{at}: shell `{from_name}` imports shell `{to_name}` (not an exception)"));
                }
            }
            if let (Some(mine), Some(theirs)) = (handler(&module), handler(&target))
                && mine != theirs
            {
                problems.insert(format!("{at}: handler `{mine}` imports handler `{theirs}`"));
            }
        }
    }
    assert!(problems.is_empty(), "layer rules broken:\n{}", problems.into_iter().collect::<Vec<_>>().join("\n"));
}

/// Derives that make a type part of the public API.
const WIRE_DERIVES: &[&str] = &["Serialize", "Deserialize", "ToSchema"];

#[test]
fn the_store_keeps_rows_not_wire_types() {
    // The store knows rows: a type of `store::` that derives serde or an OpenAPI schema would go
    // out over HTTP or the WebSocket as it is, and a column renamed would rename a field of the
    // public API. Wire types live in `wire` (and the shared vocabulary in `vocab`).
    let mut files = Vec::new();
    rust_files(&src().join("store"), &mut files);
    assert!(files.len() > 5, "found the store's sources");
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        for (number, line) in text.lines().enumerate() {
            let line = line.trim_start();
            if line.starts_with("#[derive(")
                && line.trim_end_matches(")]").trim_start_matches("#[derive(").split(',').any(|d| {
                    let d = d.trim();
                    WIRE_DERIVES.iter().any(|w| d == *w || d.ends_with(&format!("::{w}")))
                })
            {
                problems.push(format!("{}:{}: {line}", file.strip_prefix(src()).unwrap().display(), number + 1));
            }
        }
    }
    assert!(problems.is_empty(), "store types that derive wire traits:\n{}", problems.join("\n"));
}

#[test]
fn the_domain_keeps_views_not_wire_types() {
    // The domain's values are what a capability decides; what a client sees of them is a wire
    // type's business (`wire::matching`, `wire::program_data`, `wire::events`, …), built with
    // `From`. A domain type that derives an OpenAPI schema is going out as it is, so a field
    // renamed in the domain would rename a field of the public API. (Serde itself stays allowed
    // here: rounds, answers and survey questions are stored as JSON documents of their own.)
    let mut files = Vec::new();
    rust_files(&src().join("domain"), &mut files);
    assert!(files.len() > 10, "found the domain's sources");
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        for (number, line) in text.lines().enumerate() {
            let line = line.trim_start();
            if line.contains("ToSchema") || line.starts_with("#[schema(") {
                problems.push(format!("{}:{}: {line}", file.strip_prefix(src()).unwrap().display(), number + 1));
            }
        }
    }
    assert!(problems.is_empty(), "domain types that describe the wire:\n{}", problems.join("\n"));
}

#[test]
fn handlers_call_the_domain_not_the_store() {
    // A handler parses, calls the domain and shapes the answer: a store method called from one
    // is a rule (or a read that skips the access policy) living in the transport. `/readyz`
    // pinging the database, in `api/mod.rs`, is the shell's own business.
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(src().join("api")).expect("api is readable") {
        let path = entry.expect("an entry").path();
        if path.file_name().is_some_and(|n| n == "mod.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        for (number, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("#[cfg(test)]") {
                break;
            }
            if line.contains("state.store.") || line.contains("state.store.as_ref()") {
                problems.push(format!(
                    "{}:{}: {}",
                    path.strip_prefix(src()).unwrap().display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "handlers that call the store:\n{}", problems.join("\n"));
}

#[test]
fn connections_call_the_domain_not_the_store() {
    // The WebSocket and live-room shells hand the store to domain functions (`store.as_ref()`)
    // and call none of its methods themselves: a read there would skip the access policy.
    let mut files = Vec::new();
    rust_files(&src().join("gateway"), &mut files);
    rust_files(&src().join("live"), &mut files);
    assert!(files.len() > 5, "found the gateway's and the SFU's sources");
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        for (number, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("#[cfg(test)]") {
                break;
            }
            if line.trim_start().starts_with("//") {
                continue;
            }
            let calls = line.match_indices("store.").any(|(at, _)| {
                let rest = &line[at + "store.".len()..];
                let before = line[..at].chars().next_back();
                !before.is_some_and(|c| c.is_alphanumeric() || c == '_') && !rest.starts_with("as_ref()")
            });
            if calls {
                problems.push(format!(
                    "{}:{}: {}",
                    file.strip_prefix(src()).unwrap().display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "connections that call the store:\n{}", problems.join("\n"));
}

#[test]
fn pure_crates_do_no_io() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace");
    for krate in PURE_CRATES {
        let manifest = std::fs::read_to_string(root.join(krate).join("Cargo.toml")).expect("a manifest");
        let deps = manifest.split("[dependencies]").nth(1).unwrap_or("").split("\n[").next().unwrap_or("");
        for io in IO_CRATES {
            assert!(
                !deps
                    .lines()
                    .any(|l| l.trim_start().starts_with(&format!("{io} "))
                        || l.trim_start().starts_with(&format!("{io}="))),
                "the pure crate `{krate}` depends on `{io}`"
            );
        }
    }
}

#[test]
fn the_checker_sees_what_it_must() {
    // A canary for the parser itself, so the test above cannot pass by seeing nothing.
    let dir = std::env::temp_dir().join(format!("kindred-layers-{}", std::process::id()));
    let module = module_of(&src().join("domain").join("canary_check.rs"));
    assert_eq!(module, ["domain", "canary_check"]);
    std::fs::create_dir_all(&dir).unwrap();
    let fake = dir.join("x.rs");
    let text = "use crate::api::error::ApiError;\nuse super::notify::{Notice, To};\nfn f() { crate::gateway::protocol::x(); }\n";
    std::fs::write(&fake, text).unwrap();
    // The fake file read as if it were `domain::canary_check`.
    let refs: Vec<Vec<String>> = references(&fake, &module).into_iter().map(|(_, p)| p).collect();
    assert!(refs.contains(&vec!["api".into(), "error".into()]), "{refs:?}");
    assert!(refs.contains(&vec!["domain".into(), "notify".into()]), "{refs:?}");
    assert!(refs.contains(&vec!["gateway".into(), "protocol".into(), "x".into()]), "{refs:?}");
    assert_eq!(handler(&["api".into(), "events".into()]), Some("api::events".into()));
    assert_eq!(handler(&["api".into(), "error".into()]), None);
    std::fs::remove_dir_all(&dir).ok();
}
