//! Noodtoegang for privacy officers: the uses of break-glass to judge (`GET /api/v1/break-glass`), one use — where
//! the notification email links, `/noodtoegang/{id}` (`GET /api/v1/break-glass/{id}`) — and the judgement
//! (`POST /api/v1/break-glass/{id}/review`). The case itself is not shown: a privacy officer judges the use, not
//! the family.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::break_glass::REASONS;
use super::dutch::{self, FieldMessage};
use super::page::{render_with, see_other, Form, Layout, Page, PageResult};
use crate::breakglass::service::{self, BreakGlass, Judgement, Review};
use crate::calendar::local;
use crate::error::AppError;
use crate::input::Id;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/noodtoegang", web::get().to(list))
        .route("/noodtoegang/{id}", web::get().to(one))
        .route("/noodtoegang/{id}/beoordelen", web::post().to(review));
}

/// A use as a row or a detail page.
pub struct UseView {
    pub id: String,
    pub user_name: String,
    pub started: String,
    pub until: String,
    pub reason: &'static str,
    pub justification: String,
    /// "Nog te beoordelen", "Te laat beoordeeld" (past five working days), or the judgement.
    pub status: String,
    pub overdue: bool,
    pub reviewed: bool,
    pub review_note: Option<String>,
}

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    let l = local(t);
    format!("{} {}", dutch::date(l.date()), l.format("%H:%M"))
}

fn view(b: &BreakGlass) -> UseView {
    let status = match (b.judgement.as_deref(), b.review_overdue) {
        (Some("justified"), _) => "Terecht".to_string(),
        (Some(_), _) => "Niet terecht".to_string(),
        (None, true) => "Te laat: nog niet beoordeeld".to_string(),
        (None, false) => "Nog te beoordelen".to_string(),
    };
    UseView {
        id: b.id.clone(),
        user_name: b.user_name.clone(),
        started: when(b.started_at),
        until: when(b.expires_at),
        reason: REASONS.iter().find(|(k, _)| *k == b.reason.as_str()).map(|(_, l)| *l).unwrap_or("Onbekend"),
        justification: b.justification.clone(),
        status,
        overdue: b.review_overdue,
        reviewed: b.reviewed_at.is_some(),
        review_note: b.review_note.clone(),
    }
}

#[derive(Template)]
#[template(path = "break_glass_list.html")]
struct ListPage {
    layout: Layout,
    open: Vec<UseView>,
    judged: Vec<UseView>,
}

/// Every use, those still to judge first (overdue ones at the top).
async fn list(page: Page) -> PageResult {
    let uses = page.act(service::list(&page.ctx, None)).await?;
    let mut open: Vec<UseView> = uses.iter().filter(|b| b.reviewed_at.is_none()).map(view).collect();
    open.sort_by_key(|u| !u.overdue);
    let judged = uses.iter().filter(|b| b.reviewed_at.is_some()).map(view).collect();
    render_with(
        StatusCode::OK,
        &ListPage { layout: page.layout("Noodtoegang beoordelen", "break_glass"), open, judged },
    )
}

#[derive(Template)]
#[template(path = "break_glass_review.html")]
struct UsePage {
    layout: Layout,
    item: UseView,
    judgement: String,
    note: String,
    errors: Vec<FieldMessage>,
}

impl UsePage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn error_of(&self, field: &str) -> String {
        self.errors.iter().filter(|e| e.field == field).map(|e| e.message.clone()).collect::<Vec<_>>().join(" ")
    }
}

const LABELS: [(&str, &str); 2] = [("judgement", "Oordeel"), ("note", "Toelichting")];

#[derive(Deserialize)]
struct DoneQuery {
    gedaan: Option<String>,
}

async fn one(page: Page, id: web::Path<Id>, query: crate::http::Query<DoneQuery>) -> PageResult {
    let b = page.act(service::get(&page.ctx, id.into_inner().into())).await?;
    let notice = query.gedaan.is_some().then_some("Uw oordeel is vastgelegd.");
    let layout = page.layout("Noodtoegang", "break_glass").with_notice(notice);
    let view = UsePage { layout, item: view(&b), judgement: String::new(), note: String::new(), errors: vec![] };
    render_with(StatusCode::OK, &view)
}

#[derive(Deserialize)]
struct ReviewForm {
    judgement: Option<String>,
    note: Option<String>,
}

async fn review(page: Page, id: web::Path<Id>, form: Form<ReviewForm>) -> PageResult {
    let id: String = id.into_inner().into();
    let form = form.into_inner();
    let judgement = match form.judgement.as_deref() {
        Some("justified") => Some(Judgement::Justified),
        Some("not_justified") => Some(Judgement::NotJustified),
        _ => None,
    };
    let note = form.note.clone().filter(|n| !n.trim().is_empty());
    match page.act(service::review(&page.ctx, id.clone(), Review { judgement, note })).await {
        Ok(_) => Ok(see_other(&format!("/noodtoegang/{id}?gedaan=1"))),
        Err(AppError::Validation(errors)) => {
            // The same page again with the errors and what was typed; reading the use is part of this act.
            let b = service::get(&page.ctx, id).await?;
            let view = UsePage {
                layout: page.layout("Noodtoegang", "break_glass"),
                item: view(&b),
                judgement: form.judgement.unwrap_or_default(),
                note: form.note.unwrap_or_default(),
                errors: dutch::field_messages(&errors, &LABELS),
            };
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(e) => Err(e.into()),
    }
}
