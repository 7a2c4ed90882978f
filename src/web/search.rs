//! Zoeken en aanmelden: find a person by BSN or by name and birth date (both POSTs: a BSN never appears in a URL),
//! and register a household with its members and open its case in one form. The search is the API's
//! (`work::service::find_persons`, which is `POST /api/v1/persons/search` with each hit's visible case); the
//! registration is the API's `POST /api/v1/registrations` (`cases::registration`): household, members and case in
//! one transaction.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::dutch::{self, FieldMessage};
use super::page::{render, render_with, see_other, Form, Layout, Page, PageResult};
use crate::cases::model::Law;
use crate::cases::registration::{self, Registration};
use crate::crypto::bsn::RawBsn;
use crate::error::{AppError, FieldError};
use crate::households::model::Relation;
use crate::households::persons::PersonSearch;
use crate::households::service::{AddMember, CreateHousehold, NewPerson};
use crate::work::service as work;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/zoeken").route(web::get().to(search_form)).route(web::post().to(search))).service(
        web::resource("/zoeken/aanmelden").route(web::get().to(register_form)).route(web::post().to(register)),
    );
}

/// A date as people type it: `15-01-2015`, `15-1-2015`, `15/01/2015` or `2015-01-15`.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim().replace(['/', '.', ' '], "-");
    NaiveDate::parse_from_str(&s, "%d-%m-%Y")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
        .filter(|d| d.format("%Y").to_string().len() == 4)
}

// Zoeken.

/// A person found, as a row.
pub struct HitRow {
    pub name: String,
    pub birth_date: String,
    pub bsn: String,
    pub case_id: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    errors: Vec<FieldMessage>,
    /// Which form was sent: `bsn`, `naam` or empty.
    by: String,
    bsn: String,
    name: String,
    birth_date: String,
    hits: Option<Vec<HitRow>>,
}

impl SearchPage {
    fn new(layout: Layout) -> Self {
        SearchPage {
            layout,
            errors: vec![],
            by: String::new(),
            bsn: String::new(),
            name: String::new(),
            birth_date: String::new(),
            hits: None,
        }
    }

    fn error(&self, field: &str) -> Option<&FieldMessage> {
        self.errors.iter().find(|e| e.field == field)
    }
}

const SEARCH_LABELS: [(&str, &str); 3] = [("bsn", "BSN"), ("name", "Naam"), ("birthDate", "Geboortedatum")];

async fn search_form(page: Page) -> PageResult {
    // The form only for those who may search (403 otherwise, as the search itself answers them).
    if !work::may_find_persons(&page.ctx) {
        return Err(crate::error::AppError::Forbidden.into());
    }
    render(&SearchPage::new(page.layout("Zoeken en aanmelden", "search")))
}

#[derive(Deserialize)]
struct SearchForm {
    wijze: Option<String>,
    bsn: Option<String>,
    name: Option<String>,
    #[serde(rename = "birthDate")]
    birth_date: Option<String>,
}

