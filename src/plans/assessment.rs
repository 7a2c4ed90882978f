//! ZRM assessments of a case: record, list, progress between two, household summary. Those who see the whole
//! plan (involved wijkteam members and the regisseur) record and read them.

use std::collections::BTreeMap;

use actix_web::web;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::zrm::{self, AssessmentKind, DomainProgress, HouseholdSummary, Instrument, Scores};
use crate::access::scope::PlanView;
use crate::access::Principal;
use crate::access::{forbidden, Action, Resource};
use crate::audit::AuditRecord;
use crate::cases::store::CaseRow;
use crate::consent::model::Category;
use crate::consent::service::Coverage;
use crate::db::schema::{household_members, zrm_assessments as za};
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, Validator};
use crate::state::{db, write, AppState};

type State = web::Data<AppState>;

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

#[derive(Queryable, Selectable)]
#[diesel(table_name = za)]
struct Row {
    id: String,
    person_id: Option<String>,
    instrument: String,
    kind: String,
    assessed_on: NaiveDate,
    assessor_id: String,
    scores: String,
    created_at: chrono::NaiveDateTime,
}

impl Row {
    fn into_view(self) -> AppResult<Assessment> {
        Ok(Assessment {
            instrument: if self.instrument == "zrm_2017" { Instrument::Zrm2017 } else { Instrument::ZrmHuishoudens },
            kind: match self.kind.as_str() {
                "start" => AssessmentKind::Start,
                "end" => AssessmentKind::End,
                _ => AssessmentKind::Intermediate,
            },
            scores: serde_json::from_str(&self.scores).map_err(AppError::internal)?,
            id: self.id,
            person_id: self.person_id,
            assessed_on: self.assessed_on,
            assessor_id: self.assessor_id,
            created_at: self.created_at.and_utc(),
        })
    }
}

/// For a provider, only the assessments of persons (or of the household) a consent covers for ZRM.
fn visible(all: Vec<Assessment>, coverage: Option<&Coverage>) -> Vec<Assessment> {
    match coverage {
        None => all,
        Some(cov) => all
            .into_iter()
            .filter(|a| match &a.person_id {
                Some(person) => cov.of(person, Category::Zrm).is_some(),
                None => cov.any(Category::Zrm).is_some(),
            })
            .collect(),
    }
}

/// The persons assessed (household assessments concern the household, which the event names already).
fn assessed(shown: &[Assessment]) -> Vec<String> {
    shown.iter().filter_map(|a| a.person_id.clone()).collect()
}

/// Assessments of the case, oldest first.
fn rows(c: &mut DbConn, case_id: &str) -> AppResult<Vec<Assessment>> {
    za::table
        .filter(za::case_id.eq(case_id))
        .order((za::assessed_on.asc(), za::created_at.asc()))
        .select(Row::as_select())
        .load(c)?
        .into_iter()
        .map(Row::into_view)
        .collect()
}

/// The case, and for a provider the coverage that limits which assessments they read; 404 out of scope, 403
/// otherwise. `write`: recording needs the whole plan as an involved professional; reading is also open under
/// break-glass, and to a provider whose organisation a consent covers for ZRM assessments.
fn scoped(
    st: &AppState,
    c: &mut DbConn,
    p: &Principal,
    case_id: &str,
    audit: &AuditRecord,
    write: bool,
) -> AppResult<(CaseRow, Option<Coverage>)> {
    let plan = crate::cases::service::plan_view(st, c, p, case_id, audit)?;
    if plan.view == PlanView::OwnActions && !write {
        st.access.require_category(&plan, Category::Zrm, audit)?;
        return Ok((plan.case, plan.coverage));
    }
    let allowed = if write { matches!(plan.view, PlanView::Full { .. }) } else { plan.view.reads_all() };
    if !allowed {
        return Err(forbidden(audit));
    }
    Ok((plan.case, None))
}

