//! ZRM: the case's self-reliance assessments per member and for the household — a radar chart drawn on the server
//! with the same figures in a table, the change since the previous assessment, a warning for a domain at 1 or 2
//! that no goal of the plan works on, and the form to record a new assessment.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::dutch::{self, FieldMessage};
use super::page::{render, render_with, see_other, CaseFrame, Form, Layout, Page, PageResult};
use super::radar::{self, Radar};
use crate::cases::contacts::{self, MemberContact};
use crate::cases::service as cases;
use crate::error::{AppError, FieldError};
use crate::input::Id;
use crate::plans::assessment::{self, Assessment, NewAssessment};
use crate::plans::zrm::{AssessmentKind, Instrument};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/dossiers/{id}/zrm").route(web::get().to(overview)).route(web::post().to(record)))
        .route("/dossiers/{id}/zrm/nieuw", web::get().to(new_form));
}

/// The name of a ZRM domain as the wijkteam says it.
pub fn domain_label(code: &str) -> &'static str {
    match code {
        "financien" => "Financiën",
        "werk_opleiding" => "Werk en opleiding",
        "tijdsbesteding" => "Tijdsbesteding",
        "huisvesting" => "Huisvesting",
        "huiselijke_relaties" => "Huiselijke relaties",
        "geestelijke_gezondheid" => "Geestelijke gezondheid",
        "lichamelijke_gezondheid" => "Lichamelijke gezondheid",
        "middelengebruik" => "Middelengebruik",
        "basale_adl" => "Basale ADL (zichzelf verzorgen)",
        "instrumentele_adl" => "Instrumentele ADL (het huishouden doen)",
        "sociaal_netwerk" => "Sociaal netwerk",
        "maatschappelijke_participatie" => "Maatschappelijke participatie",
        "justitie" => "Justitie",
        "hh_financien" => "Financiën van het huishouden",
        "hh_huisvesting" => "Huisvesting van het huishouden",
        "hh_organisatie_huishouden" => "Organisatie van het huishouden",
        "hh_relaties_in_huis" => "Relaties in huis",
        "hh_sociale_omgeving" => "Sociale omgeving",
        _ => "Onbekend domein",
    }
}

/// A domain's name as short as the chart needs it (the table beside it has the full name).
pub fn short_label(code: &str) -> &'static str {
    match code {
        "werk_opleiding" => "Werk, opleiding",
        "huiselijke_relaties" => "Relaties thuis",
        "geestelijke_gezondheid" => "Geestelijke gez.",
        "lichamelijke_gezondheid" => "Lichamelijke gez.",
        "basale_adl" => "Zelfverzorging",
        "instrumentele_adl" => "Huishouden doen",
        "maatschappelijke_participatie" => "Meedoen",
        "hh_financien" => "Financiën",
        "hh_huisvesting" => "Huisvesting",
        "hh_organisatie_huishouden" => "Organisatie",
        "hh_relaties_in_huis" => "Relaties in huis",
        "hh_sociale_omgeving" => "Sociale omgeving",
        other => domain_label(other),
    }
}

/// What a score means (ZRM): 1 acute problems … 5 fully self-reliant.
pub fn score_label(score: u8) -> &'static str {
    match score {
        1 => "acute problematiek",
        2 => "niet zelfredzaam",
        3 => "beperkt zelfredzaam",
        4 => "voldoende zelfredzaam",
        5 => "volledig zelfredzaam",
        _ => "",
    }
}

fn kind_label(kind: AssessmentKind) -> &'static str {
    match kind {
        AssessmentKind::Start => "Beginmeting",
        AssessmentKind::Intermediate => "Tussenmeting",
        AssessmentKind::End => "Eindmeting",
    }
}

/// One domain as a row of the table beside the chart.
pub struct Row {
    pub label: &'static str,
    pub previous: String,
    pub current: String,
    pub change: String,
}

