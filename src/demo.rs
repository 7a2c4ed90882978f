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
        }
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
