//! Demo data for `eenplan demo`: organisations, wijk teams, one account per role (and a second wijkteam member),
//! households of synthetic residents with cases in every state.

use serde::Serialize;

use crate::access::Role;
use crate::audit::EventData;
use crate::auth::model::{new_totp_secret, random_token};
use crate::db::{new_id, now};
use crate::error::{AppError, AppResult};
use crate::identity::model::RoleGrant;
use crate::identity::store::{self, NewTeam, NewUser};
use crate::state::AppState;

mod escalations;
mod plans;
mod privacy;
mod provider;
mod retention;
mod signals;
mod stuck;

pub const DEMO_DOMAIN: &str = "demo.eenplan.nl";
pub const WIJKEN: [&str; 3] = ["Rokkeveen", "Meerzicht", "Seghwaert"];

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoAccount {
    pub email: String,
    pub role: String,
    pub password: String,
    pub totp_secret: Option<String>,
}

/// Seeds an empty database. Returns None when there are users already (nothing is changed then).
pub fn seed(state: &AppState, password: Option<&str>) -> AppResult<Option<Vec<DemoAccount>>> {
    let mut conn = state.pool.get()?;
    if store::count_users(&mut conn)? > 0 {
        return Ok(None);
    }
    // Hash first: argon2 is slow and needs no transaction.
    let accounts: Vec<(Role, DemoAccount, String)> = Role::ALL
        .iter()
        .map(|role| {
            let pw = password.map(str::to_string).unwrap_or_else(|| random_token()[..20].to_string());
            let account = DemoAccount {
                email: format!("{}@{DEMO_DOMAIN}", role.as_str()),
                role: role.as_str().to_string(),
                password: pw.clone(),
                totp_secret: role.requires_totp().then(new_totp_secret),
            };
            (*role, account, state.passwords.hash(&pw))
        })
        .collect();
    // A second wijkteam member of the first wijk: a handover to them is waiting.
    let colleague_password = password.map(str::to_string).unwrap_or_else(|| random_token()[..20].to_string());
    let colleague = DemoAccount {
        email: format!("wijkteam.collega@{DEMO_DOMAIN}"),
        role: Role::Wijkteam.as_str().to_string(),
        password: colleague_password.clone(),
        totp_secret: None,
    };
    let colleague_hash = state.passwords.hash(&colleague_password);
    // The demo's other signalling professionals exist to be matched with, not to log in.
    let unusable_hash = state.passwords.hash(&random_token());
    let max_age = state.config.signals.max_age;

    let bsn = &state.bsn;
    let actors = state.audit.write_with(&mut conn, |c| {
        let t = now();
        let municipality = new_id();
        store::insert_organisation(c, &municipality, "Gemeente Zoetermeer", "municipality", t)?;
        let youth_care = new_id();
        store::insert_organisation(c, &youth_care, "Jeugdhulp Zuid-Holland", "provider", t)?;
        let debt_help = new_id();
        store::insert_organisation(c, &debt_help, "Schuldhulp Stadsgewest", "provider", t)?;
        let mut wijk_teams = Vec::new();
        for wijk in WIJKEN {
            let id = new_id();
            let name = format!("Wijkteam {wijk}");
            store::insert_team(
                c,
                &NewTeam {
                    id: &id,
                    organisation_id: &municipality,
                    name: &name,
                    kind: "wijk",
                    wijk: Some(wijk),
                    provider_may_direct: false,
                },
                t,
            )?;
            wijk_teams.push(id);
        }
        let mut user_ids = std::collections::HashMap::new();
        for (role, account, hash) in &accounts {
            let (organisation, team) = match role {
                Role::Wijkteam | Role::Teamleider => (&municipality, Some(wijk_teams[0].clone())),
                Role::Provider => (&youth_care, None),
                Role::Signaller => (&debt_help, None),
                _ => (&municipality, None),
            };
            let name = format!("Demo {}", role.as_str().replace('_', " "));
            let id = new_id();
            store::insert_user(
                c,
                &NewUser {
                    id: &id,
                    email: &account.email,
                    display_name: &name,
                    organisation_id: organisation,
                    password_hash: hash,
                    totp_secret: account.totp_secret.as_deref(),
                },
                &[RoleGrant { role: *role, team_id: team }],
                t,
            )?;
            user_ids.insert(*role, (id, organisation.clone()));
        }
        let colleague_id = new_id();
        store::insert_user(
            c,
            &NewUser {
                id: &colleague_id,
                email: &colleague.email,
                display_name: "Demo wijkteam collega",
                organisation_id: &municipality,
                password_hash: &colleague_hash,
                totp_secret: None,
            },
            &[RoleGrant { role: Role::Wijkteam, team_id: Some(wijk_teams[0].clone()) }],
            t,
        )?;
        seed_cases(c, bsn, &wijk_teams, &user_ids, &colleague_id, t)?;
        let (pv, tl) = (&user_ids[&Role::Provider], &user_ids[&Role::Teamleider].0);
        provider::seed(c, bsn, &wijk_teams[1], (&colleague_id, &municipality), (&pv.0, &pv.1), tl, t)?;
        let (signaller, signaller_org) = &user_ids[&Role::Signaller];
        signals::seed(c, (signaller, signaller_org), &unusable_hash, max_age, t)?;
        let stuck = stuck::seed(c, bsn, (&wijk_teams[1], &wijk_teams[2]), &municipality, &unusable_hash, t)?;
        let (pc, pc_org) = &user_ids[&Role::Procescoordinator];
        escalations::seed(c, bsn, &state.rules, &stuck, (WIJKEN[2], &wijk_teams[2]), (pc, pc_org), t)?;
        // In the last wijk: the first wijk's lists stay as they were.
        let last = wijk_teams.len() - 1;
        retention::seed_case(c, bsn, (&wijk_teams[last], WIJKEN[last]), &user_ids[&Role::Wijkteam].0, t)?;
        retention::seed_old_chain(c, t)?;
        let event = EventData {
            event_id: new_id(),
            occurred_at: t,
            action: "demo.seed".into(),
            resource_type: "system".into(),
            outcome: "allowed".into(),
            ..Default::default()
        };
        let actors = privacy::Actors {
            night_owl: (colleague_id.clone(), "Demo wijkteam collega".into()),
            searcher: (user_ids[&Role::Wijkteam].0.clone(), "Demo wijkteam".into()),
            team: wijk_teams[0].clone(),
            other_team: wijk_teams[1].clone(),
            organisation: municipality.clone(),
        };
        Ok((actors, event))
    })?;
    privacy::seed(state, &mut conn, &actors, &state.rules.calendar)?;
    // The seed wrote no case through a use case, so nothing marked them: compute every case's stuck reasons now.
    crate::escalations::service::scan(&mut conn, &state.rules.stuck, &state.rules.calendar)?;
    let mut out: Vec<DemoAccount> = accounts.into_iter().map(|(_, a, _)| a).collect();
    out.push(colleague);
    Ok(Some(out))
}

