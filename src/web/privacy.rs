//! Inzage, the privacy officer's workbench: find a person by BSN (a POST: the BSN is in no URL; the API's
//! `POST /api/v1/audit/persons/search`), who saw that person's data (`GET /api/v1/audit/persons/{id}/overview`), the
//! same with the employees' names for a recorded reason (a POST: the reason is in no URL), and the overview as a
//! printable letter for the person or their parent, in plain Dutch (B1), without names. No case content anywhere.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::admin::role_label;
use super::dutch::{self, FieldMessage};
use super::page::{render, render_with, see_other, Form, Layout, Page, PageResult};
use super::search::parse_date;
use crate::calendar::{local, start_of_day};
use crate::crypto::bsn::RawBsn;
use crate::error::{AppError, FieldError};
use crate::input::Id;
use crate::privacy::service::{self, OverviewLineView, OverviewRequest, PersonLookup, PersonOverview};
use crate::privacy::store::Period;
use crate::roles::Role;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/inzage", web::get().to(start))
        .route("/inzage/zoeken", web::post().to(find))
        .route("/inzage/personen/{id}", web::get().to(overview))
        .route("/inzage/personen/{id}/namen", web::post().to(with_names))
        .route("/inzage/personen/{id}/afdrukken", web::get().to(print));
}

const LABELS: [(&str, &str); 4] = [("bsn", "BSN"), ("from", "Vanaf"), ("to", "Tot en met"), ("reason", "Reden")];

// Words

/// The kind of data, as the person would name it.
fn category_label(resource_type: &str) -> &'static str {
    match resource_type {
        "case" => "Dossier",
        "plan" => "Plan",
        "household" => "Gegevens van het gezin",
        "person" => "Persoonsgegevens",
        "consent" => "Toestemming",
        "signal" => "Signaal (Verwijsindex)",
        "match" => "Melding dat er meer hulpverleners zijn",
        "escalation" => "Hulp bij een vastgelopen situatie",
        "break_glass" => "Noodtoegang",
        _ => "Andere gegevens",
    }
}

/// What was done, from the action's last word (`case.read` → bekeken).
fn action_label(action: &str) -> &'static str {
    match action.rsplit('.').next().unwrap_or_default() {
        "read" | "contacts" | "preview" => "bekeken",
        "list" | "actions" => "bekeken in een lijst",
        "search" => "gezocht",
        "create" | "register" => "vastgelegd",
        "update" | "respond" | "decision" => "gewijzigd",
        "export" => "afgedrukt of opgeslagen",
        _ => "gebruikt",
    }
}

/// Why it was allowed (the basis kind).
pub(super) fn basis_label(basis: Option<&str>) -> &'static str {
    match basis.unwrap_or_default() {
        "involvement" => "Helpt het gezin (betrokken)",
        "regisseur" => "Regisseur: houdt de regie over het plan",
        "team_lead" => "Teamleider van het wijkteam",
        "team_member" => "Medewerker van het wijkteam",
        "proposal" => "Gevraagd om regisseur te worden",
        "consent" => "Met toestemming, of omdat de wet het toestaat",
        "break_glass" => "Noodtoegang in een spoedsituatie",
        "escalation" => "Procescoördinator: helpt als de hulp vastloopt",
        "role" => "Taak binnen de gemeente",
        _ => "Andere reden",
    }
}

/// What was done to which data, in one phrase ("Dossier bekeken"). The privacy officer's own work on the log is
/// said as what it is, for the person as for the officer.
pub(super) fn what(resource_type: &str, action: &str) -> String {
    match action {
        "audit_event.read" => "Opgezocht wie de gegevens bekeek".into(),
        "audit_event.search" => "Gezocht op BSN, voor dit overzicht".into(),
        "audit_event.list" => "In het logboek gekeken".into(),
        _ => format!("{} {}", category_label(resource_type), action_label(action)),
    }
}

fn role_text(role: Option<&str>) -> String {
    role.and_then(Role::parse).map(role_label).unwrap_or("Onbekende functie").to_string()
}

