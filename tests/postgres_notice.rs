//! Says, visibly, which database the integration suite ran on: a test's own output is hidden when it
//! passes, so this runs without the test harness.

fn main() {
    match std::env::var("EENPLAN_TEST_DATABASE_URL").ok().filter(|v| !v.is_empty()) {
        Some(_) => println!("eenplan: integration tests ran on PostgreSQL (EENPLAN_TEST_DATABASE_URL is set)"),
        None => println!(
            "eenplan: PostgreSQL run SKIPPED: EENPLAN_TEST_DATABASE_URL is not set, the integration tests ran on \
             SQLite only (.ci/run runs them on PostgreSQL too)"
        ),
    }
}
