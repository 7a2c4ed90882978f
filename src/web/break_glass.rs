//! Noodtoegang (break-glass): the dialog that opens a case outside one's scope in an acute situation, with a reason
//! and a written justification (`breakglass::service::open`, as `POST /api/v1/break-glass`), and the banner text that
//! every page of the case shows while the window is open.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::dutch::{self, FieldMessage};
use super::page::{render_with, see_other, Form, Layout, Page, PageResult};
use crate::breakglass::model::Reason;
use crate::breakglass::service::{self, OpenBreakGlass};
use crate::error::AppError;
use crate::input::Id;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/dossiers/{id}/noodtoegang").route(web::get().to(dialog)).route(web::post().to(open)));
}

/// "Open tot 17:05, nog 3 uur en 12 minuten."
pub fn banner_text(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let left = (expires_at - now).num_seconds().max(0);
    let minutes = (left + 59) / 60;
    let (h, m) = (minutes / 60, minutes % 60);
    let minutes_word = |m: i64| if m == 1 { "1 minuut".to_string() } else { format!("{m} minuten") };
    let remaining = match (h, m) {
        (0, m) => minutes_word(m),
        (h, 0) => format!("{h} uur"),
        (h, m) => format!("{h} uur en {}", minutes_word(m)),
    };
    let end = crate::calendar::local(expires_at);
    let on = if end.date() == crate::calendar::local(now).date() {
        String::new()
    } else {
        format!(" {}", dutch::date(end.date()))
    };
    format!("Open tot{on} {}, nog {remaining}.", end.format("%H:%M"))
}

pub const REASONS: [(&str, &str); 4] = [
    ("acute_danger_child", "Acuut gevaar voor een kind"),
    ("acute_danger_adult", "Acuut gevaar voor een volwassene"),
    ("acute_care_avoidance", "Acute zorgmijding (bemoeizorg)"),
    ("other", "Een andere acute, zeer zorgelijke situatie"),
];

const LABELS: [(&str, &str); 3] = [("reason", "Reden"), ("justification", "Toelichting"), ("caseId", "Dossier")];

#[derive(Template)]
#[template(path = "break_glass.html")]
struct DialogPage {
    layout: Layout,
    case_id: String,
    hours: String,
    reasons: Vec<(&'static str, &'static str)>,
    reason: String,
    justification: String,
    errors: Vec<FieldMessage>,
}

impl DialogPage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn error_of(&self, field: &str) -> String {
        self.errors.iter().filter(|e| e.field == field).map(|e| e.message.clone()).collect::<Vec<_>>().join(" ")
    }
}

fn window_hours(page: &Page) -> String {
    let minutes = page.ctx.state.config.break_glass_window.as_secs() / 60;
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("{h} uur"),
        (0, m) => format!("{m} minuten"),
        (h, m) => format!("{h} uur en {m} minuten"),
    }
}

fn dialog_page(page: &Page, case_id: String) -> DialogPage {
    DialogPage {
        layout: page.layout("Noodtoegang", "work"),
        case_id,
        hours: window_hours(page),
        reasons: REASONS.to_vec(),
        reason: String::new(),
        justification: String::new(),
        errors: Vec::new(),
    }
}

/// The dialog; only for those whose role may open break-glass (403 otherwise, as the API). It says nothing of the
/// case: whether it exists is known only after the opening is asked for.
async fn dialog(page: Page, id: web::Path<Id>) -> PageResult {
    if !service::may_open(&page.ctx) {
        return Err(AppError::Forbidden.into());
    }
    render_with(StatusCode::OK, &dialog_page(&page, id.into_inner().into()))
}

#[derive(Deserialize)]
struct OpenForm {
    reason: Option<String>,
    justification: Option<String>,
}

async fn open(page: Page, id: web::Path<Id>, form: Form<OpenForm>) -> PageResult {
    let id: String = id.into_inner().into();
    let form = form.into_inner();
    let reason_text = form.reason.clone().unwrap_or_default();
    let justification = form.justification.clone().unwrap_or_default();
    let input = OpenBreakGlass {
        case_id: Some(id.clone()),
        person_id: None,
        bsn: None,
        reason: form.reason.as_deref().and_then(Reason::parse),
        justification: form.justification.filter(|j| !j.trim().is_empty()),
    };
    match service::open(&page.ctx, input).await {
        Ok(_) => Ok(see_other(&format!("/dossiers/{id}?gedaan=noodtoegang"))),
        // Who already sees the case needs no break-glass: to the case.
        Err(AppError::Conflict(_)) => Ok(see_other(&format!("/dossiers/{id}"))),
        Err(AppError::Validation(errors)) => {
            let mut view = dialog_page(&page, id);
            view.errors = dutch::field_messages(&errors, &LABELS);
            view.reason = reason_text;
            view.justification = justification;
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "case_not_found.html")]
struct NotFoundPage {
    layout: Layout,
    case_id: String,
    break_glass: bool,
}

/// A case out of scope (or none at all): 404, as the API. Those who may open break-glass are offered the dialog —
/// for every id alike, so the offer says nothing of whether the case exists.
pub async fn not_found(page: &Page, case_id: &str) -> PageResult {
    let view = NotFoundPage {
        layout: page.layout("Dossier niet gevonden", "work"),
        case_id: case_id.to_string(),
        break_glass: service::may_open(&page.ctx),
    };
    render_with(StatusCode::NOT_FOUND, &view)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDateTime, TimeZone};

    fn utc(s: &str) -> DateTime<Utc> {
        Utc.from_utc_datetime(&NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap())
    }

    #[test]
    fn the_banner_says_until_when_and_how_long_is_left() {
        // Winter: UTC+1.
        assert_eq!(
            banner_text(utc("2026-12-02 16:05:00"), utc("2026-12-02 12:53:00")),
            "Open tot 17:05, nog 3 uur en 12 minuten."
        );
        assert_eq!(
            banner_text(utc("2026-12-02 16:05:00"), utc("2026-12-02 16:04:30")),
            "Open tot 17:05, nog 1 minuut."
        );
        assert_eq!(banner_text(utc("2026-12-02 16:00:00"), utc("2026-12-02 12:00:00")), "Open tot 17:00, nog 4 uur.");
        // Summer: UTC+2; past midnight the date is said.
        assert_eq!(
            banner_text(utc("2026-07-01 22:30:00"), utc("2026-07-01 20:00:00")),
            "Open tot 2 juli 2026 00:30, nog 2 uur en 30 minuten."
        );
    }
}
