//! A real SMTP server on loopback for the tests that send email: aiosmtpd from PyPI, writing a Maildir.
//! Without `python3 -m aiosmtpd` such tests say so and pass, unless EENPLAN_REQUIRE_SMTP is set (as .ci/run does
//! after installing it), in which case they fail.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{Options, TestApp};
use eenplan::config::SmtpTarget;

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub maildir: PathBuf,
}

pub fn smtp_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("EENPLAN_REQUIRE_SMTP").is_none(),
            "EENPLAN_REQUIRE_SMTP is set but python3 -m aiosmtpd is not available (pip install aiosmtpd)"
        );
        eprintln!("skipped: no SMTP server (pip install aiosmtpd); .ci/run installs it and requires it");
    }
    ok
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl SmtpServer {
    pub fn start(port: u16, maildir: &Path) -> SmtpServer {
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "the SMTP server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpServer { child, port, maildir: maildir.to_path_buf() }
    }

    pub fn stop(mut self) -> (u16, PathBuf) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        (self.port, self.maildir.clone())
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A delivered message: recipient (from the server's X-RcptTo header), subject and the whole text.
pub struct Delivered {
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// Undoes quoted-printable: soft line breaks and =XX escapes.
pub fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'=' && i + 2 < bytes.len())
            .then(|| std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()))
            .flatten();
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

pub fn delivered(maildir: &Path) -> Vec<Delivered> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return Vec::new() };
    entries
        .map(|e| {
            let text = decode_quoted_printable(&std::fs::read_to_string(e.unwrap().path()).unwrap());
            let header = |name: &str| {
                text.lines().find_map(|l| l.strip_prefix(&format!("{name}: "))).unwrap_or_default().trim().to_string()
            };
            Delivered { to: header("X-RcptTo"), subject: header("Subject"), text: text.clone() }
        })
        .collect()
}

pub async fn app_with_smtp(port: u16) -> TestApp {
    TestApp::with(Options { smtp: Some(SmtpTarget { host: "127.0.0.1".into(), port }), ..Default::default() }).await
}
