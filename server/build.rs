//! Rebuild when the web client's build output changes, so a release binary always carries the
//! assets that `npm run build` last produced (rust-embed reads the folder at compile time), and
//! when a migration is added (`sqlx::migrate!` embeds the folder's files).
fn main() {
    println!("cargo:rerun-if-changed=../web-client/dist");
    println!("cargo:rerun-if-changed=../migrations");
}
