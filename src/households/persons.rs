//! Person use cases: read, search (by BSN or by name and birth date) and parent–child links.
//! A person is seen through the households they belong or belonged to (`scope::person_basis`).

use actix_web::web;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::bsn::{Bsn, RawBsn};
use super::service::{person_view, Person};
use super::store;
use crate::access::scope::{person_basis, HouseholdView};
use crate::access::Principal;
use crate::access::{Action, Resource};
use crate::audit::AuditRecord;
use crate::db::{now, DbConn};
use crate::error::{AppError, AppResult, Validator};
use crate::state::{db, write, AppState};

type State = web::Data<AppState>;

/// A person with their family links (only relatives the caller may see).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonDetail {
    #[serde(flatten)]
    pub person: Person,
    pub parent_ids: Vec<String>,
    pub child_ids: Vec<String>,
}

fn visible(c: &mut DbConn, p: &Principal, ids: Vec<String>) -> AppResult<Vec<String>> {
    let t = now();
    let mut out = Vec::new();
    for id in ids {
        if person_basis(c, p, &id, t)?.is_some() {
            out.push(id);
        }
    }
    Ok(out)
}

fn detail(st: &AppState, c: &mut DbConn, p: &Principal, id: &str, view: HouseholdView) -> AppResult<PersonDetail> {
    let row = store::person(c, id)?.ok_or(AppError::NotFound)?;
    let (parents, children) = store::family_links(c, id)?;
    Ok(PersonDetail {
        person: person_view(&st.bsn, row, view),
        parent_ids: visible(c, p, parents)?,
        child_ids: visible(c, p, children)?,
    })
}

pub async fn get_person(state: &State, p: &Principal, audit: &AuditRecord, id: String) -> AppResult<PersonDetail> {
    state.access.decide(p, Resource::Person, Action::Read, audit)?;
    audit.resource(&id);
    let (st, principal, audit) = (state.clone(), p.clone(), audit.clone());
    db(state, move |c| {
        if store::person(c, &id)?.is_none() {
            audit.denied();
            return Err(AppError::NotFound);
        }
        let view = st.access.decide_person(c, &principal, &id, &audit)?;
        detail(&st, c, &principal, &id, view)
    })
    .await
}

/// Search by BSN, or by name and birth date together. A POST, so the BSN stays out of URLs and logs.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PersonSearch {
    #[schema(value_type = Option<String>)]
    pub bsn: Option<RawBsn>,
    /// Matched case-insensitively as part of the name.
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub birth_date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchResult {
    pub items: Vec<Person>,
}

/// Candidates considered per search by name and birth date.
const MAX_CANDIDATES: i64 = 500;

/// Finds the persons the caller may see; a person out of scope is simply not found. Audited as a search, with
/// the persons found; never with what was searched for.
pub async fn search(state: &State, p: &Principal, audit: &AuditRecord, input: PersonSearch) -> AppResult<SearchResult> {
    state.access.decide(p, Resource::Person, Action::Search, audit)?;
    let mut v = Validator::new();
    let mut bsn = None;
    match (&input.bsn, &input.name, &input.birth_date) {
        (Some(raw), None, None) => match Bsn::parse(&raw.0) {
            Ok(b) => bsn = Some(b),
            Err(e) => v.add("bsn", e.message()),
        },
        (None, Some(name), Some(_)) => {
            v.check(name.trim().chars().count() >= 2, "name", "must be at least 2 characters");
        }
        (None, None, None) => v.add("bsn", "give a BSN, or a name and a birth date"),
        (None, Some(_), None) => v.add("birthDate", "is required with name"),
        (None, None, Some(_)) => v.add("name", "is required with birthDate"),
        (Some(_), _, _) => v.add("bsn", "search by BSN alone, or by name and birth date"),
    }
    v.finish()?;
    let (st, principal, audit) = (state.clone(), p.clone(), audit.clone());
    db(state, move |c| {
        let candidates = match &bsn {
            Some(b) => store::person_by_bsn(c, &st.bsn, b)?.into_iter().collect(),
            None => {
                let needle = input.name.unwrap_or_default().trim().to_lowercase();
                store::persons_born_on(c, input.birth_date.unwrap_or_default(), MAX_CANDIDATES)?
                    .into_iter()
                    .filter(|p| p.name.to_lowercase().contains(&needle))
                    .collect::<Vec<_>>()
            }
        };
        let t = now();
        let mut items = Vec::new();
        for row in candidates {
            let Some((basis, view)) = person_basis(c, &principal, &row.id, t)? else { continue };
            audit.person(&row.id);
            // One basis per event: with several results, the first one's.
            crate::access::allow_first(&audit, basis);
            items.push(person_view(&st.bsn, row, view));
        }
        Ok(SearchResult { items })
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddParent {
    pub parent_id: Option<String>,
}

/// Records that `parentId` is a parent of the person. Both must be persons the caller may see.
pub async fn add_parent(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    child_id: String,
    input: AddParent,
) -> AppResult<PersonDetail> {
    state.access.decide(p, Resource::Person, Action::Update, audit)?;
    audit.resource(&child_id);
    let mut v = Validator::new();
    if let Some(parent) = v.required(&input.parent_id, "parentId") {
        v.check(*parent != child_id, "parentId", "must be someone else");
    }
    v.finish()?;
    let parent_id = input.parent_id.unwrap_or_default();
    let (st, principal, audit2) = (state.clone(), p.clone(), audit.clone());
    write(state, audit, 201, move |c| {
        if store::person(c, &child_id)?.is_none() {
            audit2.denied();
            return Err(AppError::NotFound);
        }
        let view = st.access.decide_person(c, &principal, &child_id, &audit2)?;
        if view == HouseholdView::Summary {
            audit2.denied();
            return Err(AppError::Forbidden);
        }
        if person_basis(c, &principal, &parent_id, now())?.is_none() {
            return Err(AppError::field("parentId", "is not a person known to you"));
        }
        audit2.person(&parent_id.clone());
        if !store::insert_parent_link(c, &parent_id, &child_id, now())? {
            return Err(AppError::Conflict("This parent is already recorded".into()));
        }
        detail(&st, c, &principal, &child_id, view)
    })
    .await
}
