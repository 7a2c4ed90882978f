//! Household use cases: access, transaction, audit.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use std::collections::HashMap;

use chrono::NaiveDate;

use super::bsn::{Bsn, BsnProtector, RawBsn};
use super::model::{place_membership, Membership, Relation};
use super::store::{self, HouseholdRow, MemberRow, PersonRow};
use crate::access::households::OwningTeams;
use crate::access::scope::HouseholdView;
use crate::access::{Action, Resource};
use crate::audit::AuditRecord;
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, Validator};
use crate::state::{Ctx, Effect};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateHousehold {
    /// Dutch postcode, `1234AB` (a space is allowed).
    pub postcode: Option<String>,
    pub house_number: Option<i32>,
    pub house_number_addition: Option<String>,
    /// Care home, shelter or youth institution: never used for address matches.
    pub institutional_address: Option<bool>,
    pub wijk: Option<String>,
    /// The owning team; the caller must work in it.
    pub team_id: Option<String>,
    /// `normal` (default) or `high`.
    pub confidentiality: Option<String>,
}

/// A household as the caller may see it. The teamleider's summary leaves out the address and the members.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Household {
    pub id: String,
    pub wijk: String,
    pub team_id: String,
    pub confidentiality: String,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// `content`, `registration` (the owning team before a case exists; BSNs masked) or `summary`.
    pub view: &'static str,
    /// Members today.
    pub member_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// The composition today.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<Member>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub postcode: String,
    pub house_number: i32,
    pub house_number_addition: Option<String>,
    /// Care home, shelter or youth institution.
    pub institutional: bool,
}

/// One period of one person in the household. `until` is the first day they no longer belong.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub id: String,
    pub person: Person,
    pub relation: Relation,
    pub custody: bool,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

/// A person as the caller may see them. The BSN is shown in full only to the case's regisseur and involved team
/// members; otherwise all but the last three digits are hidden.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: String,
    pub name: String,
    pub birth_date: NaiveDate,
    pub bsn: Option<String>,
    pub bsn_masked: bool,
    pub deceased_on: Option<NaiveDate>,
}

pub fn person_view(protector: &BsnProtector, row: PersonRow, view: HouseholdView) -> Person {
    let full = view == HouseholdView::Content;
    let bsn = row.bsn_encrypted.as_deref().and_then(|b| protector.decrypt(b));
    Person {
        id: row.id,
        name: row.name,
        birth_date: row.birth_date,
        bsn: bsn.map(|b| if full { b.expose().to_string() } else { b.masked() }),
        bsn_masked: !full,
        deceased_on: row.deceased_on,
    }
}

fn to_membership(m: &MemberRow) -> Membership {
    Membership {
        person_id: m.person_id.clone(),
        household_id: m.household_id.clone(),
        relation: Relation::parse(&m.relation).unwrap_or(Relation::Other),
        custody: m.custody,
        from: m.from_date,
        until: m.until_date,
    }
}

/// Members with their persons, as the view allows; records the persons in the audit event.
fn members_view(
    protector: &BsnProtector,
    c: &mut DbConn,
    rows: Vec<MemberRow>,
    view: HouseholdView,
    audit: &AuditRecord,
) -> AppResult<Vec<Member>> {
    let ids: Vec<String> = rows.iter().map(|m| m.person_id.clone()).collect();
    let persons: HashMap<String, PersonRow> =
        store::persons_by_ids(c, &ids)?.into_iter().map(|p| (p.id.clone(), p)).collect();
    audit.persons(ids.iter().cloned());
    rows.into_iter()
        .map(|m| {
            let person =
                persons.get(&m.person_id).cloned().ok_or_else(|| AppError::internal("member without person"))?;
            Ok(member_of(protector, m, person, view))
        })
        .collect()
}

fn member_of(protector: &BsnProtector, m: MemberRow, person: PersonRow, view: HouseholdView) -> Member {
    Member {
        relation: Relation::parse(&m.relation).unwrap_or(Relation::Other),
        person: person_view(protector, person, view),
        custody: m.custody,
        from: m.from_date,
        until: m.until_date,
        id: m.id,
    }
}