pub async fn record(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    case_id: String,
    input: NewAssessment,
) -> AppResult<Assessment> {
    state.access.decide(p, Resource::Plan, Action::Update, audit)?;
    audit.resource(&case_id);
    let instrument = if input.person_id.is_some() { Instrument::Zrm2017 } else { Instrument::ZrmHuishoudens };
    let mut v = Validator::new();
    v.required(&input.kind, "kind");
    if let Some(d) = v.required(&input.assessed_on, "assessedOn") {
        v.check(*d <= now().date(), "assessedOn", "must not be in the future");
    }
    let scores = match v.required(&input.scores, "scores") {
        Some(raw) => zrm::validate_scores(instrument, raw, &mut v),
        None => Scores::new(),
    };
    v.finish()?;
    let (st, principal, audit2) = (state.clone(), p.clone(), audit.clone());
    write(state, audit, 201, move |c| {
        let (case, _) = scoped(&st, c, &principal, &case_id, &audit2, true)?;
        if let Some(person) = &input.person_id {
            let member = household_members::table
                .filter(household_members::household_id.eq(&case.household_id))
                .filter(household_members::person_id.eq(person))
                .count()
                .get_result::<i64>(c)?
                > 0;
            if !member {
                return Err(AppError::field("personId", "must be a member of the household"));
            }
            audit2.person(&person.clone());
        }
        let id = new_id();
        diesel::insert_into(za::table)
            .values((
                za::id.eq(&id),
                za::case_id.eq(&case.id),
                za::person_id.eq(input.person_id.as_deref()),
                za::instrument.eq(instrument.as_str()),
                za::kind.eq(input.kind.map(AssessmentKind::as_str).unwrap_or("start")),
                za::assessed_on.eq(input.assessed_on.unwrap_or_default()),
                za::assessor_id.eq(&principal.user_id),
                za::scores.eq(serde_json::to_string(&scores).map_err(AppError::internal)?),
                za::created_at.eq(now()),
            ))
            .execute(c)?;
        rows(c, &case.id)?.into_iter().find(|a| a.id == id).ok_or(AppError::NotFound)
    })
    .await
}

pub async fn list(state: &State, p: &Principal, audit: &AuditRecord, case_id: String) -> AppResult<Vec<Assessment>> {
    state.access.decide(p, Resource::Plan, Action::Read, audit)?;
    audit.resource(&case_id);
    let (st, principal, audit) = (state.clone(), p.clone(), audit.clone());
    db(state, move |c| {
        let (case, coverage) = scoped(&st, c, &principal, &case_id, &audit, false)?;
        let shown = visible(rows(c, &case.id)?, coverage.as_ref());
        audit.persons(assessed(&shown));
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
pub async fn progress(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    case_id: String,
    from: String,
    to: String,
) -> AppResult<Progress> {
    state.access.decide(p, Resource::Plan, Action::Read, audit)?;
    audit.resource(&case_id);
    let (st, principal, audit) = (state.clone(), p.clone(), audit.clone());
    db(state, move |c| {
        let (case, coverage) = scoped(&st, c, &principal, &case_id, &audit, false)?;
        let all = visible(rows(c, &case.id)?, coverage.as_ref());
        let a = all.iter().find(|x| x.id == from).cloned().ok_or(AppError::NotFound)?;
        let b = all.iter().find(|x| x.id == to).cloned().ok_or(AppError::NotFound)?;
        if a.person_id != b.person_id {
            return Err(AppError::field("to", "must assess the same person (or the household) as from"));
        }
        audit.persons(a.person_id.clone());
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
pub async fn summary(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    case_id: String,
) -> AppResult<HouseholdSummary> {
    state.access.decide(p, Resource::Plan, Action::Read, audit)?;
    audit.resource(&case_id);
    let (st, principal, audit) = (state.clone(), p.clone(), audit.clone());
    db(state, move |c| {
        let (case, coverage) = scoped(&st, c, &principal, &case_id, &audit, false)?;
        let all = visible(rows(c, &case.id)?, coverage.as_ref());
        audit.persons(assessed(&all));
        // Oldest first: the last one written per subject is the latest.
        let mut latest: BTreeMap<Option<String>, Scores> = BTreeMap::new();
        for a in all {
            latest.insert(a.person_id, a.scores);
        }
        let household = latest.remove(&None);
        let members: Vec<(String, Scores)> = latest.into_iter().filter_map(|(p, s)| p.map(|p| (p, s))).collect();
        Ok(zrm::summary(&members, household.as_ref()))
    })
    .await
}
