//! Beheer: the functional admin's screens for organisations, teams and users with their roles: lists paged as the
//! API pages them, forms to create and edit (the version the API's ETag gives travels in a hidden field; a stale one
//! shows what the admin typed beside the current values, nothing overwritten), and deactivating a user after a
//! confirmation (their sessions end at once). The same `identity::service` use cases as the JSON API; no case
//! content anywhere.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::dutch::{self, FieldMessage};
use super::page::{render, render_with, see_other, Form, Layout, Page, PageResult};
use crate::access::Role;
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::model::{
    CreateOrganisation, CreateTeam, CreateUser, Organisation, RoleGrant, Team, UpdateOrganisation, UpdateTeam,
    UpdateUser, User, ORGANISATION_KINDS, TEAM_KINDS,
};
use crate::identity::service as identity;
use crate::input::Id;
use crate::paging::PageQuery;
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/beheer", web::get().to(start))
        .route("/beheer/organisaties/nieuw", web::get().to(new_organisation))
        .service(
            web::resource("/beheer/organisaties")
                .route(web::get().to(organisations))
                .route(web::post().to(create_organisation)),
        )
        .service(
            web::resource("/beheer/organisaties/{id}")
                .route(web::get().to(organisation))
                .route(web::post().to(update_organisation)),
        )
        .route("/beheer/teams/nieuw", web::get().to(new_team))
        .service(web::resource("/beheer/teams").route(web::get().to(teams)).route(web::post().to(create_team)))
        .service(web::resource("/beheer/teams/{id}").route(web::get().to(team)).route(web::post().to(update_team)))
        .route("/beheer/gebruikers/nieuw", web::get().to(new_user))
        .service(web::resource("/beheer/gebruikers").route(web::get().to(users)).route(web::post().to(create_user)))
        .service(web::resource("/beheer/gebruikers/{id}").route(web::get().to(user)).route(web::post().to(update_user)))
        .service(
            web::resource("/beheer/gebruikers/{id}/deactiveren")
                .route(web::get().to(confirm_deactivation))
                .route(web::post().to(deactivate)),
        );
}

// ---------------------------------------------------------------------------------------------------------------
// Words

/// A role as the people who hold it call it.
pub fn role_label(r: Role) -> &'static str {
    match r {
        Role::Wijkteam => "Wijkteammedewerker",
        Role::Teamleider => "Teamleider",
        Role::Provider => "Hulpverlener van een aanbieder",
        Role::Signaller => "Meldingsbevoegde (signalen)",
        Role::Matchregisseur => "Matchregisseur",
        Role::Procescoordinator => "Procescoördinator",
        Role::PrivacyOfficer => "Privacy officer",
        Role::Admin => "Functioneel beheerder",
    }
}

fn organisation_kind_label(kind: &str) -> &'static str {
    match kind {
        "municipality" => "Gemeente",
        "provider" => "Aanbieder",
        _ => "Andere organisatie",
    }
}

fn team_kind_label(kind: &str) -> &'static str {
    match kind {
        "wijk" => "Wijkteam",
        _ => "Gemeentelijk team",
    }
}

/// A service's field message in Dutch, for these forms.
fn message(english: &str) -> String {
    let known = match english {
        "must not be empty" => "Vul dit in.",
        "is required for a wijk team" => "Vul de wijk in: een wijkteam werkt in een wijk.",
        "is not an email address" => "Vul een geldig e-mailadres in, zoals naam@gemeente.nl.",
        "is too long" => "Dit is te lang.",
        "must be at least 12 characters" => "Een wachtwoord heeft minstens 12 tekens.",
        "no such organisation" => "Kies een organisatie uit de lijst.",
        "no such team" => "Kies een team uit de lijst.",
        "must hold at least one role" => "Geef minstens één rol.",
        "is listed twice" => "Deze rol in dit team staat er twee keer.",
        _ => "",
    };
    if !known.is_empty() {
        known.to_string()
    } else if english.starts_with("must be one of") {
        "Kies een van de mogelijkheden.".into()
    } else if english.starts_with("is required for the role") {
        "Kies een team: deze rol hoort bij een team.".into()
    } else if english.ends_with("cannot be combined with another role") {
        "Deze rol kan niet samen met een andere rol.".into()
    } else {
        dutch::message(english)
    }
}

