//! Huishouden: the case page — its phase and the next steps, who belongs to the household (over time), the
//! professionals involved and whether there is a basis to share with them, the regisseur and its history, and a
//! timeline. It shows only what the API's reads return for this user: the `Case` projection's view decides which
//! other reads the page makes (a teamleider's summary, a provider's consent view, a break-glass read).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::dutch::{self, FieldMessage};
use super::page::{render, render_with, see_other, CaseFrame, Form, Layout, Page, PageError, PageResult};
use super::stuck::{self, Remedy};
use super::work::state_label;
use crate::access::{Action, Category, Resource, Role};
use crate::breakglass::service::BreakGlass;
use crate::cases::caseload::{self, TeamMember};
use crate::cases::contacts::Contacts;
use crate::cases::involvement::Involvement;
use crate::cases::involvement::{self as involvements, AddInvolvement};
use crate::cases::model::{CaseState, CloseReason};
use crate::cases::overview;
use crate::cases::regisseur::{self, Assignment, ProposeRegisseur};
use crate::cases::service::{self as cases, Case, ChangeState};
use crate::error::AppError;
use crate::escalations::service::{self as escalations, StuckReason};
use crate::households::model::Relation;
use crate::households::service::Member;
use crate::input::Id;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/dossiers/{id}", web::get().to(case_page))
        .route("/dossiers/{id}/fase", web::post().to(change_state))
        .route("/dossiers/{id}/regisseur", web::post().to(propose))
        .route("/dossiers/{id}/voorstel", web::get().to(proposal_page))
        .route("/dossiers/{id}/regisseur/accepteren", web::post().to(accept))
        .route("/dossiers/{id}/regisseur/afwijzen", web::post().to(decline))
        .route("/dossiers/{id}/betrokkenen", web::post().to(involve))
        .route("/dossiers/{id}/betrokkenen/{involvement}/beeindigen", web::post().to(end_involvement));
}

/// One phase of the phase bar.
pub struct Phase {
    pub label: &'static str,
    /// `done`, `current` or `todo`; said in words too (`marker`), never by colour alone.
    pub status: &'static str,
    pub marker: &'static str,
}

/// A next step the case's state allows.
pub struct Step {
    pub value: &'static str,
    pub label: String,
}

pub struct MemberLine {
    pub name: String,
    pub birth_date: String,
    pub relation: &'static str,
    pub from: String,
    pub until: String,
    pub current: bool,
}

pub struct ProfessionalLine {
    pub name: String,
    pub organisation: String,
    pub email: String,
    pub kind: &'static str,
    pub role_in_case: String,
    pub period: String,
    pub current: bool,
    /// Whether there is a basis to share with them: the team's own, or a consent, or none.
    pub basis: &'static str,
    /// The involvement, where the API lists it.
    pub involvement_id: String,
    /// Whether the user may end it here (the regisseur or the teamleider; not the regisseur's own involvement).
    pub can_end: bool,
}

pub struct AssignmentLine {
    pub name: String,
    pub status: &'static str,
    pub proposed_on: String,
    pub period: String,
    pub proposed_by: String,
    pub family_choice: bool,
    pub reason: String,
}

pub struct Candidate {
    pub user_id: String,
    pub label: String,
}

pub struct Event {
    pub at: DateTime<Utc>,
    pub when: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    layout: Layout,
    frame: CaseFrame,
    heading: String,
    /// The case's view (`content`, `summary`, `consent`, `emergency_read`).
    view: &'static str,
    view_note: &'static str,
    /// Why the case is stuck; empty when it is not.
    stuck: Vec<StuckLine>,
    /// The case's open escalation (id, level), for those who may read it.
    escalation: Option<(String, i64)>,
    /// The user may raise an escalation here (none is open).
    can_escalate: bool,
    case_open: bool,
    phases: Vec<Phase>,
    steps: Vec<Step>,
    can_close: bool,
    close_reasons: Vec<(&'static str, &'static str)>,
    version: i64,
    laws: String,
    opened_on: String,
    close_reason: String,
    counts: Option<String>,
    covered: Vec<&'static str>,
    address: Option<String>,
    members_shown: bool,
    members_history: bool,
    members: Vec<MemberLine>,
    /// Young members who turn 18 soon, for an open case: "Sam wordt 18 op 3 april 2027".
    turning_eighteen: Vec<String>,
    professionals_shown: bool,
    professionals: Vec<ProfessionalLine>,
    regisseur_shown: bool,
    regisseur: Option<String>,
    proposal: Option<String>,
    proposal_mine: bool,
    /// A proposal to the caller where the page shows no regisseur section (a provider's consent view).
    proposal_to_me: bool,
    assignments: Vec<AssignmentLine>,
    can_propose: bool,
    candidates: Vec<Candidate>,
    /// The regisseur and the teamleider involve and release professionals.
    can_manage: bool,
    involve_candidates: Vec<Candidate>,
    timeline: Vec<Event>,
    errors: Vec<FieldMessage>,
    problem: Option<&'static str>,
    /// What the user typed in a form that failed, kept.
    kept: Kept,
}