/// Households and cases in every wijk, in different states. In the first wijk (the demo wijkteam member's and
/// teamleider's team) the wijkteam member is involved in every case, is regisseur of one and has a proposal
/// waiting on another, and the provider professional is involved in the active case.
fn seed_cases(
    c: &mut crate::db::DbConn,
    bsn: &crate::households::bsn::BsnProtector,
    wijk_teams: &[String],
    users: &std::collections::HashMap<Role, (String, String)>,
    colleague: &str,
    t: chrono::NaiveDateTime,
) -> AppResult<()> {
    use crate::cases::store::{self as cases, CaseRow, NewInvolvement};
    use crate::db::schema::regisseur_assignments as ra;
    use diesel::prelude::*;
    let path = ["registered", "intake", "planning", "active", "evaluating"];
    let plan: [(&str, Option<&str>); 5] = [
        ("registered", None),
        ("intake", None),
        ("active", None),
        ("evaluating", None),
        ("closed", Some("goal_reached")),
    ];
    let (wijkteam, wijkteam_org) = &users[&Role::Wijkteam];
    let (teamleider, _) = &users[&Role::Teamleider];
    let (provider, provider_org) = &users[&Role::Provider];
    for (w, (wijk, team)) in WIJKEN.iter().zip(wijk_teams).enumerate() {
        for (n, (state, reason)) in plan.iter().enumerate() {
            let household = crate::households::store::HouseholdRow {
                id: new_id(),
                postcode: format!("{}{}", 2711 + w * 10 + n, ["AB", "CD", "EF", "GH", "JK"][n]),
                house_number: 3 + (n as i32) * 7,
                house_number_addition: (n == 3).then(|| "A".to_string()),
                institutional_address: false,
                wijk: wijk.to_string(),
                team_id: team.clone(),
                confidentiality: "normal".into(),
                version: 1,
                created_at: t,
                updated_at: t,
            };
            crate::households::store::insert_household(c, &household)?;
            let people = seed_members(c, bsn, &household.id, n, w * 10 + n * 2, t)?;
            let case = CaseRow {
                id: new_id(),
                household_id: household.id.clone(),
                team_id: team.clone(),
                state: state.to_string(),
                laws: if n % 2 == 0 { "Jeugdwet,Wmo".into() } else { "Participatiewet".into() },
                close_reason: reason.map(str::to_string),
                previous_case_id: None,
                version: 1,
                created_at: t,
                updated_at: t,
                closed_at: reason.map(|_| t),
            };
            cases::insert_case(c, &case)?;
            let reached = path.iter().position(|p| p == state).map(|i| i + 1).unwrap_or(path.len());
            for (k, s) in path.iter().take(reached).enumerate() {
                cases::insert_state(c, &case.id, s, Some(wijkteam), t - chrono::Duration::days(30 - 5 * k as i64))?;
            }
            if *state == "closed" {
                cases::insert_state(c, &case.id, "closed", Some(wijkteam), t)?;
            }
            if w != 0 {
                continue;
            }
            let involve = |c: &mut crate::db::DbConn, user: &str, org: &str, kind: &str, role: &str| {
                cases::insert_involvement(
                    c,
                    &NewInvolvement {
                        id: &new_id(),
                        case_id: &case.id,
                        user_id: user,
                        organisation_id: org,
                        kind,
                        role_in_case: role,
                        created_by: Some(teamleider),
                    },
                    t,
                )
            };
            involve(c, wijkteam, wijkteam_org, "team_member", "wijkcoach")?;
            let assignment = match n {
                1 => Some("proposed"),
                2 | 3 => Some("active"),
                _ => None,
            };
            if let Some(status) = assignment {
                diesel::insert_into(ra::table)
                    .values((
                        ra::id.eq(new_id()),
                        ra::case_id.eq(&case.id),
                        ra::user_id.eq(wijkteam),
                        ra::status.eq(status),
                        ra::proposed_by.eq(teamleider),
                        ra::family_choice.eq(n == 3),
                        ra::proposed_at.eq(t),
                        ra::active_from.eq((status == "active").then_some(t)),
                    ))
                    .execute(c)?;
                if status == "active" {
                    involve(c, wijkteam, wijkteam_org, "regisseur", "regisseur")?;
                }
            }
            if n == 3 {
                // The regisseur hands over to a colleague, who has not answered yet.
                diesel::insert_into(ra::table)
                    .values((
                        ra::id.eq(new_id()),
                        ra::case_id.eq(&case.id),
                        ra::user_id.eq(colleague),
                        ra::status.eq("proposed"),
                        ra::proposed_by.eq(wijkteam),
                        ra::family_choice.eq(false),
                        ra::reason.eq(Some("Ouderschapsverlof van de huidige regisseur")),
                        ra::proposed_at.eq(t),
                    ))
                    .execute(c)?;
            }
            if n == 2 {
                involve(c, colleague, wijkteam_org, "team_member", "gezinscoach")?;
            }
            plans::seed(c, &case.id, n, &people, (wijkteam, wijkteam_org), (provider, provider_org), t)?;
            if n == 2 {
                involve(c, provider, provider_org, "provider", "jeugdhulpverlener")?;
            }
        }
    }
    Ok(())
}