/// Field errors as a form shows them, labelled, in Dutch.
fn messages(errors: &[FieldError], labels: &[(&str, &str)]) -> Vec<FieldMessage> {
    let mut out: Vec<FieldMessage> = Vec::new();
    for e in errors {
        let label = labels
            .iter()
            .find(|(f, _)| *f == e.field)
            .map(|(_, l)| l.to_string())
            .unwrap_or_else(|| row_label(&e.field).unwrap_or_else(|| "Dit veld".into()));
        let m =
            FieldMessage { field: e.field.clone(), id: dutch::field_id(&e.field), label, message: field_message(e) };
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// One field's message in Dutch: a name or address already taken, a list to choose from, or the rule broken.
fn field_message(e: &FieldError) -> String {
    match (e.field.as_str(), e.message.as_str()) {
        (_, "taken:organisation") => "Er is al een organisatie met deze naam.".into(),
        (_, "taken:team") => "Er is al een team met deze naam in deze organisatie.".into(),
        (_, "taken:user") => "Er is al een gebruiker met dit e-mailadres.".into(),
        ("organisationId", "is required") => "Kies een organisatie.".into(),
        (_, english) => message(english),
    }
}

/// "Rol 2" or "Team bij rol 2" for `roles[1].role` or `roles[1].teamId`.
fn row_label(field: &str) -> Option<String> {
    let rest = field.strip_prefix("roles[")?;
    let (n, what) = rest.split_once(']')?;
    let n: usize = n.parse().ok()?;
    Some(if what == ".teamId" { format!("Team bij rol {}", n + 1) } else { format!("Rol {}", n + 1) })
}

fn error_in(errors: &[FieldMessage], field: &str) -> Option<String> {
    errors.iter().find(|e| e.field == field).map(|e| e.message.clone())
}

fn notice(klaar: Option<&str>) -> Option<&'static str> {
    match klaar? {
        "aangemaakt" => Some("Aangemaakt."),
        "opgeslagen" => Some("Opgeslagen."),
        "gedeactiveerd" => Some("De gebruiker is gedeactiveerd. Alle sessies van deze gebruiker zijn beëindigd."),
        _ => None,
    }
}

#[derive(Deserialize)]
struct ListQuery {
    na: Option<String>,
    klaar: Option<String>,
}

impl ListQuery {
    fn page(&self, limit: i64) -> PageQuery {
        PageQuery { limit: Some(limit), after: self.na.clone().filter(|a| Id::is_valid(a)) }
    }
}

/// How many rows a list page shows; the start page shows fewer.
const LIST_PAGE: i64 = 50;
const START_PAGE: i64 = 10;

/// Every organisation (for choices and names), page by page as the API gives them.
async fn all_organisations(ctx: &Ctx) -> AppResult<Vec<Organisation>> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = identity::list_organisations(ctx, PageQuery { limit: Some(200), after }).await?;
        all.extend(page.items);
        match page.next {
            Some(n) => after = Some(n),
            None => return Ok(all),
        }
    }
}

async fn all_teams(ctx: &Ctx) -> AppResult<Vec<Team>> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = identity::list_teams(ctx, PageQuery { limit: Some(200), after }).await?;
        all.extend(page.items);
        match page.next {
            Some(n) => after = Some(n),
            None => return Ok(all),
        }
    }
}

fn name_of(organisations: &[Organisation], id: &str) -> String {
    organisations.iter().find(|o| o.id == id).map(|o| o.name.clone()).unwrap_or_default()
}

fn team_name(teams: &[Team], id: &str) -> String {
    teams.iter().find(|t| t.id == id).map(|t| t.name.clone()).unwrap_or_default()
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices<'a>(options: impl Iterator<Item = (&'a str, String)>, chosen: &str) -> Vec<Choice> {
    options.map(|(v, l)| Choice { value: v.to_string(), label: l, selected: v == chosen }).collect()
}

// ---------------------------------------------------------------------------------------------------------------
// Lists

pub struct OrganisationRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub active: bool,
}

pub struct TeamRow {
    pub id: String,
    pub name: String,
    pub organisation: String,
    pub kind: &'static str,
    pub wijk: String,
    pub active: bool,
}

pub struct UserRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub roles: String,
    pub active: bool,
}

fn organisation_rows(items: &[Organisation]) -> Vec<OrganisationRow> {
    items
        .iter()
        .map(|o| OrganisationRow {
            id: o.id.clone(),
            name: o.name.clone(),
            kind: organisation_kind_label(&o.kind),
            active: o.active,
        })
        .collect()
}

fn team_rows(items: &[Team], organisations: &[Organisation]) -> Vec<TeamRow> {
    items
        .iter()
        .map(|t| TeamRow {
            id: t.id.clone(),
            name: t.name.clone(),
            organisation: name_of(organisations, &t.organisation_id),
            kind: team_kind_label(&t.kind),
            wijk: t.wijk.clone().unwrap_or_default(),
            active: t.active,
        })
        .collect()
}

