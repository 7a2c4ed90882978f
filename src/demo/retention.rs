//! What retention should find in the demo (docs/privacy.md): a youth case closed 21 years ago, past the Jeugdwet's
//! 20 years, and six-year-old audit events of a node long gone, past the log's five. The dry run lists both; a run
//! erases the case with its household and prunes the old chain behind a checkpoint, and `eenplan audit verify`
//! still passes.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

use crate::audit::model::{ChainHead, EventData};
use crate::cases::store::{self as cases, CaseRow};
use crate::db::{new_id, DbConn};
use crate::error::AppResult;
use crate::households::store::{insert_household, insert_member, insert_person, HouseholdRow, MemberRow};

fn years_ago(t: NaiveDateTime, years: i32) -> NaiveDateTime {
    let day = NaiveDate::from_ymd_opt(t.year() - years, t.month(), 1).unwrap_or_default();
    day.and_hms_opt(10, 0, 0).unwrap_or_default()
}

/// The old closed case (team `team`, closed 21 years ago under the Jeugdwet) and its household of one.
pub fn seed_case(
    c: &mut DbConn,
    bsn: &crate::households::bsn::BsnProtector,
    (team, wijk): (&str, &str),
    by: &str,
    t: NaiveDateTime,
) -> AppResult<String> {
    let (opened, closed) = (years_ago(t, 22), years_ago(t, 21));
    let household = HouseholdRow {
        id: new_id(),
        postcode: "2799ZZ".into(),
        house_number: 1,
        house_number_addition: None,
        institutional_address: false,
        wijk: wijk.to_string(),
        team_id: team.to_string(),
        confidentiality: "normal".into(),
        version: 1,
        created_at: opened,
        updated_at: closed,
    };
    insert_household(c, &household)?;
    let person = new_id();
    let birth = NaiveDate::from_ymd_opt(t.year() - 37, 5, 14).unwrap_or_default();
    insert_person(c, bsn, &person, "Tim Hendriks", birth, None, opened)?;
    insert_member(
        c,
        &MemberRow {
            id: new_id(),
            household_id: household.id.clone(),
            person_id: person,
            relation: "child".into(),
            custody: false,
            from_date: opened.date(),
            until_date: None,
            created_at: opened,
        },
    )?;
    let case = CaseRow {
        id: new_id(),
        household_id: household.id,
        team_id: team.to_string(),
        state: "closed".into(),
        laws: "Jeugdwet".into(),
        close_reason: Some("goal_reached".into()),
        previous_case_id: None,
        version: 1,
        created_at: opened,
        updated_at: closed,
        closed_at: Some(closed),
    };
    cases::insert_case(c, &case)?;
    cases::insert_state(c, &case.id, "registered", Some(by), opened)?;
    cases::insert_state(c, &case.id, "closed", Some(by), closed)?;
    Ok(case.id)
}

/// Twelve sign-ins of a node that ran six years ago, in a chain of their own.
pub fn seed_old_chain(c: &mut DbConn, t: NaiveDateTime) -> AppResult<()> {
    let head = ChainHead::new(format!("demo-archief/{}", new_id()));
    let start = years_ago(t, 6);
    let events: Vec<EventData> = (0..12)
        .map(|i| EventData {
            event_id: new_id(),
            occurred_at: start + Duration::days(i),
            action: "auth.login".into(),
            resource_type: "session".into(),
            outcome: "allowed".into(),
            http_status: Some(200),
            ..Default::default()
        })
        .collect();
    let (links, _) = head.link(&events);
    let rows: Vec<_> = events.iter().zip(&links).collect();
    crate::audit::store::insert_batch(c, &rows)?;
    Ok(())
}
