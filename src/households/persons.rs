//! Person use cases: read, search (by BSN or by name and birth date) and parent–child links.
//! A person is seen through the households they belong or belonged to (`scope::person_basis`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::bsn::{Bsn, RawBsn};
use super::service::{person_view, Person};
use super::store;
use crate::access::scope::HouseholdView;
use crate::access::{Action, Resource};
use crate::db::{now, DbConn};
use crate::error::{conflict_on_unique, AppError, AppResult, Validator};
use crate::state::{Ctx, Effect};

/// A person with their family links (only relatives the caller may see).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonDetail {
    #[serde(flatten)]
    pub person: Person,
    pub parent_ids: Vec<String>,
    pub child_ids: Vec<String>,
}

fn detail(ctx: &Ctx, c: &mut DbConn, id: &str, view: HouseholdView) -> AppResult<PersonDetail> {
    let row = store::person(c, id)?.ok_or(AppError::NotFound)?;
    let (parents, children) = store::family_links(c, id)?;
    Ok(PersonDetail {
        person: person_view(&ctx.state.bsn, row, view),
        parent_ids: ctx.state.access.visible_persons(c, &ctx.principal, parents)?,
        child_ids: ctx.state.access.visible_persons(c, &ctx.principal, children)?,
    })
}

pub async fn get_person(ctx: &Ctx, id: String) -> AppResult<PersonDetail> {
    ctx.state.access.decide(&ctx.principal, Resource::Person, Action::Read, &ctx.audit)?;
    ctx.audit.resource(&id);
    let cx = ctx.clone();
    ctx.read(move |c| {
        let found = store::person(c, &id)?.map(|p| p.id);
        let view = cx.state.access.decide_person_read(c, &cx.principal, found.as_deref(), &cx.audit)?;
        detail(&cx, c, &id, view)
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
pub async fn search(ctx: &Ctx, input: PersonSearch) -> AppResult<SearchResult> {
    ctx.state.access.decide(&ctx.principal, Resource::Person, Action::Search, &ctx.audit)?;
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
    let cx = ctx.clone();
    ctx.read(move |c| {
        let candidates = match &bsn {
            Some(b) => store::person_by_bsn(c, &cx.state.bsn, b)?.into_iter().collect(),
            None => {
                let needle = input.name.unwrap_or_default().trim().to_lowercase();
                store::persons_born_on(c, input.birth_date.unwrap_or_default(), MAX_CANDIDATES)?
                    .into_iter()
                    .filter(|p| p.name.to_lowercase().contains(&needle))
                    .collect::<Vec<_>>()
            }
        };
        let mut items = Vec::new();
        for row in candidates {
            if let Some(view) = cx.state.access.decide_search_hit(c, &cx.principal, &row.id, &cx.audit)? {
                items.push(person_view(&cx.state.bsn, row, view));
            }
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
pub async fn add_parent(ctx: &Ctx, child_id: String, input: AddParent) -> AppResult<PersonDetail> {
    ctx.state.access.decide(&ctx.principal, Resource::Person, Action::Update, &ctx.audit)?;
    ctx.audit.resource(&child_id);
    let mut v = Validator::new();
    if let Some(parent) = v.required(&input.parent_id, "parentId") {
        v.check(*parent != child_id, "parentId", "must be someone else");
    }
    v.finish()?;
    let parent_id = input.parent_id.unwrap_or_default();
    let cx = ctx.clone();
    ctx.write(Effect::Created, move |c| {
        let found = store::person(c, &child_id)?.map(|p| p.id);
        let view = cx.state.access.decide_person_change(c, &cx.principal, found.as_deref(), &cx.audit)?;
        if !cx.state.access.knows_person(c, &cx.principal, &parent_id)? {
            return Err(AppError::field("parentId", "is not a person known to you"));
        }
        cx.audit.person(&parent_id);
        store::insert_parent_link(c, &parent_id, &child_id, now())
            .map_err(conflict_on_unique("This parent is already recorded"))?;
        detail(&cx, c, &child_id, view)
    })
    .await
}