fn roles_text(roles: &[RoleGrant], teams: &[Team]) -> String {
    roles
        .iter()
        .map(|g| match &g.team_id {
            Some(t) => format!("{} ({})", role_label(g.role), team_name(teams, t)),
            None => role_label(g.role).to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn user_rows(items: &[User], organisations: &[Organisation], teams: &[Team]) -> Vec<UserRow> {
    items
        .iter()
        .map(|u| UserRow {
            id: u.id.clone(),
            name: u.display_name.clone(),
            email: u.email.clone(),
            organisation: name_of(organisations, &u.organisation_id),
            roles: roles_text(&u.roles, teams),
            active: u.active,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin.html")]
struct StartPage {
    layout: Layout,
    organisations: Vec<OrganisationRow>,
    more_organisations: bool,
    teams: Vec<TeamRow>,
    more_teams: bool,
    users: Vec<UserRow>,
    more_users: bool,
}

/// The start page: the first of each list. Its audit event is the users' list (`user.list`), the page's main list.
async fn start(page: Page) -> PageResult {
    let q = || PageQuery { limit: Some(START_PAGE), after: None };
    let users = page.act(identity::list_users(&page.ctx, q())).await?;
    let organisations = all_organisations(&page.ctx).await?;
    let teams = all_teams(&page.ctx).await?;
    let first_orgs = identity::list_organisations(&page.ctx, q()).await?;
    let first_teams = identity::list_teams(&page.ctx, q()).await?;
    let view = StartPage {
        layout: page.layout("Beheer", "admin"),
        organisations: organisation_rows(&first_orgs.items),
        more_organisations: first_orgs.next.is_some(),
        teams: team_rows(&first_teams.items, &organisations),
        more_teams: first_teams.next.is_some(),
        users: user_rows(&users.items, &organisations, &teams),
        more_users: users.next.is_some(),
    };
    render(&view)
}

#[derive(Template)]
#[template(path = "admin_list.html")]
struct ListPage {
    layout: Layout,
    /// `organisaties`, `teams` or `gebruikers`.
    which: &'static str,
    /// The item of the admin navigation to mark (the same as `which`).
    sub: &'static str,
    heading: &'static str,
    organisations: Vec<OrganisationRow>,
    teams: Vec<TeamRow>,
    users: Vec<UserRow>,
    next: Option<String>,
    paged: bool,
}

impl ListPage {
    fn new(layout: Layout, which: &'static str, heading: &'static str, next: Option<String>, paged: bool) -> Self {
        ListPage {
            layout,
            which,
            sub: which,
            heading,
            organisations: vec![],
            teams: vec![],
            users: vec![],
            next,
            paged,
        }
    }
}

async fn organisations(page: Page, query: crate::http::Query<ListQuery>) -> PageResult {
    let list = page.act(identity::list_organisations(&page.ctx, query.page(LIST_PAGE))).await?;
    let layout = page.layout("Organisaties", "admin").with_notice(notice(query.klaar.as_deref()));
    let mut view = ListPage::new(layout, "organisaties", "Organisaties", list.next, query.na.is_some());
    view.organisations = organisation_rows(&list.items);
    render(&view)
}

async fn teams(page: Page, query: crate::http::Query<ListQuery>) -> PageResult {
    let list = page.act(identity::list_teams(&page.ctx, query.page(LIST_PAGE))).await?;
    let organisations = all_organisations(&page.ctx).await?;
    let layout = page.layout("Teams", "admin").with_notice(notice(query.klaar.as_deref()));
    let mut view = ListPage::new(layout, "teams", "Teams", list.next, query.na.is_some());
    view.teams = team_rows(&list.items, &organisations);
    render(&view)
}

async fn users(page: Page, query: crate::http::Query<ListQuery>) -> PageResult {
    let list = page.act(identity::list_users(&page.ctx, query.page(LIST_PAGE))).await?;
    let organisations = all_organisations(&page.ctx).await?;
    let teams = all_teams(&page.ctx).await?;
    let layout = page.layout("Gebruikers", "admin").with_notice(notice(query.klaar.as_deref()));
    let mut view = ListPage::new(layout, "gebruikers", "Gebruikers", list.next, query.na.is_some());
    view.users = user_rows(&list.items, &organisations, &teams);
    render(&view)
}

// ---------------------------------------------------------------------------------------------------------------
// Conflicts: what is stored now, shown beside what the admin typed

/// One current value of an object someone else changed meanwhile.
pub struct Current {
    pub label: &'static str,
    pub value: String,
}

fn yes_no(b: bool) -> String {
    if b { "ja" } else { "nee" }.to_string()
}

/// Whether a change failed on a stale version (the API's 412): the form comes back with the current values.
fn is_stale(e: &AppError) -> bool {
    matches!(e, AppError::PreconditionFailed { .. })
}

/// A unique name or address already taken, as a field error of the form.
fn taken(e: &AppError) -> Option<FieldError> {
    match e {
        AppError::Conflict(m) if m.starts_with("An organisation with this name") => {
            Some(FieldError::new("name", "taken:organisation"))
        }
        AppError::Conflict(m) if m.starts_with("A team with this name") => Some(FieldError::new("name", "taken:team")),
        AppError::Conflict(m) if m.starts_with("A user with this email") => {
            Some(FieldError::new("email", "taken:user"))
        }
        _ => None,
    }
}

/// Field errors of a refused change, with the names already taken in Dutch.
fn form_errors(errors: &[FieldError], labels: &[(&str, &str)]) -> Vec<FieldMessage> {
    messages(errors, labels)
}

// ---------------------------------------------------------------------------------------------------------------
// Organisations

#[derive(Deserialize, Default, Clone)]
struct OrganisationForm {
    name: Option<String>,
    kind: Option<String>,
    active: Option<String>,
    version: Option<String>,
}

const ORGANISATION_LABELS: [(&str, &str); 2] = [("name", "Naam"), ("kind", "Soort")];

#[derive(Template)]
#[template(path = "admin_organisation.html")]
struct OrganisationPage {
    layout: Layout,
    /// None for a new organisation.
    id: Option<String>,
    name: String,
    kinds: Vec<Choice>,
    active: bool,
    version: i64,
    errors: Vec<FieldMessage>,
    theirs: Vec<Current>,
}

impl OrganisationPage {
    fn error_of(&self, field: &str) -> Option<String> {
        error_in(&self.errors, field)
    }

    fn of(layout: Layout, id: Option<String>, form: &OrganisationForm, version: i64) -> Self {
        let kind = form.kind.clone().unwrap_or_default();
        OrganisationPage {
            layout,
            id,
            name: form.name.clone().unwrap_or_default(),
            kinds: choices(ORGANISATION_KINDS.iter().map(|k| (*k, organisation_kind_label(k).to_string())), &kind),
            active: form.active.is_some(),
            version,
            errors: vec![],
            theirs: vec![],
        }
    }
}

fn organisation_form(o: &Organisation) -> OrganisationForm {
    OrganisationForm {
        name: Some(o.name.clone()),
        kind: Some(o.kind.clone()),
        active: o.active.then(|| "1".to_string()),
        version: Some(o.version.to_string()),
    }
}

fn organisation_current(o: &Organisation) -> Vec<Current> {
    vec![
        Current { label: "Naam", value: o.name.clone() },
        Current { label: "Soort", value: organisation_kind_label(&o.kind).into() },
        Current { label: "Actief", value: yes_no(o.active) },
    ]
}

fn blank(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.trim().is_empty())
}

async fn new_organisation(page: Page) -> PageResult {
    // Nothing is read but the right to create: the list's permission names the event (403 for whoever may not).
    page.act(identity::list_organisations(&page.ctx, PageQuery { limit: Some(1), after: None })).await?;
    let form = OrganisationForm { kind: Some("provider".into()), ..Default::default() };
    render(&OrganisationPage::of(page.layout("Nieuwe organisatie", "admin"), None, &form, 0))
}

async fn create_organisation(page: Page, form: Form<OrganisationForm>) -> PageResult {
    let form = form.into_inner();
    let input = CreateOrganisation { name: blank(&form.name), kind: blank(&form.kind) };
    match page.act(identity::create_organisation(&page.ctx, input)).await {
        Ok(o) => Ok(see_other(&format!("/beheer/organisaties/{}?klaar=aangemaakt", o.id))),
        Err(e) => {
            let (status, errors) = refused(e)?;
            let mut view = OrganisationPage::of(page.layout("Nieuwe organisatie", "admin"), None, &form, 0);
            view.errors = form_errors(&errors, &ORGANISATION_LABELS);
            render_with(status, &view)
        }
    }
}

/// A refused change whose form comes back: its status and field errors (422 invalid, 409 a name taken).
fn refused(e: AppError) -> Result<(StatusCode, Vec<FieldError>), AppError> {
    if let Some(t) = taken(&e) {
        return Ok((StatusCode::CONFLICT, vec![t]));
    }
    match e {
        AppError::Validation(errors) => Ok((StatusCode::UNPROCESSABLE_ENTITY, errors)),
        e => Err(e),
    }
}

#[derive(Deserialize)]
struct ShownQuery {
    klaar: Option<String>,
}

async fn organisation(page: Page, id: web::Path<Id>, query: crate::http::Query<ShownQuery>) -> PageResult {
    let id: String = id.into_inner().into();
    let o = page.act(identity::get_organisation(&page.ctx, id.clone())).await?;
    let layout = page.layout(format!("Organisatie {}", o.name), "admin").with_notice(notice(query.klaar.as_deref()));
    render(&OrganisationPage::of(layout, Some(id), &organisation_form(&o), o.version))
}

async fn update_organisation(page: Page, id: web::Path<Id>, form: Form<OrganisationForm>) -> PageResult {
    let id: String = id.into_inner().into();
    let form = form.into_inner();
    let version = form.version.as_deref().and_then(|v| v.parse().ok()).unwrap_or(0);
    let input = UpdateOrganisation {
        name: Some(form.name.clone().unwrap_or_default()),
        kind: Some(form.kind.clone().unwrap_or_default()),
        active: Some(form.active.is_some()),
    };
    match page.act(identity::update_organisation(&page.ctx, id.clone(), version, input)).await {
        Ok(_) => Ok(see_other(&format!("/beheer/organisaties/{id}?klaar=opgeslagen"))),
        Err(e) if is_stale(&e) => {
            let now = identity::get_organisation(&page.ctx, id.clone()).await?;
            let layout = page.layout(format!("Organisatie {}", now.name), "admin");
            let mut view = OrganisationPage::of(layout, Some(id), &form, now.version);
            view.theirs = organisation_current(&now);
            render_with(StatusCode::CONFLICT, &view)
        }
        Err(e) => {
            let (status, errors) = refused(e)?;
            let layout = page.layout("Organisatie bewerken", "admin");
            let mut view = OrganisationPage::of(layout, Some(id), &form, version);
            view.errors = form_errors(&errors, &ORGANISATION_LABELS);
            render_with(status, &view)
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Teams

#[derive(Deserialize, Default, Clone)]
struct TeamForm {
    #[serde(rename = "organisationId")]
    organisation_id: Option<String>,
    name: Option<String>,
    kind: Option<String>,
    wijk: Option<String>,
    #[serde(rename = "providerMayDirect")]
    provider_may_direct: Option<String>,
    active: Option<String>,
    version: Option<String>,
}

const TEAM_LABELS: [(&str, &str); 4] =
    [("organisationId", "Organisatie"), ("name", "Naam"), ("kind", "Soort team"), ("wijk", "Wijk")];

#[derive(Template)]
#[template(path = "admin_team.html")]
struct TeamPage {
    layout: Layout,
    id: Option<String>,
    organisations: Vec<Choice>,
    /// The organisation and kind of an existing team (they do not change).
    organisation: String,
    kind_label: &'static str,
    name: String,
    kinds: Vec<Choice>,
    wijk: String,
    provider_may_direct: bool,
    active: bool,
    version: i64,
    errors: Vec<FieldMessage>,
    theirs: Vec<Current>,
}

impl TeamPage {
    fn error_of(&self, field: &str) -> Option<String> {
        error_in(&self.errors, field)
    }
}

fn team_page(
    layout: Layout,
    id: Option<String>,
    form: &TeamForm,
    organisations: &[Organisation],
    version: i64,
) -> TeamPage {
    let org = form.organisation_id.clone().unwrap_or_default();
    let kind = form.kind.clone().unwrap_or_default();
    TeamPage {
        layout,
        id,
        organisations: choices(
            organisations.iter().filter(|o| o.active || o.id == org).map(|o| (o.id.as_str(), o.name.clone())),
            &org,
        ),
        organisation: name_of(organisations, &org),
        kind_label: team_kind_label(&kind),
        name: form.name.clone().unwrap_or_default(),
        kinds: choices(TEAM_KINDS.iter().map(|k| (*k, team_kind_label(k).to_string())), &kind),
        wijk: form.wijk.clone().unwrap_or_default(),
        provider_may_direct: form.provider_may_direct.is_some(),
        active: form.active.is_some(),
        version,
        errors: vec![],
        theirs: vec![],
    }
}

fn team_form(t: &Team) -> TeamForm {
    TeamForm {
        organisation_id: Some(t.organisation_id.clone()),
        name: Some(t.name.clone()),
        kind: Some(t.kind.clone()),
        wijk: t.wijk.clone(),
        provider_may_direct: t.provider_may_direct.then(|| "1".to_string()),
        active: t.active.then(|| "1".to_string()),
        version: Some(t.version.to_string()),
    }
}

fn team_current(t: &Team) -> Vec<Current> {
    vec![
        Current { label: "Naam", value: t.name.clone() },
        Current { label: "Wijk", value: t.wijk.clone().unwrap_or_default() },
        Current { label: "Aanbieders mogen regisseur zijn", value: yes_no(t.provider_may_direct) },
        Current { label: "Actief", value: yes_no(t.active) },
    ]
}

async fn new_team(page: Page) -> PageResult {
    let organisations = page.act(all_organisations(&page.ctx)).await?;
    let form = TeamForm { kind: Some("wijk".into()), ..Default::default() };
    render(&team_page(page.layout("Nieuw team", "admin"), None, &form, &organisations, 0))
}

async fn create_team(page: Page, form: Form<TeamForm>) -> PageResult {
    let form = form.into_inner();
    let input = CreateTeam {
        organisation_id: blank(&form.organisation_id),
        name: blank(&form.name),
        kind: blank(&form.kind),
        wijk: blank(&form.wijk),
        provider_may_direct: Some(form.provider_may_direct.is_some()),
    };
    match page.act(identity::create_team(&page.ctx, input)).await {
        Ok(t) => Ok(see_other(&format!("/beheer/teams/{}?klaar=aangemaakt", t.id))),
        Err(e) => {
            let (status, errors) = refused(e)?;
            let organisations = all_organisations(&page.ctx).await?;
            let mut view = team_page(page.layout("Nieuw team", "admin"), None, &form, &organisations, 0);
            view.errors = form_errors(&errors, &TEAM_LABELS);
            render_with(status, &view)
        }
    }
}

async fn team(page: Page, id: web::Path<Id>, query: crate::http::Query<ShownQuery>) -> PageResult {
    let id: String = id.into_inner().into();
    let t = page.act(identity::get_team(&page.ctx, id.clone())).await?;
    let organisations = all_organisations(&page.ctx).await?;
    let layout = page.layout(format!("Team {}", t.name), "admin").with_notice(notice(query.klaar.as_deref()));
    render(&team_page(layout, Some(id), &team_form(&t), &organisations, t.version))
}

async fn update_team(page: Page, id: web::Path<Id>, form: Form<TeamForm>) -> PageResult {
    let id: String = id.into_inner().into();
    let mut form = form.into_inner();
    let version = form.version.as_deref().and_then(|v| v.parse().ok()).unwrap_or(0);
    let input = UpdateTeam {
        name: Some(form.name.clone().unwrap_or_default()),
        wijk: blank(&form.wijk),
        provider_may_direct: Some(form.provider_may_direct.is_some()),
        active: Some(form.active.is_some()),
    };
    let outcome = page.act(identity::update_team(&page.ctx, id.clone(), version, input)).await;
    if outcome.is_ok() {
        return Ok(see_other(&format!("/beheer/teams/{id}?klaar=opgeslagen")));
    }
    // The team's organisation and kind are shown as stored (they do not change).
    let now = identity::get_team(&page.ctx, id.clone()).await?;
    form.organisation_id = Some(now.organisation_id.clone());
    form.kind = Some(now.kind.clone());
    let organisations = all_organisations(&page.ctx).await?;
    let layout = page.layout(format!("Team {}", now.name), "admin");
    match outcome {
        Err(e) if is_stale(&e) => {
            let mut view = team_page(layout, Some(id), &form, &organisations, now.version);
            view.theirs = team_current(&now);
            render_with(StatusCode::CONFLICT, &view)
        }
        Err(e) => {
            let (status, errors) = refused(e)?;
            let mut view = team_page(layout, Some(id), &form, &organisations, version);
            view.errors = form_errors(&errors, &TEAM_LABELS);
            render_with(status, &view)
        }
        Ok(_) => unreachable!("handled above"),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Users

/// One row of the roles on the user form: a role (or none) and a team.
pub struct RoleRow {
    pub index: usize,
    pub roles: Vec<Choice>,
    pub teams: Vec<Choice>,
    pub role_error: Option<String>,
    pub team_error: Option<String>,
}

/// What the user form holds, as typed.
#[derive(Default, Clone)]
struct UserValues {
    email: String,
    display_name: String,
    organisation_id: String,
    password: String,
    /// (role, team) per row, as chosen; "" for none.
    rows: Vec<(String, String)>,
    version: i64,
}

/// Empty rows the form offers beyond the roles held.
const SPARE_ROWS: usize = 2;

impl UserValues {
    fn read(fields: &[(String, String)]) -> UserValues {
        let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let all = |k: &str| fields.iter().filter(|(f, _)| f == k).map(|(_, v)| v.clone()).collect::<Vec<_>>();
        let (roles, teams) = (all("role"), all("team"));
        let rows =
            roles.iter().enumerate().map(|(i, r)| (r.clone(), teams.get(i).cloned().unwrap_or_default())).collect();
        UserValues {
            email: get("email"),
            display_name: get("displayName"),
            organisation_id: get("organisationId"),
            password: get("password"),
            rows,
            version: get("version").parse().unwrap_or(0),
        }
    }

    fn of(u: &User) -> UserValues {
        UserValues {
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            organisation_id: u.organisation_id.clone(),
            password: String::new(),
            rows: u
                .roles
                .iter()
                .map(|g| (g.role.as_str().to_string(), g.team_id.clone().unwrap_or_default()))
                .collect(),
            version: u.version,
        }
    }

    /// The grants of the filled-in rows, and for each the row it came from (errors point at the row).
    /// A role the form does not offer is a form that cannot be read (400), as any unknown value.
    fn grants(&self) -> Result<(Vec<RoleGrant>, Vec<usize>), AppError> {
        let mut grants = Vec::new();
        let mut rows = Vec::new();
        for (i, (role, team)) in self.rows.iter().enumerate() {
            if role.is_empty() {
                continue;
            }
            let role = Role::parse(role).ok_or_else(|| AppError::BadRequest("The form could not be read".into()))?;
            grants.push(RoleGrant { role, team_id: Some(team.clone()).filter(|t| !t.is_empty()) });
            rows.push(i);
        }
        Ok((grants, rows))
    }
}

/// The service's `roles[i]…` fields renamed to the form's rows; `roles` to the first row.
fn to_rows(errors: Vec<FieldError>, rows: &[usize]) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| {
            if e.field == "roles" {
                return FieldError::new("roles[0].role", e.message);
            }
            let Some(rest) = e.field.strip_prefix("roles[") else { return e };
            let Some((n, what)) = rest.split_once(']') else { return e };
            let Some(row) = n.parse::<usize>().ok().and_then(|n| rows.get(n)) else { return e };
            let what = if what.is_empty() { ".role" } else { what };
            FieldError::new(format!("roles[{row}]{what}"), e.message)
        })
        .collect()
}

const USER_LABELS: [(&str, &str); 4] =
    [("email", "E-mailadres"), ("displayName", "Naam"), ("organisationId", "Organisatie"), ("password", "Wachtwoord")];

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    layout: Layout,
    id: Option<String>,
    email: String,
    display_name: String,
    organisations: Vec<Choice>,
    organisation: String,
    rows: Vec<RoleRow>,
    active: bool,
    deactivated_on: Option<String>,
    totp_enrolled: bool,
    version: i64,
    errors: Vec<FieldMessage>,
    theirs: Vec<Current>,
}

impl UserPage {
    fn error_of(&self, field: &str) -> Option<String> {
        error_in(&self.errors, field)
    }
}

/// The roles an admin may choose on the form: not those granted only on the server, unless the row holds one.
fn role_choices(chosen: &str) -> Vec<Choice> {
    let mut out = vec![Choice { value: String::new(), label: "Geen rol".into(), selected: chosen.is_empty() }];
    for r in Role::ALL {
        let server_only = crate::access::identity::granted_only_on_the_server(r);
        if !server_only || r.as_str() == chosen {
            out.push(Choice { value: r.as_str().into(), label: role_label(r).into(), selected: r.as_str() == chosen });
        }
    }
    out
}

fn team_choices(teams: &[Team], chosen: &str) -> Vec<Choice> {
    let mut out = vec![Choice { value: String::new(), label: "Geen team".into(), selected: chosen.is_empty() }];
    out.extend(teams.iter().filter(|t| t.active || t.id == chosen).map(|t| Choice {
        value: t.id.clone(),
        label: t.name.clone(),
        selected: t.id == chosen,
    }));
    out
}

struct Lookups {
    organisations: Vec<Organisation>,
    teams: Vec<Team>,
}

async fn lookups(ctx: &Ctx) -> AppResult<Lookups> {
    Ok(Lookups { organisations: all_organisations(ctx).await?, teams: all_teams(ctx).await? })
}

fn user_page(
    layout: Layout,
    user: Option<&User>,
    values: &UserValues,
    l: &Lookups,
    errors: Vec<FieldMessage>,
) -> UserPage {
    let mut rows: Vec<(String, String)> = values.rows.clone();
    let filled = rows.iter().filter(|(r, _)| !r.is_empty()).count();
    while rows.len() < filled.max(1) + SPARE_ROWS {
        rows.push((String::new(), String::new()));
    }
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, (role, team))| RoleRow {
            index: i,
            roles: role_choices(role),
            teams: team_choices(&l.teams, team),
            role_error: error_in(&errors, &format!("roles[{i}].role")),
            team_error: error_in(&errors, &format!("roles[{i}].teamId")),
        })
        .collect();
    let org = &values.organisation_id;
    UserPage {
        layout,
        id: user.map(|u| u.id.clone()),
        email: values.email.clone(),
        display_name: values.display_name.clone(),
        organisations: choices(
            l.organisations.iter().filter(|o| o.active || o.id == *org).map(|o| (o.id.as_str(), o.name.clone())),
            org,
        ),
        organisation: name_of(&l.organisations, org),
        rows,
        active: user.is_none_or(|u| u.active),
        deactivated_on: user.and_then(|u| u.deactivated_at).map(|t| dutch::date(t.date_naive())),
        totp_enrolled: user.is_some_and(|u| u.totp_enrolled),
        version: values.version,
        errors,
        theirs: vec![],
    }
}

fn user_current(u: &User, l: &Lookups) -> Vec<Current> {
    vec![
        Current { label: "E-mailadres", value: u.email.clone() },
        Current { label: "Naam", value: u.display_name.clone() },
        Current { label: "Rollen", value: roles_text(&u.roles, &l.teams) },
        Current { label: "Actief", value: yes_no(u.active) },
    ]
}

/// A refused role change (403) as an error at the roles, in Dutch; other refusals pass.
fn role_refusal(e: &AppError) -> Option<FieldMessage> {
    let AppError::ForbiddenBecause(why) = e else { return None };
    let message = if why.starts_with("Nobody changes their own roles") {
        "U kunt uw eigen rollen niet veranderen. Vraag een andere beheerder."
    } else if why.contains("only with the eenplan command on the server") {
        "De rollen functioneel beheerder en privacy officer worden alleen op de server gegeven en ingetrokken."
    } else {
        return None;
    };
    Some(FieldMessage {
        field: "roles[0].role".into(),
        id: dutch::field_id("roles[0].role"),
        label: "Rollen".into(),
        message: message.into(),
    })
}

async fn new_user(page: Page) -> PageResult {
    let l =
        Lookups { organisations: page.act(all_organisations(&page.ctx)).await?, teams: all_teams(&page.ctx).await? };
    let values = UserValues::default();
    render(&user_page(page.layout("Nieuwe gebruiker", "admin"), None, &values, &l, vec![]))
}

async fn create_user(page: Page, form: Form<Vec<(String, String)>>) -> PageResult {
    let values = UserValues::read(&form.into_inner());
    let (grants, rows) = values.grants()?;
    let input = CreateUser {
        email: Some(values.email.clone()).filter(|s| !s.trim().is_empty()),
        display_name: Some(values.display_name.clone()).filter(|s| !s.trim().is_empty()),
        organisation_id: Some(values.organisation_id.clone()).filter(|s| !s.is_empty()),
        roles: Some(grants),
        password: Some(values.password.clone()).filter(|s| !s.is_empty()),
    };
    let outcome = page.act(identity::create_user(&page.ctx, input)).await;
    let e = match outcome {
        Ok(u) => return Ok(see_other(&format!("/beheer/gebruikers/{}?klaar=aangemaakt", u.id))),
        Err(e) => e,
    };
    let (status, errors) = match role_refusal(&e) {
        Some(m) => (StatusCode::FORBIDDEN, vec![m]),
        None => {
            let (status, errors) = refused(e)?;
            (status, form_errors(&to_rows(errors, &rows), &USER_LABELS))
        }
    };
    let l = lookups(&page.ctx).await?;
    render_with(status, &user_page(page.layout("Nieuwe gebruiker", "admin"), None, &values, &l, errors))
}

async fn user(page: Page, id: web::Path<Id>, query: crate::http::Query<ShownQuery>) -> PageResult {
    let id: String = id.into_inner().into();
    let u = page.act(identity::get_user(&page.ctx, id)).await?;
    let l = lookups(&page.ctx).await?;
    let layout =
        page.layout(format!("Gebruiker {}", u.display_name), "admin").with_notice(notice(query.klaar.as_deref()));
    render(&user_page(layout, Some(&u), &UserValues::of(&u), &l, vec![]))
}

async fn update_user(page: Page, id: web::Path<Id>, form: Form<Vec<(String, String)>>) -> PageResult {
    let id: String = id.into_inner().into();
    let mut values = UserValues::read(&form.into_inner());
    let (grants, rows) = values.grants()?;
    let input = UpdateUser {
        email: Some(values.email.clone()),
        display_name: Some(values.display_name.clone()),
        roles: Some(grants),
        password: Some(values.password.clone()).filter(|s| !s.is_empty()),
    };
    let outcome = page.act(identity::update_user(&page.ctx, id.clone(), values.version, input)).await;
    let e = match outcome {
        Ok(_) => return Ok(see_other(&format!("/beheer/gebruikers/{id}?klaar=opgeslagen"))),
        Err(e) => e,
    };
    let now = identity::get_user(&page.ctx, id.clone()).await?;
    let l = lookups(&page.ctx).await?;
    values.organisation_id = now.organisation_id.clone();
    let layout = page.layout(format!("Gebruiker {}", now.display_name), "admin");
    if is_stale(&e) {
        values.version = now.version;
        let mut view = user_page(layout, Some(&now), &values, &l, vec![]);
        view.theirs = user_current(&now, &l);
        return render_with(StatusCode::CONFLICT, &view);
    }
    let (status, errors) = match role_refusal(&e) {
        Some(m) => (StatusCode::FORBIDDEN, vec![m]),
        None => {
            let (status, errors) = refused(e)?;
            (status, form_errors(&to_rows(errors, &rows), &USER_LABELS))
        }
    };
    render_with(status, &user_page(layout, Some(&now), &values, &l, errors))
}

#[derive(Template)]
#[template(path = "admin_deactivate.html")]
struct DeactivatePage {
    layout: Layout,
    id: String,
    name: String,
    email: String,
    problem: Option<&'static str>,
}

async fn confirm_deactivation(page: Page, id: web::Path<Id>) -> PageResult {
    let id: String = id.into_inner().into();
    let u = page.act(identity::get_user(&page.ctx, id.clone())).await?;
    if !u.active {
        return Ok(see_other(&format!("/beheer/gebruikers/{id}")));
    }
    let view = DeactivatePage {
        layout: page.layout(format!("{} deactiveren", u.display_name), "admin"),
        id,
        name: u.display_name,
        email: u.email,
        problem: None,
    };
    render(&view)
}

#[derive(Deserialize)]
struct NoFields {}

async fn deactivate(page: Page, id: web::Path<Id>, form: Form<NoFields>) -> PageResult {
    let NoFields {} = form.into_inner();
    let id: String = id.into_inner().into();
    match page.act(identity::deactivate_user(&page.ctx, id.clone())).await {
        Ok(_) => Ok(see_other(&format!("/beheer/gebruikers/{id}?klaar=gedeactiveerd"))),
        Err(AppError::Conflict(_)) => {
            let u = identity::get_user(&page.ctx, id.clone()).await?;
            let view = DeactivatePage {
                layout: page.layout(format!("{} deactiveren", u.display_name), "admin"),
                id,
                name: u.display_name,
                email: u.email,
                problem: Some("U kunt uw eigen account niet deactiveren. Vraag een andere beheerder."),
            };
            render_with(StatusCode::CONFLICT, &view)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_errors_point_at_the_forms_rows() {
        // Rows 0 and 2 were filled in; the service's second grant is row 2.
        let errors = vec![
            FieldError::new("roles[1].teamId", "is required for the role wijkteam"),
            FieldError::new("roles[1]", "is listed twice"),
            FieldError::new("roles", "must hold at least one role"),
            FieldError::new("email", "is not an email address"),
        ];
        let fields: Vec<String> = to_rows(errors, &[0, 2]).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["roles[2].teamId", "roles[2].role", "roles[0].role", "email"]);
        let shown = form_errors(
            &to_rows(vec![FieldError::new("roles[0].teamId", "is required for the role wijkteam")], &[1]),
            &USER_LABELS,
        );
        assert_eq!(shown[0].id, "veld-roles-1-teamId");
        assert_eq!(shown[0].label, "Team bij rol 2");
        assert_eq!(shown[0].message, "Kies een team: deze rol hoort bij een team.");
    }

    #[test]
    fn the_form_offers_no_role_granted_only_on_the_server_unless_held() {
        let offered = |chosen: &str| role_choices(chosen).into_iter().map(|c| c.value).collect::<Vec<_>>();
        assert!(!offered("").contains(&"admin".to_string()));
        assert!(!offered("").contains(&"privacy_officer".to_string()));
        assert!(offered("admin").contains(&"admin".to_string()));
        assert!(offered("").contains(&"wijkteam".to_string()));
    }

    #[test]
    fn every_message_of_the_identity_rules_has_dutch() {
        for english in [
            "must not be empty",
            "must be one of: municipality, provider, other",
            "is required for a wijk team",
            "is not an email address",
            "must be at least 12 characters",
            "no such organisation",
            "no such team",
            "must hold at least one role",
            "is required for the role teamleider",
            "is listed twice",
            "admin cannot be combined with another role",
            "is required",
            "must be at most 200 characters",
        ] {
            assert_ne!(message(english), dutch::message("no translation"), "{english}");
        }
    }
}
