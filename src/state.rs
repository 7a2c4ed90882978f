//! Application state shared by every request, and the way handlers reach the database.

use actix_web::web;

use crate::access::Access;
use crate::audit::{AuditLog, AuditScope, Outcome};
use crate::auth::jwt::Tokens;
use crate::auth::model::Passwords;
use crate::config::{Config, Secrets};
use crate::db::{self, DbConn, Pool};
use crate::error::AppResult;
use crate::households::bsn::BsnProtector;

pub struct AppState {
    pub config: Config,
    pub pool: Pool,
    pub audit: AuditLog,
    pub access: Access,
    pub tokens: Tokens,
    pub passwords: Passwords,
    /// Encrypts and hashes BSNs with the configured key.
    pub bsn: BsnProtector,
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
        let tokens = Tokens::new(&secrets.jwt_secret, &config.auth)?;
        let passwords = Passwords::new(config.auth.argon2_memory_kib);
        let bsn = BsnProtector::new(&secrets.bsn_key);
        Ok(AppState { config, pool, audit, access, tokens, passwords, bsn })
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
pub async fn write<T, F>(state: &web::Data<AppState>, audit: &AuditScope, status: u16, change: F) -> AppResult<T>
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
