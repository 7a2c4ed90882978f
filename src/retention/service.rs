//! Retention's use cases (docs/privacy.md): the plan (the dry run), the run that carries out exactly that plan with
//! one audit event of its counts, legal holds, and erasure requests. For privacy officers; the run also for the
//! server's operator (`eenplan retention run`).

use std::collections::{BTreeSet, HashSet};

use chrono::{Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{self, Counts, Decision};
use super::store::{self, ErasureRow, HoldRow, RunRow};
use crate::access::identity::Grants;
use crate::access::{Action, Resource};
use crate::audit::model::{checkpoint_digest, Checkpoint, RETENTION_RUN};
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, FieldError};
use crate::input::Id;
use crate::rules::RetentionRules;
use crate::state::{Ctx, Effect};

/// A closed case past its term: no content, only what decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DueCase {
    pub case_id: String,
    pub team: String,
    pub laws: Vec<String>,
    pub closed_on: NaiveDate,
    pub erase_from: NaiveDate,
}

/// A chain of the audit log whose oldest events go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChainPrune {
    pub chain_id: String,
    pub through_seq: i64,
    pub events: i64,
    #[serde(skip)]
    pub through_hash: String,
}

/// What a run removes: the dry run shows it, the run carries out exactly this.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RetentionPlan {
    pub today: NaiveDate,
    /// Cases erased, oldest closing first.
    pub cases: Vec<DueCase>,
    /// Cases past their term kept for a legal hold.
    pub held: Vec<DueCase>,
    /// Households left without a case, erased with their address and memberships.
    pub households: Vec<String>,
    /// Persons who belonged to no other household and have no signal, erased.
    pub persons: Vec<String>,
    /// Audit events older than this (UTC) are pruned, chain by chain from its start.
    pub audit_cutoff: chrono::DateTime<Utc>,
    pub chains: Vec<ChainPrune>,
    pub audit_events: i64,
}

impl RetentionPlan {
    fn counts(&self) -> Counts {
        Counts {
            cases: self.cases.len(),
            households: self.households.len(),
            persons: self.persons.len(),
            held: self.held.len(),
            audit_events: self.audit_events,
            chains: self.chains.len(),
        }
    }
}

/// What retention would remove today.
pub fn plan(conn: &mut DbConn, rules: &RetentionRules, today: NaiveDate) -> AppResult<RetentionPlan> {
    let shortest = rules.jeugdwet_years.min(rules.wmo_years).min(rules.participatiewet_years);
    let before =
        today.checked_sub_months(Months::new(shortest * 12)).unwrap_or(NaiveDate::MIN) + chrono::Duration::days(1);
    let mut out = RetentionPlan { today, ..Default::default() };
    let mut due = Vec::new();
    for c in store::closed_before(conn, before.and_hms_opt(0, 0, 0).unwrap_or_default())? {
        let laws = crate::cases::model::parse_laws(&c.laws);
        let closed_on = crate::calendar::local(c.closed_at.and_utc()).date();
        if model::is_due(closed_on, &laws, today, rules) {
            let view = DueCase {
                case_id: c.id.clone(),
                team: c.team_name.clone(),
                laws: laws.iter().map(|l| format!("{l:?}")).collect(),
                closed_on,
                erase_from: model::erase_from(closed_on, &laws, rules),
            };
            due.push((c, view));
        }
    }
    let ids: Vec<String> = due.iter().map(|(c, _)| c.id.clone()).collect();
    let held = store::held(conn, &ids)?;
    let mut erased_cases = HashSet::new();
    let mut homes = BTreeSet::new();
    for (c, view) in due {
        if held.contains(&c.id) {
            out.held.push(view);
        } else {
            erased_cases.insert(c.id.clone());
            homes.insert(c.household_id.clone());
            out.cases.push(view);
        }
    }
    for home in homes {
        let remaining = store::case_ids_of(conn, &home)?;
        if remaining.iter().all(|id| erased_cases.contains(id)) {
            out.households.push(home);
        }
    }
    let erased_homes: HashSet<&String> = out.households.iter().collect();
    let mut persons = BTreeSet::new();
    for home in &out.households {
        for person in store::members_of(conn, home)? {
            let theirs = store::households_of(conn, &person)?;
            if theirs.iter().all(|h| erased_homes.contains(h)) && !store::has_signal(conn, &person)? {
                persons.insert(person);
            }
        }
    }
    out.persons = persons.into_iter().collect();
    let cutoff = model::audit_cutoff(today, rules);
    out.audit_cutoff = cutoff.and_utc();
    let checkpoints = crate::audit::store::checkpoints(conn)?;
    for chain in crate::audit::store::chain_ids(conn)? {
        let after = checkpoints.iter().find(|k| k.chain_id == chain).map(|k| k.through_seq).unwrap_or(0);
        if let Some((k, events)) = crate::audit::store::prunable(conn, &chain, cutoff, after)? {
            out.audit_events += events;
            out.chains.push(ChainPrune {
                chain_id: k.chain_id,
                through_seq: k.through_seq,
                events,
                through_hash: k.through_hash,
            });
        }
    }
    Ok(out)
}

