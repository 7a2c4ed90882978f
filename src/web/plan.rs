//! Plan: the current plan and the draft — goals per life domain, who does what by when — editing a draft (with the
//! version it was based on, so a save in between is explained and nothing typed is lost), the family's agreement or
//! refusal, the differences between two versions and the family's printable copy. Every page calls the plan
//! service the JSON routes call (src/plans/routes.rs), so a provider sees the projection the API gives them.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::dutch::{self, FieldMessage};
use super::page::{render, render_with, see_other, CaseFrame, Form, Layout, Page, PageError, PageResult};
use crate::access::Role;
use crate::cases::contacts;
use crate::error::{AppError, FieldError};
use crate::http::Query;
use crate::input::Id;
use crate::plans::document;
use crate::plans::model::{
    Action, Agreement, AgreementMethod, Concern, Continuation, Goal, GoalStatus, Owner, OwnerKind, PlanContent,
    Priority, ZRM_HOUSEHOLD_DOMAINS, ZRM_PERSON_DOMAINS,
};
use crate::plans::service::{self as plans, AgreePlan, PlanVersion, UpdateDraft, VersionSummary};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/dossiers/{id}/plan", web::get().to(overview))
        .route("/dossiers/{id}/plan/concept", web::post().to(start_draft))
        .route("/dossiers/{id}/plan/verschil", web::get().to(compare))
        .service(
            web::resource("/dossiers/{id}/plan/{version}/bewerken")
                .route(web::get().to(edit_form))
                .route(web::post().to(save_draft)),
        )
        .service(
            web::resource("/dossiers/{id}/plan/{version}/instemming")
                .route(web::get().to(agree_form))
                .route(web::post().to(agree)),
        )
        .route("/dossiers/{id}/plan/{version}/afdrukken", web::get().to(print));
}

// ---------------------------------------------------------------------------------------------------------------
// Words

/// A ZRM domain as the wijkteam names it.
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
        "basale_adl" => "Basale ADL",
        "instrumentele_adl" => "Instrumentele ADL",
        "sociaal_netwerk" => "Sociaal netwerk",
        "maatschappelijke_participatie" => "Maatschappelijke participatie",
        "justitie" => "Justitie",
        "hh_financien" => "Huishouden: financiën",
        "hh_huisvesting" => "Huishouden: huisvesting",
        "hh_organisatie_huishouden" => "Huishouden: organisatie van het huishouden",
        "hh_relaties_in_huis" => "Huishouden: relaties in huis",
        "hh_sociale_omgeving" => "Huishouden: sociale omgeving",
        _ => "Geen leefgebied gekozen",
    }
}

pub fn goal_status_label(s: GoalStatus) -> &'static str {
    match s {
        GoalStatus::Open => "Loopt",
        GoalStatus::Achieved => "Bereikt",
        GoalStatus::PartlyAchieved => "Deels bereikt",
        GoalStatus::NotAchieved => "Niet bereikt",
        GoalStatus::Dropped => "Vervallen",
    }
}

pub const GOAL_STATUSES: [(&str, &str); 5] = [
    ("open", "Loopt"),
    ("achieved", "Bereikt"),
    ("partly_achieved", "Deels bereikt"),
    ("not_achieved", "Niet bereikt"),
    ("dropped", "Vervallen"),
];

pub fn goal_status_code(s: GoalStatus) -> &'static str {
    match s {
        GoalStatus::Open => "open",
        GoalStatus::Achieved => "achieved",
        GoalStatus::PartlyAchieved => "partly_achieved",
        GoalStatus::NotAchieved => "not_achieved",
        GoalStatus::Dropped => "dropped",
    }
}

pub fn parse_goal_status(s: &str) -> Option<GoalStatus> {
    Some(match s {
        "open" => GoalStatus::Open,
        "achieved" => GoalStatus::Achieved,
        "partly_achieved" => GoalStatus::PartlyAchieved,
        "not_achieved" => GoalStatus::NotAchieved,
        "dropped" => GoalStatus::Dropped,
        _ => return None,
    })
}

fn version_status_label(s: &str) -> &'static str {
    match s {
        "draft" => "Concept",
        "agreed" => "Huidig plan",
        "superseded" => "Vervangen",
        "discarded" => "Vervallen",
        _ => "Onbekend",
    }
}

fn progress_label(s: crate::plans::model::ActionStatus) -> &'static str {
    use crate::plans::model::ActionStatus::*;
    match s {
        Planned => "Gepland",
        InProgress => "Bezig",
        Done => "Klaar",
        Cancelled => "Vervallen",
    }
}

fn d(date: Option<NaiveDate>) -> String {
    date.map(dutch::date).unwrap_or_else(|| "nog niet afgesproken".into())
}

// ---------------------------------------------------------------------------------------------------------------
// Who is who: names of household members and involved professionals, from the case's contact sheet (the API's
// `GET /cases/{id}/contacts`), for those who may read it.

#[derive(Default, Clone)]
pub struct Names {
    pub members: Vec<(String, String)>,
    /// user id, name, organisation
    pub professionals: Vec<(String, String, String)>,
}

impl Names {
    /// The contact sheet for those who work in the case. A provider professional reads their projection of the plan
    /// only: no contact sheet is asked for them (it would be refused for persons their consent does not cover).
    /// A provider whose team lets them direct the case (regisseur) sees the whole plan, and reads the sheet too.
    pub async fn of(page: &Page, case_id: &str) -> Result<Names, PageError> {
        if page.principal().roles().all(|r| r == Role::Provider)
            && !plans::sees_whole_plan(&page.ctx, case_id.to_string()).await?
        {
            return Ok(Names::default());
        }
        let sheet = contacts::contacts(&page.ctx, case_id.to_string()).await?;
        Ok(Names {
            members: sheet.members.into_iter().map(|m| (m.person_id, m.name)).collect(),
            professionals: sheet.professionals.into_iter().map(|p| (p.user_id, p.name, p.organisation)).collect(),
        })
    }

    pub fn member(&self, id: &str) -> String {
        self.members.iter().find(|(m, _)| m == id).map(|(_, n)| n.clone()).unwrap_or_else(|| "een gezinslid".into())
    }

    pub fn professional(&self, id: &str, me: &str) -> String {
        let known = self.professionals.iter().find(|(u, ..)| u == id).map(|(_, n, o)| format!("{n} ({o})"));
        match (known, id == me) {
            (Some(k), true) => format!("{k}, uzelf"),
            (Some(k), false) => k,
            (None, true) => "Uzelf".into(),
            (None, false) => "een betrokken professional".into(),
        }
    }

