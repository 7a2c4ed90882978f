//! Organisations, teams and users with roles: the API shapes and their rules. No I/O.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Role;
use crate::error::{AppResult, Validator};

pub const ORGANISATION_KINDS: [&str; 3] = ["municipality", "provider", "other"];
pub const TEAM_KINDS: [&str; 2] = ["municipality", "wijk"];

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Organisation {
    pub id: String,
    pub name: String,
    /// municipality, provider or other
    pub kind: String,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateOrganisation {
    pub name: Option<String>,
    pub kind: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateOrganisation {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Team {
    pub id: String,
    pub organisation_id: String,
    pub name: String,
    /// municipality or wijk
    pub kind: String,
    pub wijk: Option<String>,
    /// Whether provider professionals may be regisseur of this team's cases.
    pub provider_may_direct: bool,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTeam {
    pub organisation_id: Option<String>,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub wijk: Option<String>,
    pub provider_may_direct: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateTeam {
    pub name: Option<String>,
    pub wijk: Option<String>,
    pub provider_may_direct: Option<bool>,
    pub active: Option<bool>,
}

pub use crate::roles::RoleGrant;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub organisation_id: String,
    pub roles: Vec<RoleGrant>,
    pub active: bool,
    pub totp_enrolled: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deactivated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateUser {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub organisation_id: Option<String>,
    pub roles: Option<Vec<RoleGrant>>,
    /// The initial password (at least 12 characters); the user should change it.
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateUser {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub roles: Option<Vec<RoleGrant>>,
    pub password: Option<String>,
}

pub use crate::paging::Page;

/// What the operator typed for `eenplan user add`: the team and organisation by id or name.
#[derive(Debug)]
pub struct ServerUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub team: Option<String>,
    /// None: the only organisation, when there is exactly one.
    pub organisation: Option<String>,
    pub password: String,
    /// The second factor, for a role that needs one: enrolled at once and shown to the operator.
    pub totp_secret: Option<String>,
}

/// Email addresses are compared trimmed and in lower case.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn email_problem(email: &str) -> Option<&'static str> {
    let e = email.trim();
    match e.split_once('@') {
        _ if e.len() > 254 => Some("is too long"),
        Some((local, domain)) if !local.is_empty() && domain.contains('.') && !domain.contains('@') => None,
        _ => Some("is not an email address"),
    }
}

pub fn password_problem(password: &str) -> Option<&'static str> {
    let n = password.chars().count();
    if n < 12 {
        Some("must be at least 12 characters")
    } else if n > 1024 {
        Some("must be at most 1024 characters")
    } else {
        None
    }
}

/// The roles granted or withdrawn between two sets of grants (a team change counts for its role).
pub fn changed_roles(before: &[RoleGrant], after: &[RoleGrant]) -> Vec<Role> {
    let mut changed: Vec<Role> = before
        .iter()
        .filter(|g| !after.contains(g))
        .chain(after.iter().filter(|g| !before.contains(g)))
        .map(|g| g.role)
        .collect();
    changed.sort();
    changed.dedup();
    changed
}

fn check_name(v: &mut Validator, field: &str, name: &str) {
    let n = name.trim().chars().count();
    v.check(n > 0, field, "must not be empty");
    v.check(n <= 200, field, "must be at most 200 characters");
}

fn check_kind(v: &mut Validator, field: &str, kind: &str, allowed: &[&str]) {
    if !allowed.contains(&kind) {
        v.add(field, format!("must be one of: {}", allowed.join(", ")));
    }
}

pub fn check_roles(v: &mut Validator, roles: &[RoleGrant]) {
    if roles.is_empty() {
        v.add("roles", "must hold at least one role");
    }
    for (i, grant) in roles.iter().enumerate() {
        if grant.role.requires_team() && grant.team_id.is_none() {
            v.add(format!("roles[{i}].teamId"), format!("is required for the role {}", grant.role.as_str()));
        }
    }
    for (i, grant) in roles.iter().enumerate() {
        if roles[..i].contains(grant) {
            v.add(format!("roles[{i}]"), "is listed twice");
        }
    }
    // Separation of duties: whoever reads the log or administers users works on no case, and judges nobody's
    // access but others'.
    for (i, grant) in roles.iter().enumerate() {
        if roles.iter().any(|g| g.role != grant.role) && matches!(grant.role, Role::Admin | Role::PrivacyOfficer) {
            v.add(format!("roles[{i}].role"), format!("{} cannot be combined with another role", grant.role.as_str()));
        }
    }
}

impl CreateOrganisation {
    pub fn validate(&self) -> AppResult<()> {
        let mut v = Validator::new();
        if let Some(name) = v.required(&self.name, "name") {
            check_name(&mut v, "name", name);
        }
        if let Some(kind) = v.required(&self.kind, "kind") {
            check_kind(&mut v, "kind", kind, &ORGANISATION_KINDS);
        }
        v.finish()
    }
}

impl UpdateOrganisation {
    pub fn validate(&self) -> AppResult<()> {
        let mut v = Validator::new();
        if let Some(name) = &self.name {
            check_name(&mut v, "name", name);
        }
        if let Some(kind) = &self.kind {
            check_kind(&mut v, "kind", kind, &ORGANISATION_KINDS);
        }
        v.finish()
    }
}

impl CreateTeam {
    pub fn validate(&self) -> AppResult<()> {
        let mut v = Validator::new();
        v.required(&self.organisation_id, "organisationId");
        if let Some(name) = v.required(&self.name, "name") {
            check_name(&mut v, "name", name);
        }
        if let Some(kind) = v.required(&self.kind, "kind") {
            check_kind(&mut v, "kind", kind, &TEAM_KINDS);
            if kind == "wijk" && self.wijk.as_deref().is_none_or(|w| w.trim().is_empty()) {
                v.add("wijk", "is required for a wijk team");
            }
        }
        v.finish()
    }
}

impl UpdateTeam {
    pub fn validate(&self) -> AppResult<()> {
        let mut v = Validator::new();
        if let Some(name) = &self.name {
            check_name(&mut v, "name", name);
        }
        v.finish()
    }
}

impl CreateUser {
    pub fn validate(&self) -> AppResult<()> {
        let mut v = Validator::new();
        if let Some(email) = v.required(&self.email, "email") {
            if let Some(p) = email_problem(email) {
                v.add("email", p);
            }
        }
        if let Some(name) = v.required(&self.display_name, "displayName") {
            check_name(&mut v, "displayName", name);
        }
        v.required(&self.organisation_id, "organisationId");
        if let Some(roles) = v.required(&self.roles, "roles") {
            check_roles(&mut v, roles);
        }
        if let Some(pw) = v.required(&self.password, "password") {
            if let Some(p) = password_problem(pw) {
                v.add("password", p);
            }
        }
        v.finish()
    }
}

impl UpdateUser {
    pub fn validate(&self) -> AppResult<()> {
        let mut v = Validator::new();
        if let Some(email) = &self.email {
            if let Some(p) = email_problem(email) {
                v.add("email", p);
            }
        }
        if let Some(name) = &self.display_name {
            check_name(&mut v, "displayName", name);
        }
        if let Some(roles) = &self.roles {
            check_roles(&mut v, roles);
        }
        if let Some(pw) = &self.password {
            if let Some(p) = password_problem(pw) {
                v.add("password", p);
            }
        }
        v.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn create_user_reports_every_problem_at_once() {
        let input = CreateUser {
            email: Some("not-an-email".into()),
            display_name: None,
            organisation_id: None,
            roles: Some(vec![RoleGrant { role: Role::Wijkteam, team_id: None }]),
            password: Some("short".into()),
        };
        let AppError::Validation(errors) = input.validate().unwrap_err() else { panic!() };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "displayName", "organisationId", "roles[0].teamId", "password"]);
    }

    #[test]
    fn email_rules() {
        assert_eq!(email_problem("a@b.nl"), None);
        assert!(email_problem("ab.nl").is_some());
        assert!(email_problem("@b.nl").is_some());
        assert_eq!(normalise_email(" A@B.nl "), "a@b.nl");
    }
}