fn project(
    protector: &BsnProtector,
    c: &mut DbConn,
    h: HouseholdRow,
    view: HouseholdView,
    audit: &AuditRecord,
) -> AppResult<Household> {
    let today = now().date();
    let all = store::members_of_household(c, &h.id)?;
    let history: Vec<Membership> = all.iter().map(to_membership).collect();
    let current: Vec<MemberRow> =
        all.iter().zip(&history).filter(|(_, m)| m.covers(today)).map(|(row, _)| row.clone()).collect();
    let (address, members) = match view {
        HouseholdView::Summary => (None, None),
        _ => (
            Some(Address {
                postcode: h.postcode,
                house_number: h.house_number,
                house_number_addition: h.house_number_addition,
                institutional: h.institutional_address,
            }),
            Some(members_view(protector, c, current.clone(), view, audit)?),
        ),
    };
    Ok(Household {
        id: h.id,
        wijk: h.wijk,
        team_id: h.team_id,
        confidentiality: h.confidentiality,
        version: h.version,
        created_at: h.created_at.and_utc(),
        view: match view {
            HouseholdView::Content => "content",
            HouseholdView::Registration => "registration",
            HouseholdView::Summary => "summary",
        },
        member_count: current.len(),
        address,
        members,
    })
}

/// `1234 ab` → `1234AB`; None when it is not a Dutch postcode.
pub fn normalise_postcode(raw: &str) -> Option<String> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    // ASCII first: the byte slices below must fall on character boundaries.
    let ok = s.is_ascii()
        && s.len() == 6
        && s[..4].chars().all(|c| c.is_ascii_digit())
        && !s.starts_with('0')
        && s[4..].chars().all(|c| c.is_ascii_uppercase());
    ok.then_some(s)
}

impl CreateHousehold {
    /// Every error in the input at once (also for a form that checks before it changes anything).
    pub fn validate(&self, teams: &OwningTeams) -> AppResult<()> {
        let mut v = Validator::new();
        if let Some(p) = v.required(&self.postcode, "postcode") {
            v.check(normalise_postcode(p).is_some(), "postcode", "must be a Dutch postcode like 2711AB");
        }
        if let Some(n) = v.required(&self.house_number, "houseNumber") {
            v.check((1..=99_999).contains(n), "houseNumber", "must be between 1 and 99999");
        }
        if let Some(a) = &self.house_number_addition {
            v.check(a.trim().chars().count() <= 10, "houseNumberAddition", "must be at most 10 characters");
        }
        if let Some(w) = v.required(&self.wijk, "wijk") {
            v.check(!w.trim().is_empty() && w.chars().count() <= 100, "wijk", "must be 1 to 100 characters");
        }
        if let Some(t) = v.required(&self.team_id, "teamId") {
            v.check(teams.contains(t), "teamId", "must be a team you work in");
        }
        if let Some(c) = &self.confidentiality {
            v.check(c == "normal" || c == "high", "confidentiality", "must be normal or high");
        }
        v.finish()
    }
}

/// Registers a household for one of the caller's teams.
pub async fn create_household(ctx: &Ctx, input: CreateHousehold) -> AppResult<Household> {
    let teams = ctx.state.access.decide_household_create(&ctx.principal, &ctx.audit)?;
    input.validate(&teams)?;
    let row = new_household_row(input);
    ctx.audit.household(&row.id);
    ctx.audit.resource(&row.id);
    let cx = ctx.clone();
    ctx.write(Effect::Created, move |c| insert_household_in(c, &cx, row)).await
}

/// Stores a new household inside the caller's transaction; the caller sees it as its registering team does.
pub(crate) fn insert_household_in(c: &mut DbConn, cx: &Ctx, row: HouseholdRow) -> AppResult<Household> {
    store::insert_household(c, &row)?;
    project(&cx.state.bsn, c, row, HouseholdView::Registration, &cx.audit)
}

/// The row of a validated new household.
pub(crate) fn new_household_row(input: CreateHousehold) -> HouseholdRow {
    let t = now();
    HouseholdRow {
        id: new_id(),
        postcode: normalise_postcode(input.postcode.as_deref().unwrap_or_default()).unwrap_or_default(),
        house_number: input.house_number.unwrap_or_default(),
        house_number_addition: input.house_number_addition.map(|a| a.trim().to_string()).filter(|a| !a.is_empty()),
        institutional_address: input.institutional_address.unwrap_or(false),
        wijk: input.wijk.unwrap_or_default().trim().to_string(),
        team_id: input.team_id.unwrap_or_default(),
        confidentiality: input.confidentiality.unwrap_or_else(|| "normal".into()),
        version: 1,
        created_at: t,
        updated_at: t,
    }
}

pub async fn get_household(ctx: &Ctx, id: String) -> AppResult<Household> {
    ctx.state.access.decide(&ctx.principal, Resource::Household, Action::Read, &ctx.audit)?;
    ctx.audit.resource(&id);
    let cx = ctx.clone();
    ctx.read(move |c| {
        let h = store::household(c, &id)?;
        let (h, view) = cx.state.access.decide_household_read(c, &cx.principal, h, &cx.audit)?;
        project(&cx.state.bsn, c, h, view, &cx.audit)
    })
    .await
}