/// Carries out the plan, all in the caller's transaction.
fn apply(conn: &mut DbConn, plan: &RetentionPlan) -> AppResult<()> {
    for c in &plan.cases {
        store::erase_case(conn, &c.case_id)?;
    }
    for h in &plan.households {
        store::erase_household(conn, h)?;
    }
    store::erase_persons(conn, &plan.persons)?;
    let at = now();
    for chain in &plan.chains {
        let k = Checkpoint {
            chain_id: chain.chain_id.clone(),
            through_seq: chain.through_seq,
            through_hash: chain.through_hash.clone(),
        };
        crate::audit::store::prune(conn, &k, chain.events, at)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub id: String,
    pub ran_at: chrono::DateTime<Utc>,
    pub ran_by: Option<String>,
    pub ran_by_name: Option<String>,
    pub cases: i32,
    pub households: i32,
    pub persons: i32,
    pub held: i32,
    pub audit_events: i64,
    pub chains: i32,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    #[serde(flatten)]
    pub run: Run,
    /// What the run removed: the plan it carried out.
    pub plan: RetentionPlan,
}

/// The dry run: what a run would remove today (privacy officer).
pub async fn dry_run(ctx: &Ctx) -> AppResult<RetentionPlan> {
    ctx.state.access.decide(&ctx.principal, Resource::Retention, Action::List, &ctx.audit)?;
    let rules = ctx.state.rules.retention.clone();
    ctx.read(move |c| plan(c, &rules, crate::calendar::local(Utc::now()).date())).await
}

/// The operator's dry run on the server (`eenplan retention plan`), audited as a read.
pub async fn plan_on_server<P: Grants + Clone + Send + 'static>(ctx: &Ctx<P>) -> AppResult<RetentionPlan> {
    ctx.state.access.decide_by(ctx.principal.grantor(), Resource::Retention, Action::List, &ctx.audit)?;
    let rules = ctx.state.rules.retention.clone();
    let found = ctx.read(move |c| plan(c, &rules, crate::calendar::local(Utc::now()).date())).await?;
    let event = ctx.audit.event(crate::audit::Outcome::Allowed, 200, "");
    ctx.state.audit.record(event).await?;
    Ok(found)
}

/// The run: the plan of this moment, carried out in one transaction with its audit event (the counts, and the
/// digest of the audit checkpoints after it, which `eenplan audit verify` checks).
pub async fn run<P: Grants + Clone + Send + 'static>(ctx: &Ctx<P>, by: Option<String>) -> AppResult<RunReport> {
    ctx.state.access.decide_by(ctx.principal.grantor(), Resource::Retention, Action::Create, &ctx.audit)?;
    ctx.audit.action(RETENTION_RUN, Resource::Retention.as_str());
    let rules = ctx.state.rules.retention.clone();
    let audit = ctx.audit.clone();
    let id = new_id();
    ctx.audit.resource(&id);
    ctx.write_as(move |c| {
        let plan = plan(c, &rules, crate::calendar::local(Utc::now()).date())?;
        apply(c, &plan)?;
        let counts = plan.counts();
        let digest = checkpoint_digest(&crate::audit::store::checkpoints(c)?);
        audit.system_note(model::run_note(&counts, &digest));
        let row = RunRow {
            id,
            ran_at: now(),
            ran_by: by,
            cases: counts.cases as i32,
            households: counts.households as i32,
            persons: counts.persons as i32,
            held: counts.held as i32,
            audit_events: counts.audit_events,
            chains: counts.chains as i32,
        };
        store::insert_run(c, &row)?;
        let run = run_views(c, vec![row])?.pop().ok_or(AppError::NotFound)?;
        Ok((RunReport { run, plan }, Effect::Created))
    })
    .await
}