fn filled(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

async fn search(page: Page, form: Form<SearchForm>) -> PageResult {
    let form = form.into_inner();
    let mut out = SearchPage::new(page.layout("Zoeken en aanmelden", "search"));
    let mut errors = Vec::new();
    let input = if form.wijze.as_deref() == Some("naam") {
        out.by = "naam".into();
        out.name = form.name.clone().unwrap_or_default();
        out.birth_date = form.birth_date.clone().unwrap_or_default();
        let name = filled(form.name);
        let raw_date = filled(form.birth_date);
        if name.is_none() {
            errors.push(FieldError::new("name", "is required"));
        }
        let birth_date = match raw_date.as_deref().map(parse_date) {
            None => {
                errors.push(FieldError::new("birthDate", "is required"));
                None
            }
            Some(None) => {
                errors.push(FieldError::new("birthDate", crate::input::date::MESSAGE));
                None
            }
            Some(d) => d,
        };
        PersonSearch { bsn: None, name, birth_date }
    } else {
        out.by = "bsn".into();
        // The BSN is kept in the form only when it must be corrected.
        let bsn = filled(form.bsn);
        if bsn.is_none() {
            errors.push(FieldError::new("bsn", "is required"));
        }
        out.bsn = bsn.clone().unwrap_or_default();
        PersonSearch { bsn: bsn.map(RawBsn), name: None, birth_date: None }
    };
    if !errors.is_empty() {
        out.errors = dutch::field_messages(&errors, &SEARCH_LABELS);
        return render_with(StatusCode::UNPROCESSABLE_ENTITY, &out);
    }
    match work::find_persons(&page.ctx, input).await {
        Ok(found) => {
            out.bsn.clear();
            out.hits = Some(
                found
                    .items
                    .into_iter()
                    .map(|f| HitRow {
                        name: f.person.name,
                        birth_date: dutch::date(f.person.birth_date),
                        bsn: f.person.bsn.unwrap_or_else(|| "–".into()),
                        case_id: f.case_id,
                    })
                    .collect(),
            );
            render(&out)
        }
        Err(AppError::Validation(errors)) => {
            out.errors = dutch::field_messages(&errors, &SEARCH_LABELS);
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &out)
        }
        Err(e) => Err(e.into()),
    }
}

// Aanmelden.

/// Member rows the form starts with, and most it grows to.
const START_ROWS: usize = 2;
const MAX_ROWS: usize = 20;

pub const RELATIONS: [(&str, &str); 5] =
    [("parent", "Ouder"), ("child", "Kind"), ("partner", "Partner"), ("carer", "Verzorger"), ("other", "Anders")];
pub const LAWS: [(&str, &str); 3] = [
    ("Wmo", "Wmo (ondersteuning volwassenen)"),
    ("Jeugdwet", "Jeugdwet"),
    ("Participatiewet", "Participatiewet (werk en inkomen)"),
];

/// One member row as typed.
#[derive(Default, Clone)]
pub struct MemberInput {
    pub name: String,
    pub birth_date: String,
    pub bsn: String,
    pub relation: String,
    pub custody: bool,
}

impl MemberInput {
    fn is_empty(&self) -> bool {
        self.name.trim().is_empty() && self.birth_date.trim().is_empty() && self.bsn.trim().is_empty()
    }
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    errors: Vec<FieldMessage>,
    teams: Vec<(String, String)>,
    team_id: String,
    postcode: String,
    house_number: String,
    addition: String,
    wijk: String,
    members: Vec<MemberInput>,
    laws: Vec<String>,
}

impl RegisterPage {
    fn error(&self, field: &str) -> Option<&FieldMessage> {
        self.errors.iter().find(|e| e.field == field)
    }

    fn member_error(&self, i: &usize, field: &str) -> Option<&FieldMessage> {
        let name = format!("members[{i}].{field}");
        self.errors.iter().find(|e| e.field == name)
    }

    /// The address inputs: field, label, value, autocomplete, inputmode.
    fn address_fields(&self) -> Vec<(&'static str, &'static str, String, &'static str, &'static str)> {
        vec![
            ("postcode", "Postcode", self.postcode.clone(), "postal-code", "text"),
            ("houseNumber", "Huisnummer", self.house_number.clone(), "off", "numeric"),
            ("houseNumberAddition", "Toevoeging (niet verplicht)", self.addition.clone(), "off", "text"),
            ("wijk", "Wijk", self.wijk.clone(), "off", "text"),
        ]
    }

    fn has_law(&self, law: &str) -> bool {
        self.laws.iter().any(|l| l == law)
    }

    fn id(&self, field: &str) -> String {
        dutch::field_id(field)
    }

    fn member_id(&self, i: &usize, field: &str) -> String {
        dutch::field_id(&format!("members[{i}].{field}"))
    }
}

