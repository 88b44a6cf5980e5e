//! Command-line flags of the bench programs: `--name value` pairs, shared by `loadgen`,
//! `signalbench`, `sfubench` and `scalebench` (each includes this file with `#[path]`).

use anyhow::Context;

/// The value after `name`, if given.
pub fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

/// The value after `name`, or an error naming the missing flag.
pub fn need(args: &[String], name: &str) -> anyhow::Result<String> {
    arg(args, name).with_context(|| format!("missing {name}"))
}
