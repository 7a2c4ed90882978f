//! Typed configuration, one struct per concern, read from EENPLAN_* environment variables.
//! docs/configuration.md lists every variable.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;

use crate::db::DatabaseTarget;

#[derive(Clone, Debug)]
pub struct Config {
    pub bind: String,
    pub data_dir: PathBuf,
    pub database: DatabaseTarget,
    pub pool_size: u32,
    /// Names this node's audit chain; chains are per writer so nodes never serialise on one head.
    pub node_id: String,
    pub policy_dir: Option<PathBuf>,
    pub auth: AuthConfig,
    pub audit: AuditConfig,
    /// How long a break-glass grant lasts (1 to 24 hours).
    pub break_glass_window: Duration,
    pub mail: MailConfig,
    pub signals: SignalConfig,
    pub web: WebConfig,
}

/// The web client's sessions.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// `Secure` and `__Host-` on the session cookie. Off only on a loopback address over plain HTTP.
    pub secure_cookie: bool,
    /// A session unused this long ends (default 15 minutes).
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, however busy (default 10 hours).
    pub absolute_timeout: Duration,
}

/// Email delivery from the outbox.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// `smtp://host[:port]` of the relay (plain SMTP: a relay on the same host or network); None keeps mail queued.
    pub smtp: Option<SmtpTarget>,
    /// The sender address.
    pub from: String,
    /// Where the web client lives; emails link there.
    pub public_url: String,
    /// Attempts before a message is marked failed.
    pub max_attempts: i32,
    /// Wait after the first failed attempt; doubled after each further one, at most an hour.
    pub retry_base: Duration,
    /// How often the delivery worker looks for due messages.
    pub poll: Duration,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpTarget {
    pub host: String,
    pub port: u16,
}

impl SmtpTarget {
    /// `smtp://host[:port]` (port 25 by default). Anything else is refused at start-up, never guessed.
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url.strip_prefix("smtp://").ok_or("only smtp://host[:port] is supported")?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| format!("'{p}' is not a port"))?),
            None => (rest, 25),
        };
        if host.is_empty() || host.contains(['/', '@', '?']) {
            return Err("expected smtp://host[:port]".into());
        }
        Ok(SmtpTarget { host: host.to_string(), port })
    }
}

/// The Verwijsindex-style signals.
#[derive(Clone, Debug)]
pub struct SignalConfig {
    /// Subjects of this age or older on the day of signalling are refused; signals end on this birthday.
    pub max_age: i32,
}

#[derive(Clone, Debug)]
pub struct AuthConfig {
    pub access_token_ttl: Duration,
    pub session_ttl: Duration,
    pub argon2_memory_kib: u32,
    pub throttle: ThrottleConfig,
    pub external_idp: Option<ExternalIdpConfig>,
}

#[derive(Clone, Debug)]
pub struct ThrottleConfig {
    /// Failures per account within the window before it is locked.
    pub account_failures: i64,
    /// Failures per client address within the window before it is locked.
    pub address_failures: i64,
    pub window: Duration,
    /// First lockout; each further failure doubles it, up to `max_lock`.
    pub base_lock: Duration,
    pub max_lock: Duration,
}

#[derive(Clone, Debug)]
pub struct ExternalIdpConfig {
    pub issuer: String,
    pub audience: String,
    pub algorithm: jsonwebtoken::Algorithm,
    pub public_key_pem: String,
}

#[derive(Clone, Debug)]
pub struct AuditConfig {
    /// Most events one group commit takes.
    pub max_batch: usize,
}

/// Key material. Never logged, never serialised.
#[derive(Clone)]
pub struct Secrets {
    pub jwt_secret: Vec<u8>,
    pub bsn_key: Vec<u8>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(..)")
    }
}

type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

