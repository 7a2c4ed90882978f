//! Signaleren: "Mijn signalen" (the API's `GET /api/v1/signals`, active ones with their end date), registering a
//! signal (`POST /api/v1/signals`: the person by BSN and birth date, how to reach the signaller — never why; the BSN
//! travels in the POST body only) with the match it makes, and removing one with a reason
//! (`POST /api/v1/signals/{id}/remove`), confirmed on its own page.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use chrono::Duration;
use serde::Deserialize;

use super::dutch::{self, FieldMessage};
use super::page::{render, render_with, see_other, Form, Layout, Page, PageResult};
use super::search::parse_date;
use crate::crypto::bsn::RawBsn;
use crate::error::{AppError, FieldError};
use crate::http::Query;
use crate::input::Id;
use crate::notify::model::match_kind_words;
use crate::paging::PageQuery;
use crate::signals::model::RemovalReason;
use crate::signals::service::{self, Contact, NewSignal, RemoveSignal, Signal, Subject};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/signalen").route(web::get().to(list)))
        .service(web::resource("/signalen/nieuw").route(web::get().to(new_form)).route(web::post().to(register)))
        .service(web::resource("/signalen/{id}/geregistreerd").route(web::get().to(registered)))
        .service(
            web::resource("/signalen/{id}/verwijderen").route(web::get().to(remove_form)).route(web::post().to(remove)),
        );
}

/// A match of a signal, as a link.
pub struct MatchLink {
    pub id: String,
    pub words: &'static str,
}

/// An active signal as "Mijn signalen" lists it.
pub struct SignalRow {
    pub id: String,
    pub name: String,
    pub birth_date: String,
    pub since: String,
    /// The last day it is active (the day before `expires_on`).
    pub until: String,
    pub matches: Vec<MatchLink>,
}

fn links(s: &Signal) -> Vec<MatchLink> {
    s.matches.iter().map(|m| MatchLink { id: m.id.clone(), words: match_kind_words(m.kind.as_str()) }).collect()
}

fn row(s: &Signal) -> SignalRow {
    SignalRow {
        id: s.id.clone(),
        name: s.subject_name.clone(),
        birth_date: dutch::date(s.subject_birth_date),
        since: dutch::date(s.created_at.date_naive()),
        until: dutch::date(s.expires_on - Duration::days(1)),
        matches: links(s),
    }
}

#[derive(Template)]
#[template(path = "signals.html")]
struct ListPage {
    layout: Layout,
    signals: Vec<SignalRow>,
    /// The cursor of the next page, if there is one.
    next: Option<String>,
}

#[derive(Deserialize)]
struct ListQuery {
    gedaan: Option<String>,
    na: Option<String>,
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "verwijderd" => Some("Het signaal is verwijderd."),
        "gearchiveerd" => Some("Het signaal is afgesloten en wordt bewaard in het archief."),
        _ => None,
    }
}

async fn list(page: Page, q: Query<ListQuery>) -> PageResult {
    let q = q.into_inner();
    let signals = page.act(service::list_own(&page.ctx, PageQuery { limit: Some(100), after: q.na })).await?;
    let view = ListPage {
        layout: page.layout("Mijn signalen", "signals").with_notice(notice(q.gedaan.as_deref())),
        signals: signals.items.iter().filter(|s| s.status == "active").map(row).collect(),
        next: signals.next,
    };
    render(&view)
}

// Registering.

const LABELS: [(&str, &str); 6] = [
    ("subject.bsn", "BSN"),
    ("subject.birthDate", "Geboortedatum"),
    ("subject.name", "Naam"),
    ("contact", "Contactgegevens"),
    ("contact.phone", "Telefoonnummer"),
    ("contact.email", "E-mailadres"),
];

#[derive(Template)]
#[template(path = "signals_new.html")]
struct NewPage {
    layout: Layout,
    errors: Vec<FieldMessage>,
    bsn: String,
    birth_date: String,
    name: String,
    phone: String,
    email: String,
    max_age: i32,
}

impl NewPage {
    fn error(&self, field: &str) -> Option<&FieldMessage> {
        self.errors.iter().find(|e| e.field == field)
    }
}

fn new_page(page: &Page) -> NewPage {
    NewPage {
        layout: page.layout("Signaal afgeven", "signals"),
        errors: Vec::new(),
        bsn: String::new(),
        birth_date: String::new(),
        name: String::new(),
        phone: String::new(),
        email: String::new(),
        max_age: page.ctx.state.config.signals.max_age,
    }
}

/// The form; only for a role that signals (403 otherwise, as the API answers its POST). Like the break-glass
/// dialog, the empty form is not an audited act: it shows no one's data, and the registration is audited when sent.
async fn new_form(page: Page) -> PageResult {
    if !service::may_register(&page.ctx) {
        return Err(AppError::Forbidden.into());
    }
    render(&new_page(&page))
}

