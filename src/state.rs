//! Application state shared by every request, and the way handlers reach the database.

use actix_web::web;

use crate::access::{Access, Principal};
use crate::audit::{AuditLog, AuditRecord, Outcome};
use crate::config::{Config, Secrets};
use crate::crypto::bsn::BsnProtector;
use crate::crypto::passwords::Passwords;
use crate::crypto::tokens::Tokens;
use crate::db::{self, DbConn, Pool};
use crate::error::AppResult;
use crate::rules::Rules;

pub struct AppState {
    pub config: Config,
    pub pool: Pool,
    pub audit: AuditLog,
    pub access: Access,
    pub tokens: Tokens,
    pub passwords: Passwords,
    /// Encrypts and hashes BSNs with the configured key.
    pub bsn: BsnProtector,
    /// Thresholds of the rules (policies/rules.toml) and the working-day calendar.
    pub rules: Rules,
}

impl AppState {
    /// Opens the database, runs migrations, starts the audit writer and loads the policies.
    pub async fn init(config: Config, secrets: &Secrets) -> Result<Self, String> {
        let mut conn =
            config.database.connect().map_err(|e| format!("cannot open {}: {e}", config.database.describe()))?;
        let applied = conn.run_migrations().map_err(|e| format!("migrations failed: {e}"))?;
        if applied > 0 {
            tracing::info!(applied, "database migrations applied");
        }
        drop(conn);
        let pool = db::build_pool(&config.database, config.pool_size)?;
        let audit = AuditLog::start(config.database.clone(), &config.node_id, config.audit.max_batch);
        let access = Access::load(config.policy_dir.as_deref()).await?;
        let rules = Rules::load(config.policy_dir.as_deref())?;
        let tokens = Tokens::new(&secrets.jwt_secret, &config.auth)?;
        let passwords = Passwords::new(config.auth.argon2_memory_kib);
        let bsn = BsnProtector::new(&secrets.bsn_key);
        Ok(AppState { config, pool, audit, access, tokens, passwords, bsn, rules })
    }
}

/// Runs blocking database work on the blocking thread pool.
pub async fn db<T, F>(state: &web::Data<AppState>, f: F) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
{
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?
}

/// Runs a change and writes the request's audit event in the same transaction.
/// `status` is the status the response will have when the change succeeds.
pub async fn write<T, F>(state: &web::Data<AppState>, audit: &AuditRecord, status: u16, change: F) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
{
    let st = state.clone();
    let audit = audit.clone();
    db(state, move |c| {
        let value = st.audit.write_with(c, |c| {
            let value = change(c)?;
            Ok((value, audit.event(Outcome::Allowed, status, "")))
        })?;
        audit.mark_recorded();
        Ok(value)
    })
    .await
}

/// What a write does to the state, as the audit event (written in the change's own transaction) records it:
/// the route answers `Created` with 201, `Changed` with 200, `Done` with 204 and `Refused` with 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Created,
    Changed,
    /// A change whose answer has no body (a logout, a confirmed second factor).
    Done,
    /// A change made while refusing the request (a refresh token presented twice ends its session): the refusal's
    /// event is written with it.
    Refused,
}

impl Effect {
    pub fn status(self) -> u16 {
        match self {
            Effect::Created => 201,
            Effect::Changed => 200,
            Effect::Done => 204,
            Effect::Refused => 401,
        }
    }
}

/// One use case's context: the application, who asks (`Principal`, or `()` before sign-in) and the request's audit
/// record. Every service function takes one and returns a domain result; the route chooses the HTTP answer.
#[derive(Clone)]
pub struct Ctx<P = Principal> {
    pub state: web::Data<AppState>,
    pub principal: P,
    pub audit: AuditRecord,
}

impl<P> Ctx<P> {
    pub fn new(state: web::Data<AppState>, principal: P, audit: AuditRecord) -> Self {
        Ctx { state, principal, audit }
    }

    /// Reads on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    {
        db(&self.state, f).await
    }

    /// Runs a change and writes the request's audit event in the same transaction.
    pub async fn write<T, F>(&self, effect: Effect, change: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    {
        write(&self.state, &self.audit, effect.status(), change).await
    }

    /// As `write`, for a change that finds out its own effect (a refresh that turns out to be refused).
    pub async fn write_as<T, F>(&self, change: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> AppResult<(T, Effect)> + Send + 'static,
    {
        let st = self.state.clone();
        let audit = self.audit.clone();
        db(&self.state, move |c| {
            let value = st.audit.write_with(c, |c| {
                let (value, effect) = change(c)?;
                Ok((value, audit.event(Outcome::Allowed, effect.status(), "")))
            })?;
            audit.mark_recorded();
            Ok(value)
        })
        .await
    }
}
