//! Diesel queries for persons. The BSN is stored only encrypted, with its keyed hash for lookup.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::bsn::{Bsn, BsnProtector};
use crate::db::schema::persons;
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
