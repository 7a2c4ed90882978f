//! Background jobs: signal retention, match reminders and the stuck cases (every few minutes) and email delivery (its own worker,
//! see notify::service). No one asks for them, so they take no principal: each job is an
//! `async fn(&web::Data<AppState>) -> AppResult<Report>`. `eenplan jobs run` runs all of them once. Every job changes a row only if it is still in
//! the state it was read in, and delivery leases messages (FOR UPDATE SKIP LOCKED on PostgreSQL), so several nodes
//! may run them at once without double work.

use std::time::Duration;

use actix_web::web;

use crate::error::AppResult;
use crate::notify::service::{deliver_due, DeliveryReport};
use crate::signals::retention::{self, RetentionReport};
use crate::state::{db, AppState};

/// How often `serve` runs the retention jobs.
const RETENTION_EVERY: Duration = Duration::from_secs(300);

pub struct JobsReport {
    pub retention: RetentionReport,
    pub stuck: crate::escalations::service::ScanReport,
    /// None when the daily scan ran today already.
    pub privacy: Option<crate::oversight::service::ScanReport>,
    pub delivery: DeliveryReport,
    pub still_queued: i64,
    pub smtp_configured: bool,
}

impl std::fmt::Display for JobsReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = &self.retention;
        writeln!(
            f,
            "signals: {} expired to the archive, {} expired and deleted, {} deleted from the archive, {} of deceased persons deleted",
            r.expired_to_archive, r.expired_deleted, r.archive_deleted, r.deceased_deleted
        )?;
        writeln!(f, "matches: {} overdue, matchregisseur reminded", r.matches_reminded)?;
        match &self.stuck {
            s if s.ran => writeln!(f, "stuck cases: {} open cases computed, {} stuck", s.cases, s.stuck)?,
            _ => writeln!(f, "stuck cases: changed cases computed; the daily scan ran today already")?,
        }
        match &self.privacy {
            Some(p) => writeln!(f, "suspicious access: {} days scanned, {} findings, {} new", p.days, p.found, p.new)?,
            None => writeln!(f, "suspicious access: the daily scan ran today already")?,
        }
        let d = &self.delivery;
        write!(f, "email: {} sent, {} to retry, {} failed, {} skipped", d.sent, d.retrying, d.failed, d.skipped)?;
        if !self.smtp_configured {
            write!(f, "; EENPLAN_SMTP_URL is not set, {} message(s) stay queued", self.still_queued)?;
        }
        Ok(())
    }
}

/// Runs every job once.
pub async fn run_all(state: &web::Data<AppState>) -> AppResult<JobsReport> {
    let retention = retention::run_due(state).await?;
    let stuck = crate::escalations::service::keep_current(state).await?;
    let privacy = crate::oversight::service::scan_daily(state).await?;
    let delivery = deliver_due(state).await?;
    let still_queued = db(state, |c| Ok(crate::notify::store::waiting(c)?)).await?;
    Ok(JobsReport {
        retention,
        stuck,
        privacy,
        delivery,
        still_queued,
        smtp_configured: state.config.mail.smtp.is_some(),
    })
}

/// Runs the retention jobs on a schedule for as long as the server runs.
pub fn spawn_scheduler(state: web::Data<AppState>) {
    actix_web::rt::spawn(async move {
        loop {
            match retention::run_due(&state).await {
                Ok(r) if r != RetentionReport::default() => tracing::info!(
                    expired_to_archive = r.expired_to_archive,
                    expired_deleted = r.expired_deleted,
                    archive_deleted = r.archive_deleted,
                    deceased_deleted = r.deceased_deleted,
                    matches_reminded = r.matches_reminded,
                    "signal retention"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "signal retention failed"),
            }
            match crate::escalations::service::keep_current(&state).await {
                Ok(r) if r.ran => tracing::info!(cases = r.cases, stuck = r.stuck, "stuck-case scan"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "stuck-case scan failed"),
            }
            match crate::oversight::service::scan_daily(&state).await {
                Ok(Some(r)) => tracing::info!(days = r.days, found = r.found, new = r.new, "suspicious-access scan"),
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "suspicious-access scan failed"),
            }
            actix_web::rt::time::sleep(RETENTION_EVERY).await;
        }
    });
}
