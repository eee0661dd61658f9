//! Rebuilds when a migration is added: `sqlx::migrate!` embeds the migration directories at
//! compile time but only tracks the files that existed when it last ran.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
