//! Database access: one connection type over SQLite and PostgreSQL, chosen from the URL scheme.

pub mod schema;

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// How long an SQLite statement waits for another connection's (or process's) lock before it fails.
pub const SQLITE_BUSY_TIMEOUT_MS: u32 = 15_000;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(diesel::SqliteConnection),
    Pg(diesel::PgConnection),
}

/// Runs the same diesel code against the concrete connection, for the few statements
/// (upserts, locking reads) that the multi-backend connection cannot express.
#[macro_export]
macro_rules! db_run {
    // Where the SQL differs: one arm per backend, side by side.
    ($conn:expr, sqlite: |$s:ident| $sqlite:expr, postgres: |$p:ident| $postgres:expr $(,)?) => {
        match $conn {
            $crate::db::DbConn::Sqlite($s) => $sqlite,
            $crate::db::DbConn::Pg($p) => $postgres,
        }
    };
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Pg($c) => $body,
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Where the data lives. Parsed from the URL scheme only; anything unknown is an error,
/// never a silently created file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseTarget {
    pub fn parse(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseTarget::Postgres(url.to_string()));
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("sqlite:// URL without a file path".into());
            }
            return Ok(DatabaseTarget::Sqlite(PathBuf::from(path)));
        }
        let scheme = url.split_once("://").map(|(s, _)| s).unwrap_or("");
        if scheme.is_empty() {
            Err("database URL has no scheme; use postgres://… or sqlite:///path/to/file.db".into())
        } else {
            Err(format!("unknown database URL scheme '{scheme}'; use postgres://… or sqlite:///path/to/file.db"))
        }
    }

    pub fn sqlite_in(data_dir: &Path) -> Self {
        DatabaseTarget::Sqlite(data_dir.join("eenplan.db"))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseTarget::Sqlite(_) => Backend::Sqlite,
            DatabaseTarget::Postgres(_) => Backend::Postgres,
        }
    }

    /// For logs: never prints a password.
    pub fn describe(&self) -> String {
        match self {
            DatabaseTarget::Sqlite(p) => format!("SQLite at {}", p.display()),
            DatabaseTarget::Postgres(url) => {
                let host = url
                    .rsplit_once('@')
                    .map(|(_, h)| h)
                    .unwrap_or_else(|| url.split_once("://").map(|(_, h)| h).unwrap_or(url));
                format!("PostgreSQL at {host}")
            }
        }
    }

    /// Opens one connection, configured for this service.
    pub fn connect(&self) -> Result<DbConn, ConnectionError> {
        match self {
            DatabaseTarget::Sqlite(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    create_private_dir(parent).map_err(|e| {
                        ConnectionError::BadConnection(format!("cannot create {}: {e}", parent.display()))
                    })?;
                }
                // The database holds personal data: readable by the service's user only.
                let new_file = !path.exists();
                let path = path
                    .to_str()
                    .ok_or_else(|| ConnectionError::BadConnection("SQLite path is not valid UTF-8".into()))?;
                // Switching a file to WAL can answer "database is locked" at once while another process opens or
                // migrates it (the busy handler does not cover every lock upgrade): such an opening is tried again
                // until the busy timeout, so a job that starts beside a server waits instead of failing.
                let deadline =
                    std::time::Instant::now() + std::time::Duration::from_millis(SQLITE_BUSY_TIMEOUT_MS.into());
                loop {
                    match open_sqlite(path, new_file) {
                        Err(e) if is_busy(&e) && std::time::Instant::now() < deadline => {
                            std::thread::sleep(std::time::Duration::from_millis(25))
                        }
                        other => return other.map(DbConn::Sqlite),
                    }
                }
            }
            DatabaseTarget::Postgres(url) => {
                let mut conn = establish_postgres(url)?;
                conn.batch_execute("SET TIME ZONE 'UTC'").map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Pg(conn))
            }
        }
    }
}

