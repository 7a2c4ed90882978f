//! Break-glass use cases: open a grant (and notify every privacy officer in the same transaction), list uses for
//! review, record the review.

use actix_web::web;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{is_justification, review_overdue, Reason};
use crate::access::scope::CaseView;
use crate::access::Principal;
use crate::access::{Action, Resource, Role};
use crate::audit::AuditRecord;
use crate::db::schema::{break_glass as bg, household_members, users};
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, Validator};
use crate::households::bsn::{Bsn, RawBsn};
use crate::state::{db, write, AppState};

type State = web::Data<AppState>;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OpenBreakGlass {
    /// The case; or give the person instead.
    pub case_id: Option<String>,
    /// A person found by search: the open case of their household.
    pub person_id: Option<String>,
    /// Or the person's BSN (a POST body, so it stays out of URLs and logs).
    #[schema(value_type = Option<String>)]
    pub bsn: Option<RawBsn>,
    pub reason: Option<Reason>,
    /// What is acutely worrying, in at least a sentence.
    pub justification: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BreakGlass {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub case_id: String,
    pub reason: Reason,
    pub justification: String,
    pub started_at: DateTime<Utc>,
    /// Read access ends at this instant.
    pub expires_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    /// justified or not_justified
    pub judgement: Option<String>,
    pub review_note: Option<String>,
    /// Unreviewed for more than five working days.
    pub review_overdue: bool,
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    chrono::NaiveDateTime,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn load(c: &mut DbConn, reviewed: Option<bool>, id: Option<&str>) -> AppResult<Vec<BreakGlass>> {
    let mut q = bg::table
        .inner_join(users::table.on(users::id.eq(bg::user_id)))
        .select((
            (bg::id, bg::user_id, bg::case_id, bg::reason, bg::justification, bg::started_at, bg::expires_at),
            (bg::reviewed_at, bg::reviewed_by, bg::judgement, bg::review_note),
            users::display_name,
        ))
        .order(bg::started_at.desc())
        .into_boxed();
    match reviewed {
        Some(true) => q = q.filter(bg::reviewed_at.is_not_null()),
        Some(false) => q = q.filter(bg::reviewed_at.is_null()),
        None => {}
    }
    if let Some(id) = id {
        q = q.filter(bg::id.eq(id.to_string()));
    }
    type Loaded = (
        (String, String, String, String, String, chrono::NaiveDateTime, chrono::NaiveDateTime),
        (Option<chrono::NaiveDateTime>, Option<String>, Option<String>, Option<String>),
        String,
    );
    let rows: Vec<Loaded> = q.limit(500).load(c)?;
    let today = now().date();
    Ok(rows
        .into_iter()
        .map(|(a, b, name)| {
            let r: Row = (a.0, a.1, a.2, a.3, a.4, a.5, a.6, b.0, b.1, b.2, b.3);
            BreakGlass {
                review_overdue: r.7.is_none() && review_overdue(r.5.date(), today),
                id: r.0,
                user_id: r.1,
                user_name: name,
                case_id: r.2,
                reason: Reason::parse(&r.3).unwrap_or(Reason::Other),
                justification: r.4,
                started_at: r.5.and_utc(),
                expires_at: r.6.and_utc(),
                reviewed_at: r.7.map(|t| t.and_utc()),
                reviewed_by: r.8,
                judgement: r.9,
                review_note: r.10,
            }
        })
        .collect())
}

/// Opens read access to a case outside the caller's scope (role wijkteam only), for the configured window.
pub async fn open(state: &State, p: &Principal, audit: &AuditRecord, input: OpenBreakGlass) -> AppResult<BreakGlass> {
    state.access.decide(p, Resource::BreakGlass, Action::Create, audit)?;
    let mut v = Validator::new();
    let given =
        [input.case_id.is_some(), input.person_id.is_some(), input.bsn.is_some()].iter().filter(|x| **x).count();
    v.check(given == 1, "caseId", "give the case, or the person (personId or bsn), once");
    let bsn = match &input.bsn {
        Some(raw) => match Bsn::parse(&raw.0) {
            Ok(b) => Some(b),
            Err(e) => {
                v.add("bsn", e.message());
                None
            }
        },
        None => None,
    };
    v.required(&input.reason, "reason");
    if let Some(j) = v.required(&input.justification, "justification") {
        v.check(is_justification(j), "justification", "write at least a sentence on what is acutely worrying");
        v.check(j.chars().count() <= 4_000, "justification", "must be at most 4000 characters");
    }
    v.finish()?;
    let window = chrono::Duration::from_std(state.config.break_glass_window).map_err(AppError::internal)?;
    let (st, principal, audit2) = (state.clone(), p.clone(), audit.clone());
    write(state, audit, 201, move |c| {
        let person_id = match (&input.person_id, &bsn) {
            (Some(id), _) => Some(id.clone()),
            (None, Some(b)) => crate::households::store::person_by_bsn(c, &st.bsn, b)?.map(|p| p.id),
            (None, None) => None,
        };
        let case = match (&input.case_id, person_id) {
            (Some(id), _) => crate::cases::store::case(c, id)?,
            (None, Some(person)) => {
                audit2.person(&person.clone());
                let household: Option<String> = household_members::table
                    .filter(household_members::person_id.eq(&person))
                    .filter(household_members::until_date.is_null())
                    .select(household_members::household_id)
                    .first(c)
                    .optional()?;
                match household {
                    Some(h) => match crate::cases::store::open_case_of_household(c, &h)? {
                        Some(id) => crate::cases::store::case(c, &id)?,
                        None => None,
                    },
                    None => None,
                }
            }
            (None, None) => None,
        };
        let Some(case) = case.filter(|k| k.state != "closed") else {
            return Err(AppError::NotFound);
        };
        let t = now();
        if let Some((_, CaseView::Content)) =
            crate::access::scope::case_basis(c, &principal, &case.id, &case.team_id, t)?
        {
            return Err(AppError::Conflict("You already have access to this case".into()));
        }
        let id = new_id();
        diesel::insert_into(bg::table)
            .values((
                bg::id.eq(&id),
                bg::user_id.eq(&principal.user_id),
                bg::case_id.eq(&case.id),
                bg::reason.eq(input.reason.map(Reason::as_str).unwrap_or("other")),
                bg::justification.eq(input.justification.unwrap_or_default().trim()),
                bg::started_at.eq(t),
                bg::expires_at.eq(t + window),
            ))
            .execute(c)?;
        // Every privacy officer hears of it at once; the message carries the id only.
        for officer in crate::notify::store::active_users_with_role(c, Role::PrivacyOfficer)? {
            crate::notify::store::enqueue(
                c,
                &officer,
                crate::notify::model::Template::BreakGlassUsed,
                serde_json::json!({"breakGlassId": id}),
                t,
            )?;
        }
        audit2.case(&case.id);
        audit2.household(&case.household_id);
        audit2.resource(&id);
        crate::access::allow(&audit2, crate::access::Basis::BreakGlass(id.clone()));
        load(c, None, Some(&id))?.pop().ok_or(AppError::NotFound)
    })
    .await
}

/// Break-glass uses for privacy officers, newest first; `reviewed=false` is the review list.
pub async fn list(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    reviewed: Option<bool>,
) -> AppResult<Vec<BreakGlass>> {
    state.access.decide(p, Resource::BreakGlass, Action::List, audit)?;
    db(state, move |c| load(c, reviewed, None)).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    Justified,
    NotJustified,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Review {
    pub judgement: Option<Judgement>,
    /// Required when the use was not justified.
    pub note: Option<String>,
}

pub async fn review(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    id: String,
    input: Review,
) -> AppResult<BreakGlass> {
    state.access.decide(p, Resource::BreakGlass, Action::Update, audit)?;
    audit.resource(&id);
    let mut v = Validator::new();
    if let Some(j) = v.required(&input.judgement, "judgement") {
        if *j == Judgement::NotJustified {
            v.check(input.note.as_ref().is_some_and(|n| !n.trim().is_empty()), "note", "say why it was not justified");
        }
    }
    if let Some(n) = &input.note {
        v.check(n.chars().count() <= 4_000, "note", "must be at most 4000 characters");
    }
    v.finish()?;
    let (principal, audit2) = (p.clone(), audit.clone());
    write(state, audit, 200, move |c| {
        let judgement = match input.judgement {
            Some(Judgement::NotJustified) => "not_justified",
            _ => "justified",
        };
        let Some(existing) = load(c, None, Some(&id))?.pop() else {
            return Err(AppError::NotFound);
        };
        audit2.case(&existing.case_id.clone());
        crate::access::decide_review_of(&principal, &existing.user_id, &audit2)?;
        let n = diesel::update(bg::table.find(&id).filter(bg::reviewed_at.is_null()))
            .set((
                bg::reviewed_at.eq(now()),
                bg::reviewed_by.eq(&principal.user_id),
                bg::judgement.eq(judgement),
                bg::review_note.eq(input.note.as_deref().map(str::trim)),
            ))
            .execute(c)?;
        if n != 1 {
            return Err(AppError::Conflict("This use was already reviewed".into()));
        }
        load(c, None, Some(&id))?.pop().ok_or(AppError::NotFound)
    })
    .await
}