fn score_text(s: Option<u8>) -> String {
    match s {
        Some(s) => format!("{s} ({})", score_label(s)),
        None => "niet gescoord".into(),
    }
}

fn change_text(change: Option<i8>) -> String {
    match change {
        Some(c) if c > 0 => format!("{c} hoger (beter)"),
        Some(c) if c < 0 => format!("{} lager (slechter)", -c),
        Some(_) => "gelijk".into(),
        None => "–".into(),
    }
}

/// A member (or the household) with their assessments.
pub struct Subject {
    pub heading: String,
    /// "Kees", or "het huishouden".
    pub for_label: String,
    /// The `voor` parameter of the form: a person id, or `huishouden`.
    pub key: String,
    pub latest: Option<String>,
    pub previous: Option<String>,
    pub radar: Option<Radar>,
    pub rows: Vec<Row>,
    pub history: Vec<String>,
}

pub struct Warning {
    pub subject: String,
    pub domain: &'static str,
    pub score: u8,
}

#[derive(Template)]
#[template(path = "zrm.html")]
struct ZrmPage {
    layout: Layout,
    frame: CaseFrame,
    subjects: Vec<Subject>,
    warnings: Vec<Warning>,
    may_record: bool,
}

fn describe(a: &Assessment) -> String {
    format!("{} van {}", kind_label(a.kind), dutch::date(a.assessed_on))
}

/// Names of the members the caller may see; others are shown as "een gezinslid".
fn name_of(members: &[MemberContact], person: Option<&str>) -> String {
    match person {
        None => "Het huishouden".into(),
        Some(p) => members.iter().find(|m| m.person_id == p).map(|m| m.name.clone()).unwrap_or("Een gezinslid".into()),
    }
}

/// The members whose names the caller may see: the contact sheet, asked only of those whose view of the case
/// includes basic details (so a provider without that consent is not refused a read they did not ask for).
async fn members_shown(page: &Page, case: &cases::Case, case_id: &str) -> Result<Vec<MemberContact>, AppError> {
    let basic = case.view != "summary"
        && case.covered_categories.as_ref().is_none_or(|c| c.contains(&crate::access::Category::Basic));
    if !basic {
        return Ok(Vec::new());
    }
    Ok(contacts::contacts(&page.ctx, case_id.to_string()).await?.members)
}

