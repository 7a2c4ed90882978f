//! The escalation ladder in the web client: the list of escalations the user may see (`/escalaties`, the
//! teamleider's level-1 list; `GET /api/v1/escalations`), one escalation with its ladder, deadlines, adoption,
//! agreements, decisions and outcome (`/escalaties/{id}`, where the escalation emails link; `GET
//! /api/v1/escalations/{id}`), raising one (`/escalaties/nieuw`), and each act as a form. Every form calls the
//! same service function as its JSON route; the page offers only the acts the service reports as allowed (`may`).

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::case::when;
use super::dutch::{self, FieldMessage};
use super::page::{render_with, see_other, Form, Layout, Page, PageResult};
use super::stuck;
use crate::access::escalations::EscalationActs;
use crate::error::AppError;
use crate::escalations::ladder::{Addressee, RungState};
use crate::escalations::model::ReasonCode;
use crate::escalations::service::{
    self, CloseEscalation, Escalation, EscalationDecision, EscalationQuery, EscalationText, RaiseEscalation,
};
use crate::input::Id;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/escalaties", web::get().to(list_page))
        .route("/escalaties/nieuw", web::get().to(new_page))
        .route("/escalaties/nieuw", web::post().to(raise))
        .route("/escalaties/{id}", web::get().to(one))
        .route("/escalaties/{id}/reageren", web::post().to(respond))
        .route("/escalaties/{id}/adopteren", web::post().to(adopt))
        .route("/escalaties/{id}/bijeenroepen", web::post().to(convene))
        .route("/escalaties/{id}/afspraken", web::post().to(agreement))
        .route("/escalaties/{id}/opschalen", web::post().to(raise_level))
        .route("/escalaties/{id}/besluiten", web::post().to(decision))
        .route("/escalaties/{id}/afsluiten", web::post().to(close));
}

/// Whom a level addresses, in words.
fn addressee(a: Addressee, team: Option<&str>, doorzettingsmacht: &str) -> String {
    match (a, team) {
        (Addressee::Teamleider, Some(team)) => format!("De teamleider van {team}"),
        (Addressee::Teamleider, None) => "De teamleider".to_string(),
        (Addressee::Procescoordinator, _) => "De procescoördinatoren".to_string(),
        (Addressee::Doorzettingsmacht, _) => format!("Doorzettingsmacht: {doorzettingsmacht}"),
    }
}

/// What started the escalation, in words.
fn trigger(e: &Escalation) -> String {
    match (e.trigger.as_str(), e.trigger_code.as_deref().and_then(ReasonCode::parse)) {
        ("rule", Some(code)) => format!("Vanzelf: \"{}\" hield te lang aan", stuck::label(code)),
        ("rule", None) => "Vanzelf, door een regel".to_string(),
        _ => "Gemeld door een betrokkene".to_string(),
    }
}

/// What a step of the history was, in words.
fn step_kind(kind: &str, level: i64) -> String {
    match kind {
        "raised" => format!("Gemeld op niveau {level}"),
        "risen" => format!("Naar niveau {level}"),
        "responded" => format!("Gereageerd op niveau {level}"),
        "adopted" => "Dossier geadopteerd".to_string(),
        "convened" => "Betrokkenen bijeengeroepen".to_string(),
        "agreement" => "Afspraak".to_string(),
        "decision" => "Besluit doorzettingsmacht".to_string(),
        "closed" => "Afgesloten".to_string(),
        _ => "Stap".to_string(),
    }
}

/// An escalation as a row of a list.
pub struct Row {
    pub id: String,
    pub case_id: String,
    pub level: i64,
    pub addressee: String,
    pub raised: String,
    pub respond_by: String,
    /// Its deadline passed without an answer.
    pub late: bool,
    pub trigger: String,
    pub status: &'static str,
}

fn late(e: &Escalation) -> bool {
    e.status == "open" && e.responded_at.is_none() && Utc::now().date_naive() > e.respond_by
}

fn row(e: &Escalation, doorzettingsmacht: &str) -> Row {
    Row {
        id: e.id.clone(),
        case_id: e.case_id.clone(),
        level: e.level,
        addressee: addressee(e.addressee, None, doorzettingsmacht),
        raised: dutch::date(e.raised_at.date_naive()),
        respond_by: dutch::date(e.respond_by),
        late: late(e),
        trigger: trigger(e),
        status: if e.status == "open" { "Open" } else { "Afgesloten" },
    }
}

#[derive(Template)]
#[template(path = "escalation_list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    /// The level shown (0: every level).
    level: i64,
    closed: bool,
    limit: i64,
}

#[derive(Deserialize)]
struct ListForm {
    niveau: Option<i64>,
    afgesloten: Option<String>,
}