/// Every PostgreSQL connection opens here. libpq speaks TLS through OpenSSL, which by default cleans itself up in
/// an exit handler while other threads (the pool's workers, the audit writer) may still be using it: a crash at
/// exit. Initialised first by openssl-sys, OpenSSL registers no such handler; the OS frees it.
pub fn establish_postgres(url: &str) -> Result<diesel::PgConnection, ConnectionError> {
    openssl_sys::init();
    diesel::PgConnection::establish(url)
}

fn open_sqlite(path: &str, new_file: bool) -> Result<diesel::SqliteConnection, ConnectionError> {
    let mut conn = diesel::SqliteConnection::establish(path)?;
    if new_file {
        // Before WAL mode: SQLite gives its -wal and -shm files the database file's mode.
        restrict_to_owner(path);
    }
    // First, on its own: every later statement (switching to WAL included) then waits for another
    // process's lock instead of failing with "database is locked".
    conn.batch_execute(&format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};"))
        .map_err(ConnectionError::CouldntSetupConfiguration)?;
    // FULL: a committed transaction survives a crash of the process and of the machine.
    conn.batch_execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
        .map_err(ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

fn is_busy(e: &ConnectionError) -> bool {
    let text = e.to_string();
    text.contains("database is locked") || text.contains("database is busy")
}

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Sqlite(_) => Backend::Sqlite,
            DbConn::Pg(_) => Backend::Postgres,
        }
    }

    pub fn run_migrations(&mut self) -> Result<usize, String> {
        let applied = match self {
            // Under the write lock: processes starting together on one file take turns, and each one after the
            // first finds the migrations applied instead of applying them twice.
            DbConn::Sqlite(c) => c.immediate_transaction::<_, Box<dyn std::error::Error + Send + Sync>, _>(|c| {
                c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len())
            }),
            DbConn::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
        };
        applied.map_err(|e| e.to_string())
    }

    pub fn migrations_pending(&mut self) -> Result<bool, String> {
        let pending = match self {
            DbConn::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
            DbConn::Pg(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
        };
        pending.map_err(|e| e.to_string())
    }
}

/// A transaction that intends to write. On SQLite it takes the write lock first, so a transaction
/// that reads before it writes cannot fail on lock upgrade; PostgreSQL needs nothing extra.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.transaction(|c| {
        if c.backend() == Backend::Sqlite {
            c.batch_execute("UPDATE write_lock SET n = n + 1 WHERE id = 1")?;
        }
        f(c)
    })
}

/// Creates a directory (and its parents) that only the owner may enter, when it does not exist yet.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

fn restrict_to_owner(path: &str) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            tracing::warn!(error = %e, "cannot restrict the database file to its owner");
        }
    }
}

pub struct ConnectionManager {
    target: DatabaseTarget,
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = ConnectionError;