impl CasePage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn error_of(&self, field: &str) -> String {
        self.errors.iter().filter(|e| e.field == field).map(|e| e.message.clone()).collect::<Vec<_>>().join(" ")
    }
}

/// The input of a form that failed, shown again.
#[derive(Default)]
pub struct Kept {
    pub close_reason: String,
    pub user_id: String,
    pub reason: String,
    pub family_choice: bool,
    pub involve_user_id: String,
    pub role_in_case: String,
}

fn relation_label(r: Relation) -> &'static str {
    match r {
        Relation::Parent => "Ouder",
        Relation::Child => "Kind",
        Relation::Partner => "Partner",
        Relation::Carer => "Verzorger",
        Relation::Other => "Anders",
    }
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "regisseur" => "Regisseur",
        "team_member" => "Wijkteam",
        "provider" => "Aanbieder",
        "procescoordinator" => "Procescoördinator",
        _ => "Betrokkene",
    }
}

fn status_label(status: &str) -> &'static str {
    match status {
        "proposed" => "Voorgesteld, wacht op antwoord",
        "declined" => "Afgewezen",
        "withdrawn" => "Vervangen door een ander voorstel",
        "active" => "Regisseur nu",
        "ended" => "Overgedragen",
        _ => "Onbekend",
    }
}

const CLOSE_REASONS: [(&str, &str); 5] = [
    ("goal_reached", "Het doel is bereikt"),
    ("moved", "Het huishouden is verhuisd"),
    ("refused_help", "Het huishouden wil geen hulp meer"),
    ("transferred", "Overgedragen aan een andere organisatie"),
    ("other", "Een andere reden"),
];

fn close_reason_of(s: &str) -> Option<CloseReason> {
    match s {
        "goal_reached" => Some(CloseReason::GoalReached),
        "moved" => Some(CloseReason::Moved),
        "refused_help" => Some(CloseReason::RefusedHelp),
        "transferred" => Some(CloseReason::Transferred),
        "other" => Some(CloseReason::Other),
        _ => None,
    }
}

fn close_reason_label(s: &str) -> &'static str {
    CLOSE_REASONS.iter().find(|(v, _)| *v == s).map(|(_, l)| *l).unwrap_or("Een andere reden")
}

fn category_label(c: &Category) -> &'static str {
    match c {
        Category::Basic => "Basisgegevens en contacten",
        Category::Plan => "Het plan",
        Category::Zrm => "ZRM-metingen",
        Category::Evaluations => "Evaluaties",
        Category::Notes => "Notities",
    }
}

fn step_label(from: CaseState, to: CaseState) -> String {
    match (from, to) {
        (_, CaseState::Closed) => "Dossier afsluiten".into(),
        (CaseState::Evaluating, CaseState::Active) => "Terug naar uitvoering".into(),
        (_, to) => format!("Naar fase: {}", state_label(to)),
    }
}

/// Date and time as the Dutch write them, in the Netherlands' own time.
pub fn when(t: DateTime<Utc>) -> String {
    let local = crate::calendar::local(t);
    format!("{} om {}", dutch::date(local.date()), local.format("%H:%M"))
}

fn day(t: DateTime<Utc>) -> String {
    dutch::date(crate::calendar::local(t).date())
}

fn period(from: String, until: Option<String>) -> String {
    match until {
        Some(u) => format!("{from} tot {u}"),
        None => format!("vanaf {from}"),
    }
}

fn phases(state: CaseState) -> Vec<Phase> {
    let order = CaseState::ALL;
    let at = order.iter().position(|s| *s == state).unwrap_or(0);
    order
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (status, marker) = if i == at {
                ("current", "huidige fase")
            } else if i < at {
                ("done", "afgerond")
            } else {
                ("todo", "nog niet")
            };
            Phase { label: state_label(*s), status, marker }
        })
        .collect()
}