    pub fn owner(&self, o: &Owner, me: &str) -> String {
        match o.kind {
            OwnerKind::Professional => self.professional(o.user_id.as_deref().unwrap_or_default(), me),
            OwnerKind::Member => self.member(o.person_id.as_deref().unwrap_or_default()),
            OwnerKind::Network => {
                format!("{} (netwerk)", o.name.clone().unwrap_or_else(|| "iemand uit het netwerk".into()))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// A version as the page shows it

pub struct ActionView {
    pub who: String,
    pub what: String,
    pub when: String,
    pub progress: Option<&'static str>,
    pub overdue: bool,
}

pub struct GoalView {
    pub description: String,
    pub who: String,
    pub target: String,
    pub due: String,
    pub status: &'static str,
    pub actions: Vec<ActionView>,
}

pub struct DomainView {
    pub name: &'static str,
    pub goals: Vec<GoalView>,
}

pub struct AgreementView {
    pub refused: bool,
    pub who: String,
    pub method: &'static str,
    pub statement: Option<String>,
}

pub struct VersionView {
    pub number: i32,
    pub status_label: &'static str,
    pub own_actions: bool,
    pub based_on: Option<i32>,
    pub agreed_on: Option<String>,
    pub updated_on: String,
    pub agreement: Option<AgreementView>,
    pub strengths: Vec<String>,
    pub concerns: Vec<String>,
    pub own_efforts: Vec<String>,
    pub domains: Vec<DomainView>,
    pub next_evaluation: String,
    pub after_eighteen: Vec<AfterEighteenView>,
}

/// A young person's care after 18, in words.
pub struct AfterEighteenView {
    pub who: String,
    pub support: String,
    pub law: &'static str,
    pub taken_over_by: String,
    pub from: String,
}

fn adult_law_label(code: Option<&str>) -> &'static str {
    ADULT_LAW_LABELS.iter().find(|(k, _)| Some(*k) == code).map(|(_, l)| *l).unwrap_or("nog niet afgesproken")
}

fn method_label(m: Option<AgreementMethod>) -> &'static str {
    match m {
        Some(AgreementMethod::Paper) => "op papier getekend",
        Some(AgreementMethod::Conversation) => "in het gesprek",
        Some(AgreementMethod::Digital) => "digitaal",
        None => "",
    }
}

fn priority_label(p: Priority) -> &'static str {
    match p {
        Priority::High => "hoog",
        Priority::Medium => "middel",
        Priority::Low => "laag",
    }
}

impl VersionView {
    pub fn of(v: &PlanVersion, names: &Names, me: &str) -> VersionView {
        let c = &v.content;
        let mut domains: Vec<DomainView> = Vec::new();
        for g in &c.goals {
            let name = domain_label(g.domain.as_deref().unwrap_or_default());
            let actions = c
                .actions
                .iter()
                .filter(|a| a.goal_id == g.id)
                .map(|a| {
                    let p = v.progress.iter().find(|p| p.action_id == a.id);
                    ActionView {
                        who: a
                            .owner
                            .as_ref()
                            .map(|o| names.owner(o, me))
                            .unwrap_or_else(|| "nog niet afgesproken".into()),
                        what: a.description.clone(),
                        when: d(a.due_date),
                        progress: p.map(|p| progress_label(p.status)),
                        overdue: p.is_some_and(|p| p.overdue),
                    }
                })
                .collect();
            let goal = GoalView {
                description: g.description.clone(),
                who: match &g.person_id {
                    Some(p) => names.member(p),
                    None => "Het hele huishouden".into(),
                },
                target: match (&g.target, g.target_score) {
                    (Some(t), Some(s)) => format!("{t} (ZRM-score {s})"),
                    (Some(t), None) => t.clone(),
                    (None, Some(s)) => format!("ZRM-score {s}"),
                    (None, None) => "nog niet afgesproken".into(),
                },
                due: d(g.due_date),
                status: goal_status_label(g.status),
                actions,
            };
            match domains.iter_mut().find(|x| x.name == name) {
                Some(x) => x.goals.push(goal),
                None => domains.push(DomainView { name, goals: vec![goal] }),
            }
        }
        VersionView {
            number: v.number,
            status_label: version_status_label(&v.status),
            own_actions: v.view == "own_actions",
            based_on: v.based_on,
            agreed_on: v.agreed_at.map(|t| dutch::date(t.date_naive())),
            updated_on: dutch::date(v.updated_at.date_naive()),
            agreement: v.agreement.as_ref().map(|a| AgreementView {
                refused: a.refused,
                who: a.member_ids.iter().map(|m| names.member(m)).collect::<Vec<_>>().join(", "),
                method: method_label(a.method),
                statement: a.statement.clone(),
            }),
            strengths: c.strengths.clone(),
            concerns: c
                .concerns
                .iter()
                .map(|x| format!("{} (prioriteit {})", x.description, priority_label(x.priority)))
                .collect(),
            own_efforts: c.own_efforts.clone(),
            domains,
            next_evaluation: d(c.next_evaluation_date),
            after_eighteen: c
                .after_eighteen
                .iter()
                .map(|x| AfterEighteenView {
                    who: names.member(&x.person_id),
                    support: x.support.clone().unwrap_or_else(|| "nog niet afgesproken".into()),
                    law: adult_law_label(x.law.as_deref()),
                    taken_over_by: x.taken_over_by.clone().unwrap_or_else(|| "nog niet afgesproken".into()),
                    from: d(x.from),
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The plan page

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    layout: Layout,
    frame: CaseFrame,
    versions: Vec<VersionRow>,
    current: Option<VersionView>,
    draft: Option<VersionView>,
    /// Whether the caller may see the whole plan (drafts, differences, the family's copy).
    whole: bool,
    compare_from: i32,
    compare_to: i32,
}

struct VersionRow {
    number: i32,
    status: &'static str,
    created_on: String,
    agreed_on: String,
}

impl VersionRow {
    fn of(v: &VersionSummary) -> VersionRow {
        VersionRow {
            number: v.number,
            status: version_status_label(&v.status),
            created_on: dutch::date(v.created_at.date_naive()),
            agreed_on: v.agreed_at.map(|t| dutch::date(t.date_naive())).unwrap_or_else(|| "—".into()),
        }
    }
}

#[derive(Deserialize)]
struct NoticeQuery {
    melding: Option<String>,
}

fn notice(q: &NoticeQuery) -> Option<&'static str> {
    match q.melding.as_deref() {
        Some("gestart") => Some("Er is een nieuw concept gestart. U kunt het nu bewerken."),
        Some("opgeslagen") => Some("Het concept is opgeslagen."),
        Some("ingestemd") => Some("Het antwoord van het gezin is vastgelegd. Dit is nu het huidige plan."),
        Some("vastgelegd") => Some("De evaluatie is vastgelegd."),
        _ => None,
    }
}

async fn overview(page: Page, id: web::Path<Id>, q: Query<NoticeQuery>) -> PageResult {
    let case_id: String = id.into_inner().into();
    // The plan's versions first: the read the page is for names its audit event (404 out of scope).
    // A provider professional whose view of the plan is refused (404, as the API: no consent, or none any more, or
    // no such case at all) gets the page that says so, the same for every id.
    let versions = match page.act(plans::list_versions(&page.ctx, case_id.clone())).await {
        Ok(versions) => versions,
        Err(AppError::NotFound) if super::actions::is_provider(&page) => {
            return super::actions::no_consent(&page, &case_id, super::actions::Part::Plan).await
        }
        Err(e) => return Err(e.into()),
    };
    let names = Names::of(&page, &case_id).await?;
    let me = page.principal().user_id.clone();
    let current = match versions.iter().find(|v| v.status == "agreed") {
        Some(_) => Some(plans::get_version(&page.ctx, case_id.clone(), "current".into()).await?),
        None => None,
    };
    let draft = match versions.iter().find(|v| v.status == "draft") {
        Some(v) => Some(plans::get_version(&page.ctx, case_id.clone(), v.number.to_string()).await?),
        None => None,
    };
    let whole = current.as_ref().or(draft.as_ref()).map(|v| v.view != "own_actions").unwrap_or(true);
    let compare_to = draft.as_ref().map(|v| v.number).or(versions.last().map(|v| v.number)).unwrap_or(1);
    let compare_from = current.as_ref().map(|v| v.number).unwrap_or(compare_to.saturating_sub(1).max(1));
    let layout = page.case_layout("Plan", &case_id).await?.with_notice(notice(&q));
    render(&PlanPage {
        layout,
        frame: CaseFrame::new(&case_id, "plan"),
        versions: versions.iter().map(VersionRow::of).collect(),
        current: current.as_ref().map(|v| VersionView::of(v, &names, &me)),
        draft: draft.as_ref().map(|v| VersionView::of(v, &names, &me)),
        whole,
        compare_from,
        compare_to,
    })
}

#[derive(Deserialize)]
struct NoFields {}

async fn start_draft(page: Page, id: web::Path<Id>, _form: Form<NoFields>) -> PageResult {
    let case_id: String = id.into_inner().into();
    let v = page.act(plans::start_draft(&page.ctx, case_id.clone())).await?;
    Ok(see_other(&format!("/dossiers/{case_id}/plan/{}/bewerken?melding=gestart", v.number)))
}

// ---------------------------------------------------------------------------------------------------------------
// Editing a draft: a plain form with a row per goal, action and concern; "toevoegen" re-renders with one more row.

#[derive(Clone, Default)]
pub struct ConcernRow {
    pub description: String,
    pub priority: String,
}

#[derive(Clone, Default)]
pub struct GoalRow {
    pub id: String,
    pub domain: String,
    pub person: String,
    pub description: String,
    pub target: String,
    pub target_score: String,
    pub due_date: String,
    pub status: String,
}

#[derive(Clone, Default)]
pub struct ActionRow {
    pub id: String,
    pub goal: String,
    pub description: String,
    /// `professional:<user>`, `member:<person>`, `network`, or empty.
    pub owner: String,
    pub owner_name: String,
    pub due_date: String,
}

/// A young person's care after 18 as the form holds it.
#[derive(Clone, Default)]
pub struct AfterEighteenRow {
    pub person: String,
    pub support: String,
    pub law: String,
    pub taken_over_by: String,
    pub from: String,
}

impl AfterEighteenRow {
    fn is_empty(&self) -> bool {
        [&self.person, &self.support, &self.law, &self.taken_over_by, &self.from].iter().all(|s| s.trim().is_empty())
    }
}

/// The laws care can go on under after 18, in Dutch.
pub const ADULT_LAW_LABELS: [(&str, &str); 5] = [
    ("Wmo", "Wmo (ondersteuning van de gemeente)"),
    ("Participatiewet", "Participatiewet (werk en inkomen)"),
    ("Zvw", "Zorgverzekeringswet (zorg via de zorgverzekeraar)"),
    ("Wlz", "Wet langdurige zorg"),
    ("none", "Geen zorg meer nodig"),
];

/// What the edit form holds: the draft's content as text, and the revision it was based on.
#[derive(Clone, Default)]
pub struct DraftForm {
    pub revision: i64,
    pub strengths: String,
    pub own_efforts: String,
    pub concerns: Vec<ConcernRow>,
    pub goals: Vec<GoalRow>,
    pub actions: Vec<ActionRow>,
    pub next_evaluation_date: String,
    pub after_eighteen: Vec<AfterEighteenRow>,
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

fn new_row_id(prefix: &str) -> String {
    format!("{prefix}-{}", crate::db::new_id())
}

impl DraftForm {
    fn of(v: &PlanVersion) -> DraftForm {
        let c = &v.content;
        DraftForm {
            revision: v.revision,
            strengths: c.strengths.join("\n"),
            own_efforts: c.own_efforts.join("\n"),
            concerns: c
                .concerns
                .iter()
                .map(|x| ConcernRow {
                    description: x.description.clone(),
                    priority: match x.priority {
                        Priority::High => "high",
                        Priority::Medium => "medium",
                        Priority::Low => "low",
                    }
                    .into(),
                })
                .collect(),
            goals: c
                .goals
                .iter()
                .map(|g| GoalRow {
                    id: g.id.clone(),
                    domain: g.domain.clone().unwrap_or_default(),
                    person: g.person_id.clone().unwrap_or_default(),
                    description: g.description.clone(),
                    target: g.target.clone().unwrap_or_default(),
                    target_score: g.target_score.map(|s| s.to_string()).unwrap_or_default(),
                    due_date: date_text(g.due_date),
                    status: goal_status_code(g.status).into(),
                })
                .collect(),
            actions: c
                .actions
                .iter()
                .map(|a| ActionRow {
                    id: a.id.clone(),
                    goal: a.goal_id.clone(),
                    description: a.description.clone(),
                    owner: match &a.owner {
                        Some(o) => match o.kind {
                            OwnerKind::Professional => {
                                format!("professional:{}", o.user_id.clone().unwrap_or_default())
                            }
                            OwnerKind::Member => format!("member:{}", o.person_id.clone().unwrap_or_default()),
                            OwnerKind::Network => "network".into(),
                        },
                        None => String::new(),
                    },
                    owner_name: a.owner.as_ref().and_then(|o| o.name.clone()).unwrap_or_default(),
                    due_date: date_text(a.due_date),
                })
                .collect(),
            next_evaluation_date: date_text(c.next_evaluation_date),
            after_eighteen: c
                .after_eighteen
                .iter()
                .map(|x| AfterEighteenRow {
                    person: x.person_id.clone(),
                    support: x.support.clone().unwrap_or_default(),
                    law: x.law.clone().unwrap_or_default(),
                    taken_over_by: x.taken_over_by.clone().unwrap_or_default(),
                    from: date_text(x.from),
                })
                .collect(),
        }
    }

    /// Reads the posted fields (names as the API's field paths: `goals[0].description`).
    fn read(fields: &[(String, String)]) -> DraftForm {
        let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        let rows = |prefix: &str| {
            fields
                .iter()
                .filter_map(|(k, _)| k.strip_prefix(prefix)?.split(']').next()?.parse::<usize>().ok())
                .max()
                .map(|n| n + 1)
                .unwrap_or(0)
                .min(100)
        };
        let concerns = (0..rows("concerns["))
            .map(|i| ConcernRow {
                description: get(&format!("concerns[{i}].description")),
                priority: get(&format!("concerns[{i}].priority")),
            })
            .collect();
        let goals = (0..rows("goals["))
            .map(|i| {
                let f = |n: &str| get(&format!("goals[{i}].{n}"));
                GoalRow {
                    id: f("id"),
                    domain: f("domain"),
                    person: f("personId"),
                    description: f("description"),
                    target: f("target"),
                    target_score: f("targetScore"),
                    due_date: f("dueDate"),
                    status: f("status"),
                }
            })
            .collect();
        let actions = (0..rows("actions["))
            .map(|i| {
                let f = |n: &str| get(&format!("actions[{i}].{n}"));
                ActionRow {
                    id: f("id"),
                    goal: f("goalId"),
                    description: f("description"),
                    owner: f("owner"),
                    owner_name: f("owner.name"),
                    due_date: f("dueDate"),
                }
            })
            .collect();
        let after_eighteen = (0..rows("afterEighteen["))
            .map(|i| {
                let f = |n: &str| get(&format!("afterEighteen[{i}].{n}"));
                AfterEighteenRow {
                    person: f("personId"),
                    support: f("support"),
                    law: f("law"),
                    taken_over_by: f("takenOverBy"),
                    from: f("from"),
                }
            })
            .collect();
        DraftForm {
            revision: get("revision").parse().unwrap_or(0),
            strengths: get("strengths"),
            own_efforts: get("ownEfforts"),
            concerns,
            goals,
            actions,
            next_evaluation_date: get("nextEvaluationDate"),
            after_eighteen,
        }
    }

    /// One more empty row (it gets its id now, so an action can name a goal added in the same form).
    fn add_row(&mut self, which: &str) {
        match which {
            "doel" => self.goals.push(GoalRow { id: new_row_id("doel"), status: "open".into(), ..GoalRow::default() }),
            "actie" => self.actions.push(ActionRow { id: new_row_id("actie"), ..ActionRow::default() }),
            "zorg" => self.concerns.push(ConcernRow { priority: "medium".into(), ..ConcernRow::default() }),
            "na18" => self.after_eighteen.push(AfterEighteenRow::default()),
            _ => {}
        }
    }

    /// The form as plan content, and what could not be read (dates, scores, choices) as field errors. Rows left
    /// entirely empty are no part of the plan.
    fn content(&self) -> (PlanContent, Vec<FieldError>) {
        let mut errors = Vec::new();
        let mut date = |field: String, s: &str| -> Option<NaiveDate> {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            match NaiveDate::parse_from_str(s, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(s, "%d-%m-%Y")) {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError::new(field, crate::input::date::MESSAGE));
                    None
                }
            }
        };
        let lines = |s: &str| s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
        let mut content = PlanContent {
            strengths: lines(&self.strengths),
            own_efforts: lines(&self.own_efforts),
            ..PlanContent::default()
        };
        for r in self.concerns.iter().filter(|r| !r.description.trim().is_empty()) {
            let priority = match r.priority.as_str() {
                "high" => Priority::High,
                "low" => Priority::Low,
                _ => Priority::Medium,
            };
            content.concerns.push(Concern { description: r.description.clone(), priority });
        }
        let mut score_errors = Vec::new();
        for (i, r) in self.goals.iter().enumerate() {
            let empty = [&r.domain, &r.person, &r.description, &r.target, &r.target_score, &r.due_date]
                .iter()
                .all(|s| s.trim().is_empty());
            if empty {
                continue;
            }
            let n = content.goals.len();
            let target_score = match r.target_score.trim() {
                "" => None,
                s => match s.parse::<u8>() {
                    Ok(v) => Some(v),
                    Err(_) => {
                        score_errors.push(FieldError::new(format!("goals[{n}].targetScore"), "must be 1 to 5"));
                        None
                    }
                },
            };
            let _ = i;
            content.goals.push(Goal {
                id: r.id.clone(),
                domain: Some(r.domain.clone()).filter(|s| !s.is_empty()),
                person_id: Some(r.person.clone()).filter(|s| !s.is_empty()),
                description: r.description.clone(),
                target: Some(r.target.clone()).filter(|s| !s.trim().is_empty()),
                target_score,
                due_date: date(format!("goals[{n}].dueDate"), &r.due_date),
                status: parse_goal_status(&r.status).unwrap_or(GoalStatus::Open),
            });
        }
        for r in &self.actions {
            let empty = [&r.description, &r.owner, &r.owner_name, &r.due_date].iter().all(|s| s.trim().is_empty());
            if empty {
                continue;
            }
            let n = content.actions.len();
            let owner = match r.owner.split_once(':') {
                Some(("professional", u)) => Some(Owner {
                    kind: OwnerKind::Professional,
                    user_id: Some(u.to_string()),
                    organisation_id: None,
                    person_id: None,
                    name: None,
                }),
                Some(("member", p)) => Some(Owner {
                    kind: OwnerKind::Member,
                    user_id: None,
                    organisation_id: None,
                    person_id: Some(p.to_string()),
                    name: None,
                }),
                _ if r.owner == "network" => Some(Owner {
                    kind: OwnerKind::Network,
                    user_id: None,
                    organisation_id: None,
                    person_id: None,
                    name: Some(r.owner_name.clone()).filter(|s| !s.trim().is_empty()),
                }),
                _ => None,
            };
            content.actions.push(Action {
                id: r.id.clone(),
                goal_id: r.goal.clone(),
                description: r.description.clone(),
                owner,
                due_date: date(format!("actions[{n}].dueDate"), &r.due_date),
            });
        }
        content.next_evaluation_date = date("nextEvaluationDate".into(), &self.next_evaluation_date);
        for r in self.after_eighteen.iter().filter(|r| !r.is_empty()) {
            let n = content.after_eighteen.len();
            let filled = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
            content.after_eighteen.push(Continuation {
                person_id: r.person.clone(),
                support: filled(&r.support),
                law: filled(&r.law),
                taken_over_by: filled(&r.taken_over_by),
                from: date(format!("afterEighteen[{n}].from"), &r.from),
            });
        }
        errors.extend(score_errors);
        (content, errors)
    }

    /// The goals to choose from for an action: this form's goals, by their text.
    fn goal_choices(&self) -> Vec<(String, String)> {
        self.goals
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let text =
                    if g.description.trim().is_empty() { format!("Doel {}", i + 1) } else { g.description.clone() };
                (g.id.clone(), text)
            })
            .collect()
    }
}

/// Where on the form a service's field error belongs: `strengths[2]` is the strengths box, `actions[0].owner.userId`
/// the owner choice.
fn form_field(field: &str) -> String {
    if field.starts_with("strengths[") {
        return "strengths".into();
    }
    if field.starts_with("ownEfforts[") {
        return "ownEfforts".into();
    }
    for suffix in [".owner.userId", ".owner.personId"] {
        if let Some(head) = field.strip_suffix(suffix) {
            return format!("{head}.owner");
        }
    }
    field.to_string()
}

/// The rows of the form the content's index refers to: content skips empty rows, the form does not.
fn row_of(rows_nonempty: &[usize], field: &str, prefix: &str) -> String {
    if let Some(rest) = field.strip_prefix(prefix) {
        if let Some((n, tail)) = rest.split_once(']') {
            if let Ok(n) = n.parse::<usize>() {
                if let Some(row) = rows_nonempty.get(n) {
                    return format!("{prefix}{row}]{tail}");
                }
            }
        }
    }
    field.to_string()
}

fn labels_of(form: &DraftForm) -> Vec<(String, String)> {
    let mut out = vec![
        ("strengths".to_string(), "Wat goed gaat".to_string()),
        ("ownEfforts".to_string(), "Wat het gezin en het netwerk zelf doen".to_string()),
        ("nextEvaluationDate".to_string(), "Datum volgende evaluatie".to_string()),
        ("content".to_string(), "Plan".to_string()),
        ("goals".to_string(), "Doelen".to_string()),
        ("actions".to_string(), "Acties".to_string()),
    ];
    for i in 0..form.concerns.len() {
        out.push((format!("concerns[{i}].description"), format!("Zorg {}", i + 1)));
    }
    for i in 0..form.goals.len() {
        for (f, l) in [
            ("id", "nummer"),
            ("domain", "leefgebied"),
            ("personId", "voor wie"),
            ("description", "omschrijving"),
            ("target", "wanneer bereikt"),
            ("targetScore", "doelscore"),
            ("dueDate", "klaar vóór"),
        ] {
            out.push((format!("goals[{i}].{f}"), format!("Doel {}: {l}", i + 1)));
        }
    }
    out.push(("afterEighteen".to_string(), "Na het 18e jaar".to_string()));
    for i in 0..form.after_eighteen.len() {
        for (f, l) in [
            ("personId", "voor wie"),
            ("support", "welke zorg"),
            ("law", "onder welke wet"),
            ("takenOverBy", "wie het overneemt"),
            ("from", "vanaf"),
        ] {
            out.push((format!("afterEighteen[{i}].{f}"), format!("Na het 18e jaar {}: {l}", i + 1)));
        }
    }
    for i in 0..form.actions.len() {
        for (f, l) in [
            ("id", "nummer"),
            ("goalId", "bij doel"),
            ("description", "wat"),
            ("owner", "wie"),
            ("owner.name", "naam uit het netwerk"),
            ("dueDate", "wanneer klaar"),
        ] {
            out.push((format!("actions[{i}].{f}"), format!("Actie {}: {l}", i + 1)));
        }
    }
    out
}

/// Field errors of the content (indexes of non-empty rows) placed on the form's rows, in Dutch, labelled.
fn messages(form: &DraftForm, errors: &[FieldError]) -> Vec<FieldMessage> {
    let goal_rows: Vec<usize> = form
        .goals
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            ![&r.domain, &r.person, &r.description, &r.target, &r.target_score, &r.due_date]
                .iter()
                .all(|s| s.trim().is_empty())
        })
        .map(|(i, _)| i)
        .collect();
    let action_rows: Vec<usize> = form
        .actions
        .iter()
        .enumerate()
        .filter(|(_, r)| ![&r.description, &r.owner, &r.owner_name, &r.due_date].iter().all(|s| s.trim().is_empty()))
        .map(|(i, _)| i)
        .collect();
    let concern_rows: Vec<usize> =
        form.concerns.iter().enumerate().filter(|(_, r)| !r.description.trim().is_empty()).map(|(i, _)| i).collect();
    let young_rows: Vec<usize> =
        form.after_eighteen.iter().enumerate().filter(|(_, r)| !r.is_empty()).map(|(i, _)| i).collect();
    let placed: Vec<FieldError> = errors
        .iter()
        .map(|e| {
            let f = row_of(&goal_rows, &e.field, "goals[");
            let f = row_of(&action_rows, &f, "actions[");
            let f = row_of(&concern_rows, &f, "concerns[");
            let f = row_of(&young_rows, &f, "afterEighteen[");
            FieldError::new(form_field(&f), e.message.clone())
        })
        .collect();
    let mut placed_unique: Vec<FieldError> = Vec::new();
    for e in placed {
        if !placed_unique.iter().any(|x| x.field == e.field && x.message == e.message) {
            placed_unique.push(e);
        }
    }
    let labels = labels_of(form);
    let refs: Vec<(&str, &str)> = labels.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    dutch::field_messages(&placed_unique, &refs)
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

