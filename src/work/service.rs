//! Mijn werk as a use case: the cases the caller may see — by the same rule as the cases list
//! (`scope::visible_cases`, re-checked by `scope::case_reads`) — and, for those whose content they see (involved as
//! regisseur or team member), what is due. A teamleider sees the team's cases by their summary; a provider the
//! cases their organisation's consent opens, by name only of the case. Nothing here shows more than the API's reads.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{self, DueKind, Urgency};
use super::store;
use crate::access::scope::{self, CaseRead, CaseView};
use crate::access::{Action, Resource};
use crate::cases::model::CaseState;
use crate::db::{now, DbConn};
use crate::error::AppResult;
use crate::plans::model::PlanContent;
use crate::state::Ctx;

/// Most cases one start page considers.
pub const MAX_CASES: usize = 500;

/// A household the caller works with, as much as they may see of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkCase {
    pub case_id: String,
    pub state: CaseState,
    pub opened_at: DateTime<Utc>,
    /// `regisseur` (the caller directs it), `involved` (team member), `team_lead` (the summary of the team's case)
    /// or `consent` (a provider whose organisation a consent names).
    pub relation: &'static str,
    /// The members' names (those involved only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Postcode and house number (those involved only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The household's wijk (those involved and the teamleider).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wijk: Option<String>,
    /// Young members who turn 18 within the configured months (those involved only): youth care ends then, and the
    /// plan must say how care goes on (18-/18+).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub turning_eighteen: Vec<TurningEighteen>,
}

/// A member who turns 18 soon, and when.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TurningEighteen {
    pub person_id: String,
    pub name: String,
    pub on: NaiveDate,
}

/// Something due in a case the caller is involved in.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DueItem {
    pub case_id: String,
    pub kind: DueKind,
    pub urgency: Urgency,
    pub due_on: NaiveDate,
    /// The action's description; for a ZRM re-measurement, whom it concerns.
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub household_name: Option<String>,
}

/// A regisseur proposal addressed to the caller, waiting for their answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaitingProposal {
    pub id: String,
    pub case_id: String,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    /// The family chose the caller.
    pub family_choice: bool,
    /// When the caller already sees the case's content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub household_name: Option<String>,
}

/// A consent in a case the caller is involved in that ends within 30 days.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndingConsent {
    pub id: String,
    pub case_id: String,
    pub person_id: String,
    pub person_name: String,
    pub valid_until: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub household_name: Option<String>,
}

/// The start page's data.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyWork {
    pub today: NaiveDate,
    pub households: Vec<WorkCase>,
    /// Overdue first, then by date.
    pub due: Vec<DueItem>,
    pub proposals: Vec<WaitingProposal>,
    pub consents_ending: Vec<EndingConsent>,
}

impl MyWork {
    pub fn due_in(&self, urgency: Urgency) -> impl Iterator<Item = &DueItem> {
        self.due.iter().filter(move |d| d.urgency == urgency)
    }
}

/// The caller's start page. Audited as a list of cases (role permission), with the persons it names.
pub async fn my_work(ctx: &Ctx) -> AppResult<MyWork> {
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::List, &ctx.audit)?;
    let cx = ctx.clone();
    ctx.read(move |c| collect(c, &cx)).await
}