fn labels(rows: usize) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = [
        ("postcode", "Postcode"),
        ("houseNumber", "Huisnummer"),
        ("houseNumberAddition", "Toevoeging"),
        ("wijk", "Wijk"),
        ("teamId", "Team"),
        ("laws", "Wetten"),
        ("members", "Personen"),
    ]
    .iter()
    .map(|(f, l)| (f.to_string(), l.to_string()))
    .collect();
    for i in 0..rows {
        let n = i + 1;
        for (f, l) in [
            ("person.name", "naam"),
            ("person.birthDate", "geboortedatum"),
            ("person.bsn", "BSN"),
            ("relation", "relatie"),
            ("person", "gegevens"),
            ("from", "vanaf"),
        ] {
            out.push((format!("members[{i}].{f}"), format!("Persoon {n}: {l}")));
        }
    }
    out
}

fn field_messages(errors: &[FieldError], rows: usize) -> Vec<FieldMessage> {
    let owned = labels(rows);
    let borrowed: Vec<(&str, &str)> = owned.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    dutch::field_messages(errors, &borrowed)
}

async fn register_form(page: Page) -> PageResult {
    let teams = work::registration_teams(&page.ctx).await?;
    let team_id = teams.first().map(|t| t.0.clone()).unwrap_or_default();
    render(&RegisterPage {
        layout: page.layout("Huishouden aanmelden", "search"),
        errors: vec![],
        teams,
        team_id,
        postcode: String::new(),
        house_number: String::new(),
        addition: String::new(),
        wijk: String::new(),
        members: vec![MemberInput::default(); START_ROWS],
        laws: vec![],
    })
}

/// The registration form's fields: the household's, `members[i].…` per row, `laws` (repeated), and `actie`.
fn read_register(fields: &[(String, String)]) -> (RegisterPage, bool) {
    let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let rows = get("rijen").parse::<usize>().unwrap_or(START_ROWS).clamp(1, MAX_ROWS);
    let members = (0..rows)
        .map(|i| MemberInput {
            name: get(&format!("members[{i}].name")),
            birth_date: get(&format!("members[{i}].birthDate")),
            bsn: get(&format!("members[{i}].bsn")),
            relation: get(&format!("members[{i}].relation")),
            custody: !get(&format!("members[{i}].custody")).is_empty(),
        })
        .collect();
    let page = RegisterPage {
        layout: Layout::public(""),
        errors: vec![],
        teams: vec![],
        team_id: get("teamId"),
        postcode: get("postcode"),
        house_number: get("houseNumber"),
        addition: get("houseNumberAddition"),
        wijk: get("wijk"),
        members,
        laws: fields.iter().filter(|(k, _)| k == "laws").map(|(_, v)| v.clone()).collect(),
    };
    (page, get("actie") == "persoon-toevoegen")
}

