//! Mijn acties: the actions a professional carries out across the cases they are involved in — a provider
//! professional's start of the day — each with its goal as far as the family's consent shares it, its due date and
//! where it stands, and a small form per action to record progress. The list is the API's
//! `GET /api/v1/work/actions` (`work::service::my_actions`), the form the API's
//! `PUT /api/v1/cases/{id}/plans/actions/{action}/progress` (`plans::service::update_progress`), with the progress
//! revision as its `If-Match`. Also here: the page a provider gets where there is no consent to see a plan.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::dutch::{self, FieldMessage};
use super::page::{render_with, see_other, Form, Layout, Page, PageResult};
use super::plan::domain_label;
use crate::access::Role;
use crate::error::{AppError, FieldError};
use crate::http::Query;
use crate::input::Id;
use crate::paging::PageQuery;
use crate::plans::model::ActionStatus;
use crate::plans::service::{self as plans, UpdateProgress};
use crate::work::model::Standing;
use crate::work::service::{self as work, MyAction};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/acties", web::get().to(my_actions))
        .route("/dossiers/{id}/plan/acties/{action}/voortgang", web::post().to(record_progress));
}

/// The choices of the progress form: the API's status, in the words of the page.
pub const STATUSES: [(&str, &str); 4] =
    [("planned", "Open"), ("in_progress", "Bezig"), ("done", "Klaar"), ("cancelled", "Vervallen")];

pub fn standing_label(s: Standing) -> &'static str {
    match s {
        Standing::Overdue => "Te laat",
        Standing::Open => "Open",
        Standing::InProgress => "Bezig",
        Standing::Done => "Klaar",
        Standing::Cancelled => "Vervallen",
    }
}

fn standing_key(s: Standing) -> &'static str {
    match s {
        Standing::Overdue => "te-laat",
        Standing::Open => "open",
        Standing::InProgress => "bezig",
        Standing::Done => "klaar",
        Standing::Cancelled => "vervallen",
    }
}

/// One action as the page shows it, with its progress form.
pub struct ActionCard {
    pub case_id: String,
    pub action_id: String,
    /// The prefix of the card's element ids: `actie-<case>-<action>` (both are ids eenplan accepts in a URL).
    pub anchor: String,
    pub description: String,
    /// The goal, or None: "doel niet gedeeld".
    pub goal: Option<String>,
    pub domain: &'static str,
    pub due: String,
    pub standing: &'static str,
    pub standing_key: &'static str,
    /// Progress can be recorded (the plan tracks the action): the revision the form sends back.
    pub revision: Option<i64>,
    /// The status the form shows chosen, and the date "klaar op".
    pub chosen: String,
    pub done_on: String,
    pub errors: Vec<FieldMessage>,
    /// Someone else recorded progress in between: what they recorded is shown, the user's choice kept.
    pub conflict: bool,
}

impl ActionCard {
    fn of(a: &MyAction) -> ActionCard {
        ActionCard {
            anchor: format!("actie-{}-{}", a.case_id, a.action_id),
            case_id: a.case_id.clone(),
            action_id: a.action_id.clone(),
            description: a.description.clone(),
            goal: a.goal.clone(),
            domain: a.domain.as_deref().map(domain_label).unwrap_or(""),
            due: a.due_on.map(dutch::date).unwrap_or_else(|| "geen datum afgesproken".into()),
            standing: standing_label(a.standing),
            standing_key: standing_key(a.standing),
            revision: a.revision,
            chosen: a.status.unwrap_or(ActionStatus::Planned).as_str().to_string(),
            done_on: a.done_on.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            errors: Vec::new(),
            conflict: false,
        }
    }

    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    pub fn is_finished(&self) -> bool {
        matches!(self.standing_key, "klaar" | "vervallen")
    }
}

