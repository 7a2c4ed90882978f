//! `eenplan demo-scale --audit-events N`: a year of generated access-log events on top of the demo, for the privacy
//! officer's benchmarks (docs/benchmarks.md): `person_events` of them name one demo person (the one the overview is
//! measured for), the rest name generated persons and households. They form one chain of their own, linked as the
//! writer links (`audit verify` passes), and fill the person index as the writer does (`audit::store::insert_batch`).

use chrono::Duration;
use diesel::prelude::*;

use crate::audit::model::{ChainHead, EventData};
use crate::db::schema::{persons, users};
use crate::db::{new_id, now, write_tx, DbConn};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Debug)]
pub struct AuditScaleSummary {
    pub events: usize,
    /// The demo person the `person_events` name.
    pub person_id: String,
    pub person_events: usize,
}

/// Events per transaction.
const BATCH: usize = 5_000;
/// Generated persons and households the other events name.
const PEOPLE: usize = 200_000;

const ACTIONS: [(&str, &str); 5] = [
    ("case.read", "case"),
    ("household.read", "household"),
    ("plan.read", "plan"),
    ("case.list", "case"),
    ("person.read", "person"),
];

/// A generated id of eenplan's form, the same for the same number.
fn synthetic_id(kind: u32, n: usize) -> String {
    format!("{kind:08x}-0000-7000-8000-{n:012x}")
}

pub fn generate(state: &AppState, events: usize, person_events: usize) -> AppResult<AuditScaleSummary> {
    let mut conn = state.pool.get()?;
    let c = &mut *conn;
    let person: String = persons::table
        .select(persons::id)
        .order(persons::id)
        .first(c)
        .optional()?
        .ok_or_else(|| AppError::internal("no demo person: run eenplan demo first"))?;
    let staff: Vec<(String, String, String)> = users::table
        .filter(users::deactivated_at.is_null())
        .select((users::id, users::display_name, users::organisation_id))
        .order(users::id)
        .load(c)?;
    if staff.is_empty() {
        return Err(AppError::internal("no users: run eenplan demo first"));
    }
    let every = events.checked_div(person_events).map_or(usize::MAX, |n| n.max(1));
    let start = now() - Duration::days(365);
    let step = Duration::days(365).num_milliseconds() as f64 / events.max(1) as f64;
    let mut head = ChainHead::new(new_id());
    let mut named = 0;
    let mut i = 0;
    while i < events {
        let n = BATCH.min(events - i);
        let mut batch = Vec::with_capacity(n);
        for k in i..i + n {
            let (user, name, org) = &staff[k % staff.len()];
            let (action, resource) = ACTIONS[k % ACTIONS.len()];
            let mine = k % every == 0 && named < person_events;
            let other = synthetic_id(1, (k * 7919) % PEOPLE);
            let household = synthetic_id(2, (k * 104_729) % PEOPLE);
            let persons = if mine { vec![person.clone(), other] } else { vec![other] };
            named += mine as usize;
            batch.push(EventData {
                event_id: new_id(),
                occurred_at: start + Duration::milliseconds((k as f64 * step) as i64),
                user_id: Some(user.clone()),
                user_name: Some(name.clone()),
                role: Some("wijkteam".into()),
                organisation_id: Some(org.clone()),
                action: action.into(),
                resource_type: resource.into(),
                household_id: Some(household),
                person_ids: persons,
                outcome: "allowed".into(),
                ..Default::default()
            });
        }
        let (links, next) = head.link(&batch);
        let rows: Vec<_> = batch.iter().zip(links.iter()).collect();
        write_tx(c, |c: &mut DbConn| crate::audit::store::insert_batch(c, &rows))?;
        head = next;
        i += n;
    }
    // The visibility map too: the overview's person range is an index-only scan from the first request on.
    crate::scale::analyse_after_load(c)?;
    Ok(AuditScaleSummary { events, person_id: person, person_events: named })
}