fn collect(c: &mut DbConn, cx: &Ctx) -> AppResult<MyWork> {
    let p = &cx.principal;
    let t = now();
    let today = t.date();
    // The cases list's rule: candidates in SQL, re-checked per batch.
    let mut entries = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let fetch = 100;
        let ids = scope::visible_cases(c, p, t, after.as_deref(), fetch)?;
        let exhausted = (ids.len() as i64) < fetch;
        after = ids.last().cloned();
        let rows = crate::cases::store::cases_by_ids(c, &ids)?;
        let mut coverages = HashMap::new();
        for row in &rows {
            if let Some(coverage) = crate::consent::service::coverage_for(c, p, &row.id)? {
                coverages.insert(row.id.clone(), coverage);
            }
        }
        let keys: Vec<(String, String)> = rows.iter().map(|r| (r.id.clone(), r.team_id.clone())).collect();
        let bases = scope::case_bases(c, p, &keys, t)?;
        for (row, read) in scope::case_reads(c, p, rows, &coverages, t)? {
            let content = matches!(bases.get(&row.id), Some((_, CaseView::Content)));
            entries.push((row, read, content));
        }
        if exhausted || entries.len() >= MAX_CASES {
            break;
        }
    }
    entries.retain(|(row, _, _)| row.state != CaseState::Closed.as_str());
    entries.truncate(MAX_CASES);

    let involved: Vec<String> =
        entries.iter().filter(|(_, _, content)| *content).map(|(r, _, _)| r.id.clone()).collect();
    let directed: HashSet<String> = store::directed(c, &p.user_id, &involved)?.into_iter().collect();
    // Households: the wijk for the involved and the teamleider; names and address for the involved.
    let shown_households: Vec<String> = entries
        .iter()
        .filter(|(_, read, content)| *content || *read == CaseRead::View(CaseView::Summary))
        .map(|(r, _, _)| r.household_id.clone())
        .collect();
    let household_rows: HashMap<String, store::HouseholdRow> =
        store::households(c, &shown_households)?.into_iter().map(|h| (h.0.clone(), h)).collect();
    let involved_households: Vec<String> =
        entries.iter().filter(|(_, _, content)| *content).map(|(r, _, _)| r.household_id.clone()).collect();
    let mut members: HashMap<String, Vec<(String, String, NaiveDate)>> = HashMap::new();
    for (household, person, name, birth) in store::members_on(c, &involved_households, today)? {
        members.entry(household).or_default().push((person, name, birth));
    }

    let mut households = Vec::new();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut persons_named: Vec<String> = Vec::new();
    let mut person_names: HashMap<String, String> = HashMap::new();
    for (row, read, content) in &entries {
        let household = household_rows.get(&row.household_id);
        let mut turning_eighteen = Vec::new();
        let (name, address) = if *content {
            let of = members.get(&row.household_id).cloned().unwrap_or_default();
            let months = cx.state.rules.transition.flag_months;
            let births = of.iter().map(|(id, _, b)| (id.as_str(), *b));
            // Birthdays are Dutch calendar days.
            let dutch_today = crate::calendar::local(t.and_utc()).date();
            for (person, on) in crate::cases::model::turning_eighteen(births, dutch_today, months) {
                let name = of.iter().find(|(id, _, _)| *id == person).map(|(_, n, _)| n.clone()).unwrap_or_default();
                turning_eighteen.push(TurningEighteen { person_id: person, name, on });
            }
            for (id, n, _) in &of {
                persons_named.push(id.clone());
                person_names.insert(id.clone(), n.clone());
            }
            let name = model::household_name(of.into_iter().map(|(_, n, b)| (n, b)).collect());
            let address = household.map(|h| match &h.4 {
                Some(add) => format!("{} {}-{}", h.2, h.3, add),
                None => format!("{} {}", h.2, h.3),
            });
            (name, address)
        } else {
            (None, None)
        };
        if let Some(n) = &name {
            names.insert(row.id.clone(), n.clone());
        }
        households.push(WorkCase {
            case_id: row.id.clone(),
            state: CaseState::parse(&row.state).unwrap_or(CaseState::Registered),
            opened_at: row.created_at.and_utc(),
            relation: match (content, read) {
                (true, _) if directed.contains(&row.id) => "regisseur",
                (true, _) => "involved",
                (false, CaseRead::Consent(_)) => "consent",
                (false, _) => "team_lead",
            },
            name,
            address,
            wijk: household.map(|h| h.1.clone()),
            turning_eighteen,
        });
    }

    // What is due, in the cases whose plan the caller sees whole (those involved).
    let mut due = Vec::new();
    let mut push = |case_id: &str, kind: DueKind, on: NaiveDate, description: String| {
        if let Some(urgency) = Urgency::of(on, today) {
            due.push(DueItem {
                case_id: case_id.to_string(),
                kind,
                urgency,
                due_on: on,
                description,
                household_name: names.get(case_id).cloned(),
            });
        }
    };
    let done: HashSet<(String, String)> = store::progress(c, &involved)?
        .into_iter()
        .filter(|(_, _, status)| !model::action_open(Some(status)))
        .map(|(case, action, _)| (case, action))
        .collect();
    let mut plan_dates: HashMap<String, Option<NaiveDate>> = HashMap::new();
    for (case_id, content) in store::agreed_plans(c, &involved)? {
        let Ok(plan) = serde_json::from_str::<PlanContent>(&content) else { continue };
        for a in &plan.actions {
            if let Some(on) = a.due_date {
                if !done.contains(&(case_id.clone(), a.id.clone())) {
                    push(&case_id, DueKind::Action, on, a.description.clone());
                }
            }
        }
        plan_dates.insert(case_id, plan.next_evaluation_date);
    }
    let mut evaluations: HashMap<String, Vec<(NaiveDate, Option<NaiveDate>)>> = HashMap::new();
    for (case_id, held, next) in store::evaluations(c, &involved)? {
        evaluations.entry(case_id).or_default().push((held, next));
    }
    for case_id in &involved {
        let plan_date = plan_dates.get(case_id).copied().flatten();
        let held = evaluations.get(case_id).map(Vec::as_slice).unwrap_or_default();
        if let Some(on) = model::next_evaluation(plan_date, held) {
            push(case_id, DueKind::Evaluation, on, "Evaluatie van het plan".to_string());
        }
    }
    let mut assessments: HashMap<String, Vec<(Option<String>, String, NaiveDate)>> = HashMap::new();
    for (case_id, person, kind, on) in store::assessments(c, &involved)? {
        assessments.entry(case_id).or_default().push((person, kind, on));
    }
    let assessed: Vec<String> = assessments
        .values()
        .flatten()
        .filter_map(|(p, _, _)| p.clone())
        .filter(|p| !person_names.contains_key(p))
        .collect();
    for (id, name) in store::person_names(c, &assessed)? {
        persons_named.push(id.clone());
        person_names.insert(id, name);
    }
    for case_id in &involved {
        for (subject, on) in model::zrm_due(assessments.get(case_id).map(Vec::as_slice).unwrap_or_default()) {
            let whom = match subject {
                Some(person) => format!("ZRM van {}", person_names.get(&person).cloned().unwrap_or_default()),
                None => "ZRM van het huishouden".to_string(),
            };
            push(case_id, DueKind::Zrm, on, whom);
        }
    }
    due.sort_by(|a, b| a.due_on.cmp(&b.due_on).then(a.kind.cmp(&b.kind)).then(a.case_id.cmp(&b.case_id)));

    // Consents ending soon, in the cases the caller is involved in (those who may list a case's consents).
    let ending = store::consents_ending(c, &involved, today, today + Duration::days(model::CONSENT_ENDING_DAYS))?;
    let subjects: Vec<String> = ending.iter().map(|r| r.2.clone()).filter(|p| !person_names.contains_key(p)).collect();
    for (id, name) in store::person_names(c, &subjects)? {
        persons_named.push(id.clone());
        person_names.insert(id, name);
    }
    let consents_ending = ending
        .into_iter()
        .filter(|r| model::consent_ending(r.3, r.4, r.5.is_some(), today))
        .map(|r| EndingConsent {
            person_name: person_names.get(&r.2).cloned().unwrap_or_default(),
            household_name: names.get(&r.1).cloned(),
            id: r.0,
            case_id: r.1,
            person_id: r.2,
            valid_until: r.4,
        })
        .collect();

    // Proposals addressed to the caller: theirs to answer.
    let proposals = store::open_proposals(c, &p.user_id)?
        .into_iter()
        .map(|(id, case_id, by, at, family_choice)| WaitingProposal {
            household_name: names.get(&case_id).cloned(),
            id,
            case_id,
            proposed_by: by,
            proposed_at: at.and_utc(),
            family_choice,
        })
        .collect();

    cx.audit.persons(persons_named);
    Ok(MyWork { today, households, due, proposals, consents_ending })
}

