//! The two registers the suspicious-access scan reads, as screens: extra protection of a person (Inzage, for the
//! privacy officer: `/api/v1/audit/protected-persons`, `…/persons/{id}/protections`) and an employee's own household
//! (Beheer, for the administrator: `/api/v1/users/{id}/own-households`). Forms work without JavaScript.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::dutch::{self, FieldMessage};
use super::page::{render_with, see_other, Form, Layout, Page, PageResult};
use crate::error::{AppError, FieldError};
use crate::input::Id;
use crate::oversight::service::{self, NewOwnHousehold, NewProtection, OwnHousehold, Protection};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/inzage/bescherming", web::get().to(protections))
        .service(
            web::resource("/inzage/personen/{id}/bescherming")
                .route(web::get().to(person))
                .route(web::post().to(protect)),
        )
        .route("/inzage/bescherming/{id}/beeindigen", web::post().to(end_protection))
        .service(
            web::resource("/beheer/gebruikers/{id}/eigen-huishouden")
                .route(web::get().to(own_households))
                .route(web::post().to(add_own_household)),
        )
        .route("/beheer/gebruikers/{id}/eigen-huishouden/{link}/beeindigen", web::post().to(end_own_household));
}

pub const REASONS: [(&str, &str); 3] = [
    ("well_known", "Bekend persoon, bijvoorbeeld een bestuurder of iemand uit het nieuws"),
    ("colleague", "Collega, of familie van een collega"),
    ("other", "Andere reden"),
];

fn reason_label(code: &str) -> &'static str {
    REASONS.iter().find(|(k, _)| *k == code).map(|(_, l)| *l).unwrap_or("Onbekend")
}

fn local_date(t: chrono::DateTime<chrono::Utc>) -> String {
    dutch::date(crate::calendar::local(t).date())
}

pub struct ProtectionView {
    pub id: String,
    pub person_id: String,
    pub person_name: String,
    pub reason: &'static str,
    pub note: Option<String>,
    pub since: String,
    pub ended: Option<String>,
}

fn protection_view(p: Protection) -> ProtectionView {
    ProtectionView {
        reason: reason_label(&p.reason),
        since: local_date(p.recorded_at),
        ended: p.ended_at.map(local_date),
        id: p.id,
        person_id: p.person_id,
        person_name: p.person_name,
        note: p.note,
    }
}

#[derive(Template)]
#[template(path = "protections.html")]
struct ProtectionsPage {
    layout: Layout,
    items: Vec<ProtectionView>,
}

async fn protections(page: Page) -> PageResult {
    let list = page.act(service::protections(&page.ctx)).await?;
    let out = ProtectionsPage {
        layout: page.layout("Extra bescherming", "privacy"),
        items: list.items.into_iter().map(protection_view).collect(),
    };
    render_with(StatusCode::OK, &out)
}

#[derive(Template)]
#[template(path = "protection.html")]
struct PersonPage {
    layout: Layout,
    person_id: String,
    name: String,
    current: Option<ProtectionView>,
    earlier: Vec<ProtectionView>,
    errors: Vec<FieldMessage>,
    reasons: Vec<(&'static str, &'static str, bool)>,
    note: String,
}

impl PersonPage {
    fn error(&self, field: &str) -> Option<&FieldMessage> {
        self.errors.iter().find(|e| e.field == field)
    }
}

const PROTECTION_LABELS: [(&str, &str); 3] = [("personId", "Persoon"), ("reason", "Reden"), ("note", "Toelichting")];

#[derive(Deserialize, Default)]
struct Notice {
    klaar: Option<String>,
}

fn person_notice(n: &Notice) -> Option<&'static str> {
    match n.klaar.as_deref() {
        Some("ingesteld") => {
            Some("De extra bescherming is ingesteld. Elke inzage in de gegevens geeft nu een melding.")
        }
        Some("beeindigd") => Some("De extra bescherming is beëindigd."),
        _ => None,
    }
}

async fn person_page(
    page: &Page,
    person: Id,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
    form: (String, String),
) -> PageResult {
    let theirs = page.act(service::protections_of(&page.ctx, person)).await?;
    let mut items: Vec<ProtectionView> = theirs.items.into_iter().map(protection_view).collect();
    let current = items.first().is_some_and(|p| p.ended.is_none()).then(|| items.remove(0));
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let chosen = if form.0.is_empty() { "colleague".to_string() } else { form.0 };
    let out = PersonPage {
        layout: page.layout(format!("Extra bescherming voor {}", theirs.person_name), "privacy").with_notice(notice),
        person_id: theirs.person_id,
        name: theirs.person_name,
        current,
        earlier: items,
        errors: dutch::field_messages(&errors, &PROTECTION_LABELS),
        reasons: REASONS.iter().map(|(k, l)| (*k, *l, *k == chosen)).collect(),
        note: form.1,
    };
    render_with(status, &out)
}

async fn person(page: Page, id: web::Path<Id>, q: crate::http::Query<Notice>) -> PageResult {
    person_page(&page, id.into_inner(), person_notice(&q), vec![], Default::default()).await
}

#[derive(Deserialize)]
struct ProtectForm {
    reden: Option<String>,
    toelichting: Option<String>,
}

