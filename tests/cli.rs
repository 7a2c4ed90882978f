//! The `eenplan` binary itself: startup errors, `user add`, `serve`, durability of acknowledged audit events
//! across a killed process, and `audit verify` before and after tampering. SQLite only: the point is the process.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::Connection;

const BIN: &str = env!("CARGO_BIN_EXE_eenplan");

fn data_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("eenplan-cli-{}", eenplan::db::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn eenplan(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_clear()
        .env("EENPLAN_DATA_DIR", dir)
        .env("EENPLAN_LOG", "warn")
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn http(port: u16, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, out))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn an_unknown_database_scheme_is_a_startup_error_and_creates_nothing() {
    let dir = data_dir();
    let out = eenplan(&dir, &["migrate"], &[("EENPLAN_DATABASE_URL", "mysql://localhost/eenplan")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown database URL scheme 'mysql'"));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "nothing may be created");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn acknowledged_events_survive_a_killed_process_and_tampering_is_detected() {
    let dir = data_dir();
    assert!(eenplan(&dir, &["migrate"], &[]).status.success());
    // Set-up for user add: one organisation (the CLI picks the only one).
    let db = dir.join("eenplan.db");
    let mut conn = diesel::SqliteConnection::establish(db.to_str().unwrap()).unwrap();
    conn.batch_execute(
        "INSERT INTO organisations (id, name, kind, active, version, created_at, updated_at)
         VALUES ('org-1', 'Gemeente Test', 'municipality', 1, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    )
    .unwrap();
    drop(conn);
    let add = eenplan(
        &dir,
        &["user", "add", "--email", "w@test.nl", "--name", "W", "--role", "provider"],
        &[("EENPLAN_PASSWORD", "a long enough password")],
    );
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));

    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(BIN)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env_clear()
        .env("EENPLAN_DATA_DIR", &dir)
        .env("EENPLAN_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let started = Instant::now();
    while http(port, "GET", "/health/ready", "").map(|r| r.0) != Some(200) {
        assert!(started.elapsed() < Duration::from_secs(30), "server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let login = r#"{"email":"w@test.nl","password":"a long enough password"}"#;
    let mut acknowledged = 0;
    for _ in 0..5 {
        let (status, _) = http(port, "POST", "/api/v1/auth/login", login).unwrap();
        assert_eq!(status, 200);
        acknowledged += 1;
    }
    // SIGKILL: no shutdown, no flush. What was acknowledged must already be on disk.
    server.0.kill().unwrap();
    server.0.wait().unwrap();

    let verify = eenplan(&dir, &["audit", "verify"], &[]);
    let text = String::from_utf8_lossy(&verify.stdout).to_string();
    assert_eq!(verify.status.code(), Some(0), "{text}");
    let mut conn = eenplan::db::DbConn::Sqlite(diesel::SqliteConnection::establish(db.to_str().unwrap()).unwrap());
    let filter =
        eenplan::audit::store::EventFilter { action: Some("auth.login".into()), limit: 100, ..Default::default() };
    let logins = eenplan::audit::store::list(&mut conn, &filter).unwrap();
    assert!(logins.iter().all(|row| row.outcome == "allowed"));
    let logins = logins.len();
    assert_eq!(logins, acknowledged, "every acknowledged login has its event");

    conn.batch_execute(
        "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;
         UPDATE audit_events SET client_address = '10.9.9.9' WHERE id = (SELECT MIN(id) + 1 FROM audit_events);",
    )
    .unwrap();
    let broken = eenplan(&dir, &["audit", "verify"], &[]);
    let text = String::from_utf8_lossy(&broken.stdout).to_string();
    assert_eq!(broken.status.code(), Some(1), "{text}");
    assert!(text.contains("BROKEN") && text.contains("altered"), "{text}");
    drop(server);
    std::fs::remove_dir_all(dir).unwrap();
}

fn http_with_token(port: u16, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    (out.split_whitespace().nth(1).unwrap().parse().unwrap(), out)
}

/// The check of issue 3: after searching for a person by BSN (and sending it wrongly, too), the BSN is nowhere in
/// the server's log, at its most verbose, nor anywhere in the database files, the audit table included.
#[test]
fn a_searched_bsn_never_reaches_the_log_or_the_database_in_the_clear() {
    let dir = data_dir();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    let child = Command::new(BIN)
        .args(["demo", "--bind", &format!("127.0.0.1:{port}")])
        .env_clear()
        .env("EENPLAN_DATA_DIR", &dir)
        .env("EENPLAN_LOG", "trace")
        .env("EENPLAN_DEMO_PASSWORD", "demo-wachtwoord-2026")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let started = Instant::now();
    while http(port, "GET", "/health/ready", "").map(|r| r.0) != Some(200) {
        assert!(started.elapsed() < Duration::from_secs(60), "server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let login = r#"{"email":"wijkteam@demo.eenplan.nl","password":"demo-wachtwoord-2026"}"#;
    let (status, res) = http(port, "POST", "/api/v1/auth/login", login).unwrap();
    assert_eq!(status, 200, "{res}");
    let body = &res[res.find("\r\n\r\n").unwrap() + 4..];
    let token = body.split("\"accessToken\":\"").nth(1).unwrap().split('"').next().unwrap().to_string();

    // The demo's first resident.
    let bsn = eenplan::households::bsn::synthetic(0);
    let digits = bsn.expose();
    let (status, found) =
        http_with_token(port, "POST", "/api/v1/persons/search", &token, &format!(r#"{{"bsn":"{digits}"}}"#));
    assert_eq!(status, 200, "{found}");
    assert!(found.contains("Samira El Amrani"), "{found}");
    let (status, _) =
        http_with_token(port, "POST", "/api/v1/persons/search", &token, &format!(r#"{{"bsn":{digits}}}"#));
    assert_eq!(status, 400);
    let (status, _) =
        http_with_token(port, "POST", "/api/v1/persons/search", &token, &format!(r#"{{"bsn":"{digits}","x":1}}"#));
    assert_eq!(status, 400);
    server.0.kill().unwrap();
    server.0.wait().unwrap();

    let log = std::fs::read_to_string(dir.join("server.log")).unwrap();
    assert!(log.contains(r#"route="/api/v1/persons/search" status=200"#), "the search is in the log: {log}");
    assert!(!log.contains(digits), "BSN in the server log");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(!bytes.windows(9).any(|w| w == digits.as_bytes()), "BSN in the clear in {}", path.display());
        }
    }
    // The search itself was audited, as a search.
    let db = dir.join("eenplan.db");
    let mut conn = eenplan::db::DbConn::Sqlite(diesel::SqliteConnection::establish(db.to_str().unwrap()).unwrap());
    let filter =
        eenplan::audit::store::EventFilter { action: Some("person.search".into()), limit: 10, ..Default::default() };
    assert!(!eenplan::audit::store::list(&mut conn, &filter).unwrap().is_empty());
    drop(conn);
    std::fs::remove_dir_all(dir).unwrap();
}

/// The benchmarks' generated access log (`demo-scale --audit-events`): one chain of its own that `audit verify`
/// accepts, with the person index filled for the demo person it names.
#[test]
fn the_generated_access_log_verifies_and_indexes_its_person() {
    use diesel::prelude::*;
    use eenplan::db::schema::audit_event_persons as ap;
    let dir = data_dir();
    let gen = eenplan(
        &dir,
        &["demo-scale", "--audit-events", "12000", "--person-events", "300"],
        &[("EENPLAN_DEMO_PASSWORD", "demo-wachtwoord-2026")],
    );
    let out = String::from_utf8_lossy(&gen.stdout).to_string();
    assert_eq!(gen.status.code(), Some(0), "{out}{}", String::from_utf8_lossy(&gen.stderr));
    let person = out.split("naming person ").nth(1).and_then(|r| r.split(' ').next()).unwrap().to_string();
    assert!(out.contains("12000 audit events over a year, 300 naming person"), "{out}");
    let verify = eenplan(&dir, &["audit", "verify"], &[]);
    assert_eq!(verify.status.code(), Some(0), "{}", String::from_utf8_lossy(&verify.stdout));
    let db = dir.join("eenplan.db");
    let mut conn = eenplan::db::DbConn::Sqlite(diesel::SqliteConnection::establish(db.to_str().unwrap()).unwrap());
    let indexed: i64 = ap::table.filter(ap::person_id.eq(&person)).count().get_result(&mut conn).unwrap();
    // The demo's own events may name the person too.
    assert!(indexed >= 300, "{indexed}");
}

/// Retention on a fresh demo (issue 16's check): the dry run lists the demo's old closed youth case and its old
/// chain of the audit log, the run removes exactly that, and `audit verify` still passes after the pruning.
#[test]
fn retention_on_the_demo_removes_what_the_dry_run_lists_and_the_log_still_verifies() {
    let dir = data_dir();
    let seed =
        eenplan(&dir, &["demo-scale", "--households", "0"], &[("EENPLAN_DEMO_PASSWORD", "demo-wachtwoord-2026")]);
    assert_eq!(seed.status.code(), Some(0), "{}", String::from_utf8_lossy(&seed.stderr));
    let text = |o: &Output| String::from_utf8_lossy(&o.stdout).to_string();
    let plan = eenplan(&dir, &["retention", "plan"], &[]);
    let listed = text(&plan);
    assert_eq!(plan.status.code(), Some(0), "{listed}{}", String::from_utf8_lossy(&plan.stderr));
    assert!(listed.contains("would erase case ") && listed.contains("Jeugdwet"), "{listed}");
    assert!(listed.contains("would erase: 1 cases, 1 households, 1 persons; 12 audit events"), "{listed}");
    let case = listed.split("would erase case ").nth(1).and_then(|r| r.split(' ').next()).unwrap().to_string();
    let run = eenplan(&dir, &["retention", "run"], &[]);
    let done = text(&run);
    assert_eq!(run.status.code(), Some(0), "{done}{}", String::from_utf8_lossy(&run.stderr));
    assert!(done.contains(&format!("erased case {case} ")), "{done}");
    assert!(done.contains("erased: 1 cases, 1 households, 1 persons; 12 audit events"), "{done}");
    let verify = eenplan(&dir, &["audit", "verify"], &[]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    assert!(text(&verify).contains("(1 continuing after a retention checkpoint)"), "{}", text(&verify));
    let again = eenplan(&dir, &["retention", "plan"], &[]);
    assert!(text(&again).contains("would erase: 0 cases, 0 households, 0 persons; 0 audit events"), "{}", text(&again));
}