/// What the page reads, as the case's view allows: the same reads the API offers this user, no more, in one use
/// case (`cases::overview`); and the case's frame with the break-glass banner.
async fn load(page: &Page, id: &str) -> Result<(CasePage, Option<BreakGlass>), PageError> {
    // Why the case is stuck, read on the overview's connection once its read is allowed: whoever sees the case sees
    // its reasons, so no second decision.
    let (st, case_id) = (page.ctx.state.clone(), id.to_string());
    let stuck_reasons = move |c: &mut crate::db::DbConn| {
        let reasons = escalations::stuck_reasons_in(c, &st.rules.stuck, &st.rules.calendar, &case_id)?;
        Ok((reasons, escalations::open_escalation_in(c, &case_id)?))
    };
    let (o, (reasons, escalation)) =
        page.act(overview::case_overview_and(&page.ctx, id.to_string(), stuck_reasons)).await?;
    let team = Team { members: o.team_members.unwrap_or_default(), provider_may_direct: o.provider_may_direct };
    let mut view = build(page, o.case, o.members, o.contacts, o.involvements, o.assignments, team);
    view.stuck = stuck_lines(page, &view, &reasons);
    // The escalation is read by those involved and the team's lead; a break-glass reader does not see it.
    if matches!(view.view, "content" | "summary") {
        let may_raise = page
            .principal()
            .roles()
            .any(|role| page.ctx.state.access.permits(role, Resource::Escalation, Action::Create));
        view.can_escalate = escalation.is_none() && may_raise && view.case_open;
        view.escalation = escalation;
    }
    // A provider's consent view shows no regisseur history, but a proposal to them is theirs to answer (a team may
    // let providers direct its cases).
    if !view.regisseur_shown {
        view.proposal_to_me = crate::work::service::proposal_to_me(&page.ctx, id.to_string()).await?.is_some();
    }
    Ok((view, o.break_glass))
}

/// One line of "Waarom zit dit vast?": the reason in words, since when, and what would remove it — a link where
/// this user can take that step.
pub struct StuckLine {
    pub text: String,
    pub since: String,
    pub remedy: &'static str,
    pub href: Option<String>,
}

/// The case's stuck reasons explained, each remedy linked where the page (or the user's own pages) offers that step
/// to this user; the pages linked decide again.
fn stuck_lines(page: &Page, view: &CasePage, reasons: &[StuckReason]) -> Vec<StuckLine> {
    let id = &view.frame.id;
    let content = view.view == "content";
    let may = |resource: Resource, action: Action| {
        page.principal().roles().any(|role| page.ctx.state.access.permits(role, resource, action))
    };
    let rules = &page.ctx.state.rules.stuck;
    reasons
        .iter()
        .map(|r| {
            let e = stuck::explain(r, rules);
            let href = match e.remedy_at {
                Remedy::ProposeRegisseur => view.can_propose.then(|| "#voorstel-titel".to_string()),
                Remedy::Plan => content.then(|| format!("/dossiers/{id}/plan")),
                Remedy::Progress if content => Some(format!("/dossiers/{id}/plan")),
                // A provider updates the actions they carry out on Mijn acties.
                Remedy::Progress => {
                    (view.view == "consent" && may(Resource::Plan, Action::Update)).then(|| "/acties".to_string())
                }
                Remedy::Evaluation => content.then(|| format!("/dossiers/{id}/evaluaties/nieuw")),
                Remedy::Involvements => view.can_manage.then(|| "#betrokkenen-titel".to_string()),
                Remedy::Zrm => content.then(|| format!("/dossiers/{id}/zrm")),
                Remedy::Matches => may(Resource::Match, Action::List).then(|| "/matches".to_string()),
                Remedy::Talk => None,
            };
            StuckLine { text: e.text, since: e.since, remedy: e.remedy, href }
        })
        .collect()
}

/// Who works in the case's team, as far as the user may see it (`CaseOverview::team_members`).
struct Team {
    members: Vec<TeamMember>,
    provider_may_direct: bool,
}

