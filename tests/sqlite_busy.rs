//! Several processes on one SQLite file: a running server and concurrent `eenplan jobs run` wait for each other's
//! locks instead of failing with "database is locked". SQLite only (the binary runs on the data dir's SQLite file
//! whatever EENPLAN_TEST_DATABASE_URL says): the point is the file shared between processes.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_eenplan");

fn data_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("eenplan-busy-{}", eenplan::db::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args).env_clear().env("EENPLAN_DATA_DIR", dir).env("EENPLAN_LOG", "info").stdin(Stdio::null());
    c
}

fn ready(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let req = "GET /health/ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.starts_with("HTTP/1.1 200")
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Runs `n` `jobs run` processes at once on `dir`; their outputs.
fn concurrent_jobs(dir: &Path, n: usize) -> Vec<Output> {
    let children: Vec<Child> = (0..n)
        .map(|_| command(dir, &["jobs", "run"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap())
        .collect();
    children.into_iter().map(|c| c.wait_with_output().unwrap()).collect()
}

fn assert_all_waited(outputs: &[Output], when: &str) {
    for (i, out) in outputs.iter().enumerate() {
        let t = text(out);
        assert!(!t.to_lowercase().contains("database is locked"), "{when}, job {i}: {t}");
        assert_eq!(out.status.code(), Some(0), "{when}, job {i}: {t}");
    }
}

#[test]
fn concurrent_jobs_on_a_fresh_file_wait_for_each_other() {
    // The first processes on a new file race to create it, switch it to WAL and migrate it.
    for round in 0..3 {
        let dir = data_dir();
        let outputs = concurrent_jobs(&dir, 4);
        assert_all_waited(&outputs, &format!("round {round}"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn jobs_run_while_a_server_starts_and_runs_on_the_same_file() {
    let dir = data_dir();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    // The server and three jobs start together on a new file; then three more while the server runs.
    let child = command(&dir, &["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let server = Server(child);
    let first = concurrent_jobs(&dir, 3);
    let started = Instant::now();
    while !ready(port) {
        let log = std::fs::read_to_string(dir.join("server.log")).unwrap();
        assert!(started.elapsed() < Duration::from_secs(60), "server did not start: {log}");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_all_waited(&first, "while the server started");
    for round in 0..2 {
        let outputs = concurrent_jobs(&dir, 3);
        assert_all_waited(&outputs, &format!("while the server ran, round {round}"));
    }
    drop(server);
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap();
    assert!(!log.to_lowercase().contains("database is locked"), "server: {log}");
    std::fs::remove_dir_all(dir).unwrap();
}
