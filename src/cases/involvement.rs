//! Who works in the household: the regisseur (and teamleider) add and end involvements.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, CaseRow, InvolvementRow, NewInvolvement};
use crate::access::{Action, Resource};
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, Validator};
use crate::state::{Ctx, Effect};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddInvolvement {
    pub user_id: Option<String>,
    /// What they do in this household, in plain words (e.g. "schuldhulpverlener").
    pub role_in_case: Option<String>,
    /// When the involvement starts: now when absent; never in the past.
    #[serde(default, deserialize_with = "crate::input::date::instant_opt")]
    pub valid_from: Option<DateTime<Utc>>,
    /// When it ends by itself (exclusive); open-ended when absent.
    #[serde(default, deserialize_with = "crate::input::date::instant_opt")]
    pub valid_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Involvement {
    pub id: String,
    pub user_id: String,
    pub organisation_id: String,
    /// regisseur, team_member, provider or procescoordinator
    pub kind: String,
    pub role_in_case: String,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    /// For professionals outside the case's team (providers): `consent` while a consent or statutory basis names
    /// their organisation today, `none` when it does not — they then see nothing of the case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sharing_basis: Option<&'static str>,
}

fn to_view(r: InvolvementRow) -> Involvement {
    Involvement {
        id: r.0,
        user_id: r.1,
        organisation_id: r.2,
        kind: r.3,
        role_in_case: r.4,
        valid_from: r.5.and_utc(),
        valid_until: r.6.map(|t| t.and_utc()),
        sharing_basis: None,
    }
}

/// `store::involved_counts` from the case's involvements already read: the professionals and the organisations
/// involved at `at`.
pub(crate) fn counts_at(all: &[Involvement], at: DateTime<Utc>) -> (i64, i64) {
    let active = all.iter().filter(|i| i.valid_from <= at && i.valid_until.is_none_or(|u| u > at));
    let (mut users, mut organisations) = (std::collections::BTreeSet::new(), std::collections::BTreeSet::new());
    for i in active {
        users.insert(&i.user_id);
        organisations.insert(&i.organisation_id);
    }
    (users.len() as i64, organisations.len() as i64)
}

/// The case's involvements, each provider's with whether a consent names their organisation today.
pub(crate) fn rows(c: &mut DbConn, case: &CaseRow) -> AppResult<Vec<Involvement>> {
    let mut out: Vec<Involvement> = store::involvements_of(c, &case.id)?.into_iter().map(to_view).collect();
    let mut by_organisation = std::collections::HashMap::new();
    for i in out.iter_mut().filter(|i| i.kind == "provider") {
        if !by_organisation.contains_key(&i.organisation_id) {
            let covered =
                crate::consent::service::coverage_in_household(c, &case.id, &case.household_id, &i.organisation_id)?
                    .0
                    .values()
                    .any(|categories| !categories.is_empty());
            by_organisation.insert(i.organisation_id.clone(), covered);
        }
        i.sharing_basis = Some(if by_organisation[&i.organisation_id] { "consent" } else { "none" });
    }
    Ok(out)
}

pub async fn list(ctx: &Ctx, case_id: String) -> AppResult<Vec<Involvement>> {
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::Read, &ctx.audit)?;
    ctx.audit.resource(&case_id);
    let cx = ctx.clone();
    ctx.read(move |c| list_in(c, &cx, &case_id)).await
}

/// `list` on a connection the caller holds, after the role decision.
pub(crate) fn list_in(c: &mut DbConn, cx: &Ctx, case_id: &str) -> AppResult<Vec<Involvement>> {
    let case = store::case(c, case_id)?.ok_or(AppError::NotFound)?;
    cx.state.access.decide_case(c, &cx.principal, &case.id, &case.team_id, &cx.audit)?;
    rows(c, &case)
}

/// Involves a professional (the regisseur or the teamleider): as team member when they work in a wijkteam, else
/// as provider.
/// A professional of another organisation who may be involved: name and organisation (no contact details).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderProfessional {
    pub user_id: String,
    pub display_name: String,
    pub organisation: String,
}

/// Most provider professionals one list offers.
pub const MAX_PROVIDERS: i64 = 500;

/// Whom the case's regisseur or teamleider may involve from the providers (`GET
/// /api/v1/cases/{id}/involvements/providers`): the same decision as involving someone (`add`), made as a read.
pub async fn providers_for(ctx: &Ctx, case_id: String) -> AppResult<Vec<ProviderProfessional>> {
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::Read, &ctx.audit)?;
    ctx.audit.resource(&case_id);
    let cx = ctx.clone();
    ctx.read(move |c| {
        let case = store::case(c, &case_id)?;
        cx.state.access.decide_manage_involvements(c, &cx.principal, case, &cx.audit)?;
        Ok(store::provider_professionals(c, MAX_PROVIDERS)?
            .into_iter()
            .map(|(user_id, display_name, organisation)| ProviderProfessional { user_id, display_name, organisation })
            .collect())
    })
    .await
}

