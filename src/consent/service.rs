//! Consent use cases: record (with the age rules), read the history, withdraw; and `coverage`, what the access
//! layer asks: which persons' data of a case an organisation may see today, per category, and on what basis.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{age_on, givers_suffice, Basis, Category, GiverCapacity};
use super::store::{self, CaseRow, ConsentRow};
use crate::access::Principal;
use crate::access::{Action, Resource};
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, Validator};
use crate::state::{Ctx, Effect};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Given by the person (or whoever must give it by age).
    Consent,
    /// A legal ground that stands in for consent, such as a child-protection measure.
    Statutory,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Giver {
    pub person_id: String,
    pub capacity: GiverCapacity,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewConsent {
    /// The case in which it is recorded; the person belongs to its household.
    pub case_id: Option<String>,
    pub person_id: Option<String>,
    pub kind: Option<Kind>,
    /// Who gave the consent, and as whom (not for a statutory basis).
    #[serde(default)]
    pub given_by: Vec<Giver>,
    /// Statutory basis only: the legal ground (e.g. "ondertoezichtstelling, art. 1:255 BW").
    pub legal_ground: Option<String>,
    /// Statutory basis only: the organisation that holds it (e.g. the gecertificeerde instelling).
    pub holder_organisation_id: Option<String>,
    pub recipient_organisation_ids: Option<Vec<String>>,
    pub categories: Option<Vec<Category>>,
    pub purpose: Option<String>,
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub valid_from: Option<NaiveDate>,
    /// Required: a consent always ends. The last day it holds.
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    pub id: String,
    pub case_id: String,
    pub person_id: String,
    pub kind: Kind,
    pub given_by: Vec<Giver>,
    pub legal_ground: Option<String>,
    pub holder_organisation_id: Option<String>,
    pub recipient_organisation_ids: Vec<String>,
    pub categories: Vec<Category>,
    pub purpose: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by: Option<String>,
    pub withdrawal_note: Option<String>,
    /// It holds today (in its window, not withdrawn, and the givers suffice for the person's age today).
    pub active: bool,
}

fn to_view(row: ConsentRow, birth: Option<NaiveDate>, custody: &Custodians) -> AppResult<Consent> {
    let basis = to_basis(&row, birth.unwrap_or_default(), custody)?;
    let today = now().date();
    let active = basis.valid_from <= today
        && today <= basis.valid_until
        && !basis.withdrawn
        && (basis.statutory
            || givers_suffice(age_on(basis.person_birth, today), basis.person_gave, basis.custodian_gave).is_ok());
    Ok(Consent {
        kind: if row.kind == "statutory" { Kind::Statutory } else { Kind::Consent },
        given_by: serde_json::from_str(&row.givers).map_err(AppError::internal)?,
        recipient_organisation_ids: serde_json::from_str(&row.recipients).map_err(AppError::internal)?,
        categories: serde_json::from_str(&row.categories).map_err(AppError::internal)?,
        recorded_at: row.recorded_at.and_utc(),
        withdrawn_at: row.withdrawn_at.map(|t| t.and_utc()),
        id: row.id,
        case_id: row.case_id,
        person_id: row.person_id,
        legal_ground: row.legal_ground,
        holder_organisation_id: row.holder_organisation_id,
        purpose: row.purpose,
        valid_from: row.valid_from,
        valid_until: row.valid_until,
        recorded_by: row.recorded_by,
        withdrawn_by: row.withdrawn_by,
        withdrawal_note: row.withdrawal_note,
        active,
    })
}

/// `custody` is read for the day the basis is judged: a giver counts as custodian only while holding custody.
fn to_basis(row: &ConsentRow, birth: NaiveDate, custody: &Custodians) -> AppResult<Basis> {
    let givers: Vec<Giver> = serde_json::from_str(&row.givers).map_err(AppError::internal)?;
    Ok(Basis {
        id: row.id.clone(),
        statutory: row.kind == "statutory",
        person_birth: birth,
        person_gave: givers.iter().any(|g| g.capacity == GiverCapacity::Self_ && g.person_id == row.person_id),
        custodian_gave: givers
            .iter()
            .any(|g| g.capacity == GiverCapacity::Custodian && custody.holds(&g.person_id, &row.person_id)),
        organisations: serde_json::from_str(&row.recipients).map_err(AppError::internal)?,
        categories: serde_json::from_str(&row.categories).map_err(AppError::internal)?,
        valid_from: row.valid_from,
        valid_until: row.valid_until,
        withdrawn: row.withdrawn_at.is_some(),
    })
}

/// Who holds custody of whom on one day, as far as eenplan knows it: a member of the case's household whose
/// membership carries custody, or a recorded parent of the person whose own membership carries custody. A recorded
/// parent link alone is not custody.
pub struct Custodians {
    in_household: HashSet<String>,
    parents_with_custody: HashSet<(String, String)>,
}

impl Custodians {
    pub fn holds(&self, giver: &str, person: &str) -> bool {
        giver != person
            && (self.in_household.contains(giver)
                || self.parents_with_custody.contains(&(giver.to_string(), person.to_string())))
    }
}

/// The custodians of `persons` (members of `household_id`) on `day`.
pub fn custodians(c: &mut DbConn, household_id: &str, persons: &[String], day: NaiveDate) -> AppResult<Custodians> {
    let in_household: HashSet<String> = store::custody_holders_in(c, household_id, day)?.into_iter().collect();
    let links = store::parent_links(c, persons)?;
    let parents: Vec<String> = links.iter().map(|(p, _)| p.clone()).collect();
    let holding: HashSet<String> = if parents.is_empty() {
        HashSet::new()
    } else {
        store::custody_holders_among(c, &parents, day)?.into_iter().collect()
    };
    let parents_with_custody = links.into_iter().filter(|(p, _)| holding.contains(p)).collect();
    Ok(Custodians { in_household, parents_with_custody })
}

pub use crate::access::coverage::Coverage;

/// What the provider professional's organisation may see of a case today, computed here and handed to `access/`
/// with the question; None for anyone not holding the provider role (their access never rests on a consent).
pub fn coverage_for(c: &mut DbConn, p: &Principal, case_id: &str) -> AppResult<Option<Coverage>> {
    if !p.roles().any(|r| r == crate::access::Role::Provider) {
        return Ok(None);
    }
    Ok(Some(coverage(c, case_id, &p.organisation_id)?))
}

pub fn coverage(c: &mut DbConn, case_id: &str, organisation: &str) -> AppResult<Coverage> {
    coverage_with(c, case_id, None, organisation)
}

/// `coverage`, for a caller that holds the case's row (its household).
pub fn coverage_in_household(
    c: &mut DbConn,
    case_id: &str,
    household_id: &str,
    organisation: &str,
) -> AppResult<Coverage> {
    coverage_with(c, case_id, Some(household_id), organisation)
}

fn coverage_with(c: &mut DbConn, case_id: &str, household: Option<&str>, organisation: &str) -> AppResult<Coverage> {
    let rows = store::of_case(c, case_id)?;
    if rows.is_empty() {
        return Ok(Coverage(HashMap::new()));
    }
    let ids: Vec<String> = rows.iter().map(|r| r.person_id.clone()).collect();
    let birth = store::births(c, &ids)?;
    let today = now().date();
    let household = match household {
        Some(h) => h.to_string(),
        None => store::case(c, case_id)?.ok_or(AppError::NotFound)?.household_id,
    };
    let custody = custodians(c, &household, &ids, today)?;
    let mut out: HashMap<String, BTreeMap<Category, String>> = HashMap::new();
    for row in &rows {
        let basis = to_basis(row, birth.get(&row.person_id).copied().unwrap_or_default(), &custody)?;
        for category in Category::ALL {
            if basis.covers(organisation, category, today) {
                out.entry(row.person_id.clone()).or_default().entry(category).or_insert_with(|| basis.id.clone());
            }
        }
    }
    Ok(Coverage(out))
}

/// The case (`None`: there is none) and what the caller's organisation may see of it, for the access question.
fn case_and_coverage(c: &mut DbConn, p: &Principal, case_id: &str) -> AppResult<(Option<CaseRow>, Option<Coverage>)> {
    let case = store::case(c, case_id)?;
    let coverage = match &case {
        Some(row) => coverage_for(c, p, &row.id)?,
        None => None,
    };
    Ok((case, coverage))
}

impl NewConsent {
    fn validate(&self) -> AppResult<()> {
        let mut v = Validator::new();
        v.required(&self.case_id, "caseId");
        v.required(&self.person_id, "personId");
        match v.required(&self.kind, "kind") {
            Some(Kind::Consent) => {
                v.check(!self.given_by.is_empty(), "givenBy", "name who gave the consent");
                v.check(self.legal_ground.is_none(), "legalGround", "is for a statutory basis only");
            }
            Some(Kind::Statutory) => {
                v.check(self.given_by.is_empty(), "givenBy", "a statutory basis is not given by anyone");
                match &self.legal_ground {
                    Some(g) => v.check(
                        !g.trim().is_empty() && g.chars().count() <= 500,
                        "legalGround",
                        "must be 1 to 500 characters",
                    ),
                    None => v.add("legalGround", "is required for a statutory basis"),
                }
                v.required(&self.holder_organisation_id, "holderOrganisationId");
            }
            None => {}
        }
        if let Some(r) = v.required(&self.recipient_organisation_ids, "recipientOrganisationIds") {
            v.check(!r.is_empty(), "recipientOrganisationIds", "name at least one organisation");
        }
        if let Some(cats) = v.required(&self.categories, "categories") {
            v.check(!cats.is_empty(), "categories", "name at least one data category");
        }
        if let Some(p) = v.required(&self.purpose, "purpose") {
            v.check(!p.trim().is_empty() && p.chars().count() <= 1_000, "purpose", "must be 1 to 1000 characters");
        }
        let from = v.required(&self.valid_from, "validFrom").copied();
        if let (Some(from), Some(until)) = (from, v.required(&self.valid_until, "validUntil")) {
            v.check(*until >= from, "validUntil", "must not be before validFrom");
            v.check(*until <= from + chrono::Duration::days(5 * 366), "validUntil", "must be within five years");
        }
        v.finish()
    }
}

/// Records a consent. The case is named and its scope decided before the fields are judged, so a refusal names the
/// case like a success does, and out of scope the answer is 404 whatever the fields hold (never a 422 that would
/// tell a case exists). Only without a case is there nothing to name first.
pub async fn record(ctx: &Ctx, input: NewConsent) -> AppResult<Consent> {
    ctx.state.access.decide(&ctx.principal, Resource::Consent, Action::Create, &ctx.audit)?;
    let Some(case_id) = input.case_id.clone() else {
        // The field errors alone, caseId among them.
        input.validate()?;
        return Err(AppError::field("caseId", "is required"));
    };
    ctx.audit.resource(&case_id);
    let cx = ctx.clone();
    ctx.write(Effect::Created, move |c| {
        let (case, coverage) = case_and_coverage(c, &cx.principal, &case_id)?;
        let case = cx.state.access.decide_consent_change(c, &cx.principal, case, coverage, &cx.audit)?;
        input.validate()?;
        let person_id = input.person_id.clone().unwrap_or_default();
        let mut v = Validator::new();
        let member = store::is_member(c, &case.household_id, &person_id)?;
        v.check(member, "personId", "must be a member of the case's household");
        let birth = store::births(c, std::slice::from_ref(&person_id))?.get(&person_id).copied();
        let custody = custodians(c, &case.household_id, std::slice::from_ref(&person_id), now().date())?;
        let mut valid_givers = Vec::new();
        for (i, g) in input.given_by.iter().enumerate() {
            let ok = match g.capacity {
                GiverCapacity::Self_ => g.person_id == person_id,
                GiverCapacity::Custodian => custody.holds(&g.person_id, &person_id),
            };
            v.check(
                ok,
                &format!("givenBy[{i}]"),
                "must be the person themselves, or a parent or guardian with custody",
            );
            if ok {
                valid_givers.push(g.capacity);
            }
        }
        let recipients = input.recipient_organisation_ids.clone().unwrap_or_default();
        let known = store::known_organisations(c, &recipients)?;
        for (i, r) in recipients.iter().enumerate() {
            v.check(known.contains(r), &format!("recipientOrganisationIds[{i}]"), "is not a known organisation");
        }
        if let Some(h) = &input.holder_organisation_id {
            let exists = store::organisation_exists(c, h)?;
            v.check(exists, "holderOrganisationId", "is not a known organisation");
        }
        let from = input.valid_from.unwrap_or_default();
        if let (Some(birth), Some(Kind::Consent)) = (birth, input.kind) {
            let gave = |cap| valid_givers.contains(&cap);
            if let Err(who) =
                givers_suffice(age_on(birth, from), gave(GiverCapacity::Self_), gave(GiverCapacity::Custodian))
            {
                v.add("givenBy", format!("for the person's age on {from}, {who}"));
            }
        }
        v.finish()?;
        cx.audit.person(&person_id);
        let row = ConsentRow {
            id: new_id(),
            case_id: case.id.clone(),
            person_id,
            kind: if input.kind == Some(Kind::Statutory) { "statutory".into() } else { "consent".into() },
            givers: serde_json::to_string(&input.given_by).map_err(AppError::internal)?,
            legal_ground: input.legal_ground.map(|g| g.trim().to_string()),
            holder_organisation_id: input.holder_organisation_id,
            recipients: serde_json::to_string(&recipients).map_err(AppError::internal)?,
            categories: serde_json::to_string(&input.categories.unwrap_or_default()).map_err(AppError::internal)?,
            purpose: input.purpose.unwrap_or_default().trim().to_string(),
            valid_from: from,
            valid_until: input.valid_until.unwrap_or_default(),
            recorded_by: cx.principal.user_id.clone(),
            recorded_at: now(),
            withdrawn_at: None,
            withdrawn_by: None,
            withdrawal_note: None,
        };
        store::insert(c, &row)?;
        to_view(row, birth, &custody)
    })
    .await
}

/// The consent history of a case: for those involved in it, and for privacy officers (who see no case content).
pub async fn history(ctx: &Ctx, case_id: String) -> AppResult<Vec<Consent>> {
    let decision = ctx.state.access.decide(&ctx.principal, Resource::Consent, Action::List, &ctx.audit)?;
    ctx.audit.resource(&case_id);
    let cx = ctx.clone();
    ctx.read(move |c| {
        let (case, coverage) = case_and_coverage(c, &cx.principal, &case_id)?;
        let case = cx.state.access.decide_consent_history(c, &cx.principal, &decision, case, coverage, &cx.audit)?;
        cx.audit.case(&case.id);
        let rows = store::of_case(c, &case.id)?;
        let ids: Vec<String> = rows.iter().map(|r| r.person_id.clone()).collect();
        let birth = store::births(c, &ids)?;
        let custody = custodians(c, &case.household_id, &ids, now().date())?;
        rows.into_iter()
            .map(|r| {
                let b = birth.get(&r.person_id).copied();
                to_view(r, b, &custody)
            })
            .collect()
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Withdraw {
    /// Who withdrew it and how, in plain words.
    pub note: Option<String>,
}

/// Withdraws a consent: those it let in lose access on their next request.
pub async fn withdraw(ctx: &Ctx, id: String, input: Withdraw) -> AppResult<Consent> {
    ctx.state.access.decide(&ctx.principal, Resource::Consent, Action::Update, &ctx.audit)?;
    ctx.audit.resource(&id);
    if let Some(n) = &input.note {
        if n.chars().count() > 1_000 {
            return Err(AppError::field("note", "must be at most 1000 characters"));
        }
    }
    let cx = ctx.clone();
    ctx.write(Effect::Changed, move |c| {
        // No such consent is, to the caller, a case they cannot see.
        let (case, coverage) = match store::by_id(c, &id)? {
            Some(row) => case_and_coverage(c, &cx.principal, &row.case_id)?,
            None => (None, None),
        };
        let case = cx.state.access.decide_consent_change(c, &cx.principal, case, coverage, &cx.audit)?;
        if !store::withdraw(c, &id, &cx.principal.user_id, input.note.as_deref(), now())? {
            return Err(AppError::Conflict("This consent was already withdrawn".into()));
        }
        let row = store::by_id(c, &id)?.ok_or(AppError::NotFound)?;
        let birth = store::births(c, std::slice::from_ref(&row.person_id))?.get(&row.person_id).copied();
        let custody = custodians(c, &case.household_id, std::slice::from_ref(&row.person_id), now().date())?;
        to_view(row, birth, &custody)
    })
    .await
}
