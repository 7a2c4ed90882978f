//! Who is asking: the authenticated caller as every decision sees them. `auth` makes one from a token on every
//! request (its roles read fresh, so changes take effect at once).

use crate::audit::Actor;
use crate::roles::{Role, RoleGrant};

#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: String,
    pub display_name: String,
    pub email: String,
    pub organisation_id: String,
    pub grants: Vec<RoleGrant>,
    /// Present for eenplan's own tokens; logout revokes it.
    pub session_id: Option<String>,
    /// The user is inside a break-glass window: every event they cause is flagged.
    pub in_break_glass: bool,
}

impl Principal {
    /// The distinct roles held, in a fixed order.
    pub fn roles(&self) -> impl Iterator<Item = Role> + '_ {
        let mut roles: Vec<Role> = self.grants.iter().map(|g| g.role).collect();
        roles.sort();
        roles.dedup();
        roles.into_iter()
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user_id.clone(),
            user_name: self.display_name.clone(),
            organisation_id: Some(self.organisation_id.clone()),
        }
    }
}