/// A person found, with the open case of their household when the caller may see that case.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FoundPerson {
    #[serde(flatten)]
    pub person: crate::households::service::Person,
    /// The open case of the household the person lives in today, when the caller may see it (as the cases list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FoundPersons {
    pub items: Vec<FoundPerson>,
}

/// The person search of `POST /api/v1/persons/search` (the same rules, the same audit event: a search, with the
/// persons found and never what was searched for), each hit with the case the caller may open from it.
/// Whether the caller may search persons (to offer the form); records nothing.
pub fn may_find_persons(ctx: &Ctx) -> bool {
    ctx.state.access.may_search_persons(&ctx.principal)
}

pub async fn find_persons(ctx: &Ctx, input: crate::households::persons::PersonSearch) -> AppResult<FoundPersons> {
    let found = crate::households::persons::search(ctx, input).await?;
    let p = ctx.principal.clone();
    ctx.read(move |c| {
        let t = now();
        let ids: Vec<String> = found.items.iter().map(|p| p.id.clone()).collect();
        let homes = store::homes_of(c, &ids, t.date())?;
        let case_ids: Vec<String> = homes.iter().filter_map(|h| h.3.clone()).collect();
        let rows = crate::cases::store::cases_by_ids(c, &case_ids)?;
        let mut coverages = HashMap::new();
        for row in &rows {
            if let Some(coverage) = crate::consent::service::coverage_for(c, &p, &row.id)? {
                coverages.insert(row.id.clone(), coverage);
            }
        }
        let visible: HashSet<String> =
            scope::case_reads(c, &p, rows, &coverages, t)?.into_iter().map(|(row, _)| row.id).collect();
        let items = found
            .items
            .into_iter()
            .map(|person| {
                let case_id = homes
                    .iter()
                    .filter(|h| h.0 == person.id)
                    .filter_map(|h| h.3.clone())
                    .find(|case| visible.contains(case));
                FoundPerson { person, case_id }
            })
            .collect();
        Ok(FoundPersons { items })
    })
    .await
}