#[derive(Deserialize)]
struct SignalForm {
    bsn: Option<String>,
    #[serde(rename = "birthDate")]
    birth_date: Option<String>,
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

fn filled(v: &Option<String>) -> Option<String> {
    v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Field errors in Dutch; the age rule's message names the age, so it is said here.
fn messages(errors: &[FieldError], max_age: i32) -> Vec<FieldMessage> {
    let mut out = dutch::field_messages(errors, &LABELS);
    for (m, e) in out.iter_mut().zip(errors) {
        if e.message.starts_with("the person is ") {
            m.message = format!("Deze persoon is {max_age} jaar of ouder. Signalen zijn alleen voor jongere mensen.");
        }
    }
    out
}

async fn register(page: Page, form: Form<SignalForm>) -> PageResult {
    let form = form.into_inner();
    let mut view = new_page(&page);
    view.bsn = form.bsn.clone().unwrap_or_default();
    view.birth_date = form.birth_date.clone().unwrap_or_default();
    view.name = form.name.clone().unwrap_or_default();
    view.phone = form.phone.clone().unwrap_or_default();
    view.email = form.email.clone().unwrap_or_default();
    // A date the form cannot read is named with the API's own field errors, all at once.
    let raw_date = filled(&form.birth_date);
    let birth_date = raw_date.as_deref().and_then(parse_date);
    let unreadable_date = raw_date.is_some() && birth_date.is_none();
    let input = NewSignal {
        subject: Some(Subject { bsn: filled(&form.bsn).map(RawBsn), birth_date, name: filled(&form.name) }),
        contact: Some(Contact { phone: filled(&form.phone), email: filled(&form.email) }),
    };
    let outcome = page.act(service::register(&page.ctx, input)).await;
    let mut errors = match outcome {
        // (An unreadable date reaches the service as none: it is refused as missing, and named below.)
        Ok(signal) => return Ok(see_other(&format!("/signalen/{}/geregistreerd", signal.id))),
        Err(AppError::Validation(errors)) => errors,
        Err(AppError::Conflict(_)) => {
            view.errors = vec![FieldMessage {
                field: "subject.bsn".into(),
                id: dutch::field_id("subject.bsn"),
                label: "BSN".into(),
                message: "Uw organisatie heeft al een actief signaal over deze persoon. U hoeft niets te doen: \
                          kijk bij Mijn signalen en Mijn matches."
                    .into(),
            }];
            return render_with(StatusCode::CONFLICT, &view);
        }
        Err(e) => return Err(e.into()),
    };
    if unreadable_date {
        errors.retain(|e| e.field != "subject.birthDate");
        errors.push(FieldError::new("subject.birthDate", crate::input::date::MESSAGE));
    }
    // In the order of the form.
    errors.sort_by_key(|e| LABELS.iter().position(|(f, _)| *f == e.field).unwrap_or(LABELS.len()));
    view.errors = messages(&errors, view.max_age);
    render_with(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

#[derive(Template)]
#[template(path = "signals_registered.html")]
struct RegisteredPage {
    layout: Layout,
    signal: SignalRow,
}

/// After registering: whether the signal made a match, with a link to each.
async fn registered(page: Page, id: web::Path<Id>) -> PageResult {
    let signal = page.act(service::own_signal(&page.ctx, id.into_inner().into())).await?;
    let view = RegisteredPage { layout: page.layout("Signaal afgegeven", "signals"), signal: row(&signal) };
    render(&view)
}

// Removing.

const REASONS: [(&str, &str, &str); 2] = [
    (
        "risk_gone",
        "De zorg is voorbij",
        "Het signaal wordt afgesloten en nog een tijd bewaard in het archief. Wie later een signaal over deze persoon \
         afgeeft, hoort dat u eerder betrokken was.",
    ),
    ("unjustified", "Het signaal had niet afgegeven moeten worden", "Het signaal wordt helemaal gewist."),
];

#[derive(Template)]
#[template(path = "signals_remove.html")]
struct RemovePage {
    layout: Layout,
    signal: SignalRow,
    reasons: Vec<(&'static str, &'static str, &'static str)>,
    reason: String,
    errors: Vec<FieldMessage>,
}

async fn remove_page(page: &Page, id: String) -> Result<RemovePage, super::page::PageError> {
    let signal = page.act(service::own_signal(&page.ctx, id)).await?;
    Ok(RemovePage {
        layout: page.layout("Signaal verwijderen", "signals"),
        signal: row(&signal),
        reasons: REASONS.to_vec(),
        reason: String::new(),
        errors: Vec::new(),
    })
}

/// The confirmation: which signal, and why it goes. Someone else's signal: 404.
async fn remove_form(page: Page, id: web::Path<Id>) -> PageResult {
    render(&remove_page(&page, id.into_inner().into()).await?)
}

#[derive(Deserialize)]
struct RemoveForm {
    reason: Option<String>,
}

async fn remove(page: Page, id: web::Path<Id>, form: Form<RemoveForm>) -> PageResult {
    let id: String = id.into_inner().into();
    let form = form.into_inner();
    let reason = match form.reason.as_deref() {
        Some("risk_gone") => Some(RemovalReason::RiskGone),
        Some("unjustified") => Some(RemovalReason::Unjustified),
        _ => None,
    };
    match page.act(service::remove(&page.ctx, id.clone(), RemoveSignal { reason })).await {
        Ok(done) => {
            let word = if done["status"] == "archived" { "gearchiveerd" } else { "verwijderd" };
            Ok(see_other(&format!("/signalen?gedaan={word}")))
        }
        Err(AppError::Validation(errors)) => {
            let mut view = remove_page(&page, id).await?;
            view.errors = dutch::field_messages(&errors, &[("reason", "Waarom verwijdert u het signaal?")]);
            view.reason = form.reason.unwrap_or_default();
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        // Removed already (in another tab): the list shows how it is now.
        Err(AppError::Conflict(_)) => Ok(see_other("/signalen")),
        Err(e) => Err(e.into()),
    }
}