fn parse_num<T: std::str::FromStr>(get: Lookup, key: &str, default: T) -> Result<T, String> {
    match get(key) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| format!("{key}: '{v}' is not a valid number")),
    }
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(&|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    pub fn from_lookup(get: Lookup) -> Result<Self, String> {
        let data_dir = PathBuf::from(get("EENPLAN_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database = match get("EENPLAN_DATABASE_URL") {
            Some(url) => DatabaseTarget::parse(&url).map_err(|e| format!("EENPLAN_DATABASE_URL: {e}"))?,
            None => DatabaseTarget::sqlite_in(&data_dir),
        };
        let default_pool = match database {
            DatabaseTarget::Sqlite(_) => 8,
            DatabaseTarget::Postgres(_) => 16,
        };
        let external_idp = match get("EENPLAN_IDP_ISSUER") {
            None => None,
            Some(issuer) => Some(ExternalIdpConfig::from_lookup(get, issuer)?),
        };
        let bind = get("EENPLAN_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        Ok(Config {
            database,
            pool_size: parse_num(get, "EENPLAN_DATABASE_POOL_SIZE", default_pool)?,
            node_id: get("EENPLAN_NODE_ID").unwrap_or_else(default_node_id),
            policy_dir: get("EENPLAN_POLICY_DIR").map(PathBuf::from),
            auth: AuthConfig {
                access_token_ttl: Duration::from_secs(15 * 60),
                session_ttl: Duration::from_secs(parse_num(get, "EENPLAN_SESSION_HOURS", 12u64)? * 3600),
                argon2_memory_kib: parse_num(get, "EENPLAN_ARGON2_MEMORY_KIB", 19_456u32)?,
                throttle: ThrottleConfig {
                    account_failures: parse_num(get, "EENPLAN_LOGIN_ACCOUNT_FAILURES", 5i64)?,
                    address_failures: parse_num(get, "EENPLAN_LOGIN_ADDRESS_FAILURES", 20i64)?,
                    window: Duration::from_secs(15 * 60),
                    base_lock: Duration::from_secs(60),
                    max_lock: Duration::from_secs(3600),
                },
                external_idp,
            },
            audit: AuditConfig { max_batch: parse_num(get, "EENPLAN_AUDIT_MAX_BATCH", 512usize)? },
            break_glass_window: {
                let hours = parse_num(get, "EENPLAN_BREAK_GLASS_HOURS", 4u64)?;
                if !(1..=24).contains(&hours) {
                    return Err(format!("EENPLAN_BREAK_GLASS_HOURS must be 1 to 24, not {hours}"));
                }
                Duration::from_secs(hours * 3600)
            },
            mail: MailConfig {
                smtp: get("EENPLAN_SMTP_URL")
                    .map(|u| SmtpTarget::parse(&u).map_err(|e| format!("EENPLAN_SMTP_URL: {e}")))
                    .transpose()?,
                from: get("EENPLAN_MAIL_FROM").unwrap_or_else(|| "eenplan <noreply@eenplan.invalid>".into()),
                public_url: get("EENPLAN_PUBLIC_URL")
                    .unwrap_or_else(|| "http://127.0.0.1:8080".into())
                    .trim_end_matches('/')
                    .to_string(),
                max_attempts: parse_num(get, "EENPLAN_MAIL_MAX_ATTEMPTS", 10i32)?.max(1),
                retry_base: Duration::from_secs(parse_num(get, "EENPLAN_MAIL_RETRY_SECONDS", 30u64)?.max(1)),
                poll: Duration::from_millis(parse_num(get, "EENPLAN_MAIL_POLL_MS", 5000u64)?.max(100)),
            },
            signals: SignalConfig {
                max_age: {
                    let age = parse_num(get, "EENPLAN_SIGNAL_MAX_AGE", 23i32)?;
                    if !(1..=120).contains(&age) {
                        return Err(format!("EENPLAN_SIGNAL_MAX_AGE must be 1 to 120, not {age}"));
                    }
                    age
                },
            },
            web: web_config(get, &bind)?,
            bind,
            data_dir,
        })
    }
}

fn web_config(get: Lookup, bind: &str) -> Result<WebConfig, String> {
    let secure_cookie = match get("EENPLAN_WEB_SECURE_COOKIE").as_deref().map(str::trim) {
        None | Some("true") | Some("1") => true,
        Some("false") | Some("0") => false,
        Some(other) => return Err(format!("EENPLAN_WEB_SECURE_COOKIE: '{other}' is not true or false")),
    };
    if !secure_cookie && !is_loopback(bind) {
        return Err(format!("EENPLAN_WEB_SECURE_COOKIE=false is only allowed on a loopback address, not on {bind}"));
    }
    let idle = parse_num(get, "EENPLAN_WEB_IDLE_MINUTES", 15u64)?;
    let absolute = parse_num(get, "EENPLAN_WEB_ABSOLUTE_HOURS", 10u64)?;
    if !(1..=24 * 60).contains(&idle) {
        return Err(format!("EENPLAN_WEB_IDLE_MINUTES must be 1 to 1440, not {idle}"));
    }
    if !(1..=24).contains(&absolute) {
        return Err(format!("EENPLAN_WEB_ABSOLUTE_HOURS must be 1 to 24, not {absolute}"));
    }
    Ok(WebConfig {
        secure_cookie,
        idle_timeout: Duration::from_secs(idle * 60),
        absolute_timeout: Duration::from_secs(absolute * 3600),
    })
}