/// The part of the synthetic BSN block the demo never uses: the browser scenarios register residents of their own
/// there (tests/browser/screens/02_search.mjs and 18_privacy.mjs). A demo resident inside it would turn their new
/// person into someone already known, and out of their scope.
const BSNS_LEFT_TO_TESTS: std::ops::RangeInclusive<u32> = 999_992_000..=999_995_999;

/// The `n`th synthetic BSN, for a demo resident.
pub(crate) fn resident_bsn(n: u32) -> crate::households::bsn::Bsn {
    let bsn = crate::households::bsn::synthetic(n);
    let number: u32 = bsn.expose().parse().expect("a BSN is nine digits");
    assert!(!BSNS_LEFT_TO_TESTS.contains(&number), "demo BSN {n} falls in the block left to the browser tests");
    bsn
}

/// Synthetic residents with BSNs from the reserved 99999xxxx block (`bsn::synthetic`): never a real person.
/// Compositions vary: a single mother with two children, a couple with a child, a blended family whose eldest
/// moved out last year, a man living alone, a grandmother caring for her grandson.
fn seed_members(
    c: &mut crate::db::DbConn,
    protector: &crate::households::bsn::BsnProtector,
    household_id: &str,
    kind: usize,
    first_bsn: usize,
    t: chrono::NaiveDateTime,
) -> AppResult<Vec<String>> {
    use crate::households::store::{insert_member, insert_parent_link, insert_person, MemberRow};
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("demo date");
    // (name, birth date, relation, custody, from, until)
    type P<'a> = (&'a str, &'a str, &'a str, bool, &'a str, Option<&'a str>);
    let people: Vec<P> = match kind {
        0 => vec![
            ("Samira El Amrani", "1988-04-12", "parent", true, "2016-05-01", None),
            ("Yasmin El Amrani", "2014-09-03", "child", false, "2016-05-01", None),
            ("Adam El Amrani", "2018-01-22", "child", false, "2018-01-22", None),
        ],
        1 => vec![
            ("Kees de Boer", "1979-11-30", "parent", true, "2010-03-01", None),
            ("Marieke de Boer-Smit", "1981-02-14", "parent", true, "2010-03-01", None),
            ("Lotte de Boer", "2011-07-19", "child", false, "2011-07-19", None),
        ],
        2 => vec![
            ("Priya Ramdin", "1984-06-08", "parent", true, "2015-01-01", None),
            ("Dennis Verhoef", "1982-10-25", "partner", false, "2019-08-01", None),
            ("Ravi Ramdin", "2005-03-17", "child", false, "2015-01-01", Some("2025-09-01")),
            ("Anjali Ramdin", "2010-12-02", "child", false, "2015-01-01", None),
            ("Milan Verhoef", "2020-05-29", "child", false, "2020-05-29", None),
        ],
        3 => vec![("Johan Kuipers", "1967-08-21", "other", false, "2021-11-15", None)],
        _ => vec![
            ("Ria Jacobs", "1956-03-09", "carer", true, "2022-02-01", None),
            ("Noah Jacobs", "2013-10-10", "child", false, "2022-02-01", None),
        ],
    };
    let mut ids = Vec::new();
    for (i, (name, birth, relation, custody, from, until)) in people.iter().enumerate() {
        let id = new_id();
        let number = resident_bsn((first_bsn * 5 + i) as u32);
        insert_person(c, protector, &id, name, d(birth), Some(&number), t)?;
        insert_member(
            c,
            &MemberRow {
                id: new_id(),
                household_id: household_id.to_string(),
                person_id: id.clone(),
                relation: relation.to_string(),
                custody: *custody,
                from_date: d(from),
                until_date: until.map(d),
                created_at: t,
            },
        )?;
        ids.push((id, *relation));
    }
    let parents: Vec<&String> = ids.iter().filter(|(_, r)| *r == "parent").map(|(id, _)| id).collect();
    for (child, relation) in &ids {
        if *relation == "child" {
            for parent in &parents {
                insert_parent_link(c, parent, child, t)?;
            }
        }
    }
    Ok(ids.into_iter().map(|(id, _)| id).collect())
}

/// Writes the accounts to `<data dir>/demo-accounts.json`, readable by the owner only.
pub fn write_accounts(state: &AppState, accounts: &[DemoAccount]) -> AppResult<std::path::PathBuf> {
    let path = state.config.data_dir.join("demo-accounts.json");
    std::fs::create_dir_all(&state.config.data_dir).map_err(AppError::internal)?;
    if path.exists() {
        std::fs::remove_file(&path).map_err(AppError::internal)?;
    }
    let json = serde_json::to_string_pretty(accounts).map_err(AppError::internal)?;
    crate::config::write_private_file(&path, json.as_bytes()).map_err(AppError::Internal)?;
    Ok(path)
}