/// The open escalations the user may see (the closed ones on request), for one level or all. A teamleider's list
/// opens at level 1: what waits for their answer.
async fn list_page(page: Page, q: crate::http::Query<ListForm>) -> PageResult {
    let q = q.into_inner();
    let closed = q.afgesloten.is_some();
    let level = q.niveau.filter(|l| (1..=3).contains(l));
    let query = EscalationQuery { level, status: Some(if closed { "closed" } else { "open" }.to_string()) };
    let list = page.act(service::list(&page.ctx, query)).await?;
    let dzm = page.ctx.state.rules.escalation.doorzettingsmacht.clone();
    let rows = list.iter().map(|e| row(e, &dzm)).collect();
    let layout = page.layout("Escalaties", "escalations");
    render_with(
        StatusCode::OK,
        &ListPage { layout, rows, level: level.unwrap_or(0), closed, limit: service::LIST_LIMIT },
    )
}

/// A rung of the ladder in words.
pub struct RungView {
    pub level: i64,
    pub addressee: String,
    pub working_days: i64,
    pub respond_by: String,
    pub state: &'static str,
    pub current: bool,
}

/// A step of the history.
pub struct StepView {
    pub at: String,
    pub what: String,
    pub by: String,
    pub text: Option<String>,
    pub holder: Option<String>,
}

/// What was typed into the form that failed, to show it again.
#[derive(Default)]
struct Typed {
    /// The form: respond, agreement, decision or close.
    form: &'static str,
    text: String,
    holder: String,
    perspective: String,
    note: String,
}

#[derive(Template)]
#[template(path = "escalation.html")]
struct OnePage {
    layout: Layout,
    id: String,
    case_id: String,
    place: String,
    open: bool,
    level: i64,
    addressee: String,
    respond_by: String,
    late: bool,
    responded: Option<String>,
    raised: String,
    trigger: String,
    reason: Option<String>,
    ladder: Vec<RungView>,
    adopted: Option<String>,
    counts_at_adoption: Option<String>,
    agreements: Vec<StepView>,
    decisions: Vec<StepView>,
    steps: Vec<StepView>,
    outcome: Option<Outcome>,
    may: EscalationActs,
    doorzettingsmacht: String,
    typed: Typed,
    errors: Vec<FieldMessage>,
}

/// A closed escalation's outcome.
pub struct Outcome {
    pub closed: String,
    pub perspective: &'static str,
    pub organisations: String,
    pub professionals: String,
    pub note: Option<String>,
}

impl OnePage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn error_of(&self, field: &str) -> String {
        self.errors.iter().filter(|e| e.field == field).map(|e| e.message.clone()).collect::<Vec<_>>().join(" ")
    }
}

/// "5 bij de adoptie, 3 bij het afsluiten".
fn before_after(at_adoption: Option<i64>, at_close: Option<i64>) -> String {
    match (at_adoption, at_close) {
        (Some(a), Some(c)) => format!("{a} bij de adoptie, {c} bij het afsluiten"),
        (None, Some(c)) => format!("{c} bij het afsluiten (niet geadopteerd)"),
        _ => "Niet bekend".to_string(),
    }
}

fn step_view(s: &service::EscalationStep) -> StepView {
    StepView {
        at: when(s.at),
        what: step_kind(&s.kind, s.level),
        by: s.by_name.clone().unwrap_or_else(|| if s.by_user.is_some() { "Een medewerker" } else { "eenplan" }.into()),
        // A rule's raise keeps its reason code: said in words.
        text: match (s.kind.as_str(), s.text.as_deref().and_then(ReasonCode::parse)) {
            ("raised", Some(code)) => Some(format!("Regel: {}", stuck::label(code))),
            _ => s.text.clone(),
        },
        holder: s.holder.clone(),
    }
}