// Views

/// One line of the overview as the pages show it.
pub struct LineView {
    pub day: String,
    /// "10:02" or "10:02–11:15".
    pub times: String,
    pub organisation: String,
    pub role: String,
    pub what: String,
    pub why: &'static str,
    pub emergency: bool,
    pub count: i64,
    pub employees: Option<String>,
}

fn hour(t: chrono::DateTime<chrono::Utc>) -> String {
    local(t).format("%H:%M").to_string()
}

fn line_view(l: &OverviewLineView) -> LineView {
    let (first, last) = (hour(l.line.first_at), hour(l.line.last_at));
    LineView {
        day: dutch::date(l.line.day),
        times: if first == last { first } else { format!("{first}–{last}") },
        organisation: l.organisation.clone().unwrap_or_else(|| "Onbekende organisatie".into()),
        role: role_text(l.line.role.as_deref()),
        what: what(&l.line.category, &l.line.action),
        why: basis_label(l.line.basis.as_deref()),
        emergency: l.line.emergency,
        count: l.line.count,
        employees: l.line.employees.as_ref().map(|e| e.join(", ")),
    }
}

/// The period as typed (dates, both inclusive) and as the service takes it.
#[derive(Default, Clone)]
pub struct PeriodInput {
    pub from: String,
    pub to: String,
}

impl PeriodInput {
    /// The query string that keeps this period (`?van=…&tot=…`), empty when open.
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if !self.from.trim().is_empty() {
            parts.push(format!("van={}", urlencoding(&self.from)));
        }
        if !self.to.trim().is_empty() {
            parts.push(format!("tot={}", urlencoding(&self.to)));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// "1 januari 2026 tot en met 31 december 2026", or what an open end means.
    pub fn words(&self) -> String {
        match (parse_date(&self.from), parse_date(&self.to)) {
            (Some(f), Some(t)) => format!("{} tot en met {}", dutch::date(f), dutch::date(t)),
            (Some(f), None) => format!("vanaf {}", dutch::date(f)),
            (None, Some(t)) => format!("tot en met {}", dutch::date(t)),
            (None, None) => "alles wat eenplan heeft vastgelegd".into(),
        }
    }

    /// The period in UTC: from the start of `from`'s Dutch day to the end of `to`'s; field errors for dates that do
    /// not parse.
    fn period(&self, errors: &mut Vec<FieldError>) -> Period {
        let mut day = |raw: &str, field: &str| -> Option<NaiveDate> {
            if raw.trim().is_empty() {
                return None;
            }
            let d = parse_date(raw);
            if d.is_none() {
                errors.push(FieldError::new(field, crate::input::date::MESSAGE));
            }
            d
        };
        let from = day(&self.from, "from");
        let to = day(&self.to, "to");
        Period {
            from: from.map(|d| start_of_day(d).naive_utc()),
            to: to.and_then(|d| d.succ_opt()).map(|d| start_of_day(d).naive_utc()),
        }
    }
}

/// Dates and ids only ever reach these links; anything else is dropped rather than escaped.
fn urlencoding(s: &str) -> String {
    s.trim().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}

// Start: find a person

#[derive(Template)]
#[template(path = "privacy.html")]
struct StartPage {
    layout: Layout,
    errors: Vec<FieldMessage>,
    bsn: String,
    /// Open findings, and whether a log review is due.
    summary: super::findings::Summary,
}

impl StartPage {
    fn error(&self, field: &str) -> Option<&FieldMessage> {
        self.errors.iter().find(|e| e.field == field)
    }
}

async fn start(page: Page) -> PageResult {
    // The page only for those who may look people up (403 otherwise, as the lookup itself answers them).
    if !service::may_find_persons(&page.ctx) {
        return Err(AppError::Forbidden.into());
    }
    let summary = super::findings::summary(&page).await?;
    render(&StartPage { layout: page.layout("Inzage", "privacy"), errors: vec![], bsn: String::new(), summary })
}

#[derive(Deserialize)]
struct FindForm {
    bsn: Option<String>,
}

async fn find(page: Page, form: Form<FindForm>) -> PageResult {
    let raw = form.into_inner().bsn.unwrap_or_default().trim().to_string();
    let input = PersonLookup { bsn: (!raw.is_empty()).then(|| RawBsn(raw.clone())) };
    match page.act(service::find_person(&page.ctx, input)).await {
        Ok(found) => Ok(see_other(&format!("/inzage/personen/{}", found.person_id))),
        Err(AppError::Validation(errors)) => {
            let errors = dutch::field_messages(&errors, &LABELS);
            let layout = page.layout("Inzage", "privacy");
            let summary = super::findings::summary(&page).await?;
            // The BSN is kept in the form only when it must be corrected.
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &StartPage { layout, errors, bsn: raw, summary })
        }
        Err(AppError::NotFound) => {
            let errors = vec![FieldMessage {
                field: "bsn".into(),
                id: dutch::field_id("bsn"),
                label: "BSN".into(),
                message: "eenplan kent niemand met dit BSN.".into(),
            }];
            let layout = page.layout("Inzage", "privacy");
            let summary = super::findings::summary(&page).await?;
            render_with(StatusCode::NOT_FOUND, &StartPage { layout, errors, bsn: String::new(), summary })
        }
        Err(e) => Err(e.into()),
    }
}