#[derive(Template)]
#[template(path = "actions.html")]
struct ActionsPage {
    layout: Layout,
    todo: Vec<ActionCard>,
    finished: Vec<ActionCard>,
    /// Every field error of the form that was sent, for the summary at the top.
    errors: Vec<FieldMessage>,
    problem: Option<&'static str>,
    statuses: Vec<(&'static str, &'static str)>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct ActionsQuery {
    melding: Option<String>,
    after: Option<String>,
}

/// What the user sent, when the page shows their form again.
struct Kept {
    case_id: String,
    action_id: String,
    status: String,
    done_on: String,
    errors: Vec<FieldError>,
    conflict: bool,
}

/// The list, read through the API's use case; `kept` puts a refused form back on its card.
async fn show(page: &Page, status: StatusCode, after: Option<String>, kept: Option<Kept>) -> PageResult {
    let notice = None;
    list(page, status, after, kept, notice).await
}

async fn list(
    page: &Page,
    status: StatusCode,
    after: Option<String>,
    kept: Option<Kept>,
    notice: Option<&'static str>,
) -> PageResult {
    let found = page.act(work::my_actions(&page.ctx, PageQuery { limit: Some(100), after })).await?;
    let mut cards: Vec<ActionCard> = found.items.iter().map(ActionCard::of).collect();
    let mut errors = Vec::new();
    let mut problem = None;
    if let Some(k) = kept {
        if let Some(card) = cards.iter_mut().find(|c| c.case_id == k.case_id && c.action_id == k.action_id) {
            // The service names `status` and `doneOn`; on this page they are this card's fields.
            card.errors = k
                .errors
                .iter()
                .map(|e| FieldMessage {
                    field: e.field.clone(),
                    id: format!("{}-{}", card.anchor, e.field),
                    label: if e.field == "doneOn" { "Klaar op" } else { "Stand" }.to_string(),
                    message: dutch::message(&e.message),
                })
                .collect();
            errors = card
                .errors
                .iter()
                .map(|m| FieldMessage {
                    label: format!("{} bij \u{201c}{}\u{201d}", m.label, card.description),
                    ..m.clone()
                })
                .collect();
            card.chosen = k.status;
            card.done_on = k.done_on;
            card.conflict = k.conflict;
            if k.conflict {
                problem = Some(
                    "Iemand anders heeft de voortgang van deze actie intussen vastgelegd. Hieronder ziet u hoe het er \
                     nu voor staat; er is niets veranderd. Uw keuze staat nog in het formulier: kies opnieuw \
                     \u{201c}Opslaan\u{201d} als die nog klopt.",
                );
            }
        }
    }
    let (finished, todo): (Vec<ActionCard>, Vec<ActionCard>) = cards.into_iter().partition(ActionCard::is_finished);
    render_with(
        status,
        &ActionsPage {
            layout: page.layout("Mijn acties", "actions").with_notice(notice),
            todo,
            finished,
            errors,
            problem,
            statuses: STATUSES.to_vec(),
            next: found.next,
        },
    )
}

async fn my_actions(page: Page, q: Query<ActionsQuery>) -> PageResult {
    let q = q.into_inner();
    let notice = match q.melding.as_deref() {
        Some("voortgang") => Some("De voortgang is opgeslagen."),
        _ => None,
    };
    list(&page, StatusCode::OK, q.after, None, notice).await
}

#[derive(Deserialize)]
struct ProgressForm {
    revision: Option<String>,
    status: Option<String>,
    #[serde(rename = "doneOn")]
    done_on: Option<String>,
}

/// Records progress through the API's use case. A date is read only with "klaar" (empty: today); a stale revision
/// is shown as a conflict with the choice kept; a case whose plan the caller may not (or no longer) see answers as
/// the API does, 404, with the page that says there is no consent.
async fn record_progress(page: Page, path: web::Path<(Id, String)>, form: Form<ProgressForm>) -> PageResult {
    let (case, action) = path.into_inner();
    let case_id: String = case.into();
    let form = form.into_inner();
    let status_text = form.status.clone().unwrap_or_default();
    let date_text = form.done_on.clone().unwrap_or_default().trim().to_string();
    let status = ActionStatus::parse(&status_text);
    let unreadable_date = status == Some(ActionStatus::Done) && !date_text.is_empty();
    let done_on = match status {
        Some(ActionStatus::Done) if date_text.is_empty() => Some(chrono::Utc::now().date_naive()),
        Some(ActionStatus::Done) => crate::input::date::parse(&date_text),
        _ => None,
    };
    let unreadable_date = unreadable_date && done_on.is_none();
    let revision = form.revision.as_deref().and_then(|r| r.trim().parse::<i64>().ok()).unwrap_or(0);
    let input = UpdateProgress { status, done_on };
    let kept = |errors: Vec<FieldError>, conflict: bool| Kept {
        case_id: case_id.clone(),
        action_id: action.clone(),
        status: status_text.clone(),
        done_on: date_text.clone(),
        errors,
        conflict,
    };
    match page.act(plans::update_progress(&page.ctx, case_id.clone(), action.clone(), revision, input)).await {
        Ok(_) => Ok(see_other(&format!("/acties?melding=voortgang#actie-{case_id}-{action}"))),
        Err(AppError::Validation(mut errors)) => {
            if unreadable_date {
                for e in errors.iter_mut().filter(|e| e.field == "doneOn") {
                    e.message = crate::input::date::MESSAGE.to_string();
                }
            }
            show(&page, StatusCode::UNPROCESSABLE_ENTITY, None, Some(kept(errors, false))).await
        }
        Err(AppError::PreconditionFailed { .. }) => {
            show(&page, StatusCode::PRECONDITION_FAILED, None, Some(kept(Vec::new(), true))).await
        }
        Err(AppError::NotFound) if is_provider(&page) => no_consent(&page, &case_id, Part::Plan).await,
        Err(e) => Err(e.into()),
    }
}

/// Whether the signed-in user works as a provider professional (the page for a missing consent is theirs).
pub fn is_provider(page: &Page) -> bool {
    page.principal().roles().any(|r| r == Role::Provider)
}

/// The part of a case that a provider may not see.
#[derive(Clone, Copy)]
pub enum Part {
    Plan,
    /// The case page: the household's details.
    Case,
}

#[derive(Template)]
#[template(path = "actions_no_consent.html")]
struct NoConsentPage {
    layout: Layout,
    what: &'static str,
    /// The regisseur as the case's contact sheet gives them to the caller: name, organisation, email.
    regisseur: Option<(String, String, String)>,
}

/// For a provider professional: the part of a case they may not see — 404, as the API answers, for every case id
/// alike (one they were never involved in gets the same page), so it tells nothing of whether the case exists or
/// whether they are involved. It never shows the data. The regisseur is named only when the case's contact sheet
/// (`GET /api/v1/cases/{id}/contacts`) gives them to the caller, which a consent covering basic details does.
pub async fn no_consent(page: &Page, case_id: &str, part: Part) -> PageResult {
    let what = match part {
        Part::Plan => "het plan van dit huishouden",
        Part::Case => "de gegevens van dit huishouden",
    };
    let regisseur = match crate::cases::contacts::contacts(&page.ctx, case_id.to_string()).await {
        Ok(sheet) => {
            sheet.professionals.into_iter().find(|p| p.kind == "regisseur").map(|p| (p.name, p.organisation, p.email))
        }
        Err(_) => None,
    };
    render_with(
        StatusCode::NOT_FOUND,
        &NoConsentPage { layout: page.layout("Geen toestemming", "actions"), what, regisseur },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_standing_and_status_has_dutch_words() {
        assert_eq!(standing_label(Standing::Overdue), "Te laat");
        for (value, _) in STATUSES {
            assert!(ActionStatus::parse(value).is_some(), "{value}");
        }
    }
}