fn one_page(
    page: &Page,
    e: Escalation,
    notice: Option<&'static str>,
    typed: Typed,
    errors: Vec<FieldMessage>,
) -> OnePage {
    let dzm = e.doorzettingsmacht.clone();
    let team = e.team_name.as_deref();
    let steps = e.steps.as_deref().unwrap_or_default();
    let open = e.status == "open";
    let ladder = e
        .ladder
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|r| RungView {
            level: r.level,
            addressee: addressee(r.addressee, team, &dzm),
            working_days: r.working_days,
            respond_by: dutch::date(r.respond_by),
            state: match (r.state, open) {
                (RungState::Passed, _) => "Voorbij",
                (RungState::Current, true) => "Nu",
                (RungState::Current, false) => "Hier afgesloten",
                (RungState::Ahead, true) => "Als niemand reageert",
                (RungState::Ahead, false) => "Niet nodig geweest",
            },
            current: open && r.state == RungState::Current,
        })
        .collect();
    let may = e.may.unwrap_or_default();
    let outcome = (e.status == "closed").then(|| Outcome {
        closed: e.closed_at.map(when).unwrap_or_default(),
        perspective: match e.perspective_regained {
            Some(true) => "Ja",
            Some(false) => "Nee",
            None => "Niet vastgelegd",
        },
        organisations: before_after(e.organisations_at_adoption, e.organisations_at_close),
        professionals: before_after(e.professionals_at_adoption, e.professionals_at_close),
        note: e.outcome_note.clone(),
    });
    let place = match (team, e.wijk.as_deref()) {
        (Some(t), Some(w)) if !w.is_empty() => format!("Huishouden in {w}, team {t}"),
        (Some(t), _) => format!("Huishouden van team {t}"),
        _ => "Huishouden".to_string(),
    };
    OnePage {
        layout: page.layout("Escalatie", "escalations").with_notice(notice),
        id: e.id.clone(),
        case_id: e.case_id.clone(),
        place,
        open,
        level: e.level,
        addressee: addressee(e.addressee, team, &dzm),
        respond_by: dutch::date(e.respond_by),
        late: late(&e),
        responded: e.responded_at.map(when),
        raised: when(e.raised_at),
        trigger: trigger(&e),
        reason: e.reason.clone(),
        ladder,
        adopted: e.adopted_at.map(|t| format!("{}, {}", e.adopted_by_name.clone().unwrap_or_default(), when(t))),
        counts_at_adoption: e.organisations_at_adoption.zip(e.professionals_at_adoption).map(|(o, p)| {
            format!(
                "{} en {}",
                stuck::count(o, "organisatie", "organisaties"),
                stuck::count(p, "hulpverlener", "hulpverleners")
            )
        }),
        agreements: steps.iter().filter(|s| s.kind == "agreement").map(step_view).collect(),
        decisions: steps.iter().filter(|s| s.kind == "decision").map(step_view).collect(),
        steps: steps.iter().map(step_view).collect(),
        outcome,
        may,
        doorzettingsmacht: dzm,
        typed,
        errors,
    }
}

#[derive(Deserialize)]
struct DoneQuery {
    gedaan: Option<String>,
}

/// The notices after each act: a fixed list, never typed text.
fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "gemeld" => "De escalatie is gemeld.",
        "gereageerd" => "Uw reactie is vastgelegd.",
        "geadopteerd" => "U heeft het dossier geadopteerd. U kunt de inhoud nu lezen.",
        "bijeengeroepen" => "De betrokkenen zijn uitgenodigd.",
        "afspraak" => "De afspraak is vastgelegd.",
        "opgeschaald" => "De escalatie ligt nu bij doorzettingsmacht.",
        "besluit" => "Het besluit is vastgelegd.",
        "afgesloten" => "De escalatie is afgesloten.",
        _ => return None,
    })
}

async fn one(page: Page, id: web::Path<Id>, query: crate::http::Query<DoneQuery>) -> PageResult {
    let e = page.act(service::get(&page.ctx, id.into_inner().into())).await?;
    let view = one_page(&page, e, notice(query.gedaan.as_deref()), Typed::default(), vec![]);
    render_with(StatusCode::OK, &view)
}

const LABELS: [(&str, &str); 5] = [
    ("text", "Tekst"),
    ("holder", "Wie heeft doorzettingsmacht"),
    ("perspectiveRegained", "Perspectief terug"),
    ("note", "Toelichting"),
    ("reason", "Waarom"),
];