async fn overview(page: Page, id: web::Path<Id>) -> PageResult {
    let case_id: String = id.into_inner().into();
    // The assessments are what the page is for: read first, they name its audit event (404 out of scope).
    let all = page.act(assessment::list(&page.ctx, case_id.clone())).await?;
    let case = cases::get_case(&page.ctx, case_id.clone()).await?;
    let members = members_shown(&page, &case, &case_id).await?;
    let summary = assessment::summary(&page.ctx, case_id.clone()).await?;
    // Every member the caller may see, and the household, even before a first assessment; then anyone assessed.
    let mut keys: Vec<Option<String>> = members.iter().map(|m| Some(m.person_id.clone())).collect();
    for a in &all {
        if a.person_id.is_some() && !keys.contains(&a.person_id) {
            keys.push(a.person_id.clone());
        }
    }
    keys.push(None);
    let mut subjects = Vec::new();
    for key in keys {
        let mine: Vec<&Assessment> = all.iter().filter(|a| a.person_id == key).collect();
        let heading = name_of(&members, key.as_deref());
        let instrument = if key.is_some() { Instrument::Zrm2017 } else { Instrument::ZrmHuishoudens };
        let domains = instrument.domains();
        let latest = mine.last().copied();
        let previous = if mine.len() >= 2 { Some(mine[mine.len() - 2]) } else { None };
        let (radar, rows) = match latest {
            None => (None, Vec::new()),
            Some(now) => {
                let progress = match previous {
                    Some(before) => {
                        Some(assessment::progress(&page.ctx, case_id.clone(), before.id.clone(), now.id.clone()).await?)
                    }
                    None => None,
                };
                let labels: Vec<&str> = domains.iter().map(|d| short_label(d)).collect();
                let current: Vec<Option<u8>> = domains.iter().map(|d| now.scores.get(*d).copied()).collect();
                let before: Option<Vec<Option<u8>>> =
                    previous.map(|b| domains.iter().map(|d| b.scores.get(*d).copied()).collect());
                let rows = match &progress {
                    Some(p) => p
                        .domains
                        .iter()
                        .map(|d| Row {
                            label: domain_label(&d.domain),
                            previous: score_text(d.from),
                            current: score_text(d.to),
                            change: change_text(d.change),
                        })
                        .collect(),
                    None => domains
                        .iter()
                        .map(|d| Row {
                            label: domain_label(d),
                            previous: "–".into(),
                            current: score_text(now.scores.get(*d).copied()),
                            change: "–".into(),
                        })
                        .collect(),
                };
                (Some(radar::radar(&labels, &current, before.as_deref())), rows)
            }
        };
        subjects.push(Subject {
            key: key.clone().unwrap_or_else(|| "huishouden".into()),
            for_label: if key.is_some() { heading.clone() } else { "het huishouden".into() },
            heading,
            latest: latest.map(describe),
            previous: previous.map(describe),
            radar,
            rows,
            history: mine.iter().rev().map(|a| describe(a)).collect(),
        });
    }
    let warnings = summary
        .low_domains_without_goal
        .iter()
        .map(|w| Warning {
            subject: name_of(&members, w.person_id.as_deref()),
            domain: domain_label(&w.domain),
            score: w.score,
        })
        .collect();
    let layout = page.case_layout("ZRM", &case_id).await?;
    render(&ZrmPage {
        layout,
        frame: CaseFrame::new(&case_id, "zrm"),
        subjects,
        warnings,
        may_record: case.view == "content",
    })
}

