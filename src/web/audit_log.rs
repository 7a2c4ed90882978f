//! Logboek and Register, the privacy officer's NEN 7513 views: the access log per employee, per case, per day
//! (`GET /api/v1/audit/events` with its filters, a GET form), its CSV export (`GET /api/v1/audit/events.csv`), and
//! the register of processing activities every event names (`GET /api/v1/audit/register`), shown and exported.
//! Every query is the API's, so it is decided and audited the same way.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::dutch::{self, FieldMessage};
use super::page::{render, render_with, Layout, Page, PageResult};
use super::privacy::{basis_label, what};
use super::search::parse_date;
use crate::calendar::{local, start_of_day};
use crate::error::{AppError, FieldError};
use crate::input::Id;
use crate::privacy::model::{csv, ProcessingActivity};
use crate::privacy::routes::EventQuery;
use crate::privacy::service::{self, AuditEventView};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/inzage/logboek", web::get().to(log))
        .route("/inzage/logboek.csv", web::get().to(log_csv))
        .route("/inzage/register", web::get().to(register))
        .route("/inzage/register.csv", web::get().to(register_csv));
}

const LABELS: [(&str, &str); 7] = [
    ("userId", "Medewerker"),
    ("caseId", "Dossier"),
    ("day", "Dag"),
    ("from", "Vanaf"),
    ("to", "Tot en met"),
    ("outcome", "Uitkomst"),
    ("after", "Vorige pagina"),
];

/// The processing activities' names, as the register has them.
fn activity_name(code: &str) -> &'static str {
    match code {
        "case_work" => "Wijkteamwerk",
        "verwijsindex" => "Verwijsindex",
        "procescoordinatie" => "Procescoördinatie",
        "break_glass" => "Noodtoegang",
        "privacy_supervision" => "Privacytoezicht",
        _ => "Beheer",
    }
}

/// The log's filters as the form sends them (all optional, all in the URL: ids and dates only, never a name or BSN).
#[derive(Deserialize, Default, Clone)]
struct LogForm {
    medewerker: Option<String>,
    dossier: Option<String>,
    dag: Option<String>,
    van: Option<String>,
    tot: Option<String>,
    uitkomst: Option<String>,
    na: Option<String>,
}

fn filled(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl LogForm {
    /// The API's query, or every field error at once.
    fn query(&self, with_cursor: bool) -> Result<EventQuery, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut id = |raw: Option<&str>, field: &str| -> Option<Id> {
            let raw = raw?;
            let id = Id::parse(raw);
            if id.is_none() {
                errors.push(FieldError::new(field, crate::input::NOT_AN_ID));
            }
            id
        };
        let user_id = id(filled(&self.medewerker), "userId");
        let case_id = id(filled(&self.dossier), "caseId");
        let mut date = |raw: Option<&str>, field: &str| -> Option<NaiveDate> {
            let raw = raw?;
            let d = parse_date(raw);
            if d.is_none() {
                errors.push(FieldError::new(field, crate::input::date::MESSAGE));
            }
            d
        };
        let day = date(filled(&self.dag), "day");
        let mut from = date(filled(&self.van), "from");
        let mut to = date(filled(&self.tot), "to");
        // One day is the period of that day.
        if let Some(d) = day {
            from = Some(d);
            to = Some(d);
        }
        let outcome = match filled(&self.uitkomst) {
            None => None,
            Some("toegestaan") => Some("allowed".to_string()),
            Some("geweigerd") => Some("denied".to_string()),
            Some(_) => {
                errors.push(FieldError::new("outcome", crate::input::NOT_AN_ID));
                None
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(EventQuery {
            user_id,
            person_id: None,
            case_id,
            household_id: None,
            action: None,
            outcome,
            from: from.map(start_of_day),
            to: to.and_then(|d| d.succ_opt()).map(start_of_day),
            limit: Some(PAGE),
            after: if with_cursor { filled(&self.na).map(str::to_string) } else { None },
        })
    }

    /// The query string of these filters (without the cursor), for the next page and the CSV link: ids, dates and
    /// the fixed outcome words only.
    fn query_string(&self) -> String {
        let keep = |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect::<String>();
        let fields = [
            ("medewerker", &self.medewerker),
            ("dossier", &self.dossier),
            ("dag", &self.dag),
            ("van", &self.van),
            ("tot", &self.tot),
            ("uitkomst", &self.uitkomst),
        ];
        fields.iter().filter_map(|(k, v)| filled(v).map(|v| format!("{k}={}", keep(v)))).collect::<Vec<_>>().join("&")
    }
}

const PAGE: i64 = 100;

/// One event as a row.
pub struct EventRow {
    pub when: String,
    pub user_id: Option<String>,
    pub user_name: String,
    pub role: String,
    pub what: String,
    pub action: String,
    pub case_id: Option<String>,
    pub why: &'static str,
    pub allowed: bool,
    pub emergency: bool,
    pub activity: &'static str,
}

pub(super) fn row(v: &AuditEventView) -> EventRow {
    let e = &v.event;
    let l = local(e.occurred_at.and_utc());
    EventRow {
        when: format!("{} {}", dutch::date(l.date()), l.format("%H:%M:%S")),
        user_id: e.user_id.clone(),
        user_name: e.user_name.clone().unwrap_or_else(|| "Niet aangemeld".into()),
        role: e
            .role
            .as_deref()
            .and_then(crate::roles::Role::parse)
            .map(super::admin::role_label)
            .unwrap_or("–")
            .to_string(),
        what: what(&e.resource_type, &e.action),
        action: e.action.clone(),
        case_id: e.case_id.clone(),
        why: if e.outcome == "allowed" { basis_label(e.basis.as_ref().map(|b| b.kind()).as_deref()) } else { "–" },
        allowed: e.outcome == "allowed",
        emergency: e.flagged,
        activity: activity_name(v.processing_activity),
    }
}

pub struct EmployeeOption {
    pub id: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "audit_log.html")]
struct LogPage {
    layout: Layout,
    form: LogForm,
    employees: Vec<EmployeeOption>,
    errors: Vec<FieldMessage>,
    rows: Vec<EventRow>,
    /// The link to the next (older) page, when there is one.
    next: Option<String>,
    query: String,
}

impl LogPage {
    fn error(&self, field: &str) -> Option<&FieldMessage> {
        self.errors.iter().find(|e| e.field == field)
    }

    fn value<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or_default()
    }

    fn chosen(&self, id: &str) -> bool {
        filled(&self.form.medewerker) == Some(id)
    }
}