/// One input of the edit form: its name (the API's field path), element id, value and error.
pub struct F {
    pub name: String,
    pub id: String,
    pub value: String,
    pub error: Option<String>,
}

pub struct ConcernFields {
    pub n: usize,
    pub description: F,
    pub priority: F,
}

pub struct GoalFields {
    pub n: usize,
    pub id: F,
    pub domain: F,
    pub person: F,
    pub description: F,
    pub target: F,
    pub target_score: F,
    pub due_date: F,
    pub status: F,
}

pub struct ActionFields {
    pub n: usize,
    pub id: F,
    pub goal: F,
    pub description: F,
    pub owner: F,
    pub owner_name: F,
    pub due_date: F,
}

pub struct AfterEighteenFields {
    pub n: usize,
    pub person: F,
    pub support: F,
    pub law: F,
    pub taken_over_by: F,
    pub from: F,
}

#[derive(Template)]
#[template(path = "plan_edit.html")]
struct EditPage {
    layout: Layout,
    frame: CaseFrame,
    number: i32,
    revision: i64,
    strengths: F,
    own_efforts: F,
    next_evaluation_date: F,
    concerns: Vec<ConcernFields>,
    goals: Vec<GoalFields>,
    actions: Vec<ActionFields>,
    after_eighteen: Vec<AfterEighteenFields>,
    adult_laws: Vec<Choice>,
    errors: Vec<FieldMessage>,
    /// Someone else saved in between: their version, shown beside the user's own text.
    theirs: Option<VersionView>,
    /// The draft stopped being a draft (agreed or discarded) while this was being edited.
    closed: bool,
    domains: Vec<Choice>,
    persons: Vec<Choice>,
    owners: Vec<Choice>,
    goal_choices: Vec<Choice>,
    priorities: Vec<Choice>,
    statuses: Vec<Choice>,
    scores: Vec<Choice>,
}

