//! ZRM assessments of a case: record, list, progress between two, household summary. Those who see the whole
//! plan (involved wijkteam members and the regisseur) record and read them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::service::{decide, plan_of};
use super::store::{self, AssessmentRow};
use super::zrm::{self, AssessmentKind, DomainProgress, HouseholdSummary, Instrument, Scores};
use crate::access::{Action, Category};
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, Validator};
use crate::state::{Ctx, Effect};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewAssessment {
    /// The household member assessed with ZRM 2017; absent for a ZRM-Huishoudens assessment of the household.
    pub person_id: Option<String>,
    pub kind: Option<AssessmentKind>,
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub assessed_on: Option<NaiveDate>,
    /// Domain code → 1..5, or null for a domain left unscored.
    #[schema(value_type = Object)]
    pub scores: Option<BTreeMap<String, serde_json::Value>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Assessment {
    pub id: String,
    pub person_id: Option<String>,
    pub instrument: Instrument,
    pub kind: AssessmentKind,
    pub assessed_on: NaiveDate,
    pub assessor_id: String,
    pub scores: Scores,
    pub created_at: DateTime<Utc>,
}

impl Assessment {
    fn from_row(r: AssessmentRow) -> AppResult<Assessment> {
        Ok(Assessment {
            instrument: if r.instrument == "zrm_2017" { Instrument::Zrm2017 } else { Instrument::ZrmHuishoudens },
            kind: match r.kind.as_str() {
                "start" => AssessmentKind::Start,
                "end" => AssessmentKind::End,
                _ => AssessmentKind::Intermediate,
            },
            scores: serde_json::from_str(&r.scores).map_err(AppError::internal)?,
            id: r.id,
            person_id: r.person_id,
            assessed_on: r.assessed_on,
            assessor_id: r.assessor_id,
            created_at: r.created_at.and_utc(),
        })
    }
}

/// The persons assessed (household assessments concern the household, which the event names already).
fn assessed(shown: &[Assessment]) -> Vec<String> {
    shown.iter().filter_map(|a| a.person_id.clone()).collect()
}

/// Assessments of the case, oldest first.
fn rows(c: &mut DbConn, case_id: &str) -> AppResult<Vec<Assessment>> {
    store::assessments(c, case_id)?.into_iter().map(Assessment::from_row).collect()
}

/// The case's assessments the caller may read, oldest first: 404 out of scope, 403 for the teamleider. Those who
/// see the whole plan read all (also under break-glass); a provider those of the persons (or of the household) a
/// consent covers for ZRM, and 404 when none does.
fn readable(ctx: &Ctx, c: &mut DbConn, case_id: &str) -> AppResult<Vec<Assessment>> {
    let plan = plan_of(ctx, c, case_id)?;
    ctx.state.access.require_plan_read(&plan, Category::Zrm, &ctx.audit)?;
    Ok(rows(c, &plan.case.id)?.into_iter().filter(|a| plan.shows(a.person_id.as_deref(), Category::Zrm)).collect())
}

/// Records an assessment: those who work in the case (the whole plan as an involved professional). The case's scope is decided before the fields are judged, so a refusal names the case like
/// a success does, and out of scope the answer is 404 whatever the fields hold.
pub async fn record(ctx: &Ctx, case_id: String, input: NewAssessment) -> AppResult<Assessment> {
    decide(ctx, Action::Update, &case_id)?;
    let ctx2 = ctx.clone();
    ctx.write(Effect::Created, move |c| {
        let ctx = &ctx2;
        let plan = plan_of(ctx, c, &case_id)?;
        ctx.state.access.require_case_work(&plan, &ctx.audit)?;
        let case = &plan.case;
        let instrument = if input.person_id.is_some() { Instrument::Zrm2017 } else { Instrument::ZrmHuishoudens };
        let mut v = Validator::new();
        if let Some(person) = &input.person_id {
            let member = store::is_member(c, &case.household_id, person)?;
            v.check(member, "personId", "must be a member of the household");
        }
        v.required(&input.kind, "kind");
        if let Some(d) = v.required(&input.assessed_on, "assessedOn") {
            v.check(*d <= now().date(), "assessedOn", "must not be in the future");
        }
        let scores = match v.required(&input.scores, "scores") {
            Some(raw) => zrm::validate_scores(instrument, raw, &mut v),
            None => Scores::new(),
        };
        v.finish()?;
        if let Some(person) = &input.person_id {
            ctx.audit.person(person);
        }
        let id = new_id();
        store::insert_assessment(
            c,
            &AssessmentRow {
                id: id.clone(),
                case_id: case.id.clone(),
                person_id: input.person_id.clone(),
                instrument: instrument.as_str().to_string(),
                kind: input.kind.map(AssessmentKind::as_str).unwrap_or("start").to_string(),
                assessed_on: input.assessed_on.unwrap_or_default(),
                assessor_id: ctx.principal.user_id.clone(),
                scores: serde_json::to_string(&scores).map_err(AppError::internal)?,
                created_at: now(),
            },
        )?;
        rows(c, &case.id)?.into_iter().find(|a| a.id == id).ok_or(AppError::NotFound)
    })
    .await
}

pub async fn list(ctx: &Ctx, case_id: String) -> AppResult<Vec<Assessment>> {
    decide(ctx, Action::Read, &case_id)?;
    let ctx2 = ctx.clone();
    ctx.read(move |c| {
        let ctx = &ctx2;
        let shown = readable(ctx, c, &case_id)?;
        ctx.audit.persons(assessed(&shown));
        Ok(shown)
    })
    .await
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub person_id: Option<String>,
    pub instrument: Instrument,
    pub from: Assessment,
    pub to: Assessment,
    pub domains: Vec<DomainProgress>,
}

/// Change per domain between two assessments of the same person (or both of the household).
pub async fn progress(ctx: &Ctx, case_id: String, from: String, to: String) -> AppResult<Progress> {
    decide(ctx, Action::Read, &case_id)?;
    let ctx2 = ctx.clone();
    ctx.read(move |c| {
        let ctx = &ctx2;
        let all = readable(ctx, c, &case_id)?;
        let a = all.iter().find(|x| x.id == from).cloned().ok_or(AppError::NotFound)?;
        let b = all.iter().find(|x| x.id == to).cloned().ok_or(AppError::NotFound)?;
        if a.person_id != b.person_id {
            return Err(AppError::field("to", "must assess the same person (or the household) as from"));
        }
        ctx.audit.persons(a.person_id.clone());
        Ok(Progress {
            person_id: a.person_id.clone(),
            instrument: a.instrument,
            domains: zrm::progress(a.instrument, &a.scores, &b.scores),
            from: a,
            to: b,
        })
    })
    .await
}

/// Domains at 1 or 2 on each member's latest assessment, and on the household's.
pub async fn summary(ctx: &Ctx, case_id: String) -> AppResult<HouseholdSummary> {
    decide(ctx, Action::Read, &case_id)?;
    let ctx2 = ctx.clone();
    ctx.read(move |c| {
        let ctx = &ctx2;
        let plan = plan_of(ctx, c, &case_id)?;
        ctx.state.access.require_plan_read(&plan, Category::Zrm, &ctx.audit)?;
        let all: Vec<Assessment> =
            rows(c, &plan.case.id)?.into_iter().filter(|a| plan.shows(a.person_id.as_deref(), Category::Zrm)).collect();
        ctx.audit.persons(assessed(&all));
        // The goals of the current plan, as far as the caller sees them.
        let goals = match store::with_status(c, &plan.case.id, "agreed")? {
            Some(row) => {
                let content = serde_json::from_str(&row.content).map_err(AppError::internal)?;
                super::service::project(ctx, &plan, content).goals
            }
            None => Vec::new(),
        };
        // Oldest first: the last one written per subject is the latest.
        let mut latest: BTreeMap<Option<String>, Scores> = BTreeMap::new();
        for a in all {
            latest.insert(a.person_id, a.scores);
        }
        let household = latest.remove(&None);
        let members: Vec<(String, Scores)> = latest.into_iter().filter_map(|(p, s)| p.map(|p| (p, s))).collect();
        let mut summary = zrm::summary(&members, household.as_ref());
        summary.low_domains_without_goal = zrm::low_domains_without_goal(&members, household.as_ref(), &goals);
        Ok(summary)
    })
    .await
}