fn build(
    page: &Page,
    case: Case,
    members: Option<Vec<Member>>,
    sheet: Option<Contacts>,
    involvements: Vec<Involvement>,
    assignments: Vec<Assignment>,
    team: Team,
) -> CasePage {
    let me = page.principal();
    let now = Utc::now();
    let mut names: HashMap<String, (String, String, String)> = HashMap::new();
    if let Some(s) = &sheet {
        for p in &s.professionals {
            names.insert(p.user_id.clone(), (p.name.clone(), p.organisation.clone(), p.email.clone()));
        }
    }
    // The team's members by name, for the team's own (the teamleider has no contact sheet).
    for m in &team.members {
        names.entry(m.user_id.clone()).or_insert_with(|| (m.display_name.clone(), String::new(), String::new()));
    }
    let name_of = |user_id: &str| -> String {
        if user_id == me.user_id {
            format!("{} (u)", me.display_name)
        } else {
            names.get(user_id).map(|n| n.0.clone()).unwrap_or_else(|| "Een medewerker".to_string())
        }
    };
    let view_note = match case.view {
        "content" => "",
        "summary" => "U ziet als teamleider een samenvatting van dit dossier, zonder namen en inhoud.",
        "emergency_read" => "U bekijkt dit dossier met noodtoegang: alleen lezen.",
        _ => "U ziet alleen wat het huishouden met uw organisatie heeft afgesproken te delen.",
    };
    let read_only = case.view != "content";
    let address = sheet.as_ref().map(|s| {
        let a = &s.address;
        let addition = a.house_number_addition.as_deref().map(|x| format!(" {x}")).unwrap_or_default();
        format!("{} {}{}", a.postcode, a.house_number, addition)
    });
    // Household naming: the address where the user may see it, else the family names of today's members.
    let heading = match &address {
        Some(a) => format!("Huishouden {a}"),
        None => "Huishouden".to_string(),
    };
    let today = now.date_naive();
    // 18-/18+: from the members shown (today's), as Mijn werk counts them; birthdays are Dutch days.
    let births: Vec<(String, String, chrono::NaiveDate)> = match (&members, &sheet) {
        (Some(all), _) => all
            .iter()
            .filter(|m| m.from <= today && m.until.is_none_or(|u| today < u))
            .map(|m| (m.person.id.clone(), m.person.name.clone(), m.person.birth_date))
            .collect(),
        (None, Some(s)) => s.members.iter().map(|m| (m.person_id.clone(), m.name.clone(), m.birth_date)).collect(),
        (None, None) => Vec::new(),
    };
    let turning_eighteen: Vec<String> = if case.state == CaseState::Closed {
        Vec::new()
    } else {
        let dutch_today = crate::calendar::local(now).date();
        let months = page.ctx.state.rules.transition.flag_months;
        crate::cases::model::turning_eighteen(births.iter().map(|(id, _, b)| (id.as_str(), *b)), dutch_today, months)
            .into_iter()
            .map(|(id, on)| {
                let name = births.iter().find(|(p, _, _)| *p == id).map(|(_, n, _)| n.as_str()).unwrap_or_default();
                format!("{name} wordt 18 op {}", dutch::date(on))
            })
            .collect()
    };
    let (members_shown, members_history, member_lines) = match (&members, &sheet) {
        (Some(all), _) => {
            let mut lines: Vec<MemberLine> = all
                .iter()
                .map(|m| MemberLine {
                    name: m.person.name.clone(),
                    birth_date: dutch::date(m.person.birth_date),
                    relation: relation_label(m.relation),
                    from: dutch::date(m.from),
                    until: m.until.map(dutch::date).unwrap_or_default(),
                    current: m.from <= today && m.until.is_none_or(|u| today < u),
                })
                .collect();
            lines.sort_by_key(|l| !l.current);
            (true, true, lines)
        }
        (None, Some(s)) => (
            true,
            false,
            s.members
                .iter()
                .map(|m| MemberLine {
                    name: m.name.clone(),
                    birth_date: dutch::date(m.birth_date),
                    relation: match m.relation.as_str() {
                        "parent" => "Ouder",
                        "child" => "Kind",
                        "partner" => "Partner",
                        "carer" => "Verzorger",
                        _ => "Anders",
                    },
                    from: String::new(),
                    until: String::new(),
                    current: true,
                })
                .collect(),
        ),
        (None, None) => (false, false, Vec::new()),
    };
    // The professionals: every involvement (past and present) where the API lists them, with the names the
    // contact sheet gives of those involved today; a provider sees the contact sheet alone.
    let professionals_shown = !involvements.is_empty() || sheet.is_some();
    // The regisseur and the teamleider manage who is involved (the API's rule: `decide_manage_involvements`).
    // The procescoördinator who adopted the case (an active involvement of that kind) manages it too.
    let i_adopt = involvements.iter().any(|i| {
        i.user_id == me.user_id
            && i.kind == "procescoordinator"
            && i.valid_from <= now
            && i.valid_until.is_none_or(|u| u > now)
    });
    let manages = case.state.is_open()
        && (case.view == "summary"
            || i_adopt
            || assignments.iter().any(|a| a.row.status == "active" && a.row.user_id == me.user_id));
    let mut professionals: Vec<ProfessionalLine> = if !involvements.is_empty() {
        involvements
            .iter()
            .map(|i| {
                let known = names.get(&i.user_id);
                let current = i.valid_from <= now && i.valid_until.is_none_or(|u| u > now);
                ProfessionalLine {
                    name: known.map(|k| k.0.clone()).unwrap_or_else(|| {
                        if i.user_id == me.user_id {
                            me.display_name.clone()
                        } else {
                            "Een medewerker".into()
                        }
                    }),
                    organisation: known.map(|k| k.1.clone()).unwrap_or_default(),
                    email: known.map(|k| k.2.clone()).unwrap_or_default(),
                    kind: kind_label(&i.kind),
                    role_in_case: i.role_in_case.clone(),
                    period: period(day(i.valid_from), i.valid_until.map(day)),
                    current,
                    basis: match i.sharing_basis {
                        Some("consent") => "Ja: toestemming",
                        Some(_) => "Nee: geen toestemming",
                        None => "Ja: eigen wijkteam",
                    },
                    involvement_id: i.id.clone(),
                    can_end: manages && i.kind != "regisseur" && i.valid_until.is_none_or(|u| u > now),
                }
            })
            .collect()
    } else {
        sheet
            .as_ref()
            .map(|s| {
                s.professionals
                    .iter()
                    .map(|p| ProfessionalLine {
                        name: p.name.clone(),
                        organisation: p.organisation.clone(),
                        email: p.email.clone(),
                        kind: kind_label(&p.kind),
                        role_in_case: p.role_in_case.clone(),
                        period: "nu".into(),
                        current: true,
                        basis: if p.kind == "provider" { "Ja: toestemming" } else { "Ja: eigen wijkteam" },
                        involvement_id: String::new(),
                        can_end: false,
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    professionals.sort_by_key(|p| !p.current);

    let regisseur_shown = case.view != "consent";
    let regisseur = assignments.iter().find(|a| a.row.status == "active").map(|a| name_of(&a.row.user_id));
    let open = assignments.iter().find(|a| a.row.status == "proposed");
    let proposal = open.map(|a| name_of(&a.row.user_id));
    let proposal_mine = open.is_some_and(|a| a.row.user_id == me.user_id);
    let i_direct = assignments.iter().any(|a| a.row.status == "active" && a.row.user_id == me.user_id);
    let i_lead = case.view == "summary";
    let state = case.state;
    let can_propose = state.is_open() && (i_direct || i_lead || i_adopt);
    let can_manage = can_propose;
    let involved_now = |user_id: &str| {
        involvements
            .iter()
            .any(|i| i.user_id == user_id && i.valid_from <= now && i.valid_until.is_none_or(|u| u > now))
    };
    // Candidates: the wijkteam professionals involved today, by name where the contact sheet gives it.
    let mut candidates: Vec<Candidate> = Vec::new();
    for i in involvements.iter().filter(|i| i.kind == "team_member" || i.kind == "regisseur") {
        let current = i.valid_from <= now && i.valid_until.is_none_or(|u| u > now);
        let is_regisseur = assignments.iter().any(|a| a.row.status == "active" && a.row.user_id == i.user_id);
        if !current || is_regisseur || candidates.iter().any(|c| c.user_id == i.user_id) {
            continue;
        }
        let label = match names.get(&i.user_id) {
            Some(n) => format!("{} ({})", n.0, i.role_in_case),
            None if i.user_id == me.user_id => format!("{} (u)", me.display_name),
            None => format!("Medewerker van het wijkteam ({})", i.role_in_case),
        };
        candidates.push(Candidate { user_id: i.user_id.clone(), label });
    }
    // And every active wijkteam professional of the case's team; and, where the team lets providers direct its
    // cases, the providers involved today.
    let directs = |user_id: &str| assignments.iter().any(|a| a.row.status == "active" && a.row.user_id == user_id);
    for m in caseload::proposable(&team.members, &case.team_id) {
        if directs(&m.user_id) || candidates.iter().any(|c| c.user_id == m.user_id) {
            continue;
        }
        let label = if m.user_id == me.user_id {
            format!("{} (u, wijkteam)", m.display_name)
        } else {
            format!("{} (wijkteam)", m.display_name)
        };
        candidates.push(Candidate { user_id: m.user_id, label });
    }
    if team.provider_may_direct {
        for i in involvements.iter().filter(|i| i.kind == "provider") {
            let current = i.valid_from <= now && i.valid_until.is_none_or(|u| u > now);
            if !current || directs(&i.user_id) || candidates.iter().any(|c| c.user_id == i.user_id) {
                continue;
            }
            let label = match names.get(&i.user_id) {
                Some(n) => format!("{} (aanbieder, {})", n.0, i.role_in_case),
                None => format!("Aanbieder ({})", i.role_in_case),
            };
            candidates.push(Candidate { user_id: i.user_id.clone(), label });
        }
    }
    // Whom the involve form offers: the team's wijkteam professionals not involved today.
    let involve_candidates: Vec<Candidate> = caseload::proposable(&team.members, &case.team_id)
        .into_iter()
        .filter(|m| !involved_now(&m.user_id))
        .map(|m| Candidate { user_id: m.user_id, label: format!("{} (wijkteam)", m.display_name) })
        .collect();
    let mut line_of_assignment = Vec::new();
    let mut timeline: Vec<Event> = Vec::new();
    for a in &assignments {
        let who = name_of(&a.row.user_id);
        timeline.push(Event {
            at: a.proposed_at,
            when: when(a.proposed_at),
            text: format!("{who} voorgesteld als regisseur door {}.", name_of(&a.row.proposed_by)),
        });
        if let (Some(at), "declined") = (a.decided_at, a.row.status.as_str()) {
            timeline.push(Event { at, when: when(at), text: format!("{who} heeft het voorstel afgewezen.") });
        }
        if let Some(at) = a.active_from {
            timeline.push(Event { at, when: when(at), text: format!("{who} is regisseur geworden.") });
        }
        if let Some(at) = a.active_until {
            timeline.push(Event { at, when: when(at), text: format!("{who} heeft de regie overgedragen.") });
        }
        line_of_assignment.push(AssignmentLine {
            name: who,
            status: status_label(&a.row.status),
            proposed_on: day(a.proposed_at),
            period: match a.active_from {
                Some(f) => period(day(f), a.active_until.map(day)),
                None => String::new(),
            },
            proposed_by: name_of(&a.row.proposed_by),
            family_choice: a.row.family_choice,
            reason: a.row.reason.clone().unwrap_or_default(),
        });
    }
    line_of_assignment.reverse();
    for s in case.state_history.iter().flatten() {
        let text = match s.state {
            CaseState::Registered => "Dossier aangemeld.".to_string(),
            CaseState::Closed => format!(
                "Dossier afgesloten{}.",
                case.close_reason
                    .as_deref()
                    .map(|r| format!(": {}", close_reason_label(r).to_lowercase()))
                    .unwrap_or_default()
            ),
            other => format!("Naar fase: {}.", state_label(other)),
        };
        timeline.push(Event { at: s.entered_at, when: when(s.entered_at), text });
    }
    timeline.sort_by_key(|e| std::cmp::Reverse(e.at));

    CasePage {
        layout: Layout::public(""),
        frame: CaseFrame::new(&case.id, "huishouden"),
        heading,
        view: case.view,
        view_note,
        stuck: Vec::new(),
        escalation: None,
        can_escalate: false,
        case_open: state.is_open(),
        phases: phases(state),
        steps: if read_only {
            Vec::new()
        } else {
            state
                .allowed_next()
                .into_iter()
                .filter(|s| *s != CaseState::Closed)
                .map(|s| Step { value: s.as_str(), label: step_label(state, s) })
                .collect()
        },
        can_close: !read_only && state.is_open(),
        close_reasons: CLOSE_REASONS.to_vec(),
        version: case.version,
        laws: case
            .laws
            .as_ref()
            .map(|l| l.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", "))
            .unwrap_or_default(),
        opened_on: day(case.opened_at),
        close_reason: case.close_reason.as_deref().map(close_reason_label).unwrap_or_default().to_string(),
        counts: case.involved_professionals.map(|p| {
            format!(
                "{p} {} uit {} {}",
                if p == 1 { "hulpverlener" } else { "hulpverleners" },
                case.involved_organisations.unwrap_or(0),
                if case.involved_organisations == Some(1) { "organisatie" } else { "organisaties" }
            )
        }),
        covered: case.covered_categories.iter().flatten().map(category_label).collect(),
        address,
        members_shown,
        members_history,
        members: member_lines,
        turning_eighteen,
        professionals_shown,
        professionals,
        regisseur_shown,
        regisseur,
        proposal,
        proposal_mine,
        proposal_to_me: false,
        assignments: line_of_assignment,
        can_propose,
        candidates,
        can_manage,
        involve_candidates,
        timeline,
        errors: Vec::new(),
        problem: None,
        kept: Kept::default(),
    }
}

#[derive(Deserialize)]
struct CaseQuery {
    gedaan: Option<String>,
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "fase" => Some("De fase van het dossier is veranderd."),
        "voorgesteld" => Some("Het voorstel voor de regisseur is verstuurd."),
        "geaccepteerd" => Some("U bent nu de regisseur van dit dossier."),
        "afgewezen" => Some("U heeft het voorstel afgewezen."),
        "noodtoegang" => Some("Noodtoegang is geopend."),
        "betrokken" => Some("De hulpverlener is nu betrokken bij dit dossier."),
        "beeindigd" => Some("De betrokkenheid is beëindigd: de hulpverlener ziet dit dossier vanaf nu niet meer."),
        _ => None,
    }
}

/// The page as `load` reads it, in the case's frame (with the break-glass banner).
/// A case the user does not see (or none at all): 404, the same for every id. A provider professional (who cannot
/// open break-glass) is told there is no consent; the others are offered break-glass where their role allows it.
async fn not_found(page: &Page, id: &str) -> PageResult {
    if super::actions::is_provider(page) && !page.principal().roles().any(|r| r == Role::Wijkteam) {
        return super::actions::no_consent(page, id, super::actions::Part::Case).await;
    }
    super::break_glass::not_found(page, id).await
}

async fn show(page: &Page, id: &str, status: StatusCode, f: impl FnOnce(&mut CasePage)) -> PageResult {
    let (mut view, window) = match load(page, id).await {
        Ok(v) => v,
        Err(PageError(AppError::NotFound)) => return not_found(page, id).await,
        Err(e) => return Err(e),
    };
    view.layout = page.case_layout_with(view.heading.clone(), window.as_ref());
    f(&mut view);
    render_with(status, &view)
}

async fn case_page(page: Page, id: web::Path<Id>, q: crate::http::Query<CaseQuery>) -> PageResult {
    let id: String = id.into_inner().into();
    let done = notice(q.into_inner().gedaan.as_deref());
    let (mut view, window) = match load(&page, &id).await {
        Ok(v) => v,
        // A professional proposed as regisseur who does not see the case yet answers on the proposal's page (the
        // case read, refused, stays this request's act).
        Err(PageError(AppError::NotFound)) => {
            if regisseur::proposal_to_me(&page.ctx, id.clone()).await.is_ok() {
                return Ok(see_other(&format!("/dossiers/{id}/voorstel")));
            }
            return not_found(&page, &id).await;
        }
        Err(e) => return Err(e),
    };
    view.layout = page.case_layout_with(view.heading.clone(), window.as_ref());
    view.layout.notice = done;
    render_with(StatusCode::OK, &view)
}

#[derive(Deserialize)]
struct StateForm {
    version: Option<String>,
    state: Option<String>,
    close_reason: Option<String>,
}

const LABELS: [(&str, &str); 6] = [
    ("state", "Volgende stap"),
    ("closeReason", "Reden van afsluiten"),
    ("userId", "Regisseur"),
    ("reason", "Toelichting"),
    ("involveUserId", "Hulpverlener"),
    ("roleInCase", "Wat doet deze hulpverlener in het huishouden?"),
];

/// After a form the service refused: the page again, with the errors, and what the user chose kept.
async fn again(page: &Page, id: &str, e: AppError, kept: Kept) -> PageResult {
    match e {
        AppError::Validation(errors) => {
            let errors = dutch::field_messages(&errors, &LABELS);
            show(page, id, StatusCode::UNPROCESSABLE_ENTITY, |v| {
                v.errors = errors;
                v.kept = kept;
            })
            .await
        }
        AppError::PreconditionFailed { .. } => {
            show(page, id, StatusCode::PRECONDITION_FAILED, |v| {
                v.problem = Some(
                    "Iemand anders heeft dit dossier intussen veranderd. Hieronder ziet u hoe het er nu voor staat; \
                     er is niets veranderd. Kies de stap opnieuw als die nog nodig is.",
                );
                v.kept = kept;
            })
            .await
        }
        other => Err(other.into()),
    }
}

async fn change_state(page: Page, id: web::Path<Id>, form: Form<StateForm>) -> PageResult {
    let id: String = id.into_inner().into();
    let form = form.into_inner();
    let version = form.version.as_deref().and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or(0);
    let reason_text = form.close_reason.clone().unwrap_or_default();
    let input = ChangeState {
        state: form.state.as_deref().and_then(CaseState::parse),
        close_reason: form.close_reason.as_deref().filter(|r| !r.is_empty()).and_then(close_reason_of),
    };
    match page.act(cases::change_state(&page.ctx, id.clone(), version, input)).await {
        Ok(_) => Ok(see_other(&format!("/dossiers/{id}?gedaan=fase"))),
        Err(e) => again(&page, &id, e, Kept { close_reason: reason_text, ..Kept::default() }).await,
    }
}

#[derive(Deserialize)]
struct ProposeForm {
    user_id: Option<String>,
    family_choice: Option<String>,
    reason: Option<String>,
}

async fn propose(page: Page, id: web::Path<Id>, form: Form<ProposeForm>) -> PageResult {
    let id: String = id.into_inner().into();
    let form = form.into_inner();
    let kept = Kept {
        user_id: form.user_id.clone().unwrap_or_default(),
        reason: form.reason.clone().unwrap_or_default(),
        family_choice: form.family_choice.is_some(),
        ..Kept::default()
    };
    let input = ProposeRegisseur {
        user_id: form.user_id.filter(|u| !u.trim().is_empty()),
        family_choice: Some(form.family_choice.is_some()),
        reason: form.reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()),
    };
    match page.act(regisseur::propose(&page.ctx, id.clone(), input)).await {
        Ok(_) => Ok(see_other(&format!("/dossiers/{id}?gedaan=voorgesteld"))),
        Err(e) => again(&page, &id, e, kept).await,
    }
}

#[derive(Deserialize)]
struct InvolveForm {
    user_id: Option<String>,
    role_in_case: Option<String>,
}

/// After an involve or release the service refused: every field error at once (the involve form's own user field),
/// or the conflict said in words; what the user typed kept.
async fn again_involvement(page: &Page, id: &str, e: AppError, kept: Kept) -> PageResult {
    match e {
        AppError::Validation(mut errors) => {
            for e in errors.iter_mut().filter(|e| e.field == "userId") {
                e.field = "involveUserId".into();
            }
            again(page, id, AppError::Validation(errors), kept).await
        }
        AppError::Conflict(message) => {
            let problem = if message.contains("regisseur") {
                "De regisseur blijft betrokken tot de regie is overgedragen. Stel eerst een andere regisseur voor."
            } else {
                "Deze hulpverlener is in die periode al betrokken bij dit dossier. Er is niets veranderd."
            };
            show(page, id, StatusCode::CONFLICT, |v| {
                v.problem = Some(problem);
                v.kept = kept;
            })
            .await
        }
        other => Err(other.into()),
    }
}

async fn involve(page: Page, id: web::Path<Id>, form: Form<InvolveForm>) -> PageResult {
    let id: String = id.into_inner().into();
    let form = form.into_inner();
    let kept = Kept {
        involve_user_id: form.user_id.clone().unwrap_or_default(),
        role_in_case: form.role_in_case.clone().unwrap_or_default(),
        ..Kept::default()
    };
    let input = AddInvolvement {
        user_id: form.user_id.filter(|u| !u.trim().is_empty()),
        role_in_case: form.role_in_case.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()),
        valid_from: None,
        valid_until: None,
    };
    match page.act(involvements::add(&page.ctx, id.clone(), input)).await {
        Ok(_) => Ok(see_other(&format!("/dossiers/{id}?gedaan=betrokken#betrokkenen-titel"))),
        Err(e) => again_involvement(&page, &id, e, kept).await,
    }
}

async fn end_involvement(page: Page, path: web::Path<(Id, Id)>, _form: Form<NoFields>) -> PageResult {
    let (id, involvement) = path.into_inner();
    let id: String = id.into();
    match page.act(involvements::end(&page.ctx, id.clone(), involvement.into())).await {
        Ok(_) => Ok(see_other(&format!("/dossiers/{id}?gedaan=beeindigd#betrokkenen-titel"))),
        Err(e) => again_involvement(&page, &id, e, Kept::default()).await,
    }
}

#[derive(Deserialize)]
struct NoFields {}

async fn accept(page: Page, id: web::Path<Id>, _form: Form<NoFields>) -> PageResult {
    let id: String = id.into_inner().into();
    page.act(regisseur::accept(&page.ctx, id.clone())).await?;
    Ok(see_other(&format!("/dossiers/{id}?gedaan=geaccepteerd")))
}

#[derive(Deserialize)]
struct DeclineForm {
    /// `werk`: from the proposal's page, back to Mijn werk (the case is not theirs to see).
    terug: Option<String>,
}

async fn decline(page: Page, id: web::Path<Id>, form: Form<DeclineForm>) -> PageResult {
    let id: String = id.into_inner().into();
    page.act(regisseur::decline(&page.ctx, id.clone())).await?;
    if form.into_inner().terug.as_deref() == Some("werk") {
        return Ok(see_other("/"));
    }
    Ok(see_other(&format!("/dossiers/{id}?gedaan=afgewezen")))
}

#[derive(Template)]
#[template(path = "case_proposal.html")]
struct ProposalPage {
    layout: Layout,
    case_id: String,
    proposed_on: String,
    family_choice: bool,
    reason: String,
}

/// The proposal addressed to the user, to answer before they see the case: when, whether the family chose them,
/// the reason given; accept or decline.
async fn proposal_page(page: Page, id: web::Path<Id>) -> PageResult {
    let id: String = id.into_inner().into();
    let a = match page.act(regisseur::proposal_to_me(&page.ctx, id.clone())).await {
        Ok(a) => a,
        Err(AppError::NotFound) => return super::break_glass::not_found(&page, &id).await,
        Err(e) => return Err(e.into()),
    };
    render(&ProposalPage {
        layout: page.layout("Voorstel: regisseur worden", "work"),
        case_id: id,
        proposed_on: when(a.proposed_at),
        family_choice: a.row.family_choice,
        reason: a.row.reason.clone().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phase_bar_marks_the_current_phase_in_words() {
        let bar = phases(CaseState::Planning);
        assert_eq!(bar.len(), 6);
        assert_eq!(bar[2].marker, "huidige fase");
        assert_eq!(bar[1].status, "done");
        assert_eq!(bar[3].status, "todo");
    }

    #[test]
    fn every_close_reason_has_a_label_and_a_value() {
        for (value, _) in CLOSE_REASONS {
            assert_eq!(close_reason_of(value).map(CloseReason::as_str), Some(value));
        }
    }
}