/// `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080`.
pub fn is_loopback(bind: &str) -> bool {
    let host = bind.rsplit_once(':').map(|(h, _)| h).unwrap_or(bind);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl ExternalIdpConfig {
    fn from_lookup(get: Lookup, issuer: String) -> Result<Self, String> {
        let audience =
            get("EENPLAN_IDP_AUDIENCE").ok_or("EENPLAN_IDP_AUDIENCE is required when EENPLAN_IDP_ISSUER is set")?;
        let algorithm = match get("EENPLAN_IDP_ALGORITHM").as_deref().unwrap_or("RS256") {
            "RS256" => jsonwebtoken::Algorithm::RS256,
            "ES256" => jsonwebtoken::Algorithm::ES256,
            other => return Err(format!("EENPLAN_IDP_ALGORITHM: '{other}' is not RS256 or ES256")),
        };
        let public_key_pem = match (get("EENPLAN_IDP_PUBLIC_KEY"), get("EENPLAN_IDP_PUBLIC_KEY_FILE")) {
            (Some(pem), _) => pem,
            (None, Some(path)) => {
                std::fs::read_to_string(&path).map_err(|e| format!("EENPLAN_IDP_PUBLIC_KEY_FILE {path}: {e}"))?
            }
            (None, None) => {
                return Err("EENPLAN_IDP_PUBLIC_KEY or EENPLAN_IDP_PUBLIC_KEY_FILE is required \
                            when EENPLAN_IDP_ISSUER is set"
                    .into())
            }
        };
        Ok(ExternalIdpConfig { issuer, audience, algorithm, public_key_pem })
    }
}

fn default_node_id() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".into())
}

impl Secrets {
    /// Secrets from the environment, or generated once and kept in `<data dir>/secrets` (mode 0600).
    pub fn load(data_dir: &Path) -> Result<Self, String> {
        Self::load_with(data_dir, &|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    pub fn load_with(data_dir: &Path, get: Lookup) -> Result<Self, String> {
        Ok(Secrets {
            jwt_secret: secret(get, data_dir, "EENPLAN_JWT_SECRET", "jwt-signing.key")?,
            bsn_key: secret(get, data_dir, "EENPLAN_BSN_KEY", "bsn.key")?,
        })
    }
}

fn secret(get: Lookup, data_dir: &Path, var: &str, file: &str) -> Result<Vec<u8>, String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    if let Some(value) = get(var) {
        let bytes = b64.decode(value.trim()).map_err(|_| format!("{var} is not valid base64"))?;
        if bytes.len() < 32 {
            return Err(format!("{var} must hold at least 32 bytes"));
        }
        return Ok(bytes);
    }
    let dir = data_dir.join("secrets");
    let path = dir.join(file);
    if path.exists() {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        return b64.decode(text.trim()).map_err(|_| format!("{} is not valid base64", path.display()));
    }
    crate::db::create_private_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // Straight from the OS (not `crypto`, which reads its settings from here).
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("random source: {e}"))?;
    // Written whole under a temporary name, then linked into place: a process starting at the same moment sees
    // either no key or the complete one, and the one that loses the race uses the winner's.
    let tmp = dir.join(format!("{file}.{}.tmp", crate::db::new_id()));
    write_private_file(&tmp, b64.encode(bytes).as_bytes())?;
    let linked = std::fs::hard_link(&tmp, &path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            return b64.decode(text.trim()).map_err(|_| format!("{} is not valid base64", path.display()));
        }
        Err(e) => return Err(format!("{}: {e}", path.display())),
    }
    tracing::warn!(
        file = %path.display(),
        "{var} is not set: generated a new key and stored it in the data directory"
    );
    Ok(bytes.to_vec())
}

