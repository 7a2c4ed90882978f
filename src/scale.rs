//! `eenplan demo-scale`: bulk synthetic households and cases on top of the demo, for measuring how reads behave
//! at municipal size (docs/benchmarks.md). No persons: the case endpoints measured do not read them.

use chrono::Duration;
use diesel::prelude::*;

use crate::access::Role;
use crate::audit::EventData;
use crate::db::schema::{case_state_history, cases, households, involvements, regisseur_assignments as ra, users};
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult};
use crate::identity::model::RoleGrant;
use crate::identity::store::{self, NewUser};
use crate::state::AppState;

/// Cases per generated professional: a full wijkteam caseload.
const CASES_PER_PROFESSIONAL: usize = 60;
/// The demo wijkteam member is involved in one generated case in this many.
const DEMO_MEMBER_EVERY: usize = 2_000;
const BATCH: usize = 500;

#[derive(Debug)]
pub struct ScaleSummary {
    pub households: usize,
    pub professionals: usize,
    pub demo_member_cases: usize,
}

const STATES: [&str; 6] = ["registered", "intake", "planning", "active", "evaluating", "active"];

/// Adds `count` households, each with a case directed by one generated professional and involving another.
/// Needs the demo (`eenplan demo` seeds it): the demo wijkteam member is involved in one case in 2,000.
pub fn generate(state: &AppState, count: usize) -> AppResult<ScaleSummary> {
    let mut conn = state.pool.get()?;
    let c: &mut DbConn = &mut conn;
    let demo_member: (String, String) = users::table
        .filter(users::email.eq(format!("wijkteam@{}", crate::demo::DEMO_DOMAIN)))
        .select((users::id, users::organisation_id))
        .first(c)
        .optional()?
        .ok_or_else(|| AppError::Conflict("run `eenplan demo` first: the demo accounts are missing".into()))?;
    let teams: Vec<String> = crate::db::schema::teams::table
        .filter(crate::db::schema::teams::kind.eq("wijk"))
        .order(crate::db::schema::teams::name.asc())
        .select(crate::db::schema::teams::id)
        .load(c)?;
    if teams.is_empty() {
        return Err(AppError::Conflict("no wijk teams: run `eenplan demo` first".into()));
    }
    // One unusable password for every generated professional: they exist to be involved, not to log in.
    let hash = state.passwords.hash(&crate::auth::model::random_token());
    let professionals = count.div_ceil(CASES_PER_PROFESSIONAL).max(2);
    let t = now();
    let run = new_id();
    let mut pool = Vec::with_capacity(professionals);
    for i in 0..professionals {
        let id = new_id();
        let team = teams[i % teams.len()].clone();
        store::insert_user(
            c,
            &NewUser {
                id: &id,
                email: &format!("professional{i}.{}@{}", &run[run.len() - 6..], crate::demo::DEMO_DOMAIN),
                display_name: &format!("Professional {i}"),
                organisation_id: &demo_member.1,
                password_hash: &hash,
                totp_secret: None,
            },
            &[RoleGrant { role: Role::Wijkteam, team_id: Some(team.clone()) }],
            t,
        )?;
        pool.push((id, team));
    }
    let mut demo_cases = 0;
    for start in (0..count).step_by(BATCH) {
        let end = (start + BATCH).min(count);
        let mut hh = Vec::new();
        let mut cs = Vec::new();
        let mut hist = Vec::new();
        let mut inv = Vec::new();
        let mut assign = Vec::new();
        for n in start..end {
            // Professionals of one team work the team's households.
            let regisseur = &pool[n % professionals];
            let team = regisseur.1.clone();
            let member = &pool[(n + teams.len()) % professionals];
            let household = new_id();
            let case = new_id();
            let opened = t - Duration::days((n % 700) as i64);
            let closed = n % 8 == 7;
            let state = if closed { "closed" } else { STATES[n % STATES.len()] };
            hh.push((
                households::id.eq(household.clone()),
                households::postcode.eq(format!("{}{}", 2700 + n % 100, ["AA", "BC", "DE", "FG"][n % 4])),
                households::house_number.eq((1 + n % 250) as i32),
                households::institutional_address.eq(false),
                households::wijk.eq(crate::demo::WIJKEN[n % 3]),
                households::team_id.eq(team.clone()),
                households::confidentiality.eq("normal"),
                households::version.eq(1i64),
                households::created_at.eq(opened),
                households::updated_at.eq(opened),
            ));
            cs.push((
                cases::id.eq(case.clone()),
                cases::household_id.eq(household),
                cases::team_id.eq(team),
                cases::state.eq(state),
                cases::laws.eq(if n % 2 == 0 { "Jeugdwet,Wmo" } else { "Participatiewet" }),
                cases::close_reason.eq(closed.then_some("goal_reached")),
                cases::version.eq(1i64),
                cases::created_at.eq(opened),
                cases::updated_at.eq(opened),
                cases::closed_at.eq(closed.then_some(t)),
            ));
            hist.push((
                case_state_history::id.eq(new_id()),
                case_state_history::case_id.eq(case.clone()),
                case_state_history::state.eq(state),
                case_state_history::entered_at.eq(opened),
            ));
            assign.push((
                ra::id.eq(new_id()),
                ra::case_id.eq(case.clone()),
                ra::user_id.eq(regisseur.0.clone()),
                ra::status.eq("active"),
                ra::proposed_by.eq(regisseur.0.clone()),
                ra::family_choice.eq(false),
                ra::proposed_at.eq(opened),
                ra::active_from.eq(Some(opened)),
            ));
            let mut involve = |user: &str, kind: &'static str, role: &'static str| {
                inv.push((
                    involvements::id.eq(new_id()),
                    involvements::case_id.eq(case.clone()),
                    involvements::user_id.eq(user.to_string()),
                    involvements::organisation_id.eq(demo_member.1.clone()),
                    involvements::kind.eq(kind),
                    involvements::role_in_case.eq(role),
                    involvements::valid_from.eq(opened),
                    involvements::created_at.eq(opened),
                ));
            };
            involve(&regisseur.0, "regisseur", "regisseur");
            involve(&member.0, "team_member", "gezinscoach");
            if n % DEMO_MEMBER_EVERY == 0 {
                involve(&demo_member.0, "team_member", "wijkcoach");
                demo_cases += 1;
            }
        }
        state.audit.write_with(c, |c| {
            crate::db_run!(c, |c| {
                diesel::insert_into(households::table).values(&hh).execute(c)?;
                diesel::insert_into(cases::table).values(&cs).execute(c)?;
                diesel::insert_into(case_state_history::table).values(&hist).execute(c)?;
                diesel::insert_into(ra::table).values(&assign).execute(c)?;
                diesel::insert_into(involvements::table).values(&inv).execute(c)
            })?;
            let event = EventData {
                event_id: new_id(),
                occurred_at: now(),
                action: "demo.generate".into(),
                resource_type: "system".into(),
                outcome: "allowed".into(),
                ..Default::default()
            };
            Ok(((), event))
        })?;
    }
    Ok(ScaleSummary { households: count, professionals, demo_member_cases: demo_cases })
}
