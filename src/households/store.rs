//! Diesel queries for persons. The BSN is stored only encrypted, with its keyed hash for lookup.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::bsn::{Bsn, BsnProtector};
use crate::db::schema::{household_members, parent_child, persons};
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = persons)]
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub birth_date: NaiveDate,
    pub bsn_encrypted: Option<Vec<u8>>,
    pub bsn_hash: Option<String>,
    pub deceased_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert_person(
    conn: &mut DbConn,
    protector: &BsnProtector,
    id: &str,
    name: &str,
    birth_date: NaiveDate,
    bsn: Option<&Bsn>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(persons::table)
        .values((
            persons::id.eq(id),
            persons::name.eq(name),
            persons::birth_date.eq(birth_date),
            persons::bsn_encrypted.eq(bsn.map(|b| protector.encrypt(b))),
            persons::bsn_hash.eq(bsn.map(|b| protector.lookup_hash(b))),
            persons::version.eq(1i64),
            persons::created_at.eq(now),
            persons::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn person(conn: &mut DbConn, id: &str) -> QueryResult<Option<PersonRow>> {
    persons::table.find(id).select(PersonRow::as_select()).first(conn).optional()
}

/// Finds a person by BSN through the keyed hash; the BSN itself never reaches the query.
pub fn person_by_bsn(conn: &mut DbConn, protector: &BsnProtector, bsn: &Bsn) -> QueryResult<Option<PersonRow>> {
    persons::table
        .filter(persons::bsn_hash.eq(protector.lookup_hash(bsn)))
        .select(PersonRow::as_select())
        .first(conn)
        .optional()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::households)]
pub struct HouseholdRow {
    pub id: String,
    pub postcode: String,
    pub house_number: i32,
    pub house_number_addition: Option<String>,
    pub institutional_address: bool,
    pub wijk: String,
    pub team_id: String,
    pub confidentiality: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl crate::access::households::HouseholdFacts for HouseholdRow {
    fn household_id(&self) -> &str {
        &self.id
    }
    fn team_id(&self) -> &str {
        &self.team_id
    }
}

pub fn insert_household(conn: &mut DbConn, h: &HouseholdRow) -> QueryResult<()> {
    use crate::db::schema::households as t;
    diesel::insert_into(t::table)
        .values((
            t::id.eq(&h.id),
            t::postcode.eq(&h.postcode),
            t::house_number.eq(h.house_number),
            t::house_number_addition.eq(h.house_number_addition.as_deref()),
            t::institutional_address.eq(h.institutional_address),
            t::wijk.eq(&h.wijk),
            t::team_id.eq(&h.team_id),
            t::confidentiality.eq(&h.confidentiality),
            t::version.eq(h.version),
            t::created_at.eq(h.created_at),
            t::updated_at.eq(h.updated_at),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn household(conn: &mut DbConn, id: &str) -> QueryResult<Option<HouseholdRow>> {
    use crate::db::schema::households as t;
    t::table.find(id).select(HouseholdRow::as_select()).first(conn).optional()
}

/// Bumps a household's version: its composition changed.
pub fn touch_household(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<()> {
    use crate::db::schema::households as t;
    diesel::update(t::table.find(id)).set((t::version.eq(t::version + 1), t::updated_at.eq(now))).execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = household_members)]
pub struct MemberRow {
    pub id: String,
    pub household_id: String,
    pub person_id: String,
    pub relation: String,
    pub custody: bool,
    pub from_date: NaiveDate,
    pub until_date: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

pub fn insert_member(conn: &mut DbConn, m: &MemberRow) -> QueryResult<()> {
    diesel::insert_into(household_members::table)
        .values((
            household_members::id.eq(&m.id),
            household_members::household_id.eq(&m.household_id),
            household_members::person_id.eq(&m.person_id),
            household_members::relation.eq(&m.relation),
            household_members::custody.eq(m.custody),
            household_members::from_date.eq(m.from_date),
            household_members::until_date.eq(m.until_date),
            household_members::created_at.eq(m.created_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Ends an open membership; false when it was not open.
pub fn end_member(conn: &mut DbConn, id: &str, until: NaiveDate) -> QueryResult<bool> {
    diesel::update(household_members::table.find(id).filter(household_members::until_date.is_null()))
        .set(household_members::until_date.eq(until))
        .execute(conn)
        .map(|n| n == 1)
}

pub fn members_of_household(conn: &mut DbConn, household_id: &str) -> QueryResult<Vec<MemberRow>> {
    household_members::table
        .filter(household_members::household_id.eq(household_id))
        .order((household_members::from_date.asc(), household_members::id.asc()))
        .select(MemberRow::as_select())
        .load(conn)
}

/// Every membership period of a household with its person, in one statement.
pub fn members_with_persons(conn: &mut DbConn, household_id: &str) -> QueryResult<Vec<(MemberRow, PersonRow)>> {
    household_members::table
        .inner_join(persons::table)
        .filter(household_members::household_id.eq(household_id))
        .order((household_members::from_date.asc(), household_members::id.asc()))
        .select((MemberRow::as_select(), PersonRow::as_select()))
        .load(conn)
}

pub fn memberships_of_person(conn: &mut DbConn, person_id: &str) -> QueryResult<Vec<MemberRow>> {
    household_members::table
        .filter(household_members::person_id.eq(person_id))
        .order(household_members::from_date.asc())
        .select(MemberRow::as_select())
        .load(conn)
}

pub fn persons_by_ids(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<PersonRow>> {
    persons::table.filter(persons::id.eq_any(ids)).select(PersonRow::as_select()).load(conn)
}

/// Candidates for a search by name and birth date: same birth date; the name is compared by the caller.
pub fn persons_born_on(conn: &mut DbConn, birth_date: NaiveDate, limit: i64) -> QueryResult<Vec<PersonRow>> {
    persons::table
        .filter(persons::birth_date.eq(birth_date))
        .order(persons::id.asc())
        .limit(limit)
        .select(PersonRow::as_select())
        .load(conn)
}

/// Records a parent link; a unique violation when it is already recorded.
pub fn insert_parent_link(conn: &mut DbConn, parent_id: &str, child_id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(parent_child::table)
        .values((
            parent_child::parent_id.eq(parent_id),
            parent_child::child_id.eq(child_id),
            parent_child::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// (parents, children) of a person, as ids.
pub fn family_links(conn: &mut DbConn, person_id: &str) -> QueryResult<(Vec<String>, Vec<String>)> {
    let parents = parent_child::table
        .filter(parent_child::child_id.eq(person_id))
        .select(parent_child::parent_id)
        .order(parent_child::parent_id.asc())
        .load(conn)?;
    let children = parent_child::table
        .filter(parent_child::parent_id.eq(person_id))
        .select(parent_child::child_id)
        .order(parent_child::child_id.asc())
        .load(conn)?;
    Ok((parents, children))
}