// Who saw this person's data

#[derive(Template)]
#[template(path = "privacy_person.html")]
struct OverviewPage {
    layout: Layout,
    person_id: String,
    name: String,
    accesses: i64,
    lines: Vec<LineView>,
    period: PeriodInput,
    with_names: bool,
    /// What the form holds (kept when it must be corrected), and the reason the names were shown for.
    reason: String,
    names_reason: Option<String>,
    errors: Vec<FieldMessage>,
}

impl OverviewPage {
    fn error(&self, field: &str) -> Option<&FieldMessage> {
        self.errors.iter().find(|e| e.field == field)
    }
}

#[derive(Deserialize)]
struct PeriodQuery {
    van: Option<String>,
    tot: Option<String>,
}

impl PeriodQuery {
    fn input(self) -> PeriodInput {
        PeriodInput { from: self.van.unwrap_or_default(), to: self.tot.unwrap_or_default() }
    }
}

/// The overview, or the page again with the fields' errors (422) and no lines.
async fn show(page: Page, id: Id, period: PeriodInput, names_reason: Option<String>) -> PageResult {
    let mut errors = Vec::new();
    let p = period.period(&mut errors);
    let reason = names_reason.clone().unwrap_or_default();
    let title = "Wie zag deze gegevens?";
    let empty = |errors: Vec<FieldError>, layout: Layout| OverviewPage {
        layout,
        person_id: id.as_str().to_string(),
        name: String::new(),
        accesses: 0,
        lines: vec![],
        period: period.clone(),
        with_names: false,
        reason: reason.clone(),
        names_reason: None,
        errors: dutch::field_messages(&errors, &LABELS),
    };
    if !errors.is_empty() {
        return render_with(StatusCode::UNPROCESSABLE_ENTITY, &empty(errors, page.layout(title, "privacy")));
    }
    let req = OverviewRequest { period: p, names_reason };
    match page.act(service::person_overview(&page.ctx, &id, req)).await {
        Ok(o) => render(&overview_page(page.layout(title, "privacy"), o, period, reason)),
        Err(AppError::Validation(errors)) => {
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &empty(errors, page.layout(title, "privacy")))
        }
        Err(e) => Err(e.into()),
    }
}

fn overview_page(layout: Layout, o: PersonOverview, period: PeriodInput, reason: String) -> OverviewPage {
    // As the service keeps it in the event (cleaned); none when the names were not asked for.
    let names_reason = crate::audit::clean_reason(&reason);
    OverviewPage {
        layout,
        person_id: o.person_id,
        name: o.name,
        accesses: o.accesses,
        lines: o.lines.iter().map(line_view).collect(),
        period,
        with_names: names_reason.is_some(),
        reason: String::new(),
        names_reason,
        errors: vec![],
    }
}