fn run_views(c: &mut DbConn, rows: Vec<RunRow>) -> AppResult<Vec<Run>> {
    let ids: Vec<String> = rows.iter().filter_map(|r| r.ran_by.clone()).collect();
    let names = crate::oversight::store::user_names(c, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| Run {
            ran_by_name: r.ran_by.as_ref().and_then(|u| names.get(u).cloned()),
            id: r.id,
            ran_at: r.ran_at.and_utc(),
            ran_by: r.ran_by,
            cases: r.cases,
            households: r.households,
            persons: r.persons,
            held: r.held,
            audit_events: r.audit_events,
            chains: r.chains,
        })
        .collect())
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunList {
    pub items: Vec<Run>,
}

pub async fn runs(ctx: &Ctx) -> AppResult<RunList> {
    ctx.state.access.decide(&ctx.principal, Resource::Retention, Action::List, &ctx.audit)?;
    ctx.read(|c| {
        let rows = store::runs(c)?;
        Ok(RunList { items: run_views(c, rows)? })
    })
    .await
}

/// A required free text of at most `max` characters, trimmed.
fn required_text(errors: &mut Vec<FieldError>, field: &str, value: &Option<String>, max: usize) -> String {
    let t = value.as_deref().map(str::trim).unwrap_or_default().to_string();
    if t.is_empty() {
        errors.push(FieldError::new(field, "is required"));
    } else if t.chars().count() > max {
        errors.push(FieldError::new(field, format!("must be at most {max} characters")));
    } else if crate::input::has_forbidden_char(&t) {
        errors.push(FieldError::new(field, crate::input::FORBIDDEN_CHAR));
    }
    t
}

fn id_field(errors: &mut Vec<FieldError>, field: &str, value: &Option<String>) -> Option<Id> {
    match value.as_deref().map(Id::parse) {
        Some(Some(id)) => Some(id),
        Some(None) => {
            errors.push(FieldError::new(field, crate::input::NOT_AN_ID));
            None
        }
        None => {
            errors.push(FieldError::new(field, "is required"));
            None
        }
    }
}

