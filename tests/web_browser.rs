//! The web client in a real headless Chromium: `eenplan demo` is started on a free loopback port, and
//! tests/browser/run.mjs (playwright-core driving Debian's chromium, axe-core for WCAG 2.1 A/AA) signs in as the
//! demo's people and does each screen's main task with the keyboard, with JavaScript on and off, checking the
//! result through the API and that no request leaves the origin.
//!
//! Needs `chromium`, `node` and `npm ci --prefix tests/browser` (axe-core and playwright-core from the npm registry).
//! Without them the test says it is skipped; `.ci/run` installs them and sets `EENPLAN_REQUIRE_BROWSER=1`, so there
//! it cannot be skipped. With `EENPLAN_TEST_DATABASE_URL` the demo runs on a fresh PostgreSQL database.
//! `EENPLAN_SCREENSHOT_DIR=docs/screenshots` refreshes the screenshots of docs/web.md.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;

const BIN: &str = env!("CARGO_BIN_EXE_eenplan");
const PASSWORD: &str = "browser-wachtwoord-2026";

fn find_on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|dir| names.iter().map(move |n| dir.join(n))).find(|p| p.is_file())
}

/// What the browser test needs, or why it cannot run here.
fn prerequisites(dir: &Path) -> Result<(PathBuf, PathBuf), String> {
    let chromium = match std::env::var("EENPLAN_CHROMIUM") {
        Ok(p) => PathBuf::from(p),
        Err(_) => find_on_path(&["chromium", "chromium-browser"]).ok_or("no chromium on the PATH")?,
    };
    let node = find_on_path(&["node"]).ok_or("no node on the PATH")?;
    if !dir.join("node_modules/playwright-core").is_dir() || !dir.join("node_modules/axe-core").is_dir() {
        return Err("tests/browser/node_modules is missing (run `npm ci --prefix tests/browser`)".into());
    }
    Ok((chromium, node))
}

struct Demo {
    child: Child,
    pg_drop: Option<(String, String)>,
    data_dir: PathBuf,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some((admin, name)) = &self.pg_drop {
            if let Ok(mut c) = eenplan::db::establish_postgres(admin) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_demo() -> (Demo, String, PathBuf) {
    let data_dir = std::env::temp_dir().join(format!("eenplan-browser-{}", eenplan::db::new_id()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let port = free_port();
    let mut cmd = Command::new(BIN);
    cmd.arg("demo")
        .env_clear()
        .env("EENPLAN_DATA_DIR", &data_dir)
        .env("EENPLAN_BIND", format!("127.0.0.1:{port}"))
        .env("EENPLAN_DEMO_PASSWORD", PASSWORD)
        .env("EENPLAN_WEB_SECURE_COOKIE", "false")
        .env("EENPLAN_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut pg_drop = None;
    if let Ok(admin) = std::env::var("EENPLAN_TEST_DATABASE_URL") {
        let name = format!("eenplan_browser_{}", eenplan::db::new_id().replace('-', ""));
        let mut c = eenplan::db::establish_postgres(&admin).expect("PostgreSQL reachable");
        c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin.clone());
        cmd.env("EENPLAN_DATABASE_URL", format!("{base}/{name}"));
        pg_drop = Some((admin, name));
    }
    let mut child = cmd.spawn().expect("start eenplan demo");
    let stdout = child.stdout.take().unwrap();
    let demo = Demo { child, pg_drop, data_dir };
    // The demo prints its accounts, then listens.
    std::thread::spawn(move || for _ in BufReader::new(stdout).lines() {});
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "eenplan demo did not start listening");
        std::thread::sleep(Duration::from_millis(200));
    }
    let accounts = demo.data_dir.join("demo-accounts.json");
    (demo, base, accounts)
}

#[test]
fn every_screen_works_with_the_keyboard_with_and_without_javascript_and_passes_axe() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let (chromium, node) = match prerequisites(&dir) {
        Ok(found) => found,
        Err(why) => {
            assert!(
                std::env::var("EENPLAN_REQUIRE_BROWSER").is_err(),
                "EENPLAN_REQUIRE_BROWSER is set but the browser test cannot run: {why}"
            );
            eprintln!("eenplan: the browser tests of the web client were SKIPPED ({why})");
            return;
        }
    };
    let (_demo, base, accounts) = start_demo();
    let shots = std::env::var("EENPLAN_SCREENSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join(format!("eenplan-screens-{}", eenplan::db::new_id())));
    // EENPLAN_BROWSER_SCENARIOS="09_team 10_provider" runs only those (file names without .mjs).
    let only: Vec<String> = std::env::var("EENPLAN_BROWSER_SCENARIOS")
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let out = Command::new(node)
        .arg(dir.join("run.mjs"))
        .args(&only)
        .env("EENPLAN_DEMO_ACCOUNTS", &accounts)
        .env("EENPLAN_BASE_URL", &base)
        .env("EENPLAN_DEMO_PASSWORD", PASSWORD)
        .env("EENPLAN_CHROMIUM", chromium)
        .env("EENPLAN_SCREENSHOT_DIR", &shots)
        .stdin(Stdio::null())
        .output()
        .expect("run node");
    let report = String::from_utf8_lossy(&out.stdout);
    println!("{report}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "browser tests failed:\n{report}");
    assert!(report.contains("no request left"), "the origin check ran");
    assert!(!report.contains("FAILED"), "{report}");
}