/// Creates a file readable by its owner only. Fails if it exists, so a key is never overwritten.
pub fn write_private_file(path: &Path, content: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(content).and_then(|_| f.sync_all()).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(&move |k| map.get(k).cloned())
    }

    #[test]
    fn defaults_to_sqlite_in_the_data_dir() {
        let c = config(&[("EENPLAN_DATA_DIR", "/tmp/ep")]).unwrap();
        assert_eq!(c.database, DatabaseTarget::Sqlite(PathBuf::from("/tmp/ep/eenplan.db")));
        assert_eq!(c.bind, "127.0.0.1:8080");
    }

    #[test]
    fn unknown_database_scheme_is_a_startup_error() {
        let err = config(&[("EENPLAN_DATABASE_URL", "mysql://x/y")]).unwrap_err();
        assert!(err.contains("EENPLAN_DATABASE_URL"), "{err}");
    }

    #[test]
    fn smtp_url_is_smtp_host_and_port_or_a_startup_error() {
        assert_eq!(config(&[]).unwrap().mail.smtp, None);
        let c = config(&[("EENPLAN_SMTP_URL", "smtp://127.0.0.1:1025")]).unwrap();
        assert_eq!(c.mail.smtp, Some(SmtpTarget { host: "127.0.0.1".into(), port: 1025 }));
        assert_eq!(config(&[("EENPLAN_SMTP_URL", "smtp://relay")]).unwrap().mail.smtp.unwrap().port, 25);
        for bad in ["smtps://relay", "relay:25", "smtp://:25", "smtp://user@relay", "smtp://relay:port"] {
            let err = config(&[("EENPLAN_SMTP_URL", bad)]).unwrap_err();
            assert!(err.contains("EENPLAN_SMTP_URL"), "{bad}: {err}");
        }
        assert!(config(&[("EENPLAN_SIGNAL_MAX_AGE", "0")]).is_err());
        assert_eq!(config(&[]).unwrap().signals.max_age, 23);
    }

    #[test]
    fn web_cookies_are_secure_unless_on_loopback() {
        let c = config(&[]).unwrap().web;
        assert!(c.secure_cookie);
        assert_eq!((c.idle_timeout.as_secs(), c.absolute_timeout.as_secs()), (15 * 60, 10 * 3600));
        assert!(!config(&[("EENPLAN_WEB_SECURE_COOKIE", "false")]).unwrap().web.secure_cookie);
        let public = [("EENPLAN_WEB_SECURE_COOKIE", "false"), ("EENPLAN_BIND", "0.0.0.0:8080")];
        assert!(config(&public).unwrap_err().contains("loopback"));
        assert!(config(&[("EENPLAN_WEB_SECURE_COOKIE", "nee")]).is_err());
        assert!(config(&[("EENPLAN_WEB_IDLE_MINUTES", "0")]).is_err());
        let minutes = config(&[("EENPLAN_WEB_IDLE_MINUTES", "5"), ("EENPLAN_WEB_ABSOLUTE_HOURS", "2")]).unwrap().web;
        assert_eq!((minutes.idle_timeout.as_secs(), minutes.absolute_timeout.as_secs()), (300, 7200));
        for (bind, loopback) in [("127.0.0.1:1", true), ("[::1]:1", true), ("localhost:1", true), ("10.0.0.1:1", false)]
        {
            assert_eq!(is_loopback(bind), loopback, "{bind}");
        }
    }

    #[test]
    fn external_idp_needs_audience_and_key() {
        assert!(config(&[("EENPLAN_IDP_ISSUER", "https://idp")]).is_err());
        assert!(config(&[("EENPLAN_IDP_ISSUER", "https://idp"), ("EENPLAN_IDP_AUDIENCE", "a")]).is_err());
        let c = config(&[
            ("EENPLAN_IDP_ISSUER", "https://idp"),
            ("EENPLAN_IDP_AUDIENCE", "a"),
            ("EENPLAN_IDP_PUBLIC_KEY", "pem"),
            ("EENPLAN_IDP_ALGORITHM", "ES256"),
        ])
        .unwrap();
        assert_eq!(c.auth.external_idp.unwrap().algorithm, jsonwebtoken::Algorithm::ES256);
    }

    #[test]
    fn generated_secrets_are_private_and_stable() {
        let dir = std::env::temp_dir().join(format!("eenplan-secrets-{}", crate::db::new_id()));
        let first = Secrets::load_with(&dir, &|_| None).unwrap();
        let second = Secrets::load_with(&dir, &|_| None).unwrap();
        assert_eq!(first.jwt_secret, second.jwt_secret);
        assert_ne!(first.jwt_secret, first.bsn_key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("secrets/jwt-signing.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
