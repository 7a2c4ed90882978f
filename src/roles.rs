//! Leaf: the roles eenplan knows and a grant of one (in a team, for the team roles).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Wijkteam,
    Teamleider,
    Provider,
    Signaller,
    Matchregisseur,
    Procescoordinator,
    PrivacyOfficer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Wijkteam,
        Role::Teamleider,
        Role::Provider,
        Role::Signaller,
        Role::Matchregisseur,
        Role::Procescoordinator,
        Role::PrivacyOfficer,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Wijkteam => "wijkteam",
            Role::Teamleider => "teamleider",
            Role::Provider => "provider",
            Role::Signaller => "signaller",
            Role::Matchregisseur => "matchregisseur",
            Role::Procescoordinator => "procescoordinator",
            Role::PrivacyOfficer => "privacy_officer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Roles whose holders must log in with a second factor.
    pub fn requires_totp(self) -> bool {
        matches!(self, Role::PrivacyOfficer | Role::Admin)
    }

    /// Roles that only make sense within a team.
    pub fn requires_team(self) -> bool {
        matches!(self, Role::Wijkteam | Role::Teamleider)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleGrant {
    pub role: Role,
    /// The team the role is scoped to; required for wijkteam and teamleider.
    pub team_id: Option<String>,
}
