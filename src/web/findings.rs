//! Meldingen and Controles, the privacy officer's suspicious-access findings and log reviews: the list with its
//! filter and a scan of a period (`GET /api/v1/audit/findings`, `POST /api/v1/audit/findings/scan`), one finding with
//! the events it is about and its workflow (`GET …/{id}`, `POST …/{id}/assign|judge|close`), and the log reviews
//! with the warning when one is due (`GET|POST /api/v1/audit/reviews`). Every form works without JavaScript.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::audit_log::{row, EventRow};
use super::dutch::{self, FieldMessage};
use super::page::{render_with, see_other, Form, Layout, Page, PageResult};
use super::search::parse_date;
use crate::error::{AppError, FieldError};
use crate::input::Id;
use crate::oversight::model::Step;
use crate::oversight::service::{self, Finding, FindingQuery, NewReview, ScanRequest, StepInput};
use crate::rules::PrivacyRules;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/inzage/meldingen", web::get().to(list))
        .route("/inzage/meldingen/scan", web::post().to(scan))
        .route("/inzage/meldingen/{id}", web::get().to(one))
        .route("/inzage/meldingen/{id}/oppakken", web::post().to(take))
        .route("/inzage/meldingen/{id}/beoordelen", web::post().to(judge))
        .route("/inzage/meldingen/{id}/afsluiten", web::post().to(close))
        .route("/inzage/controles", web::get().to(reviews))
        .route("/inzage/controles", web::post().to(record_review));
}

// Words

pub const KINDS: [(&str, &str); 8] = [
    ("no_basis", "Zonder grondslag"),
    ("off_hours", "Buiten kantoortijd"),
    ("many_households", "Veel huishoudens"),
    ("denials", "Veel geweigerd"),
    ("unfollowed_search", "Gezocht, niet gewerkt"),
    ("break_glass_unreviewed", "Noodtoegang niet beoordeeld"),
    ("own_household", "Eigen huishouden"),
    ("protected_person", "Extra beschermd persoon"),
];

const STATUSES: [(&str, &str); 4] =
    [("open", "Open"), ("assigned", "Opgepakt"), ("judged", "Beoordeeld"), ("closed", "Afgesloten")];

const JUDGEMENTS: [(&str, &str); 3] =
    [("justified", "Terecht"), ("not_justified", "Niet terecht"), ("needs_follow_up", "Vraagt om opvolging")];

