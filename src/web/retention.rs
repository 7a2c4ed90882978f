//! Bewaren, the privacy officer's retention screen: the dry run (`GET /api/v1/retention/plan`) and the run (`POST
//! /api/v1/retention/runs`, after a confirmation), legal holds (`…/holds`, `…/holds/{id}/lift`) and erasure requests
//! (`…/erasure-requests`, recorded from the person's page, decided here). No case content: cases by their number,
//! team, law and dates. Every form works without JavaScript.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::dutch::{self, FieldMessage};
use super::page::{render_with, see_other, Form, Layout, Page, PageResult};
use super::search::parse_date;
use super::stuck::count;
use crate::error::{AppError, FieldError};
use crate::input::Id;
use crate::retention::model::Ground;
use crate::retention::service::{self, DecideErasure, DueCase, LiftHold, NewErasure, NewHold};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/inzage/bewaren", web::get().to(show))
        .route("/inzage/bewaren/uitvoeren", web::post().to(run))
        .route("/inzage/bewaren/bewaarplicht", web::post().to(place_hold))
        .route("/inzage/bewaren/bewaarplicht/{id}/opheffen", web::post().to(lift_hold))
        .route("/inzage/bewaren/verzoeken/{id}", web::post().to(decide))
        .route("/inzage/personen/{id}/verwijderverzoek", web::post().to(record_request));
}

const LABELS: [(&str, &str); 7] = [
    ("caseId", "Zaaknummer"),
    ("reason", "Reden"),
    ("decision", "Besluit"),
    ("confirm", "Bevestiging"),
    ("personId", "Persoon"),
    ("receivedOn", "Ontvangen op"),
    ("requestedBy", "Gevraagd door"),
];

const REQUESTERS: [(&str, &str); 3] = [
    ("person", "De persoon zelf"),
    ("parent", "Een ouder of voogd"),
    ("representative", "Een wettelijk vertegenwoordiger"),
];

fn label(list: &[(&str, &'static str)], key: &str) -> &'static str {
    list.iter().find(|(k, _)| *k == key).map(|(_, l)| *l).unwrap_or("Onbekend")
}

fn ground_label(code: &str) -> &'static str {
    [Ground::OpenCase, Ground::LegalHold, Ground::ActiveSignal]
        .into_iter()
        .find(|g| g.as_str() == code)
        .map(Ground::explanation)
        .unwrap_or("onbekende grond")
}

pub struct CaseRowView {
    pub case_id: String,
    pub team: String,
    pub laws: String,
    pub closed_on: String,
    pub erase_from: String,
}

fn case_view(c: &DueCase) -> CaseRowView {
    CaseRowView {
        case_id: c.case_id.clone(),
        team: c.team.clone(),
        laws: c.laws.join(" en "),
        closed_on: dutch::date(c.closed_on),
        erase_from: dutch::date(c.erase_from),
    }
}

pub struct HoldView {
    pub id: String,
    pub case_id: String,
    pub reason: String,
    pub placed: String,
    pub lifted: Option<String>,
}

pub struct RequestView {
    pub id: String,
    pub person: String,
    pub received: String,
    pub requested_by: &'static str,
    pub status: &'static str,
    pub open: bool,
    pub grounds: Vec<&'static str>,
    pub decision_reason: Option<String>,
}

pub struct RunView {
    pub at: String,
    pub by: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "retention.html")]
struct RetentionPage {
    layout: Layout,
    cases: Vec<CaseRowView>,
    held: Vec<CaseRowView>,
    households: usize,
    persons: usize,
    audit_events: i64,
    chains: usize,
    cutoff: String,
    holds: Vec<HoldView>,
    requests: Vec<RequestView>,
    runs: Vec<RunView>,
    errors: Vec<FieldMessage>,
    hold_case: String,
    hold_reason: String,
}

impl RetentionPage {
    fn error(&self, field: &str) -> Option<&FieldMessage> {
        self.errors.iter().find(|e| e.field == field)
    }
}

#[derive(Deserialize, Default)]
struct Notice {
    uitgevoerd: Option<String>,
    bewaarplicht: Option<String>,
    opgeheven: Option<String>,
    verzoek: Option<String>,
    besloten: Option<String>,
}

impl Notice {
    fn text(&self) -> Option<&'static str> {
        if self.uitgevoerd.is_some() {
            Some("De bewaartermijnen zijn toegepast. Wat verwijderd is, staat bij de eerdere rondes.")
        } else if self.bewaarplicht.is_some() {
            Some("De bewaarplicht is vastgelegd. De zaak wordt bewaard tot u die opheft.")
        } else if self.opgeheven.is_some() {
            Some("De bewaarplicht is opgeheven.")
        } else if self.verzoek.is_some() {
            Some("Het verzoek om verwijdering is vastgelegd. Neem hieronder een besluit.")
        } else if self.besloten.is_some() {
            Some("Het besluit over het verzoek is vastgelegd.")
        } else {
            None
        }
    }
}

