//! Toestemming: the case's consents, recording one with the givers the person's age requires, withdrawing one, and
//! "bekijk als…": what an involved organisation sees of the case now, under today's consents.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::dutch::{self, FieldMessage};
use super::page::{render, render_with, see_other, CaseFrame, Form, Layout, Page, PageResult};
use super::zrm::{domain_label, score_label};
use crate::access::Category;
use crate::cases::contacts::{self, Contacts, MemberContact};
use crate::cases::involvement;
use crate::consent::model::{age_on, required_givers, GiverCapacity};
use crate::consent::service::{self as consent, Consent, Giver, Kind, NewConsent, Withdraw};
use crate::error::{AppError, FieldError};
use crate::input::Id;
use crate::plans::preview::{self, PreviewQuery};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/dossiers/{id}/toestemming").route(web::get().to(overview)).route(web::post().to(record)),
    )
    .route("/dossiers/{id}/toestemming/nieuw", web::get().to(new_form))
    .route("/dossiers/{id}/toestemming/bekijk-als", web::get().to(view_as))
    .route("/dossiers/{id}/toestemming/{consent}/intrekken", web::post().to(withdraw));
}

/// A data category as the family reads it.
pub fn category_label(c: Category) -> &'static str {
    match c {
        Category::Basic => "Basisgegevens: wie er in het gezin wonen, het adres en wie er helpt",
        Category::Plan => "Het plan: doelen en afspraken",
        Category::Zrm => "De ZRM-scores: hoe het gaat op elk levensgebied",
        Category::Evaluations => "De evaluaties van het plan",
        Category::Notes => "Notities",
    }
}

fn category_short(c: Category) -> &'static str {
    match c {
        Category::Basic => "basisgegevens",
        Category::Plan => "plan",
        Category::Zrm => "ZRM-scores",
        Category::Evaluations => "evaluaties",
        Category::Notes => "notities",
    }
}

fn parse_category(s: &str) -> Option<Category> {
    Category::ALL.into_iter().find(|c| c.as_str() == s)
}

/// Who must consent for someone of `age`, in plain Dutch (B1).
pub fn who_must_consent(name: &str, age: i32) -> String {
    let need = required_givers(age);
    match (need.person, need.custodian) {
        (false, _) => format!(
            "{name} is {age} jaar. Voor kinderen onder de 12 jaar geeft een ouder of voogd met gezag toestemming. \
             {name} hoeft zelf niet te tekenen. Vertel {name} wel wat u gaat delen, en waarom."
        ),
        (true, true) => format!(
            "{name} is {age} jaar. Van 12 tot en met 15 jaar zijn er twee nodig: {name} zelf én een ouder of voogd \
             met gezag. Zeggen zij allebei ja, dan kunt u het vastleggen."
        ),
        (true, false) => format!(
            "{name} is {age} jaar. Vanaf 16 jaar beslist {name} zelf. Een ouder hoeft geen toestemming te geven."
        ),
    }
}

/// Next birthday on which someone else must consent (12 or 16), if it falls before `until`.
fn age_change_note(name: &str, birth: chrono::NaiveDate, from: chrono::NaiveDate) -> Option<String> {
    use chrono::Datelike;
    let age = age_on(birth, from);
    let next = match age {
        a if a < 12 => 12,
        12..=15 => 16,
        _ => return None,
    };
    let day = birth.with_year(birth.year() + next).unwrap_or(birth);
    Some(format!(
        "Let op: {name} wordt {next} op {}. Vanaf die dag geldt deze toestemming alleen als ook de mensen die dan \
         moeten tekenen, toestemming hebben gegeven.",
        dutch::date(day)
    ))
}

pub struct ConsentRow {
    pub id: String,
    pub person: String,
    pub kind: &'static str,
    pub givers: String,
    pub categories: String,
    pub recipients: String,
    pub period: String,
    pub status: &'static str,
    pub purpose: String,
    pub may_withdraw: bool,
}

pub struct MemberLink {
    pub person_id: String,
    pub name: String,
    pub explanation: String,
}