fn field(errors: &[FieldMessage], name: String, value: &str) -> F {
    F {
        id: dutch::field_id(&name),
        error: errors.iter().find(|e| e.field == name).map(|e| e.message.clone()),
        name,
        value: value.to_string(),
    }
}

fn choices(names: &Names) -> (Vec<Choice>, Vec<Choice>, Vec<Choice>) {
    let domains = ZRM_PERSON_DOMAINS
        .iter()
        .chain(ZRM_HOUSEHOLD_DOMAINS.iter())
        .map(|c| Choice { value: c.to_string(), label: domain_label(c).to_string() })
        .collect();
    let persons = names.members.iter().map(|(id, n)| Choice { value: id.clone(), label: n.clone() }).collect();
    let mut owners: Vec<Choice> = names
        .professionals
        .iter()
        .map(|(u, n, o)| Choice { value: format!("professional:{u}"), label: format!("{n} ({o})") })
        .collect();
    owners.extend(
        names.members.iter().map(|(p, n)| Choice { value: format!("member:{p}"), label: format!("{n} (gezin)") }),
    );
    owners.push(Choice { value: "network".into(), label: "Iemand uit het netwerk (naam hieronder)".into() });
    (domains, persons, owners)
}

struct EditState {
    form: DraftForm,
    errors: Vec<FieldMessage>,
    theirs: Option<VersionView>,
    closed: bool,
}

