//! Household use cases: access, transaction, audit.

use actix_web::web;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, HouseholdRow};
use crate::access::scope::member_teams;
use crate::access::{Action, Resource};
use crate::audit::AuditScope;
use crate::auth::Principal;
use crate::db::{new_id, now};
use crate::error::{AppResult, Validator};
use crate::state::{write, AppState};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateHousehold {
    /// Dutch postcode, `1234AB` (a space is allowed).
    pub postcode: Option<String>,
    pub house_number: Option<i32>,
    pub house_number_addition: Option<String>,
    /// Care home, shelter or youth institution: never used for address matches.
    pub institutional_address: Option<bool>,
    pub wijk: Option<String>,
    /// The owning team; the caller must work in it.
    pub team_id: Option<String>,
    /// `normal` (default) or `high`.
    pub confidentiality: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Household {
    pub id: String,
    pub postcode: String,
    pub house_number: i32,
    pub house_number_addition: Option<String>,
    pub institutional_address: bool,
    pub wijk: String,
    pub team_id: String,
    pub confidentiality: String,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<HouseholdRow> for Household {
    fn from(h: HouseholdRow) -> Self {
        Household {
            id: h.id,
            postcode: h.postcode,
            house_number: h.house_number,
            house_number_addition: h.house_number_addition,
            institutional_address: h.institutional_address,
            wijk: h.wijk,
            team_id: h.team_id,
            confidentiality: h.confidentiality,
            version: h.version,
            created_at: h.created_at.and_utc(),
        }
    }
}

/// `1234 ab` → `1234AB`; None when it is not a Dutch postcode.
pub fn normalise_postcode(raw: &str) -> Option<String> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    let ok = s.len() == 6
        && s[..4].chars().all(|c| c.is_ascii_digit())
        && !s.starts_with('0')
        && s[4..].chars().all(|c| c.is_ascii_uppercase());
    ok.then_some(s)
}

impl CreateHousehold {
    fn validate(&self, teams: &[String]) -> AppResult<()> {
        let mut v = Validator::new();
        if let Some(p) = v.required(&self.postcode, "postcode") {
            v.check(normalise_postcode(p).is_some(), "postcode", "must be a Dutch postcode like 2711AB");
        }
        if let Some(n) = v.required(&self.house_number, "houseNumber") {
            v.check((1..=99_999).contains(n), "houseNumber", "must be between 1 and 99999");
        }
        if let Some(a) = &self.house_number_addition {
            v.check(a.trim().chars().count() <= 10, "houseNumberAddition", "must be at most 10 characters");
        }
        if let Some(w) = v.required(&self.wijk, "wijk") {
            v.check(!w.trim().is_empty() && w.chars().count() <= 100, "wijk", "must be 1 to 100 characters");
        }
        if let Some(t) = v.required(&self.team_id, "teamId") {
            v.check(teams.contains(t), "teamId", "must be a team you work in");
        }
        if let Some(c) = &self.confidentiality {
            v.check(c == "normal" || c == "high", "confidentiality", "must be normal or high");
        }
        v.finish()
    }
}

pub async fn create_household(
    state: &web::Data<AppState>,
    p: &Principal,
    audit: &AuditScope,
    input: CreateHousehold,
) -> AppResult<Household> {
    state.access.decide(p, Resource::Household, Action::Create, audit)?;
    input.validate(&member_teams(p))?;
    let t = now();
    let row = HouseholdRow {
        id: new_id(),
        postcode: normalise_postcode(input.postcode.as_deref().unwrap_or_default()).unwrap_or_default(),
        house_number: input.house_number.unwrap_or_default(),
        house_number_addition: input.house_number_addition.map(|a| a.trim().to_string()).filter(|a| !a.is_empty()),
        institutional_address: input.institutional_address.unwrap_or(false),
        wijk: input.wijk.unwrap_or_default().trim().to_string(),
        team_id: input.team_id.unwrap_or_default(),
        confidentiality: input.confidentiality.unwrap_or_else(|| "normal".into()),
        version: 1,
        created_at: t,
        updated_at: t,
    };
    {
        let mut a = audit.lock();
        a.household_id = Some(row.id.clone());
        a.resource_id = Some(row.id.clone());
    }
    write(state, audit, 201, move |c| {
        store::insert_household(c, &row)?;
        Ok(row.into())
    })
    .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn postcodes() {
        assert_eq!(super::normalise_postcode("2711 ab").as_deref(), Some("2711AB"));
        assert_eq!(super::normalise_postcode("0711AB"), None);
        assert_eq!(super::normalise_postcode("27111AB"), None);
        assert_eq!(super::normalise_postcode("2711A1"), None);
    }
}