async fn overview(page: Page, id: web::Path<Id>, q: crate::http::Query<PeriodQuery>) -> PageResult {
    show(page, id.into_inner(), q.into_inner().input(), None).await
}

#[derive(Deserialize)]
struct NamesForm {
    van: Option<String>,
    tot: Option<String>,
    reason: Option<String>,
}

/// The overview with the employees' names: a POST, so that the reason is in no URL; the service keeps it in the
/// overview's audit event.
async fn with_names(page: Page, id: web::Path<Id>, form: Form<NamesForm>) -> PageResult {
    let f = form.into_inner();
    let period = PeriodInput { from: f.van.unwrap_or_default(), to: f.tot.unwrap_or_default() };
    show(page, id.into_inner(), period, Some(f.reason.unwrap_or_default())).await
}

// The printable letter

#[derive(Template)]
#[template(path = "privacy_print.html")]
struct PrintPage {
    layout: Layout,
    person_id: String,
    name: String,
    made_on: String,
    period: PeriodInput,
    lines: Vec<LineView>,
    any_emergency: bool,
}

/// The overview for the person or their parent: no employee names, plain words.
async fn print(page: Page, id: web::Path<Id>, q: crate::http::Query<PeriodQuery>) -> PageResult {
    let period = q.into_inner().input();
    let mut errors = Vec::new();
    let p = period.period(&mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors).into());
    }
    let id = id.into_inner();
    let o =
        page.act(service::person_overview(&page.ctx, &id, OverviewRequest { period: p, names_reason: None })).await?;
    let lines: Vec<LineView> = o.lines.iter().map(line_view).collect();
    render(&PrintPage {
        layout: page.layout("Wie heeft uw gegevens bekeken?", "privacy"),
        person_id: o.person_id,
        name: o.name,
        made_on: dutch::date(local(chrono::Utc::now()).date()),
        period,
        any_emergency: lines.iter().any(|l| l.emergency),
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_basis_kind_has_words() {
        for kind in
            ["involvement", "regisseur", "team_lead", "team_member", "proposal", "consent", "break_glass", "escalation"]
        {
            assert_ne!(basis_label(Some(kind)), "Andere reden", "{kind}");
        }
        assert_eq!(basis_label(None), "Andere reden");
    }

    #[test]
    fn actions_are_said_by_their_last_word() {
        assert_eq!(action_label("case.read"), "bekeken");
        assert_eq!(action_label("plan.update"), "gewijzigd");
        assert_eq!(action_label("plan.export"), "afgedrukt of opgeslagen");
        assert_eq!(action_label("something.new"), "gebruikt");
        assert_eq!(what("case", "case.read"), "Dossier bekeken");
        assert_eq!(what("audit_event", "audit_event.read"), "Opgezocht wie de gegevens bekeek");
    }

    #[test]
    fn a_period_keeps_only_dates_in_its_links() {
        let p = PeriodInput { from: "01-02-2026".into(), to: "2026-03-01\"><script>".into() };
        assert_eq!(p.query(), "?van=01-02-2026&tot=2026-03-01script");
        assert_eq!(PeriodInput::default().query(), "");
    }

    #[test]
    fn a_period_runs_from_the_start_of_the_first_dutch_day_to_the_end_of_the_last() {
        let mut errors = Vec::new();
        let p = PeriodInput { from: "1-7-2026".into(), to: "31-12-2026".into() }.period(&mut errors);
        assert!(errors.is_empty());
        // Summer time at the start (UTC+2), winter time at the end (UTC+1).
        assert_eq!(p.from.unwrap().to_string(), "2026-06-30 22:00:00");
        assert_eq!(p.to.unwrap().to_string(), "2026-12-31 23:00:00");
        let p = PeriodInput { from: "gisteren".into(), to: String::new() }.period(&mut errors);
        assert_eq!((p.from, p.to), (None, None));
        assert_eq!(errors.len(), 1);
    }
}