// Legal holds

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewHold {
    pub case_id: Option<String>,
    /// Why the case must be kept past its term (a court case, a complaint, an inquiry). At most 1,000 characters.
    pub reason: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LiftHold {
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Hold {
    pub id: String,
    pub case_id: String,
    pub reason: String,
    pub placed_by: String,
    pub placed_at: chrono::DateTime<Utc>,
    pub lifted_at: Option<chrono::DateTime<Utc>>,
    pub lift_reason: Option<String>,
}

impl From<HoldRow> for Hold {
    fn from(r: HoldRow) -> Self {
        Hold {
            id: r.id,
            case_id: r.case_id,
            reason: r.reason,
            placed_by: r.placed_by,
            placed_at: r.placed_at.and_utc(),
            lifted_at: r.lifted_at.map(|t| t.and_utc()),
            lift_reason: r.lift_reason,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HoldList {
    pub items: Vec<Hold>,
}

pub async fn holds(ctx: &Ctx) -> AppResult<HoldList> {
    ctx.state.access.decide(&ctx.principal, Resource::LegalHold, Action::List, &ctx.audit)?;
    ctx.read(|c| Ok(HoldList { items: store::holds(c)?.into_iter().map(Hold::from).collect() })).await
}

/// Places a hold on a case (open or closed): retention keeps it until the hold is lifted. An unknown case is 404.
pub async fn place_hold(ctx: &Ctx, input: NewHold) -> AppResult<Hold> {
    ctx.state.access.decide(&ctx.principal, Resource::LegalHold, Action::Create, &ctx.audit)?;
    let mut errors = Vec::new();
    let case = id_field(&mut errors, "caseId", &input.case_id);
    let reason = required_text(&mut errors, "reason", &input.reason, 1000);
    let (Some(case), true) = (case, errors.is_empty()) else { return Err(AppError::Validation(errors)) };
    ctx.audit.case(case.as_str());
    let row = HoldRow {
        id: new_id(),
        case_id: case.as_str().to_string(),
        reason,
        placed_by: ctx.principal.user_id.clone(),
        placed_at: now(),
        lifted_by: None,
        lifted_at: None,
        lift_reason: None,
    };
    ctx.audit.resource(&row.id);
    ctx.write(Effect::Created, move |c| {
        store::case_is_closed(c, &row.case_id)?.ok_or(AppError::NotFound)?;
        store::insert_hold(c, &row)?;
        Ok(Hold::from(row))
    })
    .await
}

/// Lifts a hold in force, with the reason; a hold lifted already is 409.
pub async fn lift_hold(ctx: &Ctx, id: Id, input: LiftHold) -> AppResult<Hold> {
    ctx.state.access.decide(&ctx.principal, Resource::LegalHold, Action::Update, &ctx.audit)?;
    ctx.audit.resource(id.as_str());
    let mut errors = Vec::new();
    let reason = required_text(&mut errors, "reason", &input.reason, 1000);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let me = ctx.principal.user_id.clone();
    let audit = ctx.audit.clone();
    ctx.write(Effect::Changed, move |c| {
        let hold = store::hold(c, id.as_str())?.ok_or(AppError::NotFound)?;
        audit.case(&hold.case_id);
        if !store::lift_hold(c, id.as_str(), &me, &reason, now())? {
            return Err(AppError::Conflict("This hold was lifted already".into()));
        }
        store::hold(c, id.as_str())?.map(Hold::from).ok_or(AppError::NotFound)
    })
    .await
}

// Erasure requests (AVG art. 17)

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewErasure {
    /// The person, as the person search (`POST /api/v1/audit/persons/search`) found them.
    pub person_id: Option<String>,
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    #[schema(value_type = Option<String>, format = Date)]
    pub received_on: Option<NaiveDate>,
    /// `person`, `parent` or `representative`.
    pub requested_by: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecideErasure {
    /// `carry_out` or `refuse`.
    pub decision: Option<String>,
    /// Why it is refused (required for `refuse`; the grounds found are added).
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Erasure {
    pub id: String,
    pub person_id: String,
    /// None once the person is erased.
    pub person_name: Option<String>,
    pub received_on: NaiveDate,
    pub requested_by: String,
    /// `received`, `carried_out` or `refused`.
    pub status: String,
    pub decision_reason: Option<String>,
    pub decided_at: Option<chrono::DateTime<Utc>>,
    /// While received: the art. 17(3) grounds that stand in the way now (`open_case`, `legal_hold`, `active_signal`).
    pub grounds: Vec<String>,
}

fn erasure_view(c: &mut DbConn, r: ErasureRow) -> AppResult<Erasure> {
    let grounds = if r.status == "received" { grounds_of(c, &r.person_id)? } else { Vec::new() };
    let person_name = store::person_name(c, &r.person_id)?;
    Ok(Erasure {
        person_name,
        id: r.id,
        person_id: r.person_id,
        received_on: r.received_on,
        requested_by: r.requested_by,
        status: r.status,
        decision_reason: r.decision_reason,
        decided_at: r.decided_at.map(|t| t.and_utc()),
        grounds: grounds.iter().map(|g| g.as_str().to_string()).collect(),
    })
}

fn grounds_of(c: &mut DbConn, person: &str) -> AppResult<Vec<model::Ground>> {
    let (open, held, signals) = store::erasure_facts(c, person)?;
    Ok(model::erasure_grounds(open, held, signals))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErasureList {
    pub items: Vec<Erasure>,
}

pub async fn erasures(ctx: &Ctx) -> AppResult<ErasureList> {
    ctx.state.access.decide(&ctx.principal, Resource::ErasureRequest, Action::List, &ctx.audit)?;
    let audit = ctx.audit.clone();
    ctx.read(move |c| {
        let rows = store::erasures(c)?;
        audit.persons(rows.iter().map(|r| r.person_id.clone()));
        let items = rows.into_iter().map(|r| erasure_view(c, r)).collect::<AppResult<Vec<_>>>()?;
        Ok(ErasureList { items })
    })
    .await
}

/// Records a request: the person must exist (404), the day not in the future.
pub async fn record_erasure(ctx: &Ctx, input: NewErasure) -> AppResult<Erasure> {
    ctx.state.access.decide(&ctx.principal, Resource::ErasureRequest, Action::Create, &ctx.audit)?;
    let mut errors = Vec::new();
    let person = id_field(&mut errors, "personId", &input.person_id);
    let today = crate::calendar::local(Utc::now()).date();
    match input.received_on {
        None => errors.push(FieldError::new("receivedOn", "is required")),
        Some(d) if d > today => errors.push(FieldError::new("receivedOn", "must not be in the future")),
        Some(_) => {}
    }
    match input.requested_by.as_deref() {
        None => errors.push(FieldError::new("requestedBy", "is required")),
        Some(r) if !model::REQUESTED_BY.contains(&r) => {
            errors.push(FieldError::new("requestedBy", "must be person, parent or representative"))
        }
        Some(_) => {}
    }
    let (Some(person), true) = (person, errors.is_empty()) else { return Err(AppError::Validation(errors)) };
    ctx.audit.person(person.as_str());
    let row = ErasureRow {
        id: new_id(),
        person_id: person.as_str().to_string(),
        received_on: input.received_on.unwrap_or(today),
        requested_by: input.requested_by.unwrap_or_default(),
        status: "received".into(),
        decision_reason: None,
        recorded_by: ctx.principal.user_id.clone(),
        recorded_at: now(),
        decided_by: None,
        decided_at: None,
    };
    ctx.audit.resource(&row.id);
    ctx.write(Effect::Created, move |c| {
        if !store::person_exists(c, &row.person_id)? {
            return Err(AppError::NotFound);
        }
        store::insert_erasure(c, &row)?;
        erasure_view(c, row)
    })
    .await
}

/// Decides a received request. Carrying it out erases the person's own data (the person, their memberships,
/// consents and assessments); where an art. 17(3) ground stands in the way it cannot be carried out (409, with the
/// grounds) and is refused instead. A refusal records its reason with the grounds found.
pub async fn decide_erasure(ctx: &Ctx, id: Id, input: DecideErasure) -> AppResult<Erasure> {
    ctx.state.access.decide(&ctx.principal, Resource::ErasureRequest, Action::Update, &ctx.audit)?;
    ctx.audit.resource(id.as_str());
    let mut errors = Vec::new();
    let decision = match input.decision.as_deref().map(Decision::parse) {
        Some(Some(d)) => Some(d),
        Some(None) => {
            errors.push(FieldError::new("decision", "must be carry_out or refuse"));
            None
        }
        None => {
            errors.push(FieldError::new("decision", "is required"));
            None
        }
    };
    let reason = input.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
    if decision == Some(Decision::Refuse) && reason.is_none() {
        errors.push(FieldError::new("reason", "say why"));
    }
    if let Some(r) = &reason {
        if r.chars().count() > 2000 {
            errors.push(FieldError::new("reason", "must be at most 2000 characters"));
        } else if crate::input::has_forbidden_char(r) {
            errors.push(FieldError::new("reason", crate::input::FORBIDDEN_CHAR));
        }
    }
    let (Some(decision), true) = (decision, errors.is_empty()) else { return Err(AppError::Validation(errors)) };
    let me = ctx.principal.user_id.clone();
    let audit = ctx.audit.clone();
    ctx.write(Effect::Changed, move |c| {
        let row = store::erasure(c, id.as_str())?.ok_or(AppError::NotFound)?;
        audit.person(&row.person_id);
        if row.status != "received" {
            return Err(AppError::Conflict("This request was decided already".into()));
        }
        let grounds = grounds_of(c, &row.person_id)?;
        let recorded = match decision {
            Decision::CarryOut => {
                if let Some(why) = model::refusal(&grounds) {
                    return Err(AppError::Conflict(format!("This request cannot be carried out: {why}")));
                }
                store::erase_persons(c, std::slice::from_ref(&row.person_id))?;
                reason
            }
            Decision::Refuse => {
                let found = model::refusal(&grounds);
                Some([reason, found].into_iter().flatten().collect::<Vec<_>>().join("; "))
            }
        };
        if !store::decide_erasure(c, id.as_str(), decision.status(), recorded.as_deref(), &me, now())? {
            return Err(AppError::Conflict("This request was decided already".into()));
        }
        let row = store::erasure(c, id.as_str())?.ok_or(AppError::NotFound)?;
        erasure_view(c, row)
    })
    .await
}