fn edit_page(layout: Layout, case_id: &str, number: i32, names: &Names, s: EditState) -> EditPage {
    let (domains, persons, owners) = choices(names);
    let e = &s.errors;
    let form = &s.form;
    let concerns = form
        .concerns
        .iter()
        .enumerate()
        .map(|(n, r)| ConcernFields {
            n: n + 1,
            description: field(e, format!("concerns[{n}].description"), &r.description),
            priority: field(e, format!("concerns[{n}].priority"), &r.priority),
        })
        .collect();
    let goals = form
        .goals
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let f = |name: &str, v: &str| field(e, format!("goals[{n}].{name}"), v);
            GoalFields {
                n: n + 1,
                id: f("id", &r.id),
                domain: f("domain", &r.domain),
                person: f("personId", &r.person),
                description: f("description", &r.description),
                target: f("target", &r.target),
                target_score: f("targetScore", &r.target_score),
                due_date: f("dueDate", &r.due_date),
                status: f("status", &r.status),
            }
        })
        .collect();
    let actions = form
        .actions
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let f = |name: &str, v: &str| field(e, format!("actions[{n}].{name}"), v);
            ActionFields {
                n: n + 1,
                id: f("id", &r.id),
                goal: f("goalId", &r.goal),
                description: f("description", &r.description),
                owner: f("owner", &r.owner),
                owner_name: f("owner.name", &r.owner_name),
                due_date: f("dueDate", &r.due_date),
            }
        })
        .collect();
    let after_eighteen = form
        .after_eighteen
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let f = |name: &str, v: &str| field(e, format!("afterEighteen[{n}].{name}"), v);
            AfterEighteenFields {
                n: n + 1,
                person: f("personId", &r.person),
                support: f("support", &r.support),
                law: f("law", &r.law),
                taken_over_by: f("takenOverBy", &r.taken_over_by),
                from: f("from", &r.from),
            }
        })
        .collect();
    let choice = |(v, l): &(&str, &str)| Choice { value: v.to_string(), label: l.to_string() };
    EditPage {
        after_eighteen,
        adult_laws: ADULT_LAW_LABELS.iter().map(choice).collect(),
        layout,
        frame: CaseFrame::new(case_id, "plan"),
        number,
        revision: form.revision,
        strengths: field(e, "strengths".into(), &form.strengths),
        own_efforts: field(e, "ownEfforts".into(), &form.own_efforts),
        next_evaluation_date: field(e, "nextEvaluationDate".into(), &form.next_evaluation_date),
        concerns,
        goals,
        actions,
        goal_choices: form.goal_choices().into_iter().map(|(value, label)| Choice { value, label }).collect(),
        priorities: [("high", "Hoog"), ("medium", "Middel"), ("low", "Laag")].iter().map(choice).collect(),
        statuses: GOAL_STATUSES.iter().map(choice).collect(),
        scores: [("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5")].iter().map(choice).collect(),
        errors: s.errors.clone(),
        theirs: s.theirs,
        closed: s.closed,
        domains,
        persons,
        owners,
    }
}

