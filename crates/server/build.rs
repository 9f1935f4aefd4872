//! Tells cargo what the server embeds at compile time, so changes there trigger a rebuild:
//! - `migrations/`: `sqlx::migrate!` embeds both migrations folders.
//! - `target/widget/` (release builds only): rust-embed embeds the built widget; Trunk writes
//!   content-hashed file names, which cargo would not notice otherwise. Debug builds read the
//!   widget from disk at run time, so they need no rebuild (and must not get one on every build
//!   while the widget has not been built yet).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    if std::env::var("PROFILE").as_deref() == Ok("release") {
        println!("cargo:rerun-if-changed=../../target/widget");
    }
}