pub struct OrganisationOption {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage {
    layout: Layout,
    frame: CaseFrame,
    consents: Vec<ConsentRow>,
    members: Vec<MemberLink>,
    organisations: Vec<OrganisationOption>,
}

/// Names and organisations of the case: members from the contact sheet, organisations of the involved
/// professionals (their ids from the involvements, their names from the contact sheet).
struct World {
    contacts: Contacts,
    /// Organisation id → name, of professionals involved as provider (the ones consent is about).
    providers: Vec<OrganisationOption>,
    names: HashMap<String, String>,
}

async fn world(page: &Page, case_id: &str) -> Result<World, AppError> {
    let contacts = contacts::contacts(&page.ctx, case_id.to_string()).await?;
    let involvements = involvement::list(&page.ctx, case_id.to_string()).await?;
    let mut names: HashMap<String, String> = HashMap::new();
    let mut providers: Vec<OrganisationOption> = Vec::new();
    for i in &involvements {
        let name = contacts
            .professionals
            .iter()
            .find(|p| p.user_id == i.user_id)
            .map(|p| p.organisation.clone())
            .unwrap_or_else(|| "Organisatie".into());
        names.entry(i.organisation_id.clone()).or_insert(name.clone());
        let active = i.valid_until.is_none_or(|u| u > chrono::Utc::now());
        if i.kind == "provider" && active && !providers.iter().any(|o| o.id == i.organisation_id) {
            providers.push(OrganisationOption { id: i.organisation_id.clone(), name });
        }
    }
    Ok(World { contacts, providers, names })
}

fn member_name(members: &[MemberContact], id: &str) -> String {
    members.iter().find(|m| m.person_id == id).map(|m| m.name.clone()).unwrap_or_else(|| "Een (oud-)gezinslid".into())
}

fn row_of(c: &Consent, w: &World) -> ConsentRow {
    let members = &w.contacts.members;
    let givers = match c.kind {
        Kind::Statutory => c.legal_ground.clone().unwrap_or_default(),
        Kind::Consent => c
            .given_by
            .iter()
            .map(|g| match g.capacity {
                GiverCapacity::Self_ => format!("{} zelf", member_name(members, &g.person_id)),
                GiverCapacity::Custodian => format!("{} (ouder of voogd)", member_name(members, &g.person_id)),
            })
            .collect::<Vec<_>>()
            .join(", "),
    };
    let today = crate::db::now().date();
    let status = if c.withdrawn_at.is_some() {
        "Ingetrokken"
    } else if c.active {
        "Geldig"
    } else if c.valid_until < today {
        "Verlopen"
    } else if c.valid_from > today {
        "Nog niet begonnen"
    } else {
        "Geldt niet meer: er moet opnieuw toestemming komen"
    };
    ConsentRow {
        id: c.id.clone(),
        person: member_name(members, &c.person_id),
        kind: if c.kind == Kind::Statutory { "Wettelijke grond" } else { "Toestemming" },
        givers,
        categories: c.categories.iter().map(|c| category_short(*c)).collect::<Vec<_>>().join(", "),
        recipients: c
            .recipient_organisation_ids
            .iter()
            .map(|o| w.names.get(o).cloned().unwrap_or_else(|| "een andere organisatie".into()))
            .collect::<Vec<_>>()
            .join(", "),
        period: format!("{} tot en met {}", dutch::date(c.valid_from), dutch::date(c.valid_until)),
        status,
        purpose: c.purpose.clone(),
        may_withdraw: c.withdrawn_at.is_none() && c.valid_until >= today,
    }
}

#[derive(Deserialize)]
struct OverviewQuery {
    klaar: Option<String>,
}

async fn overview(page: Page, id: web::Path<Id>, query: crate::http::Query<OverviewQuery>) -> PageResult {
    let case_id: String = id.into_inner().into();
    let history = page.act(consent::history(&page.ctx, case_id.clone())).await?;
    let w = world(&page, &case_id).await?;
    let today = crate::db::now().date();
    let consents = history.iter().rev().map(|c| row_of(c, &w)).collect();
    let members = w
        .contacts
        .members
        .iter()
        .map(|m| MemberLink {
            person_id: m.person_id.clone(),
            name: m.name.clone(),
            explanation: who_must_consent(&m.name, age_on(m.birth_date, today)),
        })
        .collect();
    let notice = match query.klaar.as_deref() {
        Some("vastgelegd") => Some("De toestemming is vastgelegd."),
        Some("ingetrokken") => Some("De toestemming is ingetrokken. Vanaf nu geldt zij niet meer."),
        _ => None,
    };
    let layout = page.case_layout("Toestemming", &case_id).await?.with_notice(notice);
    render(&ConsentPage {
        layout,
        frame: CaseFrame::new(&case_id, "toestemming"),
        consents,
        members,
        organisations: w.providers,
    })
}

pub struct Choice {
    pub value: String,
    pub id: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "consent_form.html")]