/// One domain's field in the form.
pub struct ScoreField {
    pub name: String,
    pub id: String,
    pub label: &'static str,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "zrm_form.html")]
struct ZrmForm {
    layout: Layout,
    frame: CaseFrame,
    subject: String,
    voor: String,
    kind: String,
    assessed_on: String,
    fields: Vec<ScoreField>,
    errors: Vec<FieldMessage>,
}

impl ZrmForm {
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

#[derive(Deserialize)]
struct NewQuery {
    voor: Option<String>,
}

/// `huishouden`, or a member's id.
fn instrument_for(voor: &str) -> Instrument {
    if voor == "huishouden" {
        Instrument::ZrmHuishoudens
    } else {
        Instrument::Zrm2017
    }
}

fn score_fields(instrument: Instrument, values: &BTreeMap<String, String>, errors: &[FieldMessage]) -> Vec<ScoreField> {
    instrument
        .domains()
        .iter()
        .map(|code| {
            let field = format!("scores.{code}");
            ScoreField {
                id: dutch::field_id(&field),
                error: errors.iter().find(|e| e.field == field).map(|e| e.message.clone()),
                name: field,
                label: domain_label(code),
                value: values.get(&format!("scores.{code}")).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

async fn new_form(page: Page, id: web::Path<Id>, query: crate::http::Query<NewQuery>) -> PageResult {
    let case_id: String = id.into_inner().into();
    let voor = query.into_inner().voor.unwrap_or_else(|| "huishouden".into());
    // The members as the API's contact sheet shows them (an audited read; 404 out of scope).
    let members = page.act(contacts::contacts(&page.ctx, case_id.clone())).await?.members;
    if voor != "huishouden" && !members.iter().any(|m| m.person_id == voor) {
        return Err(AppError::NotFound.into());
    }
    let form = ZrmForm {
        layout: page.case_layout("Nieuwe ZRM-meting", &case_id).await?,
        frame: CaseFrame::new(&case_id, "zrm"),
        subject: name_of(&members, (voor != "huishouden").then_some(voor.as_str())),
        fields: score_fields(instrument_for(&voor), &BTreeMap::new(), &[]),
        voor,
        kind: String::new(),
        assessed_on: crate::db::now().date().to_string(),
        errors: Vec::new(),
    };
    render(&form)
}

fn labels(instrument: Instrument) -> Vec<(String, String)> {
    let mut out = vec![
        ("kind".to_string(), "Soort meting".to_string()),
        ("assessedOn".to_string(), "Datum van de meting".to_string()),
        ("scores".to_string(), "Scores".to_string()),
        ("personId".to_string(), "Gezinslid".to_string()),
    ];
    for d in instrument.domains() {
        out.push((format!("scores.{d}"), domain_label(d).to_string()));
    }
    out
}

async fn record(page: Page, id: web::Path<Id>, form: Form<BTreeMap<String, String>>) -> PageResult {
    let case_id: String = id.into_inner().into();
    let values = form.into_inner();
    let voor = values.get("voor").cloned().unwrap_or_else(|| "huishouden".into());
    let instrument = instrument_for(&voor);
    let kind = match values.get("kind").map(String::as_str) {
        Some("start") => Some(AssessmentKind::Start),
        Some("intermediate") => Some(AssessmentKind::Intermediate),
        Some("end") => Some(AssessmentKind::End),
        _ => None,
    };
    let date_text = values.get("assessedOn").cloned().unwrap_or_default();
    let assessed_on = crate::input::date::parse(date_text.trim());
    let scores: BTreeMap<String, serde_json::Value> = instrument
        .domains()
        .iter()
        .map(|d| {
            let v = values.get(&format!("scores.{d}")).map(|s| s.trim()).unwrap_or_default();
            let value = match v {
                "" => serde_json::Value::Null,
                s => s.parse::<u64>().map(serde_json::Value::from).unwrap_or_else(|_| s.into()),
            };
            (d.to_string(), value)
        })
        .collect();
    let input = NewAssessment {
        person_id: (voor != "huishouden").then(|| voor.clone()),
        kind,
        assessed_on,
        scores: Some(scores),
    };
    match page.act(assessment::record(&page.ctx, case_id.clone(), input)).await {
        Ok(_) => Ok(see_other(&format!("/dossiers/{case_id}/zrm"))),
        Err(AppError::Validation(mut errors)) => {
            // A date that could not be read reaches the service as missing: say what was wrong with it.
            if !date_text.trim().is_empty() && assessed_on.is_none() {
                for e in errors.iter_mut().filter(|e| e.field == "assessedOn") {
                    *e = FieldError::new("assessedOn", crate::input::date::MESSAGE);
                }
            }
            let owned = labels(instrument);
            let label_refs: Vec<(&str, &str)> = owned.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let errors = dutch::field_messages(&errors, &label_refs);
            let members = contacts::contacts(&page.ctx, case_id.clone()).await.map(|c| c.members).unwrap_or_default();
            let form = ZrmForm {
                layout: page.case_layout("Nieuwe ZRM-meting", &case_id).await?,
                frame: CaseFrame::new(&case_id, "zrm"),
                subject: name_of(&members, (voor != "huishouden").then_some(voor.as_str())),
                fields: score_fields(instrument, &values, &errors),
                kind: values.get("kind").cloned().unwrap_or_default(),
                assessed_on: date_text,
                voor,
                errors,
            };
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &form)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plans::model::{ZRM_HOUSEHOLD_DOMAINS, ZRM_PERSON_DOMAINS};

    #[test]
    fn every_domain_and_score_has_a_dutch_name() {
        for d in ZRM_PERSON_DOMAINS.iter().chain(ZRM_HOUSEHOLD_DOMAINS.iter()) {
            assert_ne!(domain_label(d), "Onbekend domein", "{d}");
        }
        for s in 1..=5 {
            assert!(!score_label(s).is_empty());
        }
        assert_eq!(change_text(Some(2)), "2 hoger (beter)");
        assert_eq!(change_text(Some(-1)), "1 lager (slechter)");
        assert_eq!(change_text(None), "–");
    }
}