/// Every membership period of the household (`on` = None), or the members on one date.
pub async fn members(ctx: &Ctx, id: String, on: Option<NaiveDate>) -> AppResult<Vec<Member>> {
    ctx.state.access.decide(&ctx.principal, Resource::Household, Action::Read, &ctx.audit)?;
    ctx.audit.resource(&id);
    let cx = ctx.clone();
    ctx.read(move |c| members_in(c, &cx, &id, on)).await
}

/// `members` on a connection the caller holds, after the role decision (a page that reads several parts at once).
pub(crate) fn members_in(c: &mut DbConn, cx: &Ctx, id: &str, on: Option<NaiveDate>) -> AppResult<Vec<Member>> {
    let h = store::household(c, id)?;
    let (h, view) = cx.state.access.decide_household_members(c, &cx.principal, h, &cx.audit)?;
    members_as(c, cx, &h.id, on, view)
}

/// The membership periods (all, or those on one date) of a household whose view is decided (by `members`, or by
/// a case page's read: `scope::case_parts`); records the persons in the audit event.
pub(crate) fn members_as(
    c: &mut DbConn,
    cx: &Ctx,
    household_id: &str,
    on: Option<NaiveDate>,
    view: HouseholdView,
) -> AppResult<Vec<Member>> {
    let mut rows = store::members_with_persons(c, household_id)?;
    if let Some(date) = on {
        rows.retain(|(m, _)| to_membership(m).covers(date));
    }
    cx.audit.persons(rows.iter().map(|(m, _)| m.person_id.clone()));
    Ok(rows.into_iter().map(|(m, person)| member_of(&cx.state.bsn, m, person, view)).collect())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPerson {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub birth_date: Option<NaiveDate>,
    /// Nine digits passing the elfproef. Someone without a BSN may be registered without one.
    #[schema(value_type = Option<String>)]
    pub bsn: Option<RawBsn>,
}

/// A member joins: an existing person (`personId`, one the caller may see) or a person given by their details.
/// A person already known by that BSN is the same person: their open membership elsewhere ends on `from`
/// (a move), never a copy.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddMember {
    pub person_id: Option<String>,
    pub person: Option<NewPerson>,
    pub relation: Option<Relation>,
    pub custody: Option<bool>,
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub from: Option<NaiveDate>,
    /// For recording a past period; open-ended when absent.
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub until: Option<NaiveDate>,
}

impl AddMember {
    /// Every error in the input at once (also for a form that checks before it changes anything).
    pub fn validate(&self) -> AppResult<Option<Bsn>> {
        let mut v = Validator::new();
        let mut bsn = None;
        match (&self.person_id, &self.person) {
            (Some(_), Some(_)) => v.add("person", "give either personId or person, not both"),
            (None, None) => v.add("personId", "is required (or give person)"),
            (None, Some(np)) => {
                if let Some(n) = v.required(&np.name, "person.name") {
                    v.check(
                        !n.trim().is_empty() && n.chars().count() <= 200,
                        "person.name",
                        "must be 1 to 200 characters",
                    );
                }
                if let Some(b) = v.required(&np.birth_date, "person.birthDate") {
                    v.check(*b <= now().date(), "person.birthDate", "must not be in the future");
                }
                if let Some(raw) = &np.bsn {
                    match Bsn::parse(&raw.0) {
                        Ok(b) => bsn = Some(b),
                        Err(e) => v.add("person.bsn", e.message()),
                    }
                }
            }
            (Some(_), None) => {}
        }
        v.required(&self.relation, "relation");
        if let (Some(from), Some(until)) = (v.required(&self.from, "from"), &self.until) {
            v.check(until > from, "until", "must be after from");
        }
        v.finish()?;
        Ok(bsn)
    }
}

pub async fn add_member(ctx: &Ctx, household_id: String, input: AddMember) -> AppResult<Member> {
    ctx.state.access.decide(&ctx.principal, Resource::Household, Action::Update, &ctx.audit)?;
    ctx.audit.resource(&household_id);
    let bsn = input.validate()?;
    let cx = ctx.clone();
    ctx.write(Effect::Created, move |c| add_member_in(c, &cx, &household_id, input, bsn)).await
}

