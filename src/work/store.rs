//! Diesel queries of Mijn werk: what is due in a set of cases (already decided to be in scope by the service).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{
    consents, evaluations, household_members, households, persons, plan_action_progress as pap, plan_versions as pv,
    regisseur_assignments as ra, users, zrm_assessments as za,
};
use crate::db::DbConn;

/// Of `case_ids`, those the user directs now.
pub fn directed(conn: &mut DbConn, user_id: &str, case_ids: &[String]) -> QueryResult<Vec<String>> {
    ra::table
        .filter(ra::case_id.eq_any(case_ids))
        .filter(ra::user_id.eq(user_id))
        .filter(ra::status.eq("active"))
        .select(ra::case_id)
        .load(conn)
}

/// Households: id → (wijk, postcode, house number, addition).
pub type HouseholdRow = (String, String, String, i32, Option<String>);

pub fn households(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<HouseholdRow>> {
    households::table
        .filter(households::id.eq_any(ids))
        .select((
            households::id,
            households::wijk,
            households::postcode,
            households::house_number,
            households::house_number_addition,
        ))
        .load(conn)
}

/// Who lives in these households on `day`: household, person id, name, birth date.
pub fn members_on(
    conn: &mut DbConn,
    household_ids: &[String],
    day: NaiveDate,
) -> QueryResult<Vec<(String, String, String, NaiveDate)>> {
    household_members::table
        .inner_join(persons::table)
        .filter(household_members::household_id.eq_any(household_ids))
        .filter(household_members::from_date.le(day))
        .filter(household_members::until_date.is_null().or(household_members::until_date.gt(day)))
        .select((household_members::household_id, persons::id, persons::name, persons::birth_date))
        .load(conn)
}

/// The agreed plan version of each case: case, content (JSON).
pub fn agreed_plans(conn: &mut DbConn, case_ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    pv::table
        .filter(pv::case_id.eq_any(case_ids))
        .filter(pv::status.eq("agreed"))
        .select((pv::case_id, pv::content))
        .load(conn)
}

/// Action progress: case, action, status.
pub fn progress(conn: &mut DbConn, case_ids: &[String]) -> QueryResult<Vec<(String, String, String)>> {
    pap::table.filter(pap::case_id.eq_any(case_ids)).select((pap::case_id, pap::action_id, pap::status)).load(conn)
}

/// Evaluations: case, held on, the next date it set.
pub fn evaluations(conn: &mut DbConn, case_ids: &[String]) -> QueryResult<Vec<(String, NaiveDate, Option<NaiveDate>)>> {
    evaluations::table
        .filter(evaluations::case_id.eq_any(case_ids))
        .select((evaluations::case_id, evaluations::held_on, evaluations::next_evaluation_date))
        .load(conn)
}

/// ZRM assessments: case, person (None: the household), kind, assessed on.
pub type AssessmentRow = (String, Option<String>, String, NaiveDate);

pub fn assessments(conn: &mut DbConn, case_ids: &[String]) -> QueryResult<Vec<AssessmentRow>> {
    za::table
        .filter(za::case_id.eq_any(case_ids))
        .order((za::assessed_on.asc(), za::created_at.asc()))
        .select((za::case_id, za::person_id, za::kind, za::assessed_on))
        .load(conn)
}

/// A consent as Mijn werk needs it: id, case, person, valid from, valid until, withdrawn.
pub type ConsentRow = (String, String, String, NaiveDate, NaiveDate, Option<NaiveDateTime>);

/// Consents of these cases that end from `from` up to `until` (inclusive) and are not withdrawn.
pub fn consents_ending(
    conn: &mut DbConn,
    case_ids: &[String],
    from: NaiveDate,
    until: NaiveDate,
) -> QueryResult<Vec<ConsentRow>> {
    consents::table
        .filter(consents::case_id.eq_any(case_ids))
        .filter(consents::withdrawn_at.is_null())
        .filter(consents::valid_until.ge(from))
        .filter(consents::valid_until.le(until))
        .order((consents::valid_until.asc(), consents::id.asc()))
        .select((
            consents::id,
            consents::case_id,
            consents::person_id,
            consents::valid_from,
            consents::valid_until,
            consents::withdrawn_at,
        ))
        .load(conn)
}

/// Names of persons: id → name.
pub fn person_names(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    persons::table.filter(persons::id.eq_any(ids)).select((persons::id, persons::name)).load(conn)
}

/// A proposal: id, case, proposer's name, proposed at, the family's choice.
pub type ProposalRow = (String, String, String, NaiveDateTime, bool);

/// Regisseur proposals addressed to the user that wait for an answer: id, case, proposer's name, proposed at,
/// the family's choice.
pub fn open_proposals(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<ProposalRow>> {
    ra::table
        .inner_join(users::table.on(users::id.eq(ra::proposed_by)))
        .filter(ra::user_id.eq(user_id))
        .filter(ra::status.eq("proposed"))
        .order((ra::proposed_at.asc(), ra::id.asc()))
        .select((ra::id, ra::case_id, users::display_name, ra::proposed_at, ra::family_choice))
        .load(conn)
}

/// Team names: id → name.
pub fn team_names(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    use crate::db::schema::teams;
    teams::table.filter(teams::id.eq_any(ids)).order(teams::name.asc()).select((teams::id, teams::name)).load(conn)
}

/// Person, household, household team, open case.
pub type HomeRow = (String, String, String, Option<String>);

/// For each person, the households they live in on `day` and each household's open case (if any):
/// person, household, household team, open case.
pub fn homes_of(conn: &mut DbConn, person_ids: &[String], day: NaiveDate) -> QueryResult<Vec<HomeRow>> {
    use crate::db::schema::cases;
    let homes: Vec<(String, String, String)> = household_members::table
        .inner_join(households::table)
        .filter(household_members::person_id.eq_any(person_ids))
        .filter(household_members::from_date.le(day))
        .filter(household_members::until_date.is_null().or(household_members::until_date.gt(day)))
        .select((household_members::person_id, households::id, households::team_id))
        .load(conn)?;
    let ids: Vec<String> = homes.iter().map(|h| h.1.clone()).collect();
    let open: Vec<(String, String)> = cases::table
        .filter(cases::household_id.eq_any(&ids))
        .filter(cases::state.ne("closed"))
        .select((cases::household_id, cases::id))
        .load(conn)?;
    Ok(homes
        .into_iter()
        .map(|(p, h, t)| {
            let case = open.iter().find(|(hh, _)| *hh == h).map(|(_, c)| c.clone());
            (p, h, t, case)
        })
        .collect())
}

/// The open cases the user is involved in now, in any kind of involvement (regisseur, team member, provider), in
/// id order: the candidates of "Mijn acties", each decided by the plan's own rule in the service.
pub fn involved_open_cases(
    conn: &mut DbConn,
    user_id: &str,
    at: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<String>> {
    use crate::db::schema::{cases, involvements};
    involvements::table
        .inner_join(cases::table)
        .filter(involvements::user_id.eq(user_id))
        .filter(crate::db::involvement_active(at))
        .filter(cases::state.ne("closed"))
        .select(involvements::case_id)
        .distinct()
        .order(involvements::case_id.asc())
        .limit(limit)
        .load(conn)
}
