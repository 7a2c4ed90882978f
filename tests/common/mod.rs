//! TestApp: the real application on a fresh database per test — a new SQLite file, or a new
//! PostgreSQL database when EENPLAN_TEST_DATABASE_URL is set (dropped when the test ends).

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use actix_web::http::header::HeaderMap;
use actix_web::http::{Method, StatusCode};
use actix_web::test::{self, TestRequest};
use actix_web::web;
use diesel::connection::SimpleConnection;
use serde_json::{json, Value};

use eenplan::access::Role;
use eenplan::config::{
    AuditConfig, AuthConfig, Config, ExternalIdpConfig, MailConfig, Secrets, SignalConfig, SmtpTarget, ThrottleConfig,
    WebConfig,
};
use eenplan::db::{new_id, now, DatabaseTarget, DbConn};
use eenplan::identity::model::RoleGrant;
use eenplan::identity::store::{self, NewTeam, NewUser};
use eenplan::AppState;

pub mod pages;
pub mod smtp;
pub mod web_form;
pub mod world;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Response {
    pub fn content_type(&self) -> &str {
        self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Clone, Debug)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub password: String,
    pub totp_secret: Option<String>,
    pub role: Role,
}

pub struct TestApp {
    pub state: web::Data<AppState>,
    pub data_dir: PathBuf,
    pub target: DatabaseTarget,
    pub municipality_id: String,
    pub provider_org_id: String,
    pub team_id: String,
    pg_drop: Option<(String, String)>,
    tokens: Mutex<HashMap<String, String>>,
    client_counter: Mutex<u32>,
}

pub struct Options {
    pub external_idp: Option<ExternalIdpConfig>,
    pub account_failures: i64,
    pub address_failures: i64,
    /// The SMTP server notifications go to (none: they stay queued).
    pub smtp: Option<SmtpTarget>,
    pub secure_cookie: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { external_idp: None, account_failures: 5, address_failures: 1000, smtp: None, secure_cookie: true }
    }
}