struct ConsentForm {
    layout: Layout,
    frame: CaseFrame,
    person_id: String,
    name: String,
    explanation: String,
    age_note: Option<String>,
    givers: Vec<Choice>,
    categories: Vec<Choice>,
    recipients: Vec<Choice>,
    purpose: String,
    valid_from: String,
    valid_until: String,
    errors: Vec<FieldMessage>,
}

impl ConsentForm {
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

/// The form's values, as typed (kept when the form comes back with errors).
#[derive(Default)]
struct Values {
    givers: Vec<String>,
    categories: Vec<String>,
    recipients: Vec<String>,
    purpose: String,
    valid_from: String,
    valid_until: String,
}

fn form_page(
    layout: Layout,
    case_id: &str,
    w: &World,
    person: &MemberContact,
    values: &Values,
    errors: Vec<FieldMessage>,
) -> ConsentForm {
    let from = crate::input::date::parse(&values.valid_from).unwrap_or_else(|| crate::db::now().date());
    let age = age_on(person.birth_date, from);
    let need = required_givers(age);
    let mut givers = Vec::new();
    if need.person {
        givers.push(Choice {
            value: "self".into(),
            id: "gever-zelf".into(),
            label: format!("{} zelf", person.name),
            checked: values.givers.iter().any(|g| g == "self"),
        });
    }
    if need.custodian {
        for (i, m) in w.contacts.members.iter().filter(|m| m.person_id != person.person_id).enumerate() {
            let value = format!("custodian:{}", m.person_id);
            givers.push(Choice {
                checked: values.givers.contains(&value),
                value,
                id: format!("gever-{i}"),
                label: format!("{} als ouder of voogd met gezag", m.name),
            });
        }
    }
    let categories = Category::ALL
        .into_iter()
        .map(|c| Choice {
            value: c.as_str().into(),
            id: format!("categorie-{}", c.as_str()),
            label: category_label(c).into(),
            checked: values.categories.iter().any(|v| v == c.as_str()),
        })
        .collect();
    let recipients = w
        .providers
        .iter()
        .enumerate()
        .map(|(i, o)| Choice {
            value: o.id.clone(),
            id: format!("ontvanger-{i}"),
            label: o.name.clone(),
            checked: values.recipients.contains(&o.id),
        })
        .collect();
    ConsentForm {
        layout,
        frame: CaseFrame::new(case_id, "toestemming"),
        person_id: person.person_id.clone(),
        name: person.name.clone(),
        explanation: who_must_consent(&person.name, age),
        age_note: age_change_note(&person.name, person.birth_date, from),
        givers,
        categories,
        recipients,
        purpose: values.purpose.clone(),
        valid_from: values.valid_from.clone(),
        valid_until: values.valid_until.clone(),
        errors,
    }
}

#[derive(Deserialize)]
struct NewQuery {
    voor: Option<String>,
}

async fn new_form(page: Page, id: web::Path<Id>, query: crate::http::Query<NewQuery>) -> PageResult {
    let case_id: String = id.into_inner().into();
    // The history first: it asks the same question as recording (404 out of scope, 403 for whoever may not).
    page.act(consent::history(&page.ctx, case_id.clone())).await?;
    let w = world(&page, &case_id).await?;
    let voor = query.into_inner().voor.unwrap_or_default();
    let person = w.contacts.members.iter().find(|m| m.person_id == voor).ok_or(AppError::NotFound)?;
    let today = crate::db::now().date();
    let values = Values {
        valid_from: today.to_string(),
        valid_until: (today + chrono::Duration::days(365)).to_string(),
        ..Values::default()
    };
    let layout = page.case_layout("Toestemming vastleggen", &case_id).await?;
    render(&form_page(layout, &case_id, &w, person, &values, Vec::new()))
}

/// Field errors as the form shows them: one message per group of checkboxes, dates and the age rule in Dutch.
fn form_errors(errors: Vec<FieldError>) -> Vec<FieldMessage> {
    let labels = [
        ("personId", "Voor wie"),
        ("givenBy", "Wie geeft toestemming"),
        ("categories", "Wat mag gedeeld worden"),
        ("recipientOrganisationIds", "Met wie"),
        ("purpose", "Waarvoor"),
        ("validFrom", "Vanaf"),
        ("validUntil", "Tot en met"),
    ];
    let mut out: Vec<FieldMessage> = Vec::new();
    for e in errors {
        let field = e.field.split('[').next().unwrap_or_default().to_string();
        let english = e.message.clone();
        let mut m = dutch::field_messages(&[FieldError::new(field.clone(), english.clone())], &labels).remove(0);
        m.message = match english.as_str() {
            "name who gave the consent" => "Kies wie toestemming geeft.".into(),
            "name at least one organisation" => "Kies minstens één organisatie.".into(),
            "name at least one data category" => "Kies minstens één soort gegevens.".into(),
            "must not be before validFrom" => "De einddatum mag niet voor de begindatum liggen.".into(),
            "must be within five years" => "Toestemming geldt hoogstens vijf jaar.".into(),
            "must be a member of the case's household" => "Kies iemand uit het huishouden.".into(),
            "must be the person themselves, or a parent or guardian with custody" => {
                "Dit moet de persoon zelf zijn, of een ouder of voogd met gezag.".into()
            }
            s if s.starts_with("for the person's age on") => {
                if s.contains("both") {
                    "Voor deze leeftijd moeten de jongere zelf én een ouder of voogd met gezag toestemming geven."
                        .into()
                } else if s.contains("the young person must consent") {
                    "De jongere moet zelf ook toestemming geven.".into()
                } else if s.contains("must consent themselves") {
                    "Vanaf 16 jaar geeft de persoon zelf toestemming.".into()
                } else {
                    "Een ouder of voogd met gezag moet (ook) toestemming geven.".into()
                }
            }
            _ => m.message,
        };
        if !out.iter().any(|o| o.field == m.field && o.message == m.message) {
            out.push(m);
        }
    }
    out
}

async fn record(page: Page, id: web::Path<Id>, form: Form<Vec<(String, String)>>) -> PageResult {
    let case_id: String = id.into_inner().into();
    let fields = form.into_inner();
    let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let all = |k: &str| fields.iter().filter(|(f, _)| f == k).map(|(_, v)| v.clone()).collect::<Vec<_>>();
    let person_id = get("personId");
    let values = Values {
        givers: all("giver"),
        categories: all("category"),
        recipients: all("recipient"),
        purpose: get("purpose"),
        valid_from: get("validFrom"),
        valid_until: get("validUntil"),
    };
    let given_by: Vec<Giver> = values
        .givers
        .iter()
        .map(|g| match g.strip_prefix("custodian:") {
            Some(p) => Giver { person_id: p.to_string(), capacity: GiverCapacity::Custodian },
            None => Giver { person_id: person_id.clone(), capacity: GiverCapacity::Self_ },
        })
        .collect();
    let from = crate::input::date::parse(values.valid_from.trim());
    let until = crate::input::date::parse(values.valid_until.trim());
    let input = NewConsent {
        case_id: Some(case_id.clone()),
        person_id: Some(person_id.clone()),
        kind: Some(Kind::Consent),
        given_by,
        legal_ground: None,
        holder_organisation_id: None,
        recipient_organisation_ids: Some(values.recipients.clone()),
        categories: Some(values.categories.iter().filter_map(|c| parse_category(c)).collect()),
        purpose: Some(values.purpose.clone()).filter(|p| !p.trim().is_empty()),
        valid_from: from,
        valid_until: until,
    };
    match page.act(consent::record(&page.ctx, input)).await {
        Ok(_) => Ok(see_other(&format!("/dossiers/{case_id}/toestemming?klaar=vastgelegd"))),
        Err(AppError::Validation(mut errors)) => {
            // A date that could not be read reaches the service as missing: say what was wrong with it.
            for (field, text, parsed) in
                [("validFrom", &values.valid_from, from), ("validUntil", &values.valid_until, until)]
            {
                if !text.trim().is_empty() && parsed.is_none() {
                    for e in errors.iter_mut().filter(|e| e.field == field) {
                        *e = FieldError::new(field, crate::input::date::MESSAGE);
                    }
                }
            }
            let w = world(&page, &case_id).await?;
            let person = w.contacts.members.iter().find(|m| m.person_id == person_id).ok_or(AppError::NotFound)?;
            let layout = page.case_layout("Toestemming vastleggen", &case_id).await?;
            let form = form_page(layout, &case_id, &w, person, &values, form_errors(errors));
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &form)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct WithdrawForm {
    note: Option<String>,
}

async fn withdraw(page: Page, path: web::Path<(Id, Id)>, form: Form<WithdrawForm>) -> PageResult {
    let (case, consent_id) = path.into_inner();
    let case_id: String = case.into();
    let note = form.into_inner().note.filter(|n| !n.trim().is_empty());
    match page.act(consent::withdraw(&page.ctx, consent_id.into(), Withdraw { note })).await {
        Ok(_) => Ok(see_other(&format!("/dossiers/{case_id}/toestemming?klaar=ingetrokken"))),
        Err(e) => Err(e.into()),
    }
}

/// One part of what a professional sees: its heading, whether they see it, and what it shows (lines of text).
pub struct Part {
    pub heading: &'static str,
    pub shown: bool,
    pub lines: Vec<String>,
}

pub struct ProfessionalView {
    pub name: String,
    pub parts: Vec<Part>,
}

#[derive(Template)]
#[template(path = "consent_view_as.html")]
struct ViewAsPage {
    layout: Layout,
    frame: CaseFrame,
    organisation: String,
    organisations: Vec<OrganisationOption>,
    chosen: String,
    professionals: Vec<ProfessionalView>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct ViewAsQuery {
    organisatie: Option<String>,
}

fn part(heading: &'static str, lines: Option<Vec<String>>) -> Part {
    match lines {
        Some(lines) => Part { heading, shown: true, lines },
        None => Part { heading, shown: false, lines: Vec::new() },
    }
}

/// What one professional gets, as lines a family member can read.
fn professional_view(p: &preview::ProfessionalPreview, names: &HashMap<String, String>) -> ProfessionalView {
    let person = |id: &Option<String>| match id {
        Some(id) => names.get(id).cloned().unwrap_or_else(|| "een gezinslid".into()),
        None => "het hele huishouden".into(),
    };
    let case = p.case.as_ref().map(|c| {
        let mut lines = vec![format!("De fase van het dossier: {}.", super::work::state_label(c.state))];
        if let Some(cats) = &c.covered_categories {
            let list: Vec<&str> = cats.iter().map(|c| category_short(*c)).collect();
            lines.push(format!("Wat de toestemming nu laat zien: {}.", list.join(", ")));
        }
        if let (Some(n), Some(o)) = (c.involved_professionals, c.involved_organisations) {
            lines.push(format!("Hoeveel hulpverleners er betrokken zijn: {n}, van {o} organisaties."));
        }
        lines
    });
    let contacts = p.contacts.as_ref().map(|c| {
        let mut lines = vec![format!(
            "Het adres: postcode {}, huisnummer {}{}.",
            c.address.postcode,
            c.address.house_number,
            c.address.house_number_addition.as_deref().map(|a| format!(" {a}")).unwrap_or_default()
        )];
        for m in &c.members {
            lines.push(format!("Gezinslid: {}, geboren op {}.", m.name, dutch::date(m.birth_date)));
        }
        for pro in &c.professionals {
            lines.push(format!("Hulpverlener: {} ({}), met e-mailadres.", pro.name, pro.organisation));
        }
        lines
    });
    let involvements = p
        .involvements
        .as_ref()
        .map(|list| vec![format!("Wie er bij het gezin betrokken zijn: {} hulpverleners, met hun rol.", list.len())]);
    let plan = p.plan.as_ref().map(|v| {
        let mut lines = Vec::new();
        for g in &v.content.goals {
            lines.push(format!("Doel voor {}: {}", person(&g.person_id), g.description));
        }
        for a in &v.content.actions {
            lines.push(format!("Afspraak: {}", a.description));
        }
        if lines.is_empty() {
            lines.push("Niets: er staan geen doelen of afspraken voor deze hulpverlener in het plan.".into());
        }
        lines
    });
    let assessments = p.assessments.as_ref().map(|list| {
        let mut lines: Vec<String> = list
            .iter()
            .map(|a| {
                let scores: Vec<String> =
                    a.scores.iter().map(|(d, s)| format!("{} {s} ({})", domain_label(d), score_label(*s))).collect();
                format!("Meting van {} op {}: {}.", person(&a.person_id), dutch::date(a.assessed_on), scores.join(", "))
            })
            .collect();
        if lines.is_empty() {
            lines.push("Nog geen metingen.".into());
        }
        lines
    });
    let evaluations = p.evaluations.as_ref().map(|e| {
        let mut lines: Vec<String> =
            e.items.iter().map(|i| format!("Evaluatie van {}.", dutch::date(i.held_on))).collect();
        if lines.is_empty() {
            lines.push("Nog geen evaluaties.".into());
        }
        lines
    });
    let consents = p.consents.as_ref().map(|c| vec![format!("De toestemmingen: {}.", c.len())]);
    ProfessionalView {
        name: p.name.clone(),
        parts: vec![
            part("Het dossier", case),
            part("Contactgegevens", contacts),
            part("Betrokken hulpverleners", involvements),
            part("Het plan", plan),
            part("ZRM-scores", assessments),
            part("Evaluaties", evaluations),
            part("Toestemmingen", consents),
        ],
    }
}

/// One call: the preview also names the organisations to choose from and the members, so this page's audit event is
/// the preview's own.
async fn view_as(page: Page, id: web::Path<Id>, query: crate::http::Query<ViewAsQuery>) -> PageResult {
    let case_id: String = id.into_inner().into();
    let chosen = query.into_inner().organisatie.unwrap_or_default();
    let ask = |organisation: Option<String>| {
        preview::preview_for_organisation(&page.ctx, case_id.clone(), PreviewQuery { organisation_id: organisation })
    };
    let (preview, error) = match page.act(ask(Some(chosen.clone()).filter(|c| !c.is_empty()))).await {
        Ok(p) => (p, None),
        Err(AppError::Validation(_)) => {
            (ask(None).await?, Some("Kies een organisatie die nu bij dit gezin betrokken is.".to_string()))
        }
        Err(e) => return Err(e.into()),
    };
    let names: HashMap<String, String> =
        preview.members.iter().map(|m| (m.person_id.clone(), m.name.clone())).collect();
    let professionals = preview.professionals.iter().map(|x| professional_view(x, &names)).collect();
    let layout = page.case_layout("Bekijk als", &case_id).await?;
    let page = ViewAsPage {
        layout,
        frame: CaseFrame::new(&case_id, "toestemming"),
        organisation: preview.organisation_name.unwrap_or_default(),
        organisations: preview
            .organisations
            .into_iter()
            .map(|o| OrganisationOption { id: o.id, name: o.name })
            .collect(),
        chosen,
        professionals,
        error,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render_with(status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_says_who_must_consent_for_each_age() {
        assert!(who_must_consent("Sam", 8).contains("ouder of voogd"));
        assert!(!who_must_consent("Sam", 8).contains("twee nodig"));
        assert!(who_must_consent("Sam", 12).contains("twee nodig"));
        assert!(who_must_consent("Sam", 15).contains("Sam zelf én een ouder"));
        assert!(who_must_consent("Sam", 16).contains("beslist Sam zelf"));
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(age_change_note("Sam", d("2015-03-01"), d("2026-12-01")).unwrap().contains("wordt 12 op 1 maart 2027"));
        assert!(age_change_note("Sam", d("2000-03-01"), d("2026-12-01")).is_none());
    }
}
