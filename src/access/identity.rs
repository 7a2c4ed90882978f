//! Decisions on identities: the administration of organisations, teams and users, role grants, one's own account,
//! and signing in and out. Each records itself in the request's audit record.

use super::*;

/// Whoever runs an `eenplan` command on the server (`eenplan user add`): trusted with every role, because the server
/// is where the privileged roles come from.
#[derive(Debug, Clone, Copy)]
pub struct Operator;

/// Who grants a new user's roles.
#[derive(Debug, Clone, Copy)]
pub enum Grantor<'a> {
    /// An administrator through the API: not admin or privacy_officer.
    Administrator(&'a Principal),
    /// The operator on the server: any role.
    Operator,
}

/// The callers that may create users: a signed-in principal (an administrator, if the policy agrees) or the operator.
pub trait Grants {
    fn grantor(&self) -> Grantor<'_>;
}

impl Grants for Principal {
    fn grantor(&self) -> Grantor<'_> {
        Grantor::Administrator(self)
    }
}

impl Grants for Operator {
    fn grantor(&self) -> Grantor<'_> {
        Grantor::Operator
    }
}

/// Roles an administrator may not grant or withdraw through the API: they open the audit log and the user
/// administration, so they are given at the command line on the server (`eenplan user add`).
pub fn granted_only_on_the_server(role: Role) -> bool {
    matches!(role, Role::Admin | Role::PrivacyOfficer)
}

impl Access {
    /// An act of administration on organisations, teams or users: the role permission alone (403 before any object
    /// is looked up), then the object it concerns, when that exists already.
    pub fn decide_administration(
        &self,
        principal: &Principal,
        resource: Resource,
        action: Action,
        id: Option<&str>,
        audit: &AuditRecord,
    ) -> AppResult<Decision> {
        let decision = self.decide(principal, resource, action, audit)?;
        if let Some(id) = id {
            audit.resource(id);
        }
        Ok(decision)
    }

    /// Creating a user: an administrator needs the role permission; the operator's command is its own basis.
    pub fn decide_user_creation(&self, grantor: Grantor<'_>, audit: &AuditRecord) -> AppResult<()> {
        match grantor {
            Grantor::Administrator(principal) => {
                self.decide(principal, Resource::User, Action::Create, audit).map(|_| ())
            }
            Grantor::Operator => {
                audit.action("user.create", Resource::User.as_str());
                audit.allowed(None, Basis::ServerCommand);
                Ok(())
            }
        }
    }

    /// An act the operator may also do on the server (a retention run): a signed-in caller needs the role
    /// permission; the operator's command is its own basis.
    pub fn decide_by(
        &self,
        grantor: Grantor<'_>,
        resource: Resource,
        action: Action,
        audit: &AuditRecord,
    ) -> AppResult<()> {
        match grantor {
            Grantor::Administrator(principal) => self.decide(principal, resource, action, audit).map(|_| ()),
            Grantor::Operator => {
                audit.action(&format!("{}.{}", resource.as_str(), action.as_str()), resource.as_str());
                audit.allowed(None, Basis::ServerCommand);
                Ok(())
            }
        }
    }

    /// Deactivating a user. Nobody deactivates their own account: the act is permitted, this account is the conflict
    /// (409), so the refusal is no denial.
    pub fn decide_deactivation(
        &self,
        principal: &Principal,
        user_id: &str,
        audit: &AuditRecord,
    ) -> AppResult<Decision> {
        let decision =
            self.decide_administration(principal, Resource::User, Action::Deactivate, Some(user_id), audit)?;
        if user_id == principal.user_id {
            return Err(AppError::Conflict("You cannot deactivate your own account".into()));
        }
        Ok(decision)
    }

    /// An act on one's own account (reading it, enrolling a second factor): the role permission, on that account.
    pub fn decide_own_account(
        &self,
        principal: &Principal,
        action: Action,
        audit: &AuditRecord,
    ) -> AppResult<Decision> {
        let decision = self.decide(principal, Resource::OwnAccount, action, audit)?;
        audit.resource(&principal.user_id);
        Ok(decision)
    }
}

/// The one account whose history a caller may read about themself.
#[derive(Debug, Clone)]
pub struct OwnAccount {
    pub user_id: String,
}

impl Access {
    /// Reading one's own sign-in history (`own_account read`): the answer names the account it allows, the caller's
    /// own, so a use case cannot read anyone else's.
    pub fn decide_own_sign_ins(&self, principal: &Principal, audit: &AuditRecord) -> AppResult<OwnAccount> {
        self.decide_own_account(principal, Action::Read, audit)?;
        Ok(OwnAccount { user_id: principal.user_id.clone() })
    }
}