/// The teams the caller may register a household for, by name: id, name.
pub async fn registration_teams(ctx: &Ctx) -> AppResult<Vec<(String, String)>> {
    let teams = ctx.state.access.household_teams(&ctx.principal).ids().to_vec();
    ctx.read(move |c| Ok(store::team_names(c, &teams)?)).await
}

/// One action of a current plan that the caller carries out, as far as their view of that plan shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyAction {
    pub case_id: String,
    pub action_id: String,
    pub description: String,
    pub goal_id: String,
    /// The goal the action serves, when the caller's view of the plan shows it (a provider: when a consent covers
    /// the person the goal is about); absent otherwise ("doel niet gedeeld").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal: Option<String>,
    /// The life domain of that goal (a code), when shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    pub due_on: Option<NaiveDate>,
    /// The recorded progress (absent: not tracked yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<crate::plans::model::ActionStatus>,
    /// open, in_progress, done, cancelled, or overdue (open or in progress past its due date).
    pub standing: model::Standing,
    pub done_on: Option<NaiveDate>,
    /// Send as `If-Match` to `PUT /api/v1/cases/{caseId}/plans/actions/{actionId}/progress`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
}

/// Most cases "Mijn acties" considers.
pub const MAX_ACTION_CASES: i64 = 500;