async fn register(page: Page, form: Form<Vec<(String, String)>>) -> PageResult {
    let (mut out, add_row) = read_register(&form.into_inner());
    out.layout = page.layout("Huishouden aanmelden", "search");
    out.teams = work::registration_teams(&page.ctx).await?;
    if out.team_id.trim().is_empty() && out.teams.len() == 1 {
        out.team_id = out.teams[0].0.clone();
    }
    if add_row {
        if out.members.len() < MAX_ROWS {
            out.members.push(MemberInput::default());
        }
        return render(&out);
    }
    let today = crate::db::now().date();
    let rows = out.members.len();
    // What only the form can find (a house number or a date that does not parse); the rest the use case checks.
    // A value that does not parse stands in as a valid one, so its field is not also reported as missing.
    let mut errors: Vec<FieldError> = Vec::new();
    let house_number = match out.house_number.trim() {
        "" => None,
        n => n.parse::<i32>().ok().or_else(|| {
            errors.push(FieldError::new("houseNumber", "must be between 1 and 99999"));
            Some(1)
        }),
    };
    let household = CreateHousehold {
        postcode: filled(Some(out.postcode.clone())),
        house_number,
        house_number_addition: filled(Some(out.addition.clone())),
        institutional_address: Some(false),
        wijk: filled(Some(out.wijk.clone())),
        team_id: filled(Some(out.team_id.clone())),
        confidentiality: None,
    };
    // The rows the user filled, and for each member the row it came from.
    let mut members = Vec::new();
    let mut row_of = Vec::new();
    for (i, m) in out.members.iter().enumerate() {
        if m.is_empty() {
            continue;
        }
        let birth_date = match m.birth_date.trim() {
            "" => None,
            raw => parse_date(raw).or_else(|| {
                errors.push(FieldError::new(format!("members[{i}].person.birthDate"), crate::input::date::MESSAGE));
                Some(today)
            }),
        };
        members.push(AddMember {
            person_id: None,
            person: Some(NewPerson {
                name: filled(Some(m.name.clone())),
                birth_date,
                bsn: filled(Some(m.bsn.clone())).map(RawBsn),
            }),
            relation: Relation::parse(&m.relation),
            custody: Some(m.custody),
            from: Some(today),
            until: None,
        });
        row_of.push(i);
    }
    let laws: Vec<Law> = out
        .laws
        .iter()
        .filter_map(|l| match l.as_str() {
            "Wmo" => Some(Law::Wmo),
            "Jeugdwet" => Some(Law::Jeugdwet),
            "Participatiewet" => Some(Law::Participatiewet),
            _ => None,
        })
        .collect();
    let input = Registration { household: Some(household), members: Some(members), laws: Some(laws) };

    // Everything is checked before anything is changed, all at once (the use case's checks beside the form's);
    // then one transaction stores the household, its members and its case. Audited as the registration.
    let parse_failed = !errors.is_empty();
    let result = page
        .act(async {
            registration::check(&page.ctx, &input).await?;
            if parse_failed {
                return Err(AppError::Validation(vec![]));
            }
            registration::register(&page.ctx, input).await
        })
        .await;
    match result {
        Ok(registered) => Ok(see_other(&format!("/dossiers/{}", registered.case.id))),
        Err(AppError::Validation(found)) => {
            errors.extend(found.into_iter().map(|e| on_the_page(e, &row_of)));
            // A field the form could not parse keeps only that message.
            let mut seen = std::collections::HashSet::new();
            errors.retain(|e| seen.insert(e.field.clone()));
            errors.sort_by_key(|e| page_order(&e.field));
            // The BSN is never shown back after an error it did not cause: typed once, it is kept for correcting.
            out.errors = field_messages(&errors, rows);
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &out)
        }
        Err(e) => Err(e.into()),
    }
}

/// A use-case error as the form names its field: without `household.`, and `members[k]` as the k-th filled row.
fn on_the_page(e: FieldError, row_of: &[usize]) -> FieldError {
    let field = e.field.strip_prefix("household.").unwrap_or(&e.field).to_string();
    let field = match field.strip_prefix("members[").and_then(|r| r.split_once(']')) {
        Some((k, rest)) => match k.parse::<usize>().ok().and_then(|k| row_of.get(k)) {
            Some(row) => format!("members[{row}]{rest}"),
            None => field,
        },
        None => field,
    };
    FieldError::new(field, e.message)
}

/// Where a field is on the form, for the error summary's order.
fn page_order(field: &str) -> (usize, usize, usize) {
    const FIELDS: [&str; 7] = ["postcode", "houseNumber", "houseNumberAddition", "wijk", "teamId", "laws", "members"];
    const MEMBER: [&str; 6] = ["person.name", "person.birthDate", "person.bsn", "relation", "person", "from"];
    if let Some((row, rest)) = field.strip_prefix("members[").and_then(|r| r.split_once("].")) {
        let at = MEMBER.iter().position(|f| *f == rest).unwrap_or(MEMBER.len());
        return (FIELDS.len(), row.parse().unwrap_or(usize::MAX), at);
    }
    (FIELDS.iter().position(|f| *f == field).unwrap_or(FIELDS.len()), 0, 0)
}
