//! `eenplan demo-scale`: bulk synthetic data on top of the demo, for benchmarks (docs/benchmarks.md): households
//! with a case each (`generate`; no persons: the case endpoints measured do not read them), or persons, households
//! and active signals with their matches (`generate_signals`). No BSNs: generated persons have none.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::access::Role;
use crate::audit::EventData;
use crate::db::schema::{
    case_state_history, cases, household_members, households, involvements, match_members, matches, parent_child,
    persons, regisseur_assignments as ra, users,
};
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
/// One generated case in this many has been waiting for a plan far beyond six weeks.
pub const STUCK_EVERY: usize = 20;

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
            // Generated cases have a regisseur but no plan: opened within six weeks they are in order, one in
            // `STUCK_EVERY` was opened long ago and is stuck for want of an agreed plan (the escalation benchmark).
            let opened = if n % STUCK_EVERY == 1 {
                t - Duration::days(60 + (n % 640) as i64)
            } else {
                t - Duration::days((n % 40) as i64)
            };
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
    analyse_after_load(c)?;
    Ok(ScaleSummary { households: count, professionals, demo_member_cases: demo_cases })
}

/// PostgreSQL's autovacuum would vacuum and analyse the new rows shortly after a load like this (where it runs at
/// all: it is off on some machines, and a database never analysed plans every join as if it were empty); do it now,
/// so that the planner's statistics are those of a database that has grown to this size and no autovacuum of these
/// tables runs during a measurement right after.
pub(crate) fn analyse_after_load(c: &mut DbConn) -> AppResult<()> {
    crate::db_run!(c,
        sqlite: |_c| (),
        postgres: |pg| {
            diesel::sql_query("VACUUM (ANALYZE)").execute(pg)?;
        },
    );
    Ok(())
}

/// Organisations that signal in generated data: no person has more signals than this.
pub const SIGNAL_ORGANISATIONS: usize = 20;
/// Generated signalling organisations are named with this prefix (the benchmark finds them by it).
pub const SIGNAL_ORGANISATION_PREFIX: &str = "Signaalorganisatie ";
/// Generated persons are named "Persoon <n>" (the benchmark finds the young ones by it).
pub const PERSON_PREFIX: &str = "Persoon ";
/// Households per block, the unit `generate_signals` repeats; young (signalled) persons per block.
const BLOCK: usize = 4;
const YOUNG_PER_BLOCK: usize = 5;

#[derive(Debug)]
pub struct SignalScaleSummary {
    pub households: usize,
    pub institutional: usize,
    pub persons: usize,
    pub young_persons: usize,
    pub organisations: usize,
    pub signals: usize,
    pub matches: usize,
    pub match_members: usize,
}