async fn page_with(
    page: &Page,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
    hold: (String, String),
) -> PageResult {
    let plan = page.act(service::dry_run(&page.ctx)).await?;
    let holds = page.act(service::holds(&page.ctx)).await?;
    let requests = page.act(service::erasures(&page.ctx)).await?;
    let runs = page.act(service::runs(&page.ctx)).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let local_date = |t: chrono::DateTime<chrono::Utc>| dutch::date(crate::calendar::local(t).date());
    let out = RetentionPage {
        layout: page.layout("Bewaartermijnen", "privacy").with_notice(notice),
        cases: plan.cases.iter().map(case_view).collect(),
        held: plan.held.iter().map(case_view).collect(),
        households: plan.households.len(),
        persons: plan.persons.len(),
        audit_events: plan.audit_events,
        chains: plan.chains.len(),
        cutoff: dutch::date(plan.audit_cutoff.date_naive()),
        holds: holds
            .items
            .into_iter()
            .map(|h| HoldView {
                lifted: h
                    .lifted_at
                    .map(|t| format!("Opgeheven op {}: {}", local_date(t), h.lift_reason.clone().unwrap_or_default())),
                placed: local_date(h.placed_at),
                id: h.id,
                case_id: h.case_id,
                reason: h.reason,
            })
            .collect(),
        requests: requests
            .items
            .into_iter()
            .map(|r| RequestView {
                person: r.person_name.unwrap_or_else(|| "(verwijderd)".into()),
                received: dutch::date(r.received_on),
                requested_by: label(&REQUESTERS, &r.requested_by),
                status: match r.status.as_str() {
                    "carried_out" => "Uitgevoerd",
                    "refused" => "Afgewezen",
                    _ => "Ontvangen",
                },
                open: r.status == "received",
                grounds: r.grounds.iter().map(|g| ground_label(g)).collect(),
                decision_reason: r.decision_reason,
                id: r.id,
            })
            .collect(),
        runs: runs
            .items
            .into_iter()
            .map(|r| RunView {
                at: local_date(r.ran_at),
                by: r.ran_by_name.unwrap_or_else(|| "de beheerder van de server".into()),
                summary: format!(
                    "{}, {} en {} verwijderd; {} bewaard wegens bewaarplicht; {} uit het logboek opgeschoond.",
                    count(r.cases.into(), "zaak", "zaken"),
                    count(r.households.into(), "huishouden", "huishoudens"),
                    count(r.persons.into(), "persoon", "personen"),
                    count(r.held.into(), "zaak", "zaken"),
                    count(r.audit_events, "regel", "regels"),
                ),
            })
            .collect(),
        errors: dutch::field_messages(&errors, &LABELS),
        hold_case: hold.0,
        hold_reason: hold.1,
    };
    render_with(status, &out)
}

async fn show(page: Page, q: crate::http::Query<Notice>) -> PageResult {
    page_with(&page, q.text(), vec![], Default::default()).await
}

#[derive(Deserialize)]
struct RunForm {
    bevestig: Option<String>,
}