async fn protect(page: Page, id: web::Path<Id>, form: Form<ProtectForm>) -> PageResult {
    let person = id.into_inner();
    let f = form.into_inner();
    let (reason, note) = (f.reden.unwrap_or_default(), f.toelichting.unwrap_or_default());
    let input = NewProtection {
        person_id: Some(person.as_str().to_string()),
        reason: Some(reason.clone()).filter(|r| !r.is_empty()),
        note: Some(note.clone()),
    };
    match page.act(service::protect(&page.ctx, input)).await {
        Ok(_) => Ok(see_other(&format!("/inzage/personen/{person}/bescherming?klaar=ingesteld"))),
        Err(AppError::Validation(e)) => person_page(&page, person, None, e, (reason, note)).await,
        // Another officer was first: the page shows the protection in force.
        Err(AppError::Conflict(_)) => Ok(see_other(&format!("/inzage/personen/{person}/bescherming"))),
        Err(e) => Err(e.into()),
    }
}

async fn end_protection(page: Page, id: web::Path<Id>) -> PageResult {
    match page.act(service::end_protection(&page.ctx, id.into_inner())).await {
        Ok(p) => Ok(see_other(&format!("/inzage/personen/{}/bescherming?klaar=beeindigd", p.person_id))),
        Err(e) => Err(e.into()),
    }
}

// Own households (Beheer)

pub struct LinkView {
    pub id: String,
    pub address: Option<String>,
    pub surname: Option<String>,
    pub since: String,
    pub ended: Option<String>,
}

fn link_view(l: OwnHousehold) -> LinkView {
    let address = l.postcode.as_deref().zip(l.house_number).map(|(p, n)| {
        let postcode = if p.len() == 6 { format!("{} {}", &p[..4], &p[4..]) } else { p.to_string() };
        let addition = l.house_number_addition.as_deref().map(|a| format!(" {a}")).unwrap_or_default();
        format!("{postcode}, huisnummer {n}{addition}")
    });
    LinkView {
        address,
        surname: l.surname,
        since: local_date(l.recorded_at),
        ended: l.ended_at.map(local_date),
        id: l.id,
    }
}

#[derive(Default)]
struct LinkForm {
    postcode: String,
    number: String,
    addition: String,
    surname: String,
}

#[derive(Template)]
#[template(path = "own_households.html")]
struct OwnPage {
    layout: Layout,
    user_id: String,
    name: String,
    links: Vec<LinkView>,
    errors: Vec<FieldMessage>,
    form: LinkForm,
}

impl OwnPage {
    fn error(&self, field: &str) -> Option<&FieldMessage> {
        self.errors.iter().find(|e| e.field == field)
    }
}

const LINK_LABELS: [(&str, &str); 4] = [
    ("postcode", "Postcode"),
    ("houseNumber", "Huisnummer"),
    ("houseNumberAddition", "Toevoeging"),
    ("surname", "Achternaam"),
];

fn own_notice(n: &Notice) -> Option<&'static str> {
    match n.klaar.as_deref() {
        Some("vastgelegd") => Some("Het eigen huishouden is vastgelegd."),
        Some("beeindigd") => Some("Het eigen huishouden is beëindigd. Het telt niet meer mee voor meldingen."),
        _ => None,
    }
}

async fn own_page(
    page: &Page,
    user: Id,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
    form: LinkForm,
) -> PageResult {
    let u = page.act(crate::identity::service::get_user(&page.ctx, user.as_str().to_string())).await?;
    let links = page.act(service::own_households(&page.ctx, user)).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let out = OwnPage {
        layout: page.layout(format!("Eigen huishouden van {}", u.display_name), "admin").with_notice(notice),
        user_id: u.id,
        name: u.display_name,
        links: links.items.into_iter().map(link_view).collect(),
        errors: dutch::field_messages(&errors, &LINK_LABELS),
        form,
    };
    render_with(status, &out)
}

async fn own_households(page: Page, id: web::Path<Id>, q: crate::http::Query<Notice>) -> PageResult {
    own_page(&page, id.into_inner(), own_notice(&q), vec![], LinkForm::default()).await
}

#[derive(Deserialize)]
struct AddForm {
    postcode: Option<String>,
    huisnummer: Option<String>,
    toevoeging: Option<String>,
    achternaam: Option<String>,
}

async fn add_own_household(page: Page, id: web::Path<Id>, form: Form<AddForm>) -> PageResult {
    let user = id.into_inner();
    let f = form.into_inner();
    let form = LinkForm {
        postcode: f.postcode.unwrap_or_default(),
        number: f.huisnummer.unwrap_or_default().trim().to_string(),
        addition: f.toevoeging.unwrap_or_default(),
        surname: f.achternaam.unwrap_or_default(),
    };
    // Text that is not a number goes to the service as 0, which it reports as not a house number, together with
    // every other field.
    let number = Some(form.number.as_str()).filter(|n| !n.is_empty()).map(|n| n.parse::<i32>().unwrap_or(0));
    let filled = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
    let input = NewOwnHousehold {
        postcode: filled(&form.postcode),
        house_number: number,
        house_number_addition: filled(&form.addition),
        surname: filled(&form.surname),
    };
    match page.act(service::add_own_household(&page.ctx, user.clone(), input)).await {
        Ok(_) => Ok(see_other(&format!("/beheer/gebruikers/{user}/eigen-huishouden?klaar=vastgelegd"))),
        Err(AppError::Validation(e)) => own_page(&page, user, None, e, form).await,
        Err(e) => Err(e.into()),
    }
}

async fn end_own_household(page: Page, path: web::Path<(Id, Id)>) -> PageResult {
    let (user, link) = path.into_inner();
    match page.act(service::end_own_household(&page.ctx, user.clone(), link)).await {
        // Ended already (another administrator was first): the page shows it ended.
        Ok(_) | Err(AppError::Conflict(_)) => {
            Ok(see_other(&format!("/beheer/gebruikers/{user}/eigen-huishouden?klaar=beeindigd")))
        }
        Err(e) => Err(e.into()),
    }
}