/// "Mijn acties": the actions of the current plans that the caller carries out themselves (the action's owner is
/// this professional, not their organisation), in the open cases they are involved in. Each case is decided by the
/// plan read's own rule (`scope::plan_basis`, with the coverage `consent/` computes) and its plan shown through the
/// plan's one projection (`plans::service::project`), so a provider sees here exactly the actions and goals that
/// `GET /api/v1/cases/{id}/plans/current` gives them, and nothing of a case whose consent is missing or withdrawn.
/// Still to do first, by due date (the overdue ones lead), then what is done; paged by `PageQuery`. Audited as a
/// read of plans (`plan.actions`), with the persons the shown goals are about.
pub async fn my_actions(ctx: &Ctx, q: crate::paging::PageQuery) -> AppResult<crate::paging::Page<MyAction>> {
    // Named after the role decision, which names its own act: allowed or refused, it is this list.
    let decided = ctx.state.access.decide(&ctx.principal, Resource::Plan, Action::Read, &ctx.audit);
    ctx.audit.action("plan.actions", Resource::Plan.as_str());
    decided?;
    let cx = ctx.clone();
    ctx.read(move |c| {
        let mut all = actions_in(c, &cx)?;
        all.sort_by(|a, b| a.0.cmp(&b.0));
        let after = q.after.clone().unwrap_or_default();
        let limit = q.limit();
        let items: Vec<(String, MyAction)> =
            all.into_iter().filter(|(key, _)| after.is_empty() || *key > after).take(q.fetch() as usize).collect();
        let page = crate::paging::page(items, limit, |(key, _)| key.clone());
        let items: Vec<MyAction> = page.items.into_iter().map(|(_, a)| a).collect();
        Ok(crate::paging::Page { items, next: page.next })
    })
    .await
}

fn actions_in(c: &mut DbConn, cx: &Ctx) -> AppResult<Vec<(String, MyAction)>> {
    let p = &cx.principal;
    let t = now();
    let today = t.date();
    let ids = store::involved_open_cases(c, &p.user_id, t, MAX_ACTION_CASES)?;
    let rows = crate::cases::store::cases_by_ids(c, &ids)?;
    let plans: HashMap<String, String> = store::agreed_plans(c, &ids)?.into_iter().collect();
    let mut out = Vec::new();
    let mut persons = Vec::new();
    for row in rows {
        let Some(content) = plans.get(&row.id) else { continue };
        let coverage = crate::consent::service::coverage_for(c, p, &row.id)?;
        let Some(plan) = cx.state.access.listed_plan(c, p, row, coverage, &cx.audit)? else { continue };
        let Ok(full) = serde_json::from_str::<PlanContent>(content) else { continue };
        let visible = crate::plans::service::project(cx, &plan, full);
        let progress = crate::plans::store::progress(c, &plan.case.id)?;
        for a in &visible.actions {
            let mine = a.owner.as_ref().is_some_and(|o| {
                o.kind == crate::plans::model::OwnerKind::Professional && o.user_id.as_deref() == Some(&p.user_id)
            });
            if !mine {
                continue;
            }
            let goal = visible.goals.iter().find(|g| g.id == a.goal_id);
            if let Some(person) = goal.and_then(|g| g.person_id.clone()) {
                persons.push(person);
            }
            let tracked = progress.iter().find(|r| r.action_id == a.id);
            let status = tracked.and_then(|r| crate::plans::model::ActionStatus::parse(&r.status));
            let standing = model::standing(tracked.map(|r| r.status.as_str()), a.due_date, today);
            let key = model::action_key(standing, a.due_date, &plan.case.id, &a.id);
            out.push((
                key,
                MyAction {
                    case_id: plan.case.id.clone(),
                    action_id: a.id.clone(),
                    description: a.description.clone(),
                    goal_id: a.goal_id.clone(),
                    goal: goal.map(|g| g.description.clone()),
                    domain: goal.and_then(|g| g.domain.clone()),
                    due_on: a.due_date,
                    status,
                    standing,
                    done_on: tracked.and_then(|r| r.done_on),
                    revision: tracked.map(|r| r.revision),
                },
            ));
        }
    }
    cx.audit.persons(persons);
    Ok(out)
}

/// The open regisseur proposal addressed to the caller on this case, if any: theirs to answer, whatever else of the
/// case they see (as `regisseur::accept` decides: the open proposal to the caller is the basis). A page that shows a
/// provider's consent view of the case offers the answer with it. Records nothing: the page's case read is its act.
pub async fn proposal_to_me(ctx: &Ctx, case_id: String) -> AppResult<Option<String>> {
    let user = ctx.principal.user_id.clone();
    ctx.read(move |c| Ok(store::open_proposals(c, &user)?.into_iter().find(|p| p.1 == case_id).map(|(id, ..)| id)))
        .await
}