/// The run, only with the box ticked that says it cannot be undone.
async fn run(page: Page, form: Form<RunForm>) -> PageResult {
    if form.into_inner().bevestig.as_deref() != Some("ja") {
        let errors = vec![FieldError::new("confirm", "confirm that erasing cannot be undone")];
        return page_with(&page, None, errors, Default::default()).await;
    }
    let by = Some(page.ctx.principal.user_id.clone());
    page.act(service::run(&page.ctx, by)).await?;
    Ok(see_other("/inzage/bewaren?uitgevoerd=1"))
}

#[derive(Deserialize)]
struct HoldForm {
    zaak: Option<String>,
    reden: Option<String>,
}

async fn place_hold(page: Page, form: Form<HoldForm>) -> PageResult {
    let f = form.into_inner();
    let (zaak, reden) = (f.zaak.unwrap_or_default().trim().to_string(), f.reden.unwrap_or_default());
    let input = NewHold { case_id: Some(zaak.clone()).filter(|z| !z.is_empty()), reason: Some(reden.clone()) };
    match page.act(service::place_hold(&page.ctx, input)).await {
        Ok(_) => Ok(see_other("/inzage/bewaren?bewaarplicht=1")),
        Err(AppError::Validation(e)) => page_with(&page, None, e, (zaak, reden)).await,
        Err(AppError::NotFound) => {
            let e = vec![FieldError::new("caseId", "is not a case")];
            page_with(&page, None, e, (zaak, reden)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ReasonForm {
    reden: Option<String>,
}

async fn lift_hold(page: Page, id: web::Path<Id>, form: Form<ReasonForm>) -> PageResult {
    let input = LiftHold { reason: form.into_inner().reden };
    match page.act(service::lift_hold(&page.ctx, id.into_inner(), input)).await {
        Ok(_) => Ok(see_other("/inzage/bewaren?opgeheven=1")),
        Err(AppError::Validation(e)) => page_with(&page, None, e, Default::default()).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct DecideForm {
    besluit: Option<String>,
    reden: Option<String>,
}

async fn decide(page: Page, id: web::Path<Id>, form: Form<DecideForm>) -> PageResult {
    let f = form.into_inner();
    let input = DecideErasure { decision: f.besluit, reason: f.reden };
    match page.act(service::decide_erasure(&page.ctx, id.into_inner(), input)).await {
        Ok(_) => Ok(see_other("/inzage/bewaren?besloten=1")),
        Err(AppError::Validation(e)) => page_with(&page, None, e, Default::default()).await,
        Err(AppError::Conflict(_)) => {
            let e =
                vec![FieldError::new("decision", "cannot be carried out: a ground of art. 17(3) stands in the way")];
            page_with(&page, None, e, Default::default()).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct RequestForm {
    ontvangen: Option<String>,
    door: Option<String>,
}

/// From the person's page: the request is recorded, then decided on Bewaren.
async fn record_request(page: Page, id: web::Path<Id>, form: Form<RequestForm>) -> PageResult {
    let f = form.into_inner();
    let raw = f.ontvangen.unwrap_or_default();
    let received_on = parse_date(raw.trim());
    let mut errors = Vec::new();
    if !raw.trim().is_empty() && received_on.is_none() {
        errors.push(FieldError::new("receivedOn", crate::input::date::MESSAGE));
    }
    let input = NewErasure {
        person_id: Some(id.as_str().to_string()),
        received_on,
        requested_by: f.door.filter(|d| !d.is_empty()),
    };
    match page.act(service::record_erasure(&page.ctx, input)).await {
        Ok(_) if errors.is_empty() => Ok(see_other("/inzage/bewaren?verzoek=1")),
        Ok(_) => page_with(&page, None, errors, Default::default()).await,
        Err(AppError::Validation(mut e)) => {
            e.retain(|x| !errors.iter().any(|d| d.field == x.field));
            errors.extend(e);
            page_with(&page, None, errors, Default::default()).await
        }
        Err(e) => Err(e.into()),
    }
}