fn label(list: &[(&str, &'static str)], key: &str) -> &'static str {
    list.iter().find(|(k, _)| *k == key).map(|(_, l)| *l).unwrap_or("Onbekend")
}

/// What a finding says, in Dutch, from its figure and threshold.
fn explanation(f: &Finding, rules: &PrivacyRules) -> String {
    let (n, t) = (f.figure, f.threshold);
    match f.kind.as_str() {
        "no_basis" => format!(
            "{n} keer de inhoud van een dossier bekeken zonder betrokkenheid, toestemming, wettelijke grondslag of \
             noodtoegang."
        ),
        "off_hours" => format!(
            "{n} keer persoonsgegevens bekeken buiten kantoortijd (werkdagen van {} tot {} uur).",
            rules.office_hours_from, rules.office_hours_until
        ),
        "many_households" => format!("Gegevens van {n} verschillende huishoudens op één dag; de grens was {t}."),
        "denials" => format!("{n} keer geweigerd binnen een uur (vanaf {t} is het een melding): zocht iemand naar gegevens zonder toegang?"),
        "unfollowed_search" => {
            format!("{n} keer gezocht en iemand gevonden, zonder daarna met die persoon aan het werk te gaan.")
        }
        "break_glass_unreviewed" => {
            format!("Noodtoegang is na {n} werkdagen nog niet beoordeeld; dat moet binnen {t} werkdagen.")
        }
        "own_household" => format!(
            "{n} keer gegevens bekeken van een huishouden op het eigen adres van de medewerker, of met iemand met een \
             achternaam die de medewerker als eigen familie opgaf."
        ),
        "protected_person" => format!("{n} keer gegevens bekeken van een persoon met extra bescherming."),
        _ => "Onbekende soort melding.".into(),
    }
}

pub struct FindingView {
    pub id: String,
    pub day: String,
    pub kind: &'static str,
    pub kind_code: String,
    pub user_name: String,
    pub explanation: String,
    pub status: &'static str,
    pub status_code: String,
    pub assigned_to: Option<String>,
    pub judgement: Option<&'static str>,
    pub judgement_note: Option<String>,
    pub event_count: i64,
}

fn view(f: &Finding, rules: &PrivacyRules) -> FindingView {
    FindingView {
        id: f.id.clone(),
        day: dutch::date(f.day),
        kind: label(&KINDS, &f.kind),
        kind_code: f.kind.clone(),
        user_name: f.user_name.clone().unwrap_or_else(|| "Onbekend".into()),
        explanation: explanation(f, rules),
        status: label(&STATUSES, &f.status),
        status_code: f.status.clone(),
        assigned_to: f.assigned_to_name.clone(),
        judgement: f.judgement.as_deref().map(|j| label(&JUDGEMENTS, j)),
        judgement_note: f.judgement_note.clone(),
        event_count: f.event_count,
    }
}

const LABELS: [(&str, &str); 6] = [
    ("from", "Vanaf"),
    ("to", "Tot en met"),
    ("judgement", "Oordeel"),
    ("note", "Toelichting"),
    ("status", "Status"),
    ("kind", "Soort"),
];

// The list

#[derive(Template)]
#[template(path = "findings.html")]
struct ListPage {
    layout: Layout,
    items: Vec<FindingView>,
    status: String,
    kind: String,
    from: String,
    to: String,
    errors: Vec<FieldMessage>,
    kinds: &'static [(&'static str, &'static str)],
    statuses: &'static [(&'static str, &'static str)],
}

impl ListPage {
    fn error(&self, field: &str) -> Option<&FieldMessage> {
        self.errors.iter().find(|e| e.field == field)
    }
}

#[derive(Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
    soort: Option<String>,
    gescand: Option<String>,
}

fn nonempty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

async fn list_page(page: &Page, q: ListQuery, scan: (String, String, Vec<FieldError>)) -> PageResult {
    let notice = q.gescand.is_some().then_some("De periode is doorzocht.");
    let status = nonempty(q.status);
    let kind = nonempty(q.soort);
    let (from, to, scan_errors) = scan;
    let failed = !scan_errors.is_empty();
    let found = page.act(service::list(&page.ctx, FindingQuery { status: status.clone(), kind: kind.clone() })).await;
    let rules = &page.ctx.state.rules.privacy;
    let (items, mut errors) = match found {
        Ok(l) => (l.items.iter().map(|f| view(f, rules)).collect(), Vec::new()),
        Err(AppError::Validation(e)) => (Vec::new(), e),
        Err(e) => return Err(e.into()),
    };
    let status_code = if errors.is_empty() && !failed { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    errors.extend(scan_errors);
    let out = ListPage {
        layout: page.layout("Meldingen", "privacy").with_notice(notice),
        items,
        status: status.unwrap_or_default(),
        kind: kind.unwrap_or_default(),
        from,
        to,
        errors: dutch::field_messages(&errors, &LABELS),
        kinds: &KINDS,
        statuses: &STATUSES,
    };
    render_with(status_code, &out)
}

async fn list(page: Page, q: crate::http::Query<ListQuery>) -> PageResult {
    list_page(&page, q.into_inner(), (String::new(), String::new(), vec![])).await
}

#[derive(Deserialize)]
struct ScanForm {
    van: Option<String>,
    tot: Option<String>,
}

/// Scans the period typed (Dutch dates) and shows the list again.
async fn scan(page: Page, form: Form<ScanForm>) -> PageResult {
    let f = form.into_inner();
    let (van, tot) = (f.van.unwrap_or_default(), f.tot.unwrap_or_default());
    let mut errors = Vec::new();
    let mut date = |raw: &str, field: &str| {
        if raw.trim().is_empty() {
            errors.push(FieldError::new(field, "is required"));
            return None;
        }
        let d = parse_date(raw);
        if d.is_none() {
            errors.push(FieldError::new(field, crate::input::date::MESSAGE));
        }
        d
    };
    let (from, to) = (date(&van, "from"), date(&tot, "to"));
    if errors.is_empty() {
        match page.act(service::scan(&page.ctx, ScanRequest { from, to })).await {
            Ok(_) => return Ok(see_other("/inzage/meldingen?gescand=1")),
            Err(AppError::Validation(e)) => errors = e,
            Err(e) => return Err(e.into()),
        }
    }
    list_page(&page, ListQuery::default(), (van, tot, errors)).await
}

// One finding

#[derive(Template)]
#[template(path = "finding.html")]
struct OnePage {
    layout: Layout,
    item: FindingView,
    events: Vec<EventRow>,
    judgements: &'static [(&'static str, &'static str)],
    judgement: String,
    note: String,
    errors: Vec<FieldMessage>,
}

impl OnePage {
    fn error(&self, field: &str) -> Option<&FieldMessage> {
        self.errors.iter().find(|e| e.field == field)
    }
}

#[derive(Deserialize)]
struct DoneQuery {
    gedaan: Option<String>,
}

async fn show(
    page: &Page,
    id: Id,
    notice: Option<&'static str>,
    form: (String, String, Vec<FieldError>),
) -> PageResult {
    let d = page.act(service::get(&page.ctx, id)).await?;
    let (judgement, note, errors) = form;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let out = OnePage {
        layout: page.layout("Melding", "privacy").with_notice(notice),
        item: view(&d.finding, &page.ctx.state.rules.privacy),
        events: d.events.iter().map(row).collect(),
        judgements: &JUDGEMENTS,
        judgement,
        note,
        errors: dutch::field_messages(&errors, &LABELS),
    };
    render_with(status, &out)
}

async fn one(page: Page, id: web::Path<Id>, q: crate::http::Query<DoneQuery>) -> PageResult {
    let notice = q.gedaan.is_some().then_some("Opgeslagen.");
    show(&page, id.into_inner(), notice, (String::new(), String::new(), vec![])).await
}

/// A step, then the finding again (POST-redirect-GET); a refused step shows the finding with what was wrong.
async fn do_step(page: Page, id: Id, step: Step, input: StepInput) -> PageResult {
    let (judgement, note) = (input.judgement.clone().unwrap_or_default(), input.note.clone().unwrap_or_default());
    match page.act(service::step(&page.ctx, id.clone(), step, input)).await {
        Ok(_) => Ok(see_other(&format!("/inzage/meldingen/{id}?gedaan=1"))),
        Err(AppError::Validation(errors)) => show(&page, id, None, (judgement, note, errors)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct Empty {}

/// The officer takes the finding on (assigned to themselves).
async fn take(page: Page, id: web::Path<Id>, _form: Form<Empty>) -> PageResult {
    let me = page.ctx.principal.user_id.clone();
    do_step(page, id.into_inner(), Step::Assign, StepInput { assignee_id: Some(me), ..Default::default() }).await
}

#[derive(Deserialize)]
struct JudgeForm {
    judgement: Option<String>,
    note: Option<String>,
}

async fn judge(page: Page, id: web::Path<Id>, form: Form<JudgeForm>) -> PageResult {
    let f = form.into_inner();
    let input = StepInput { assignee_id: None, judgement: nonempty(f.judgement), note: f.note };
    do_step(page, id.into_inner(), Step::Judge, input).await
}

async fn close(page: Page, id: web::Path<Id>, _form: Form<Empty>) -> PageResult {
    do_step(page, id.into_inner(), Step::Close, StepInput::default()).await
}

// Log reviews

pub struct ReviewView {
    pub period: String,
    pub reviewer: String,
    pub recorded: String,
    pub method: String,
    pub sample: String,
    pub findings: String,
    pub follow_up: String,
}

#[derive(Template)]
#[template(path = "reviews.html")]
struct ReviewsPage {
    layout: Layout,
    items: Vec<ReviewView>,
    overdue: bool,
    every_days: i64,
    form: ReviewForm,
    errors: Vec<FieldMessage>,
}

impl ReviewsPage {
    fn error(&self, field: &str) -> Option<&FieldMessage> {
        self.errors.iter().find(|e| e.field == field)
    }

    /// The text fields of the form: field, label, hint and what was typed.
    fn text_fields(&self) -> Vec<(&'static str, &'static str, &'static str, String)> {
        let f = &self.form;
        let v = |x: &Option<String>| x.clone().unwrap_or_default();
        vec![
            (
                "method",
                "Werkwijze",
                "Bijvoorbeeld: de meldingen van verdachte toegang en een steekproef.",
                v(&f.method),
            ),
            ("sample", "Steekproef", "Welke medewerkers, dossiers of dagen u bekeek.", v(&f.sample)),
            ("findings", "Bevindingen", "Wat u vond. Schrijf geen inhoud van dossiers op.", v(&f.findings)),
            ("followUp", "Opvolging", "Wat er met de bevindingen gebeurt, en door wie.", v(&f.follow_up)),
        ]
    }
}

#[derive(Deserialize, Default, Clone)]
struct ReviewForm {
    van: Option<String>,
    tot: Option<String>,
    method: Option<String>,
    sample: Option<String>,
    findings: Option<String>,
    #[serde(rename = "followUp")]
    follow_up: Option<String>,
}

impl ReviewForm {
    fn v<'a>(&self, field: &'a Option<String>) -> &'a str {
        field.as_deref().unwrap_or_default()
    }
}

const REVIEW_LABELS: [(&str, &str); 6] = [
    ("from", "Vanaf"),
    ("to", "Tot en met"),
    ("method", "Werkwijze"),
    ("sample", "Steekproef"),
    ("findings", "Bevindingen"),
    ("followUp", "Opvolging"),
];

async fn reviews_page(
    page: &Page,
    form: ReviewForm,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> PageResult {
    let list = page.act(service::reviews(&page.ctx)).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let items = list
        .items
        .into_iter()
        .map(|r| ReviewView {
            period: format!("{} tot en met {}", dutch::date(r.from), dutch::date(r.to)),
            reviewer: r.reviewer_name.unwrap_or_default(),
            recorded: dutch::date(crate::calendar::local(r.recorded_at).date()),
            method: r.method,
            sample: r.sample,
            findings: r.findings,
            follow_up: r.follow_up,
        })
        .collect();
    let out = ReviewsPage {
        layout: page.layout("Controles van het logboek", "privacy").with_notice(notice),
        items,
        overdue: list.overdue,
        every_days: list.review_every_days,
        form,
        errors: dutch::field_messages(&errors, &REVIEW_LABELS),
    };
    render_with(status, &out)
}

#[derive(Deserialize)]
struct ReviewsQuery {
    gedaan: Option<String>,
}

async fn reviews(page: Page, q: crate::http::Query<ReviewsQuery>) -> PageResult {
    let notice = q.gedaan.is_some().then_some("De controle is vastgelegd.");
    reviews_page(&page, ReviewForm::default(), vec![], notice).await
}

async fn record_review(page: Page, form: Form<ReviewForm>) -> PageResult {
    let f = form.into_inner();
    let mut errors = Vec::new();
    let mut date = |raw: &Option<String>, field: &str| match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let d = parse_date(s);
            if d.is_none() {
                errors.push(FieldError::new(field, crate::input::date::MESSAGE));
            }
            d
        }
    };
    let (from, to) = (date(&f.van, "from"), date(&f.tot, "to"));
    let input = NewReview {
        from,
        to,
        method: f.method.clone(),
        sample: f.sample.clone(),
        findings: f.findings.clone(),
        follow_up: f.follow_up.clone(),
    };
    match page.act(service::record_review(&page.ctx, input)).await {
        Ok(_) if errors.is_empty() => Ok(see_other("/inzage/controles?gedaan=1")),
        Ok(_) => reviews_page(&page, f, errors, None).await,
        Err(AppError::Validation(mut e)) => {
            // A date that did not parse is named once, as such.
            e.retain(|x| !errors.iter().any(|d| d.field == x.field));
            errors.extend(e);
            reviews_page(&page, f, errors, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The workbench's start page: open findings and whether a review is due (to show there).
pub struct Summary {
    pub open: usize,
    pub review_due: bool,
}

pub async fn summary(page: &Page) -> Result<Summary, AppError> {
    let open = service::list(&page.ctx, FindingQuery { status: Some("open".into()), kind: None }).await?.items.len();
    let review_due = service::reviews(&page.ctx).await?.overdue;
    Ok(Summary { open, review_due })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_finding_has_a_name_and_an_explanation() {
        for kind in crate::oversight::model::Kind::ALL {
            assert_ne!(label(&KINDS, kind.as_str()), "Onbekend", "{kind:?}");
            let f = Finding {
                id: String::new(),
                kind: kind.as_str().into(),
                user_id: None,
                user_name: None,
                day: chrono::NaiveDate::from_ymd_opt(2027, 1, 5).unwrap(),
                figure: 31,
                threshold: 30,
                status: "open".into(),
                assigned_to: None,
                assigned_to_name: None,
                judgement: None,
                judgement_note: None,
                judged_by: None,
                judged_at: None,
                closed_at: None,
                found_at: chrono::Utc::now(),
                event_count: 1,
            };
            let text = explanation(&f, &PrivacyRules::default());
            assert!(text.contains("31") && text != "Onbekende soort melding.", "{kind:?}: {text}");
        }
    }
}