/// Adds a validated member inside the caller's transaction (also for a registration with its members).
pub(crate) fn add_member_in(
    c: &mut DbConn,
    cx: &Ctx,
    household_id: &str,
    input: AddMember,
    bsn: Option<Bsn>,
) -> AppResult<Member> {
    let (access, principal, audit) = (&cx.state.access, &cx.principal, &cx.audit);
    let h = store::household(c, household_id)?;
    let (h, view) = access.decide_household_change(c, principal, h, audit)?;
    let t = now();
    let person_id = match (&input.person_id, input.person) {
        (Some(id), _) => {
            if !access.knows_person(c, principal, id)? {
                return Err(AppError::field("personId", "is not a person known to you"));
            }
            id.clone()
        }
        (None, Some(np)) => {
            let birth_date = np.birth_date.unwrap_or_default();
            let known = match &bsn {
                Some(b) => store::person_by_bsn(c, &cx.state.bsn, b)?,
                None => None,
            };
            if let Some(existing) = &known {
                access.decide_link_known_person(c, principal, &existing.id, audit)?;
            }
            match known {
                Some(existing) if existing.birth_date != birth_date => {
                    return Err(AppError::field(
                        "person.birthDate",
                        "does not match the person registered with this BSN",
                    ))
                }
                Some(existing) => existing.id,
                None => {
                    let id = new_id();
                    let name = np.name.unwrap_or_default();
                    store::insert_person(c, &cx.state.bsn, &id, name.trim(), birth_date, bsn.as_ref(), t)?;
                    id
                }
            }
        }
        (None, None) => unreachable!("validated"),
    };
    let new = Membership {
        person_id: person_id.clone(),
        household_id: h.id.clone(),
        relation: input.relation.unwrap_or(Relation::Other),
        custody: input.custody.unwrap_or(false),
        from: input.from.unwrap_or_default(),
        until: input.until,
    };
    let existing_rows = store::memberships_of_person(c, &person_id)?;
    let existing: Vec<Membership> = existing_rows.iter().map(to_membership).collect();
    match place_membership(&existing, &new) {
        Err(i) => {
            let msg = if existing[i].household_id == h.id {
                "This person is already a member of this household in that period"
            } else {
                "This person belongs to another household in that period"
            };
            return Err(AppError::Conflict(msg.into()));
        }
        Ok(Some(i)) => {
            let old = &existing_rows[i];
            let from = store::household(c, &old.household_id)?
                .ok_or_else(|| AppError::internal("membership without household"))?;
            access.decide_move_out(c, principal, &from, audit)?;
            store::end_member(c, &old.id, new.from)?;
            store::touch_household(c, &old.household_id, t)?;
        }
        Ok(None) => {}
    }
    let row = MemberRow {
        id: new_id(),
        household_id: h.id.clone(),
        person_id,
        relation: new.relation.as_str().into(),
        custody: new.custody,
        from_date: new.from,
        until_date: new.until,
        created_at: t,
    };
    store::insert_member(c, &row)?;
    store::touch_household(c, &h.id, t)?;
    // Someone who just registered a person sees them as their view of this household allows.
    Ok(members_view(&cx.state.bsn, c, vec![row], view, audit)?.remove(0))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EndMember {
    /// The first day the person no longer belongs to the household.
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub until: Option<NaiveDate>,
}

pub async fn end_member(ctx: &Ctx, household_id: String, member_id: String, input: EndMember) -> AppResult<Member> {
    ctx.state.access.decide(&ctx.principal, Resource::Household, Action::Update, &ctx.audit)?;
    ctx.audit.resource(&member_id);
    let mut v = Validator::new();
    v.required(&input.until, "until");
    v.finish()?;
    let until = input.until.unwrap_or_default();
    let cx = ctx.clone();
    ctx.write(Effect::Changed, move |c| {
        let h = store::household(c, &household_id)?;
        let (h, view) = cx.state.access.decide_household_change(c, &cx.principal, h, &cx.audit)?;
        let member =
            store::members_of_household(c, &h.id)?.into_iter().find(|m| m.id == member_id).ok_or(AppError::NotFound)?;
        if member.until_date.is_some() {
            return Err(AppError::Conflict("This membership has already ended".into()));
        }
        if until <= member.from_date {
            return Err(AppError::field("until", "must be after the day the membership began"));
        }
        store::end_member(c, &member.id, until)?;
        store::touch_household(c, &h.id, now())?;
        let ended = MemberRow { until_date: Some(until), ..member };
        Ok(members_view(&cx.state.bsn, c, vec![ended], view, &cx.audit)?.remove(0))
    })
    .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn postcodes() {
        assert_eq!(super::normalise_postcode("2711 ab").as_deref(), Some("2711AB"));
        assert_eq!(super::normalise_postcode("0711AB"), None);
        assert_eq!(super::normalise_postcode("27111AB"), None);
        assert_eq!(super::normalise_postcode("2711A1"), None);
    }
}
