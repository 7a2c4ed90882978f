//! Delivery: takes due messages from the outbox, fills them in, sends them over SMTP with lettre, and records the
//! outcome. A failed attempt waits (exponential backoff) and is tried again up to the configured maximum; a message
//! is marked sent only after the server accepted it, so a crash or a mail server that is down loses nothing.
//! A background job (see jobs.rs): it takes the application state, no principal.

use std::time::Duration;

use actix_web::web;
use chrono::NaiveDateTime;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::model::{self, Message, Template};
use super::store::{self, Claimed};
use crate::config::{MailConfig, SmtpTarget};
use crate::db::{now, DbConn};
use crate::error::{AppError, AppResult};
use crate::state::{db, AppState};

/// How long a worker holds messages it took before another may take them again.
const LEASE: Duration = Duration::from_secs(120);
/// Messages taken per pass.
const BATCH: i64 = 50;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// A message ready to send, or the reason it never will be.
enum Prepared {
    Send { to: String, email: model::Email },
    Skip(&'static str),
}

fn payload_id(payload: &serde_json::Value, key: &str) -> AppResult<String> {
    payload[key].as_str().map(str::to_string).ok_or_else(|| AppError::internal(format!("outbox payload lacks {key}")))
}

/// Fills a message in from the ids in its payload. Nothing about the person or household is looked up.
fn prepare(c: &mut DbConn, m: &Claimed, base: &str) -> AppResult<Prepared> {
    let Some((to, true)) = store::recipient(c, &m.recipient_user_id)? else {
        return Ok(Prepared::Skip("recipient deactivated"));
    };
    let Some(template) = Template::parse(&m.template) else {
        return Ok(Prepared::Skip("unknown template"));
    };
    let payload: serde_json::Value = serde_json::from_str(&m.payload).map_err(AppError::internal)?;
    let message = match template {
        Template::BreakGlassUsed => Message::BreakGlassUsed { break_glass_id: payload_id(&payload, "breakGlassId")? },
        Template::RegisseurProposed => Message::RegisseurProposed { case_id: payload_id(&payload, "caseId")? },
        Template::MatchFound | Template::MatchCreated | Template::MatchOverdue | Template::MatchReminder => {
            let match_id = payload_id(&payload, "matchId")?;
            let Some(kind) = store::match_kind(c, &match_id)? else {
                return Ok(Prepared::Skip("the match no longer exists"));
            };
            match template {
                Template::MatchFound => {
                    let others = store::match_contacts(c, &match_id, &m.recipient_user_id)?;
                    Message::MatchFound { match_id, kind, others }
                }
                Template::MatchCreated => Message::MatchCreated { match_id, kind },
                Template::MatchReminder => Message::MatchReminder { match_id },
                _ => Message::MatchOverdue { match_id },
            }
        }
        Template::EscalationRaised => {
            Message::EscalationRaised { escalation_id: payload_id(&payload, "escalationId")? }
        }
        Template::EscalationConvened => {
            Message::EscalationConvened { escalation_id: payload_id(&payload, "escalationId")? }
        }
        Template::ArchivedSignal => {
            let signal_id = payload_id(&payload, "signalId")?;
            let Some(earlier) = store::signaller_contact(c, &signal_id)? else {
                return Ok(Prepared::Skip("the archived signal no longer exists"));
            };
            Message::ArchivedSignal { signal_id, earlier }
        }
    };
    Ok(Prepared::Send { to, email: model::render(&message, base) })
}

fn transport(target: &SmtpTarget) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(target.host.as_str())
        .port(target.port)
        .timeout(Some(Duration::from_secs(20)))
        .build()
}

async fn send(
    mailer: &AsyncSmtpTransport<Tokio1Executor>,
    config: &MailConfig,
    to: &str,
    email: model::Email,
) -> Result<(), String> {
    let message = lettre::Message::builder()
        .from(config.from.parse().map_err(|e| format!("sender address: {e}"))?)
        .to(to.parse().map_err(|e| format!("recipient address: {e}"))?)
        .subject(email.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(email.body)
        .map_err(|e| e.to_string())?;
    mailer.send(message).await.map(|_| ()).map_err(|e| e.to_string())
}

fn later(t: NaiveDateTime, d: Duration) -> NaiveDateTime {
    t + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::hours(1))
}

/// One delivery pass: every due message is sent, retried later, marked failed or skipped. Without a configured SMTP
/// server nothing is taken and everything stays queued.
pub async fn deliver_due(state: &web::Data<AppState>) -> AppResult<DeliveryReport> {
    let mut report = DeliveryReport::default();
    let config = state.config.mail.clone();
    let Some(target) = config.smtp.clone() else {
        return Ok(report);
    };
    let mailer = transport(&target);
    loop {
        let t = now();
        let claimed = db(state, move |c| Ok(store::claim_due(c, t, later(t, LEASE), BATCH)?)).await?;
        if claimed.is_empty() {
            return Ok(report);
        }
        let base = config.public_url.clone();
        // One message that cannot be filled in fails on its own (and is retried, then marked failed); it never
        // holds up the others.
        let prepared =
            db(state, move |c| Ok(claimed.into_iter().map(|m| (prepare(c, &m, &base), m)).collect::<Vec<_>>())).await?;
        for (p, m) in prepared {
            let outcome = match p {
                Err(e) => {
                    tracing::error!(message = %m.id, error = %e, "email could not be prepared");
                    Outcome::Failed(format!("could not be prepared: {e}"))
                }
                Ok(Prepared::Skip(why)) => Outcome::Skipped(why),
                Ok(Prepared::Send { to, email }) => match send(&mailer, &config, &to, email).await {
                    Ok(()) => Outcome::Sent,
                    Err(e) => {
                        tracing::warn!(message = %m.id, attempt = m.attempts + 1, error = %e, "email not delivered");
                        Outcome::Failed(e)
                    }
                },
            };
            let (id, attempts, max) = (m.id.clone(), m.attempts + 1, config.max_attempts);
            let retry_at = later(now(), model::retry_delay(config.retry_base, attempts));
            match &outcome {
                Outcome::Sent => report.sent += 1,
                Outcome::Skipped(_) => report.skipped += 1,
                Outcome::Failed(_) if attempts >= max => report.failed += 1,
                Outcome::Failed(_) => report.retrying += 1,
            }
            db(state, move |c| {
                match outcome {
                    Outcome::Sent => store::mark_sent(c, &id, now())?,
                    Outcome::Skipped(why) => store::mark_skipped(c, &id, why)?,
                    Outcome::Failed(e) => store::mark_attempt_failed(c, &id, attempts, max, retry_at, &e)?,
                }
                Ok(())
            })
            .await?;
        }
    }
}

enum Outcome {
    Sent,
    Skipped(&'static str),
    /// The SMTP error (the server's answer or the connection failure; the message itself is never in it).
    Failed(String),
}

/// Runs delivery passes for as long as the server runs.
pub fn spawn_worker(state: web::Data<AppState>) {
    if state.config.mail.smtp.is_none() {
        tracing::warn!("EENPLAN_SMTP_URL is not set: notifications stay queued in the outbox until it is");
        return;
    }
    actix_web::rt::spawn(async move {
        loop {
            match deliver_due(&state).await {
                Ok(r) if r != DeliveryReport::default() => {
                    tracing::info!(
                        sent = r.sent,
                        retrying = r.retrying,
                        failed = r.failed,
                        skipped = r.skipped,
                        "outbox delivery"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "outbox delivery pass failed"),
            }
            actix_web::rt::time::sleep(state.config.mail.poll).await;
        }
    });
}
