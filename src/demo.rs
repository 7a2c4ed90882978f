//! Demo data for `eenplan demo`: organisations, wijk teams and one account per role.

use serde::Serialize;

use crate::access::Role;
use crate::audit::EventData;
use crate::auth::model::{new_totp_secret, random_token};
use crate::db::{new_id, now};
use crate::error::{AppError, AppResult};
use crate::identity::model::RoleGrant;
use crate::identity::store::{self, NewTeam, NewUser};
use crate::state::AppState;

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

    state.audit.write_with(&mut conn, |c| {
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
        seed_cases(c, &wijk_teams, &user_ids, t)?;
        let event = EventData {
            event_id: new_id(),
            occurred_at: t,
            action: "demo.seed".into(),
            resource_type: "system".into(),
            outcome: "allowed".into(),
            ..Default::default()
        };
        Ok(((), event))
    })?;
    Ok(Some(accounts.into_iter().map(|(_, a, _)| a).collect()))
}

/// Households and cases in every wijk, in different states. In the first wijk (the demo wijkteam member's and
/// teamleider's team) the wijkteam member is involved in every case, is regisseur of one and has a proposal
/// waiting on another, and the provider professional is involved in the active case.
fn seed_cases(
    c: &mut crate::db::DbConn,
    wijk_teams: &[String],
    users: &std::collections::HashMap<Role, (String, String)>,
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
            if n == 2 {
                involve(c, provider, provider_org, "provider", "jeugdhulpverlener")?;
            }
        }
    }
    Ok(())
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
