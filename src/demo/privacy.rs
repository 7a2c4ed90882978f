//! What the privacy officer's workbench should find in the demo (docs/privacy.md): a night of mass access by one
//! user, a search by BSN not followed by any work, and a break-glass use not judged in time. Written as audit
//! events of past days through the audit writer (and the break-glass use's row), so the daily scan — or a scan of
//! the period from Meldingen — finds them as it would in real use.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::audit::model::{Basis, EventData};
use crate::calendar::{local, start_of_day, WorkCalendar};
use crate::db::schema::{break_glass, cases, household_members, households};
use crate::db::{new_id, now, DbConn};
use crate::error::AppResult;
use crate::state::AppState;

/// Who the plants are about.
pub struct Actors {
    /// Works by day in the first team, then reads a dozen households in one night.
    pub night_owl: (String, String),
    /// Searches by BSN and does nothing with the person found.
    pub searcher: (String, String),
    /// Their own team (the basis of their household reads).
    pub team: String,
    /// The team whose case the unjudged break-glass use opened.
    pub other_team: String,
    pub organisation: String,
}

fn at(day: NaiveDate, hour: i64, minute: i64) -> NaiveDateTime {
    start_of_day(day).naive_utc() + Duration::hours(hour) + Duration::minutes(minute)
}

fn event(user: &(String, String), org: &str, at: NaiveDateTime, action: &str, resource: &str) -> EventData {
    EventData {
        event_id: new_id(),
        occurred_at: at,
        user_id: Some(user.0.clone()),
        user_name: Some(user.1.clone()),
        role: Some("wijkteam".into()),
        organisation_id: Some(org.to_string()),
        action: action.into(),
        resource_type: resource.into(),
        outcome: "allowed".into(),
        ..Default::default()
    }
}

pub fn seed(state: &AppState, conn: &mut DbConn, who: &Actors, cal: &WorkCalendar) -> AppResult<()> {
    let today = local(now().and_utc()).date();
    let homes: Vec<String> = households::table.select(households::id).order(households::id).limit(12).load(conn)?;
    let org = who.organisation.as_str();
    let write = |conn: &mut DbConn, e: EventData| state.audit.write_with(conn, |_| Ok(((), e)));

    // By day, two households on each working day of the week before: the user's own median is 2.
    let night = today - Duration::days(2);
    let mut day = night - Duration::days(9);
    while day < night {
        if cal.is_working_day(day) {
            for (i, h) in homes.iter().take(2).enumerate() {
                let mut e = event(&who.night_owl, org, at(day, 10, i as i64 * 20), "household.read", "household");
                e.household_id = Some(h.clone());
                e.basis = Some(Basis::TeamMember(who.team.clone()));
                write(conn, e)?;
            }
        }
        day += Duration::days(1);
    }
    // Then, from 23:05 on the night, every one of a dozen households: outside office hours, and six times the median.
    for (i, h) in homes.iter().enumerate() {
        let mut e = event(&who.night_owl, org, at(night, 23, 5 + 3 * i as i64), "household.read", "household");
        e.household_id = Some(h.clone());
        e.basis = Some(Basis::TeamMember(who.team.clone()));
        write(conn, e)?;
    }

    // A search by BSN that found someone, and no work on them afterwards.
    let found: Option<String> = household_members::table
        .select(household_members::person_id)
        .order(household_members::person_id.desc())
        .first(conn)
        .optional()?;
    if let Some(person) = found {
        let mut e = event(&who.searcher, org, at(night, 14, 10), "person.search", "person");
        e.person_ids = vec![person];
        write(conn, e)?;
    }

    // Break-glass on another team's case, seven working days ago, and not judged since.
    let case: Option<String> = cases::table
        .filter(cases::team_id.eq(&who.other_team))
        .select(cases::id)
        .order(cases::id)
        .first(conn)
        .optional()?;
    if let Some(case) = case {
        let mut started_on = today;
        for _ in 0..7 {
            started_on = started_on.pred_opt().unwrap_or(started_on);
            while !cal.is_working_day(started_on) {
                started_on = started_on.pred_opt().unwrap_or(started_on);
            }
        }
        let started = at(started_on, 9, 30);
        let id = new_id();
        let mut opened = event(&who.night_owl, org, started, "break_glass.create", "break_glass");
        opened.resource_id = Some(id.clone());
        opened.case_id = Some(case.clone());
        opened.basis = Some(Basis::BreakGlass(id.clone()));
        opened.flagged = true;
        let row = (
            break_glass::id.eq(id.clone()),
            break_glass::user_id.eq(who.night_owl.0.clone()),
            break_glass::case_id.eq(case.clone()),
            break_glass::reason.eq("acute_danger_child"),
            break_glass::justification.eq("Melding van de politie: het kind is 's nachts alleen thuis aangetroffen."),
            break_glass::started_at.eq(started),
            break_glass::expires_at.eq(started + Duration::hours(4)),
        );
        state.audit.write_with(conn, |c| {
            diesel::insert_into(break_glass::table).values(row).execute(c)?;
            Ok(((), opened))
        })?;
        let mut read = event(&who.night_owl, org, started + Duration::minutes(2), "case.read", "case");
        read.case_id = Some(case);
        read.basis = Some(Basis::BreakGlass(id));
        read.flagged = true;
        write(conn, read)?;
    }
    Ok(())
}