/// After an act: its notice on the escalation page; on field errors the page again with them and what was typed
/// (reading the escalation is part of the act).
async fn after(page: Page, id: String, done: &str, outcome: Result<Escalation, AppError>, typed: Typed) -> PageResult {
    match outcome {
        Ok(_) => Ok(see_other(&format!("/escalaties/{id}?gedaan={done}"))),
        Err(AppError::Validation(errors)) => {
            let e = service::get(&page.ctx, id).await?;
            let mut errors = dutch::field_messages(&errors, &LABELS);
            // Two forms have a text field: the summary links to the one that was sent.
            for m in errors.iter_mut().filter(|m| m.field == "text") {
                match typed.form {
                    "respond" => m.id = "veld-respond-text".into(),
                    "decision" => m.id = "veld-decision-text".into(),
                    _ => {}
                }
            }
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &one_page(&page, e, None, typed, errors))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct TextForm {
    text: Option<String>,
    holder: Option<String>,
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_ref().filter(|t| !t.trim().is_empty()).cloned()
}

async fn respond(page: Page, id: web::Path<Id>, form: Form<TextForm>) -> PageResult {
    let (id, form): (String, _) = (id.into_inner().into(), form.into_inner());
    let input = EscalationText { text: given(&form.text) };
    let outcome = page.act(service::respond(&page.ctx, id.clone(), input)).await;
    let typed = Typed { form: "respond", text: form.text.unwrap_or_default(), ..Typed::default() };
    after(page, id, "gereageerd", outcome, typed).await
}

async fn adopt(page: Page, id: web::Path<Id>, _form: Form<TextForm>) -> PageResult {
    let id: String = id.into_inner().into();
    let outcome = page.act(service::adopt(&page.ctx, id.clone())).await;
    after(page, id, "geadopteerd", outcome, Typed::default()).await
}

async fn convene(page: Page, id: web::Path<Id>, _form: Form<TextForm>) -> PageResult {
    let id: String = id.into_inner().into();
    let outcome = page.act(service::convene(&page.ctx, id.clone())).await;
    after(page, id, "bijeengeroepen", outcome, Typed::default()).await
}

async fn agreement(page: Page, id: web::Path<Id>, form: Form<TextForm>) -> PageResult {
    let (id, form): (String, _) = (id.into_inner().into(), form.into_inner());
    let input = EscalationText { text: given(&form.text) };
    let outcome = page.act(service::agreement(&page.ctx, id.clone(), input)).await;
    let typed = Typed { form: "agreement", text: form.text.unwrap_or_default(), ..Typed::default() };
    after(page, id, "afspraak", outcome, typed).await
}

async fn raise_level(page: Page, id: web::Path<Id>, _form: Form<TextForm>) -> PageResult {
    let id: String = id.into_inner().into();
    let outcome = page.act(service::raise_level(&page.ctx, id.clone())).await;
    after(page, id, "opgeschaald", outcome, Typed::default()).await
}

async fn decision(page: Page, id: web::Path<Id>, form: Form<TextForm>) -> PageResult {
    let (id, form): (String, _) = (id.into_inner().into(), form.into_inner());
    let input = EscalationDecision { holder: given(&form.holder), text: given(&form.text) };
    let outcome = page.act(service::decision(&page.ctx, id.clone(), input)).await;
    let typed = Typed {
        form: "decision",
        text: form.text.unwrap_or_default(),
        holder: form.holder.unwrap_or_default(),
        ..Typed::default()
    };
    after(page, id, "besluit", outcome, typed).await
}

#[derive(Deserialize)]
struct CloseForm {
    perspective: Option<String>,
    note: Option<String>,
}

async fn close(page: Page, id: web::Path<Id>, form: Form<CloseForm>) -> PageResult {
    let (id, form): (String, _) = (id.into_inner().into(), form.into_inner());
    let perspective_regained = match form.perspective.as_deref() {
        Some("ja") => Some(true),
        Some("nee") => Some(false),
        _ => None,
    };
    let input = CloseEscalation { perspective_regained, note: given(&form.note) };
    let outcome = page.act(service::close(&page.ctx, id.clone(), input)).await;
    let typed = Typed {
        form: "close",
        perspective: form.perspective.unwrap_or_default(),
        note: form.note.unwrap_or_default(),
        ..Typed::default()
    };
    after(page, id, "afgesloten", outcome, typed).await
}

#[derive(Template)]
#[template(path = "escalation_new.html")]
struct NewPage {
    layout: Layout,
    case_id: String,
    /// Where "terug" leads: the queue, or the case.
    from_queue: bool,
    reason: String,
    errors: Vec<FieldMessage>,
}

#[derive(Deserialize)]
struct NewQuery {
    dossier: Id,
    van: Option<String>,
}

/// The form that raises an escalation on a case. It reads nothing: raising decides who may (and answers 404 on a
/// case the user does not see).
async fn new_page(page: Page, q: crate::http::Query<NewQuery>) -> PageResult {
    let layout = page.layout("Escalatie melden", "escalations");
    let q = q.into_inner();
    let from_queue = q.van.as_deref() == Some("wachtrij");
    let view = NewPage { layout, case_id: q.dossier.into(), from_queue, reason: String::new(), errors: vec![] };
    render_with(StatusCode::OK, &view)
}

#[derive(Deserialize)]
struct RaiseForm {
    dossier: Id,
    van: Option<String>,
    reason: Option<String>,
}

async fn raise(page: Page, form: Form<RaiseForm>) -> PageResult {
    let form = form.into_inner();
    let case_id: String = form.dossier.into();
    let input = RaiseEscalation { reason: given(&form.reason) };
    match page.act(service::raise(&page.ctx, case_id.clone(), input)).await {
        Ok(e) => Ok(see_other(&format!("/escalaties/{}?gedaan=gemeld", e.id))),
        Err(AppError::Validation(errors)) => {
            let view = NewPage {
                layout: page.layout("Escalatie melden", "escalations"),
                case_id,
                from_queue: form.van.as_deref() == Some("wachtrij"),
                reason: form.reason.unwrap_or_default(),
                errors: dutch::field_messages(&errors, &LABELS),
            };
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(e) => Err(e.into()),
    }
}