pub async fn add(ctx: &Ctx, case_id: String, input: AddInvolvement) -> AppResult<Involvement> {
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::Update, &ctx.audit)?;
    ctx.audit.resource(&case_id);
    let mut v = Validator::new();
    v.required(&input.user_id, "userId");
    if let Some(r) = v.required(&input.role_in_case, "roleInCase") {
        v.check(!r.trim().is_empty() && r.chars().count() <= 100, "roleInCase", "must be 1 to 100 characters");
    }
    let t = now();
    // Whole microseconds, as the database keeps them.
    let from = input.valid_from.map(|f| crate::db::truncate_micros(f.naive_utc())).unwrap_or(t);
    let until = input.valid_until.map(|u| crate::db::truncate_micros(u.naive_utc()));
    // A minute's grace for clocks that differ; access is never granted backwards in time.
    v.check(from >= t - chrono::Duration::minutes(1), "validFrom", "must not be in the past");
    if let Some(u) = until {
        v.check(u > from, "validUntil", "must be after validFrom");
    }
    v.finish()?;
    let cx = ctx.clone();
    ctx.write(Effect::Created, move |c| {
        let case = store::case(c, &case_id)?;
        let case = cx.state.access.decide_manage_involvements(c, &cx.principal, case, &cx.audit)?;
        let user_id = input.user_id.unwrap_or_default();
        let user = crate::identity::store::user_row(c, &user_id)?
            .filter(|u| u.active)
            .ok_or_else(|| AppError::field("userId", "is not an active user"))?;
        let roles = crate::identity::store::roles_of(c, &user_id)?;
        let kind =
            if roles.iter().any(|g| g.role == crate::access::Role::Wijkteam) { "team_member" } else { "provider" };
        if store::overlapping_involvement(c, &user_id, &case.id, from, until)? {
            return Err(AppError::Conflict("This professional is already involved in that period".into()));
        }
        let id = new_id();
        store::insert_involvement_period(
            c,
            &NewInvolvement {
                id: &id,
                case_id: &case.id,
                user_id: &user.id,
                organisation_id: &user.organisation_id,
                kind,
                role_in_case: input.role_in_case.as_deref().unwrap_or_default().trim(),
                created_by: Some(&cx.principal.user_id),
            },
            now(),
            from,
            until,
        )?;
        rows(c, &case)?.into_iter().find(|i| i.id == id).ok_or(AppError::NotFound)
    })
    .await
}

/// Ends a professional's involvement (the regisseur or the teamleider); they lose access at once.
pub async fn end(ctx: &Ctx, case_id: String, involvement_id: String) -> AppResult<Involvement> {
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::Update, &ctx.audit)?;
    ctx.audit.resource(&involvement_id);
    let cx = ctx.clone();
    ctx.write(Effect::Changed, move |c| {
        let case = store::case(c, &case_id)?;
        let case = cx.state.access.decide_manage_involvements(c, &cx.principal, case, &cx.audit)?;
        let t = now();
        let current = rows(c, &case)?
            .into_iter()
            .find(|i| i.id == involvement_id && i.valid_until.is_none_or(|u| u > t.and_utc()))
            .ok_or(AppError::NotFound)?;
        if current.kind == "regisseur" {
            return Err(AppError::Conflict("The regisseur's involvement ends by handing over, not here".into()));
        }
        // Ending one that has not started yet cancels it: it ends where it would have begun.
        let ends_at = t.max(current.valid_from.naive_utc());
        store::end_involvement(c, &current.id, ends_at)?;
        rows(c, &case)?.into_iter().find(|i| i.id == current.id).ok_or(AppError::NotFound)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn involvement(user: &str, org: &str, from_h: i64, until_h: Option<i64>) -> Involvement {
        let base = chrono::DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z").unwrap().with_timezone(&Utc);
        Involvement {
            id: format!("{user}-{from_h}"),
            user_id: user.into(),
            organisation_id: org.into(),
            kind: "team_member".into(),
            role_in_case: "wijkcoach".into(),
            valid_from: base + chrono::Duration::hours(from_h),
            valid_until: until_h.map(|h| base + chrono::Duration::hours(h)),
            sharing_basis: None,
        }
    }

    #[test]
    fn counts_are_distinct_professionals_and_organisations_involved_at_that_moment() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-01T14:00:00Z").unwrap().with_timezone(&Utc);
        let all = [
            involvement("a", "wijkteam", 0, None),
            involvement("a", "wijkteam", 1, None), // the same person twice (regisseur and team member)
            involvement("b", "jeugdhulp", 0, Some(2)), // ended exactly now: no longer involved
            involvement("c", "jeugdhulp", 3, None), // not yet begun
            involvement("d", "schuldhulp", 0, Some(5)),
        ];
        assert_eq!(counts_at(&all, at), (2, 2));
    }
}