fn version_number(s: &str) -> Result<i32, PageError> {
    s.parse::<i32>().map_err(|_| PageError(AppError::NotFound))
}

async fn edit_form(page: Page, path: web::Path<(Id, String)>, q: Query<NoticeQuery>) -> PageResult {
    let (id, version) = path.into_inner();
    let case_id: String = id.into();
    let number = version_number(&version)?;
    let v = page.act(plans::get_version(&page.ctx, case_id.clone(), number.to_string())).await?;
    let names = Names::of(&page, &case_id).await?;
    if v.status != "draft" {
        return Ok(see_other(&format!("/dossiers/{case_id}/plan")));
    }
    let mut form = DraftForm::of(&v);
    if form.goals.is_empty() {
        form.add_row("doel");
    }
    if form.actions.is_empty() {
        form.add_row("actie");
    }
    if form.concerns.is_empty() {
        form.add_row("zorg");
    }
    let layout = page.case_layout(format!("Concept versie {number} bewerken"), &case_id).await?.with_notice(notice(&q));
    let state = EditState { form, errors: vec![], theirs: None, closed: false };
    render(&edit_page(layout, &case_id, number, &names, state))
}

async fn save_draft(page: Page, path: web::Path<(Id, String)>, fields: Form<Vec<(String, String)>>) -> PageResult {
    let (id, version) = path.into_inner();
    let case_id: String = id.into();
    let number = version_number(&version)?;
    let fields = fields.into_inner();
    let mut form = DraftForm::read(&fields);
    let button = fields.iter().find(|(k, _)| k == "knop").map(|(_, v)| v.as_str()).unwrap_or("opslaan");
    let title = format!("Concept versie {number} bewerken");
    if let Some(which) = button.strip_prefix("rij-") {
        // Another row: nothing is saved, the form comes back as typed with one more empty row. What the page shows
        // is the draft, so the draft's read names the audit event (404 out of scope); the names come after.
        page.act(plans::get_version(&page.ctx, case_id.clone(), number.to_string())).await?;
        let names = Names::of(&page, &case_id).await?;
        form.add_row(which);
        let layout = page.case_layout(title, &case_id).await?;
        let state = EditState { form, errors: vec![], theirs: None, closed: false };
        return render(&edit_page(layout, &case_id, number, &names, state));
    }
    // What cannot be read (dates, scores) goes to the save with the rest: the save's checks and the plan's rules
    // run all the same, so every error comes at once and the event is the plan update's, refused or not (404 out of
    // scope). Nothing is saved while any error remains.
    let (content, unreadable) = form.content();
    let input = UpdateDraft { content: Some(content), members_may_edit: None };
    let saved = plans::update_draft_with(&page.ctx, case_id.clone(), number, form.revision, input, unreadable);
    match page.act(saved).await {
        Ok(_) => Ok(see_other(&format!("/dossiers/{case_id}/plan?melding=opgeslagen"))),
        Err(AppError::Validation(errors)) => {
            let names = Names::of(&page, &case_id).await?;
            let errors = messages(&form, &errors);
            let layout = page.case_layout(title, &case_id).await?;
            let state = EditState { form, errors, theirs: None, closed: false };
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &edit_page(layout, &case_id, number, &names, state))
        }
        Err(e @ (AppError::PreconditionFailed { .. } | AppError::Conflict(_))) => {
            // Someone else saved (or agreed) in between: their version beside the user's text, nothing lost. A new
            // save replaces theirs only when the user chooses to, knowing what it replaces.
            let names = Names::of(&page, &case_id).await?;
            let theirs = plans::get_version(&page.ctx, case_id.clone(), number.to_string()).await?;
            let closed = matches!(e, AppError::Conflict(_)) || theirs.status != "draft";
            form.revision = theirs.revision;
            let me = page.principal().user_id.clone();
            let layout = page.case_layout(title, &case_id).await?;
            let state = EditState { form, errors: vec![], theirs: Some(VersionView::of(&theirs, &names, &me)), closed };
            render_with(StatusCode::CONFLICT, &edit_page(layout, &case_id, number, &names, state))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The family's answer

#[derive(Clone, Default)]
struct AgreeForm {
    revision: i64,
    members: Vec<String>,
    answer: String,
    method: String,
    statement: String,
}

impl AgreeForm {
    fn read(fields: &[(String, String)]) -> AgreeForm {
        let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        AgreeForm {
            revision: get("revision").parse().unwrap_or(0),
            members: fields.iter().filter(|(k, _)| k == "memberIds").map(|(_, v)| v.clone()).collect(),
            answer: get("answer"),
            method: get("method"),
            statement: get("statement"),
        }
    }

    fn agreement(&self) -> Agreement {
        Agreement {
            member_ids: self.members.clone(),
            method: match self.method.as_str() {
                "paper" => Some(AgreementMethod::Paper),
                "conversation" => Some(AgreementMethod::Conversation),
                "digital" => Some(AgreementMethod::Digital),
                _ => None,
            },
            refused: self.answer == "refuse",
            // The family's own words, exactly as typed (an empty box is no statement).
            statement: Some(self.statement.clone()).filter(|s| !s.trim().is_empty()),
        }
    }
}

#[derive(Template)]
#[template(path = "plan_agree.html")]
struct AgreePage {
    layout: Layout,
    frame: CaseFrame,
    number: i32,
    form: AgreeForm,
    draft: VersionView,
    members: Vec<Choice>,
    errors: Vec<FieldMessage>,
    /// What the draft still lacks to be agreed (fixed on the edit page).
    missing: Vec<FieldMessage>,
    stale: bool,
}

impl AgreePage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    fn chosen(&self, member: &str) -> bool {
        self.form.members.iter().any(|m| m == member)
    }
}

async fn agree_page(
    page: &Page,
    case_id: &str,
    number: i32,
    form: Option<AgreeForm>,
    errors: Vec<FieldError>,
    stale: bool,
) -> Result<AgreePage, PageError> {
    // The draft the family answers to: the form's read, before the names (after a refused answer, the change stays
    // the act).
    let v = page.act(plans::get_version(&page.ctx, case_id.to_string(), number.to_string())).await?;
    let names = &Names::of(page, case_id).await?;
    if v.status != "draft" {
        return Err(AppError::Conflict("not a draft".into()).into());
    }
    let mut form = form.unwrap_or_else(|| AgreeForm { answer: "agree".into(), ..AgreeForm::default() });
    form.revision = v.revision;
    let (own, missing): (Vec<FieldError>, Vec<FieldError>) = errors
        .into_iter()
        .map(|e| {
            let field = if e.field.starts_with("agreement.memberIds") { "agreement.memberIds".into() } else { e.field };
            FieldError::new(field, e.message)
        })
        .partition(|e| e.field.starts_with("agreement"));
    let labels = [
        ("agreement.memberIds", "Wie uit het gezin"),
        ("agreement.method", "Hoe"),
        ("agreement.statement", "In de eigen woorden van het gezin"),
        ("agreement", "Antwoord van het gezin"),
    ];
    let mut own_unique: Vec<FieldError> = Vec::new();
    for e in own {
        if !own_unique.iter().any(|x| x.field == e.field) {
            own_unique.push(e);
        }
    }
    let me = page.principal().user_id.clone();
    Ok(AgreePage {
        layout: page.case_layout(format!("Antwoord van het gezin op versie {number}"), case_id).await?,
        frame: CaseFrame::new(case_id, "plan"),
        number,
        form,
        draft: VersionView::of(&v, names, &me),
        members: names.members.iter().map(|(id, n)| Choice { value: id.clone(), label: n.clone() }).collect(),
        errors: dutch::field_messages(&own_unique, &labels),
        missing: missing_messages(&missing),
        stale,
    })
}

fn missing_messages(errors: &[FieldError]) -> Vec<FieldMessage> {
    errors
        .iter()
        .map(|e| {
            let (label, message) = missing_text(&e.field, &e.message);
            FieldMessage { field: e.field.clone(), id: dutch::field_id(&e.field), label, message }
        })
        .collect()
}

fn missing_text(field: &str, message: &str) -> (String, String) {
    let nth = |prefix: &str| {
        field
            .strip_prefix(prefix)
            .and_then(|r| r.split(']').next())
            .and_then(|n| n.parse::<usize>().ok())
            .map(|n| n + 1)
    };
    let label = if field == "goals" {
        "Doelen".to_string()
    } else if field == "nextEvaluationDate" {
        "Datum volgende evaluatie".to_string()
    } else if let Some(n) = nth("goals[") {
        let what = match field.rsplit('.').next() {
            Some("domain") => "leefgebied",
            Some("target") => "meetbaar doel",
            Some("dueDate") => "klaar vóór",
            _ => "gegevens",
        };
        format!("Doel {n}: {what}")
    } else if let Some(n) = nth("actions[") {
        let what = match field.rsplit('.').next() {
            Some("owner") => "wie",
            Some("dueDate") => "wanneer klaar",
            _ => "gegevens",
        };
        format!("Actie {n}: {what}")
    } else if field == "afterEighteen" {
        "Na het 18e jaar".to_string()
    } else if let Some(n) = nth("afterEighteen[") {
        let what = match field.rsplit('.').next() {
            Some("support") => "welke zorg",
            Some("law") => "onder welke wet",
            Some("takenOverBy") => "wie het overneemt",
            Some("from") => "vanaf",
            _ => "gegevens",
        };
        format!("Na het 18e jaar {n}: {what}")
    } else {
        field.to_string()
    };
    let text = match message {
        "a plan needs at least one goal" => "Een plan heeft minstens één doel.".to_string(),
        "a measurable target is required to agree the plan" => "Vul een meetbaar doel of een doelscore in.".to_string(),
        "is required for a young person who turns 18 within the agreement window" => {
            "Een jongere in dit gezin wordt binnenkort 18. Schrijf in het plan hoe de zorg daarna doorgaat: bewerk \
             het concept en vul ‘Na het 18e jaar’ in."
                .to_string()
        }
        other => dutch::message(other),
    };
    (label, text)
}

async fn agree_form(page: Page, path: web::Path<(Id, String)>) -> PageResult {
    let (id, version) = path.into_inner();
    let case_id: String = id.into();
    let number = version_number(&version)?;
    render(&agree_page(&page, &case_id, number, None, vec![], false).await?)
}

async fn agree(page: Page, path: web::Path<(Id, String)>, fields: Form<Vec<(String, String)>>) -> PageResult {
    let (id, version) = path.into_inner();
    let case_id: String = id.into();
    let number = version_number(&version)?;
    let form = AgreeForm::read(&fields.into_inner());
    let input = AgreePlan { agreement: Some(form.agreement()) };
    // The change first: it names the audit event, refused or not; the names are read for the page shown again.
    let refused = match page.act(plans::agree(&page.ctx, case_id.clone(), number, form.revision, input)).await {
        Ok(_) => return Ok(see_other(&format!("/dossiers/{case_id}/plan?melding=ingestemd"))),
        Err(e) => e,
    };
    match refused {
        AppError::Validation(errors) => {
            let p = agree_page(&page, &case_id, number, Some(form), errors, false).await?;
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        AppError::PreconditionFailed { .. } => {
            let p = agree_page(&page, &case_id, number, Some(form), vec![], true).await?;
            render_with(StatusCode::CONFLICT, &p)
        }
        e => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Differences between two versions

#[derive(Deserialize)]
struct CompareQuery {
    van: Option<String>,
    naar: Option<String>,
}

struct ChangeList {
    heading: &'static str,
    added: Vec<String>,
    changed: Vec<String>,
    removed: Vec<String>,
}

#[derive(Template)]
#[template(path = "plan_compare.html")]
struct ComparePage {
    layout: Layout,
    frame: CaseFrame,
    versions: Vec<VersionRow>,
    from: i32,
    to: i32,
    lists: Vec<ChangeList>,
    other_changed: bool,
    shown: bool,
}

async fn compare(page: Page, id: web::Path<Id>, q: Query<CompareQuery>) -> PageResult {
    let case_id: String = id.into_inner().into();
    let parse = |s: &Option<String>| s.as_deref().and_then(|s| s.parse::<i32>().ok());
    let (from, to) = (parse(&q.van), parse(&q.naar));
    // The comparison first, when two versions are chosen: it names the audit event and decides who may compare
    // (403 for a provider, as the API answers); the list of versions to choose from comes after it (and is the act
    // when none are chosen).
    let diff = match (from, to) {
        (Some(from), Some(to)) => Some(page.act(plans::compare(&page.ctx, case_id.clone(), from, to)).await?),
        _ => None,
    };
    let versions = page.act(plans::list_versions(&page.ctx, case_id.clone())).await?;
    let mut lists = Vec::new();
    let mut other_changed = false;
    let shown = diff.is_some();
    if let (Some(diff), Some(from), Some(to)) = (diff, from, to) {
        let a = plans::get_version(&page.ctx, case_id.clone(), from.to_string()).await?;
        let b = plans::get_version(&page.ctx, case_id.clone(), to.to_string()).await?;
        let goal_text = |id: &str| {
            b.content
                .goals
                .iter()
                .chain(a.content.goals.iter())
                .find(|g| g.id == id)
                .map(|g| format!("{} ({})", g.description, domain_label(g.domain.as_deref().unwrap_or_default())))
                .unwrap_or_else(|| "een doel".into())
        };
        let action_text = |id: &str| {
            b.content
                .actions
                .iter()
                .chain(a.content.actions.iter())
                .find(|x| x.id == id)
                .map(|x| x.description.clone())
                .unwrap_or_else(|| "een actie".into())
        };
        lists.push(ChangeList {
            heading: "Doelen",
            added: diff.goals.added.iter().map(|i| goal_text(i)).collect(),
            changed: diff.goals.changed.iter().map(|i| goal_text(i)).collect(),
            removed: diff.goals.removed.iter().map(|i| goal_text(i)).collect(),
        });
        lists.push(ChangeList {
            heading: "Acties (wie doet wat wanneer)",
            added: diff.actions.added.iter().map(|i| action_text(i)).collect(),
            changed: diff.actions.changed.iter().map(|i| action_text(i)).collect(),
            removed: diff.actions.removed.iter().map(|i| action_text(i)).collect(),
        });
        other_changed = diff.other_changed;
    }
    let last = versions.last().map(|v| v.number).unwrap_or(1);
    render(&ComparePage {
        layout: page.case_layout("Verschil tussen twee versies", &case_id).await?,
        frame: CaseFrame::new(&case_id, "plan"),
        versions: versions.iter().map(VersionRow::of).collect(),
        from: from.unwrap_or((last - 1).max(1)),
        to: to.unwrap_or(last),
        lists,
        other_changed,
        shown,
    })
}

// ---------------------------------------------------------------------------------------------------------------
// The family's printable copy

#[derive(Template)]
#[template(path = "plan_print.html")]
struct PrintPage {
    layout: Layout,
    case_id: String,
    /// The plan document service's page body: every text in it is escaped by that service.
    body: String,
}

/// The inside of the document's `<body>`: its own inline style does not pass the page's policy, the site's print
/// stylesheet styles it instead.
fn body_of(html: &str) -> String {
    let start = html.find("<body>").map(|i| i + "<body>".len()).unwrap_or(0);
    let end = html.rfind("</body>").unwrap_or(html.len());
    html.get(start..end).unwrap_or_default().to_string()
}

async fn print(page: Page, path: web::Path<(Id, String)>) -> PageResult {
    let (id, version) = path.into_inner();
    let case_id: String = id.into();
    if version != "current" {
        version_number(&version)?;
    }
    let html = page.act(document::document(&page.ctx, case_id.clone(), version)).await?;
    let mut layout = page.case_layout("Ons gezinsplan", &case_id).await?;
    layout.section = "";
    render(&PrintPage { layout, case_id, body: body_of(&html) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_errors_land_on_the_forms_rows() {
        let form = DraftForm {
            goals: vec![
                GoalRow { id: "a".into(), ..GoalRow::default() },
                GoalRow { id: "b".into(), description: "x".into(), ..GoalRow::default() },
            ],
            actions: vec![ActionRow { id: "c".into(), description: "y".into(), ..ActionRow::default() }],
            ..DraftForm::default()
        };
        let errors = vec![
            FieldError::new("goals[0].domain", "is required to agree the plan"),
            FieldError::new("actions[0].owner.userId", "must be a professional involved in the case"),
            FieldError::new("strengths[3]", "must be 1 to 2000 characters"),
        ];
        let m = messages(&form, &errors);
        let fields: Vec<&str> = m.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["goals[1].domain", "actions[0].owner", "strengths"]);
        assert_eq!(m[0].id, "veld-goals-1-domain");
        assert_eq!(m[0].label, "Doel 2: leefgebied");
    }

    #[test]
    fn every_law_care_can_go_on_under_has_its_dutch_label() {
        let labelled: Vec<&str> = ADULT_LAW_LABELS.iter().map(|(k, _)| *k).collect();
        assert_eq!(labelled, crate::plans::model::ADULT_LAWS);
    }

    #[test]
    fn the_form_reads_back_what_it_wrote() {
        let fields: Vec<(String, String)> = [
            ("revision", "4"),
            ("strengths", "Oma helpt\n\n  Moeder zoekt hulp "),
            ("goals[0].id", "g1"),
            ("goals[0].description", "Grip op geld"),
            ("goals[0].dueDate", "2027-06-01"),
            ("goals[0].status", "open"),
            ("goals[1].id", "g2"),
            ("actions[0].id", "a1"),
            ("actions[0].goalId", "g1"),
            ("actions[0].description", "Budgetplan"),
            ("actions[0].owner", "network"),
            ("actions[0].owner.name", "Oma"),
            ("actions[0].dueDate", "31-12-2026"),
            ("nextEvaluationDate", "morgen"),
            ("afterEighteen[0].personId", "p1"),
            ("afterEighteen[0].support", " Begeleid wonen "),
            ("afterEighteen[0].law", "Wmo"),
            ("afterEighteen[0].from", "01-03-2027"),
            ("afterEighteen[1].personId", ""),
            ("afterEighteen[2].from", "straks"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let form = DraftForm::read(&fields);
        assert_eq!((form.revision, form.goals.len(), form.actions.len()), (4, 2, 1));
        let (content, errors) = form.content();
        assert_eq!(content.strengths, ["Oma helpt", "Moeder zoekt hulp"]);
        assert_eq!(content.goals.len(), 1, "the empty row is no goal");
        assert_eq!(content.actions[0].owner.as_ref().unwrap().name.as_deref(), Some("Oma"));
        assert_eq!(content.actions[0].due_date, NaiveDate::from_ymd_opt(2026, 12, 31));
        let young = &content.after_eighteen;
        assert_eq!(young.len(), 2, "the empty row is no section");
        assert_eq!((young[0].support.as_deref(), young[0].law.as_deref()), (Some("Begeleid wonen"), Some("Wmo")));
        assert_eq!((young[0].taken_over_by.as_deref(), young[0].from), (None, NaiveDate::from_ymd_opt(2027, 3, 1)));
        assert_eq!(
            errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["nextEvaluationDate", "afterEighteen[1].from"]
        );
        // What the form shows of a draft is what it reads back.
        let t = chrono::Utc::now();
        let draft = PlanVersion {
            number: 1,
            status: "draft".into(),
            view: "full",
            revision: 1,
            based_on: None,
            members_may_edit: false,
            created_at: t,
            updated_at: t,
            agreed_at: None,
            superseded_at: None,
            agreement: None,
            content: content.clone(),
            progress: vec![],
        };
        let shown = DraftForm::of(&draft);
        assert_eq!(shown.after_eighteen[0].from, "2027-03-01");
        assert_eq!(shown.after_eighteen[0].support, "Begeleid wonen");
    }

    #[test]
    fn the_printable_copy_is_the_documents_body() {
        assert_eq!(body_of("<html><head><style>x</style></head><body><h1>Ons</h1></body></html>"), "<h1>Ons</h1>");
    }
}
