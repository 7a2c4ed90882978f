// The migrations are embedded at compile time (db::SQLITE_MIGRATIONS, db::POSTGRES_MIGRATIONS): without this, a new
// migration folder would not rebuild the binary, which would then start without it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