    fn connect(&self) -> Result<DbConn, ConnectionError> {
        self.target.connect()
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), ConnectionError> {
        conn.batch_execute("SELECT 1").map_err(ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;
pub type PooledConn = r2d2::PooledConnection<ConnectionManager>;

pub fn build_pool(target: &DatabaseTarget, max_size: u32) -> Result<Pool, String> {
    r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        .test_on_check_out(false)
        .build(ConnectionManager { target: target.clone() })
        .map_err(|e| format!("cannot open the database ({}): {e}", target.describe()))
}

/// UUIDv7: unique, and ordered by creation time, which keyset pagination relies on.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Timestamps are kept in UTC at microsecond precision, the finest both backends store.
/// The rule "an involvement active at `at`": begun, and not yet ended. Written once; every query that asks whether
/// someone is involved now filters by it.
#[diesel::dsl::auto_type]
pub fn involvement_active(at: chrono::NaiveDateTime) -> _ {
    schema::involvements::valid_from
        .le(at)
        .and(schema::involvements::valid_until.is_null().or(schema::involvements::valid_until.gt(at)))
}

/// Marks a case for its stuck reasons to be computed again (escalations::service settles the marks). Called in the
/// transaction of every audited change to a case, so a change and its mark commit together.
pub fn mark_case_changed(conn: &mut DbConn, case_id: &str, at: chrono::NaiveDateTime) -> QueryResult<()> {
    use schema::case_changes as cc;
    crate::db_run!(conn, |c| diesel::insert_into(cc::table)
        .values((cc::case_id.eq(case_id), cc::changed_at.eq(at)))
        .on_conflict(cc::case_id)
        .do_update()
        .set(cc::changed_at.eq(at))
        .execute(c))?;
    Ok(())
}

/// Marks the open cases of the households the persons of a match live in today: confirming contact on a match
/// can end a case's "unconfirmed match" reason, and the match's events name no case.
pub fn mark_cases_of_match(conn: &mut DbConn, match_id: &str, at: chrono::NaiveDateTime) -> QueryResult<()> {
    use schema::{cases, household_members as hm, match_members as mm, signals};
    let today = at.date();
    let persons = mm::table.inner_join(signals::table).filter(mm::match_id.eq(match_id)).select(signals::person_id);
    let households = hm::table
        .filter(hm::person_id.eq_any(persons))
        .filter(hm::from_date.le(today))
        .filter(hm::until_date.is_null().or(hm::until_date.gt(today)))
        .select(hm::household_id);
    let open: Vec<String> = cases::table
        .filter(cases::household_id.eq_any(households))
        .filter(cases::state.ne("closed"))
        .select(cases::id)
        .load(conn)?;
    for case in open {
        mark_case_changed(conn, &case, at)?;
    }
    Ok(())
}

pub fn now() -> chrono::NaiveDateTime {
    truncate_micros(chrono::Utc::now().naive_utc())
}

pub fn truncate_micros(t: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    use chrono::Timelike;
    let nanos = t.nanosecond() / 1_000 * 1_000;
    t.with_nanosecond(nanos).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `.cargo/config.toml` builds the bundled SQLite with these: without QPSG every statement with `LIMIT ?` is
    /// prepared again on every execution (docs/benchmarks.md, issue 13).
    #[test]
    fn the_bundled_sqlite_keeps_plans_and_counts_no_memory() {
        use diesel::sql_types::Integer;
        #[derive(diesel::QueryableByName)]
        struct Used {
            #[diesel(sql_type = Integer)]
            qpsg: i32,
            #[diesel(sql_type = Integer)]
            memstatus: i32,
        }
        let mut c = diesel::SqliteConnection::establish(":memory:").unwrap();
        let used: Used = diesel::sql_query(
            "SELECT sqlite_compileoption_used('ENABLE_QPSG') AS qpsg, \
             sqlite_compileoption_used('DEFAULT_MEMSTATUS=0') AS memstatus",
        )
        .get_result(&mut c)
        .unwrap();
        assert_eq!((used.qpsg, used.memstatus), (1, 1));
    }

    #[test]
    fn backend_comes_from_the_scheme_only() {
        assert_eq!(DatabaseTarget::parse("postgres://u@h/db").unwrap().backend(), Backend::Postgres);
        assert_eq!(DatabaseTarget::parse("postgresql://u@h/db").unwrap().backend(), Backend::Postgres);
        assert_eq!(
            DatabaseTarget::parse("sqlite:///tmp/x.db").unwrap(),
            DatabaseTarget::Sqlite(PathBuf::from("/tmp/x.db"))
        );
        assert!(DatabaseTarget::parse("mysql://h/db").unwrap_err().contains("mysql"));
        assert!(DatabaseTarget::parse("postgre://h/db").is_err());
        assert!(DatabaseTarget::parse("eenplan.db").is_err());
        assert!(DatabaseTarget::parse("sqlite://").is_err());
    }

    #[test]
    fn describe_hides_credentials() {
        let t = DatabaseTarget::parse("postgres://user:secret@db.example:5432/eenplan").unwrap();
        assert!(!t.describe().contains("secret"));
        assert!(t.describe().contains("db.example"));
    }
}