/// The roles of a new user, after the creation itself was allowed: an administrator grants no privileged role
/// (`decide_role_change`); the operator grants any.
pub fn decide_roles_granted(grantor: Grantor<'_>, granted: &[Role], audit: &AuditRecord) -> AppResult<()> {
    match grantor {
        Grantor::Administrator(principal) => refuse_role_change(principal, None, granted, audit),
        Grantor::Operator => Ok(()),
    }
}

/// Decides a change to a user's roles (`changed`: the roles added or withdrawn), after the administration itself was
/// allowed. Nobody changes their own roles, and the privileged roles are not granted or withdrawn here, so an
/// administrator cannot make themself a privacy officer or a professional.
pub fn decide_role_change(
    principal: &Principal,
    user_id: &str,
    changed: &[Role],
    audit: &AuditRecord,
) -> AppResult<()> {
    refuse_role_change(principal, Some(user_id), changed, audit)
}

fn refuse_role_change(
    principal: &Principal,
    user_id: Option<&str>,
    changed: &[Role],
    audit: &AuditRecord,
) -> AppResult<()> {
    if changed.is_empty() {
        return Ok(());
    }
    let refusal = if user_id == Some(principal.user_id.as_str()) {
        Some("Nobody changes their own roles; ask another administrator")
    } else if changed.iter().any(|r| granted_only_on_the_server(*r)) {
        Some(
            "The roles admin and privacy_officer are granted and withdrawn only with the eenplan command on the server",
        )
    } else {
        None
    };
    match refusal {
        Some(why) => {
            audit.denied();
            Err(AppError::ForbiddenBecause(why))
        }
        None => Ok(()),
    }
}

/// How a failed sign-in counted in the login throttle (auth's bookkeeping).
#[derive(Debug, Clone, Copy)]
pub struct FailureCount {
    /// The count in the current window, the highest of the attempt's keys.
    pub failures: i64,
    /// The first failure of a window.
    pub first_in_window: bool,
    /// This failure locked a key.
    pub locked_now: bool,
}

/// What checking a sign-in's credentials found.
#[derive(Debug, Clone)]
pub enum SignIn<A> {
    /// The password (and the code, where the account has a factor) are right and the account is active: `A`.
    Accepted(A),
    /// An unknown account, a wrong password or code, or a deactivated account (`account`: the one the email address
    /// names, when it names one).
    Refused { account: Option<String>, count: FailureCount },
}

/// Decides a sign-in: the account signed in to, or a refusal that answers that the email address or password is
/// wrong, whatever was wrong. The first failure of a throttle window and every lockout are recorded as denied,
/// naming the account when known and the count; the failures between are counted by the throttle, not logged one
/// by one.
pub fn decide_sign_in<A>(check: SignIn<A>, audit: &AuditRecord) -> AppResult<A> {
    let (account, count) = match check {
        SignIn::Accepted(account) => {
            audit.action("auth.login", "session");
            return Ok(account);
        }
        SignIn::Refused { account, count } => (account, count),
    };
    if count.locked_now {
        audit.action("auth.login_locked", "session");
    } else if count.first_in_window {
        audit.action("auth.login_failed", "session");
    } else {
        audit.suppress();
        return Err(BAD_CREDENTIALS);
    }
    audit.require();
    audit.denied();
    audit.resource_kind(Resource::User.as_str());
    if let Some(id) = &account {
        audit.resource(id);
    }
    audit.allowed(None, Basis::LoginFailures(count.failures));
    Err(BAD_CREDENTIALS)
}

const BAD_CREDENTIALS: AppError = AppError::Unauthorized("The email address or password is wrong");

/// The answer to a refresh token that renews nothing.
pub const REFRESH_INVALID: AppError = AppError::Unauthorized("The refresh token is invalid or has expired");

/// What a presented refresh token met, read in the transaction that used it up.
#[derive(Debug, Clone, Copy)]
pub struct Refresh {
    /// The token was used before: its session has just been ended.
    pub reused: bool,
    /// The session was revoked or has expired.
    pub session_ended: bool,
    pub account_active: bool,
    /// A role held today needs a second factor that the session did not confirm.
    pub factor_missing: bool,
}

/// Decides whether a session is renewed; a refusal is denied (401). A token presented twice is recorded as such:
/// whoever holds a stolen copy and the rightful holder both lose the session.
pub fn decide_refresh(refresh: Refresh, audit: &AuditRecord) -> AppResult<()> {
    if refresh.reused {
        audit.action("auth.refresh_reused", "session");
        audit.denied();
        return Err(REFRESH_INVALID);
    }
    audit.action("auth.refresh", "session");
    if refresh.session_ended || !refresh.account_active || refresh.factor_missing {
        audit.denied();
        return Err(REFRESH_INVALID);
    }
    Ok(())
}

/// Ending one's own session: whoever holds a valid token may. Names the session ended.
pub fn decide_sign_out(principal: &Principal, audit: &AuditRecord) {
    audit.action("auth.logout", "session");
    if let Some(id) = &principal.session_id {
        audit.resource(id);
    }
}
