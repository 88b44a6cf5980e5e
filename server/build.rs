//! Rebuild when the web client's build output changes, so a release binary always carries the
//! assets that `npm run build` last produced (rust-embed reads the folder at compile time).
fn main() {
    println!("cargo:rerun-if-changed=../web-client/dist");
}