async fn log(page: Page, q: crate::http::Query<LogForm>) -> PageResult {
    let form = q.into_inner();
    let layout = page.layout("Logboek", "privacy");
    let employees: Vec<EmployeeOption> = service::employees(&page.ctx)
        .await?
        .into_iter()
        .map(|e| EmployeeOption { label: format!("{} ({})", e.name, e.organisation), id: e.id })
        .collect();
    let query = form.query_string();
    let mut out = LogPage { layout, form: form.clone(), employees, errors: vec![], rows: vec![], next: None, query };
    let api = match form.query(true) {
        Ok(api) => api,
        Err(errors) => {
            out.errors = dutch::field_messages(&errors, &LABELS);
            return render_with(StatusCode::UNPROCESSABLE_ENTITY, &out);
        }
    };
    match page.act(service::list_events(&page.ctx, api)).await {
        Ok(found) => {
            out.rows = found.items.iter().map(row).collect();
            out.next = found.next.map(|n| {
                let sep = if out.query.is_empty() { "" } else { "&" };
                format!("/inzage/logboek?{}{sep}na={}", out.query, n)
            });
            render(&out)
        }
        Err(AppError::Validation(errors)) => {
            out.errors = dutch::field_messages(&errors, &LABELS);
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &out)
        }
        Err(e) => Err(e.into()),
    }
}

fn csv_response(name: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .body(body)
}

/// The log's CSV with the page's filters: the API's export.
async fn log_csv(page: Page, q: crate::http::Query<LogForm>) -> PageResult {
    let api = q.into_inner().query(false).map_err(AppError::Validation)?;
    let body = page.act(service::export_events(&page.ctx, api)).await?;
    Ok(csv_response("eenplan-logboek.csv", body))
}

#[derive(Template)]
#[template(path = "audit_register.html")]
struct RegisterPage {
    layout: Layout,
    activities: Vec<ProcessingActivity>,
}

async fn register(page: Page) -> PageResult {
    let activities = page.act(async { service::register(&page.ctx) }).await?;
    render(&RegisterPage { layout: page.layout("Register van verwerkingen", "privacy"), activities })
}

async fn register_csv(page: Page) -> PageResult {
    let activities = page.act(async { service::register(&page.ctx) }).await?;
    let header = ["code", "naam", "doel", "grondslag", "betrokkenen", "gegevens", "ontvangers", "bewaartermijn"];
    let rows = activities
        .into_iter()
        .map(|a| vec![a.code, a.name, a.purpose, a.legal_basis, a.persons, a.data, a.recipients, a.retention]);
    Ok(csv_response("eenplan-register-van-verwerkingen.csv", csv(&header, rows.collect::<Vec<_>>())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_the_period_of_that_dutch_day_and_bad_fields_are_all_named() {
        let form = LogForm { dag: Some("15-07-2027".into()), van: Some("01-01-2020".into()), ..Default::default() };
        let q = form.query(true).unwrap();
        assert_eq!(q.from.unwrap().to_rfc3339(), "2027-07-14T22:00:00+00:00");
        assert_eq!(q.to.unwrap().to_rfc3339(), "2027-07-15T22:00:00+00:00");
        let bad = LogForm {
            medewerker: Some("iemand".into()),
            dag: Some("morgen".into()),
            uitkomst: Some("misschien".into()),
            ..Default::default()
        };
        let fields: Vec<String> = bad.query(true).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["userId", "day", "outcome"]);
    }

    #[test]
    fn the_links_keep_only_ids_dates_and_the_fixed_words() {
        let form = LogForm {
            dossier: Some("0192d7e4-aaaa-7bbb-8ccc-123456789abc".into()),
            van: Some("1-2-2027\"><b>".into()),
            uitkomst: Some("geweigerd".into()),
            na: Some("55".into()),
            ..Default::default()
        };
        assert_eq!(
            form.query_string(),
            "dossier=0192d7e4-aaaa-7bbb-8ccc-123456789abc&van=1-2-2027b&uitkomst=geweigerd"
        );
    }
}