/// A generated signal: id, organisation (index), created at.
type Sig = (String, usize, NaiveDateTime);
/// A generated membership: household and person (indexes in the block), relation, custody, from, until.
type Membership = (usize, usize, &'static str, bool, NaiveDate, Option<NaiveDate>);

/// The address of generated household `n`: one of its own (postcodes 5000–8999, apart from the demo's and
/// `generate`'s), because signals match on the address and shared ones would add matches the generator does not make.
fn signal_address(n: usize) -> (String, i32) {
    const LETTERS: &[u8; 20] = b"ABCDEGHJKLMNPRTVWXYZ";
    let k = n / 4_000;
    let letters = [LETTERS[k % 20] as char, LETTERS[k / 20 % 20] as char];
    (format!("{}{}{}", 5_000 + n % 4_000, letters[0], letters[1]), 1 + (k / 400) as i32)
}

/// Signals on one person (`a`) and on another (`b`) match when their organisations differ: the signals of both
/// sides that have such a partner.
fn pair_members(a: &[Sig], b: &[Sig]) -> Vec<(String, NaiveDateTime)> {
    let mut out = Vec::new();
    for (x, y) in [(a, b), (b, a)] {
        for (id, org, at) in x {
            if y.iter().any(|(_, o, _)| o != org) {
                out.push((id.clone(), *at));
            }
        }
    }
    out
}

/// Adds `households` households (rounded down to a multiple of four) with two persons each, none with a BSN, in
/// blocks of four households:
/// - 0: a parent and a child;
/// - 1: a parent and two children;
/// - 2: a young adult (18–20) who left household 1 (an ended membership there); one in five of these addresses is
///   institutional (5 % of all households);
/// - 3: a parent and a child whose other parent is the parent of household 0 (half-siblings in two households).
///
/// Twenty generated organisations, each with a signaller, share `signals` active signals evenly over the five young
/// persons of every block (3 or 4 each for 1,000,000 signals on 250,000 households; never two of one organisation on
/// a person). The matches and members are the ones registering those signals would have produced: on the person,
/// on household 1's address (its two children), on household 1's parent (its children and the young adult) and on
/// household 0's parent (the half-siblings). Contact is confirmed in every generated match, so no reminders fall due;
/// the notifications registration would have queued are not generated.
pub fn generate_signals(state: &AppState, households: usize, signals: usize) -> AppResult<SignalScaleSummary> {
    let mut conn = state.pool.get()?;
    let c: &mut DbConn = &mut conn;
    let teams: Vec<String> = crate::db::schema::teams::table
        .filter(crate::db::schema::teams::kind.eq("wijk"))
        .order(crate::db::schema::teams::name.asc())
        .select(crate::db::schema::teams::id)
        .load(c)?;
    if teams.is_empty() {
        return Err(AppError::Conflict("no wijk teams: run `eenplan demo` first".into()));
    }
    let max_age = state.config.signals.max_age;
    if max_age < 21 {
        return Err(AppError::Conflict(
            "the generated young adults are up to 20: needs EENPLAN_SIGNAL_MAX_AGE >= 21".into(),
        ));
    }
    let blocks = households / BLOCK;
    let young = blocks * YOUNG_PER_BLOCK;
    if blocks == 0 || signals > young * SIGNAL_ORGANISATIONS {
        return Err(AppError::Conflict(format!(
            "{signals} signals do not fit on {households} households: at most {} per household, at least 4 households",
            SIGNAL_ORGANISATIONS * YOUNG_PER_BLOCK / BLOCK
        )));
    }
    // Signals of young person y: an even share of all signals (3 or 4 for 1,000,000 on 312,500 young persons).
    let share =
        |y: usize| ((y + 1) as u64 * signals as u64 / young as u64 - y as u64 * signals as u64 / young as u64) as usize;
    let t = now();
    let today = t.date();
    let run = new_id();
    let suffix = &run[run.len() - 6..];

    // The organisations and their signallers, with one unusable password: they exist to have signalled.
    let hash = state.passwords.hash(&crate::auth::model::random_token());
    let mut organisations: Vec<(String, String)> = Vec::with_capacity(SIGNAL_ORGANISATIONS);
    state.audit.write_with(c, |c| {
        for o in 0..SIGNAL_ORGANISATIONS {
            let (org, user) = (new_id(), new_id());
            store::insert_organisation(c, &org, &format!("{SIGNAL_ORGANISATION_PREFIX}{o} {suffix}"), "provider", t)?;
            store::insert_user(
                c,
                &NewUser {
                    id: &user,
                    email: &format!("signaller{o}.{suffix}@{}", crate::demo::DEMO_DOMAIN),
                    display_name: &format!("Signaleerder {o}"),
                    organisation_id: &org,
                    password_hash: &hash,
                    totp_secret: None,
                },
                &[RoleGrant { role: Role::Signaller, team_id: None }],
                t,
            )?;
            organisations.push((org, user));
        }
        Ok(((), generate_event()))
    })?;

    let days = |d: usize| Duration::days(d as i64);
    let blocks_per_batch = BATCH / BLOCK;
    let (mut institutional, mut match_count, mut member_count) = (0, 0, 0);
    for first in (0..blocks).step_by(blocks_per_batch) {
        let (mut hh, mut ps, mut hm, mut pc, mut sg, mut found) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for b in first..(first + blocks_per_batch).min(blocks) {
            let n0 = b * BLOCK;
            let y0 = b * YOUNG_PER_BLOCK;
            let hid: [String; BLOCK] = std::array::from_fn(|_| new_id());
            // Persons: 0 parent (household 0), 1 child, 2 parent (household 1), 3 and 4 children, 5 young adult
            // (household 2), 6 parent (household 3), 7 child of 6 and 0.
            let pid: [String; 8] = std::array::from_fn(|_| new_id());
            let adult = |n: usize| today - days(365 * 28 + n * 97 % (365 * 22));
            let child = |y: usize| today - days(365 + y * 37 % (365 * 16));
            let birth: [NaiveDate; 8] = [
                adult(n0),
                child(y0),
                adult(n0 + 1),
                child(y0 + 1),
                child(y0 + 2),
                today - days(365 * 18 + (y0 + 3) * 53 % (365 * 2)),
                adult(n0 + 3),
                child(y0 + 4),
            ];
            for (k, id) in hid.iter().enumerate() {
                let n = n0 + k;
                let is_institutional = k == 2 && b % 5 == 0;
                institutional += usize::from(is_institutional);
                let (postcode, house_number) = signal_address(n);
                hh.push((
                    households::id.eq(id.clone()),
                    households::postcode.eq(postcode),
                    households::house_number.eq(house_number),
                    households::institutional_address.eq(is_institutional),
                    households::wijk.eq(crate::demo::WIJKEN[n % 3]),
                    households::team_id.eq(teams[n % teams.len()].clone()),
                    households::confidentiality.eq("normal"),
                    households::version.eq(1i64),
                    households::created_at.eq(t),
                    households::updated_at.eq(t),
                ));
            }
            for (i, id) in pid.iter().enumerate() {
                ps.push((
                    persons::id.eq(id.clone()),
                    persons::name.eq(format!("{PERSON_PREFIX}{}", b * 8 + i)),
                    persons::birth_date.eq(birth[i]),
                    persons::version.eq(1i64),
                    persons::created_at.eq(t),
                    persons::updated_at.eq(t),
                ));
            }
            let parent_from = |n: usize| today - days(365 * 21 + n % 1000);
            let moved_out = today - days(200 + b % 500);
            let memberships: [Membership; 9] = [
                (0, 0, "parent", true, parent_from(n0), None),
                (0, 1, "child", false, birth[1], None),
                (1, 2, "parent", true, parent_from(n0 + 1), None),
                (1, 3, "child", false, birth[3], None),
                (1, 4, "child", false, birth[4], None),
                (1, 5, "child", false, birth[5], Some(moved_out)),
                (2, 5, "other", false, moved_out, None),
                (3, 6, "parent", true, parent_from(n0 + 3), None),
                (3, 7, "child", false, birth[7], None),
            ];
            for (k, i, relation, custody, from, until) in memberships {
                hm.push((
                    household_members::id.eq(new_id()),
                    household_members::household_id.eq(hid[k].clone()),
                    household_members::person_id.eq(pid[i].clone()),
                    household_members::relation.eq(relation),
                    household_members::custody.eq(custody),
                    household_members::from_date.eq(from),
                    household_members::until_date.eq(until),
                    household_members::created_at.eq(t),
                ));
            }
            for (parent, child) in [(0, 1), (0, 7), (2, 3), (2, 4), (2, 5), (6, 7)] {
                pc.push((
                    parent_child::parent_id.eq(pid[parent].clone()),
                    parent_child::child_id.eq(pid[child].clone()),
                    parent_child::created_at.eq(t),
                ));
            }
            // The young persons, in young-index order: persons 1, 3, 4, 5 and 7.
            let mut sigs: [Vec<Sig>; YOUNG_PER_BLOCK] = Default::default();
            for (j, person) in [1usize, 3, 4, 5, 7].into_iter().enumerate() {
                let y = y0 + j;
                let age_days = (today - birth[person]).num_days();
                for k in 0..share(y) {
                    // Distinct organisations per person: 3 is coprime with 20.
                    let org = (y * 7 + k * 3) % SIGNAL_ORGANISATIONS;
                    let created = t - Duration::days((((y * 13 + k * 101) % 700) as i64).min(age_days - 1));
                    let id = new_id();
                    sg.push(crate::signals::store::SignalRow {
                        id: id.clone(),
                        person_id: pid[person].clone(),
                        organisation_id: organisations[org].0.clone(),
                        user_id: organisations[org].1.clone(),
                        contact_phone: None,
                        contact_email: Some(format!("signalen{org}.{suffix}@{}", crate::demo::DEMO_DOMAIN)),
                        status: "active".into(),
                        created_at: created,
                        expires_on: crate::signals::model::expires_on(created.date(), birth[person], max_age),
                        removed_at: None,
                        removal_reason: None,
                        archive_until: None,
                        archive_notified_at: None,
                    });
                    sigs[j].push((id, org, created));
                }
                if sigs[j].len() >= 2 {
                    let all = sigs[j].iter().map(|(id, _, at)| (id.clone(), *at)).collect();
                    found.push(("person", pid[person].clone(), all));
                }
            }
            let (postcode, house_number) = signal_address(n0 + 1);
            let key = crate::signals::model::address_key(&postcode, house_number, None);
            found.push(("address", key, pair_members(&sigs[1], &sigs[2])));
            found.push((
                "parent",
                pid[2].clone(),
                pair_members(&sigs[3], &[sigs[1].clone(), sigs[2].clone()].concat()),
            ));
            found.push(("parent", pid[0].clone(), pair_members(&sigs[0], &sigs[4])));
        }
        let (mut mt, mut mm) = (Vec::new(), Vec::new());
        for (kind, key, members) in found.into_iter().filter(|(_, _, m)| !m.is_empty()) {
            // The match came about when its last member joined.
            let at = members.iter().map(|(_, at)| *at).max().unwrap_or(t);
            let id = new_id();
            mt.push((
                matches::id.eq(id.clone()),
                matches::kind.eq(kind),
                matches::match_key.eq(key),
                matches::created_at.eq(at),
            ));
            for (signal, _) in members {
                mm.push((
                    match_members::match_id.eq(id.clone()),
                    match_members::signal_id.eq(signal),
                    match_members::joined_at.eq(at),
                    match_members::contact_confirmed_at.eq(Some(at)),
                ));
            }
        }
        match_count += mt.len();
        member_count += mm.len();
        state.audit.write_with(c, |c| {
            crate::db_run!(c, |c| {
                for part in hh.chunks(BATCH) {
                    diesel::insert_into(households::table).values(part).execute(c)?;
                }
                for part in ps.chunks(BATCH) {
                    diesel::insert_into(persons::table).values(part).execute(c)?;
                }
                for part in hm.chunks(BATCH) {
                    diesel::insert_into(household_members::table).values(part).execute(c)?;
                }
                for part in pc.chunks(BATCH) {
                    diesel::insert_into(parent_child::table).values(part).execute(c)?;
                }
                for part in sg.chunks(BATCH) {
                    diesel::insert_into(crate::db::schema::signals::table).values(part).execute(c)?;
                }
                for part in mt.chunks(BATCH) {
                    diesel::insert_into(matches::table).values(part).execute(c)?;
                }
                for part in mm.chunks(BATCH) {
                    diesel::insert_into(match_members::table).values(part).execute(c)?;
                }
                QueryResult::Ok(())
            })?;
            Ok(((), generate_event()))
        })?;
    }
    analyse_after_load(c)?;
    Ok(SignalScaleSummary {
        households: blocks * BLOCK,
        institutional,
        persons: blocks * 8,
        young_persons: young,
        organisations: SIGNAL_ORGANISATIONS,
        signals,
        matches: match_count,
        match_members: member_count,
    })
}

fn generate_event() -> EventData {
    EventData {
        event_id: new_id(),
        occurred_at: now(),
        action: "demo.generate".into(),
        resource_type: "system".into(),
        outcome: "allowed".into(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_signal_households_each_have_their_own_valid_address() {
        let mut seen = std::collections::HashSet::new();
        for n in 0..400_000 {
            let (postcode, number) = super::signal_address(n);
            assert!(crate::households::service::normalise_postcode(&postcode).as_deref() == Some(postcode.as_str()));
            assert!(seen.insert((postcode, number)), "household {n} shares an address");
        }
    }
}