pub fn postgres_url() -> Option<String> {
    std::env::var("EENPLAN_TEST_DATABASE_URL").ok().filter(|v| !v.is_empty())
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let prefix = match base.rfind('/') {
        Some(i) if i > base.find("://").map(|j| j + 2).unwrap_or(0) => &base[..i],
        _ => base,
    };
    format!("{prefix}/{name}{query}")
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with(Options::default()).await
    }

    pub async fn with(options: Options) -> TestApp {
        let data_dir = std::env::temp_dir().join(format!("eenplan-test-{}", new_id()));
        std::fs::create_dir_all(&data_dir).unwrap();
        let (target, pg_drop) = match postgres_url() {
            None => (DatabaseTarget::Sqlite(data_dir.join("eenplan.db")), None),
            Some(admin_url) => {
                let name = format!("eenplan_test_{}", new_id().replace('-', ""));
                let mut admin = eenplan::db::establish_postgres(&admin_url).expect("PostgreSQL reachable");
                admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
                (DatabaseTarget::Postgres(with_database(&admin_url, &name)), Some((admin_url, name)))
            }
        };
        let config = Config {
            bind: "127.0.0.1:0".into(),
            data_dir: data_dir.clone(),
            database: target.clone(),
            pool_size: 4,
            node_id: "test".into(),
            policy_dir: None,
            auth: AuthConfig {
                access_token_ttl: Duration::from_secs(900),
                session_ttl: Duration::from_secs(3600),
                argon2_memory_kib: 64,
                throttle: ThrottleConfig {
                    account_failures: options.account_failures,
                    address_failures: options.address_failures,
                    window: Duration::from_secs(900),
                    base_lock: Duration::from_secs(60),
                    max_lock: Duration::from_secs(3600),
                },
                external_idp: options.external_idp,
            },
            audit: AuditConfig { max_batch: 64 },
            break_glass_window: Duration::from_secs(4 * 3600),
            mail: MailConfig {
                smtp: options.smtp,
                from: "eenplan test <noreply@test.eenplan.nl>".into(),
                public_url: "https://eenplan.test".into(),
                max_attempts: 5,
                // A failed attempt is retried after 1, 2, 4 … seconds.
                retry_base: Duration::from_secs(1),
                poll: Duration::from_millis(200),
            },
            signals: SignalConfig { max_age: 23 },
            web: WebConfig {
                secure_cookie: options.secure_cookie,
                idle_timeout: Duration::from_secs(15 * 60),
                absolute_timeout: Duration::from_secs(10 * 3600),
            },
        };
        let secrets = Secrets { jwt_secret: vec![7u8; 32], bsn_key: vec![9u8; 32] };
        let state = web::Data::new(AppState::init(config, &secrets).await.expect("app state"));
        let mut conn = state.pool.get().unwrap();
        let t = now();
        let municipality_id = new_id();
        store::insert_organisation(&mut conn, &municipality_id, "Gemeente Test", "municipality", t).unwrap();
        let provider_org_id = new_id();
        store::insert_organisation(&mut conn, &provider_org_id, "Aanbieder Test", "provider", t).unwrap();
        let team_id = new_id();
        store::insert_team(
            &mut conn,
            &NewTeam {
                id: &team_id,
                organisation_id: &municipality_id,
                name: "Wijkteam Centrum",
                kind: "wijk",
                wijk: Some("Centrum"),
                provider_may_direct: false,
            },
            t,
        )
        .unwrap();
        drop(conn);
        TestApp {
            state,
            data_dir,
            target,
            municipality_id,
            provider_org_id,
            team_id,
            pg_drop,
            tokens: Mutex::new(HashMap::new()),
            client_counter: Mutex::new(0),
        }
    }

    pub fn conn(&self) -> DbConn {
        self.target.connect().unwrap()
    }

    /// Creates a user with one role directly in the database (roles that require it get a TOTP secret).
    pub fn user(&self, role: Role) -> TestUser {
        let org = if role == Role::Provider { &self.provider_org_id } else { &self.municipality_id };
        self.user_in(role, org)
    }

    /// A new organisation of the given kind; its id.
    pub fn organisation(&self, name: &str, kind: &str) -> String {
        let id = new_id();
        store::insert_organisation(&mut self.conn(), &id, name, kind, now()).unwrap();
        id
    }

    /// A user with one role in the given organisation.
    pub fn user_in(&self, role: Role, org: &str) -> TestUser {
        let id = new_id();
        let email = format!("{}-{}@test.eenplan.nl", role.as_str(), &id[id.len() - 8..]);
        let totp = role.requires_totp().then(eenplan::auth::model::new_totp_secret);
        let team = role.requires_team().then(|| self.team_id.clone());
        let mut conn = self.conn();
        store::insert_user(
            &mut conn,
            &NewUser {
                id: &id,
                email: &email,
                display_name: &format!("Test {}", role.as_str()),
                organisation_id: org,
                password_hash: &self.state.passwords.hash(PASSWORD),
                totp_secret: totp.as_deref(),
            },
            &[RoleGrant { role, team_id: team }],
            now(),
        )
        .unwrap();
        TestUser { id, email, password: PASSWORD.into(), totp_secret: totp, role }
    }

    /// A user with one role in a new wijk team of the municipality: out of scope of the app's own team.
    pub fn user_in_other_team(&self, role: Role) -> TestUser {
        let team = self.new_team(false);
        let user = self.user(role);
        store::replace_roles(&mut self.conn(), &user.id, &[RoleGrant { role, team_id: Some(team) }]).unwrap();
        user
    }

    /// A new wijk team of the municipality; `provider_may_direct` lets provider professionals direct its cases.
    pub fn new_team(&self, provider_may_direct: bool) -> String {
        let team = new_id();
        store::insert_team(
            &mut self.conn(),
            &NewTeam {
                id: &team,
                organisation_id: &self.municipality_id,
                name: &format!("Wijkteam {team}"),
                kind: "wijk",
                wijk: Some("Noord"),
                provider_may_direct,
            },
            now(),
        )
        .unwrap();
        team
    }

    pub fn totp_now(secret: &str) -> String {
        eenplan::auth::model::totp_code_now(secret, chrono::Utc::now().timestamp()).unwrap()
    }

    pub async fn login_response(&self, user: &TestUser) -> Response {
        let mut body = json!({"email": user.email, "password": user.password});
        if let Some(secret) = &user.totp_secret {
            body["totp"] = json!(Self::totp_now(secret));
        }
        self.call(Method::POST, "/api/v1/auth/login", None, Some(body), &[]).await
    }

    /// Logs in once per user and caches the token (a TOTP code cannot be used twice).
    pub async fn token(&self, user: &TestUser) -> String {
        if let Some(t) = self.tokens.lock().unwrap().get(&user.id) {
            return t.clone();
        }
        let res = self.login_response(user).await;
        assert_eq!(res.status, StatusCode::OK, "login of {}: {}", user.email, res.text);
        let token = res.body["accessToken"].as_str().unwrap().to_string();
        self.tokens.lock().unwrap().insert(user.id.clone(), token.clone());
        token
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Response {
        let app = test::init_service(eenplan::build_app(self.state.clone())).await;
        let mut req = TestRequest::default().method(method).uri(path).peer_addr("192.0.2.10:40000".parse().unwrap());
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        if let Some(b) = body {
            req = req.set_json(b);
        }
        let res = test::call_service(&app, req.to_request()).await;
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = test::read_body(res).await;
        let text = String::from_utf8_lossy(&bytes).to_string();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Response { status, headers, body, text }
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.call(Method::GET, path, Some(token), None, &[]).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.call(Method::POST, path, Some(token), Some(body), &[]).await
    }

    /// All audit events, oldest first, straight from the database.
    pub fn audit_events(&self) -> Vec<eenplan::audit::model::StoredEvent> {
        let mut conn = self.conn();
        let filter = eenplan::audit::store::EventFilter { limit: 100_000, ..Default::default() };
        let mut rows: Vec<_> =
            eenplan::audit::store::list(&mut conn, &filter).unwrap().into_iter().map(|r| r.into_stored()).collect();
        rows.reverse();
        rows
    }

    pub fn backend_sql(&self, sqlite: &str, postgres: &str) {
        let mut conn = self.conn();
        let sql = match self.target {
            DatabaseTarget::Sqlite(_) => sqlite,
            DatabaseTarget::Postgres(_) => postgres,
        };
        conn.batch_execute(sql).unwrap();
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.target, DatabaseTarget::Postgres(_))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let Some((admin_url, name)) = self.pg_drop.take() {
            if let Ok(mut admin) = eenplan::db::establish_postgres(&admin_url) {
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}
