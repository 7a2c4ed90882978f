//! Break-glass use cases: open a grant (and notify every privacy officer in the same transaction), list uses for
//! review, record the review.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{is_justification, review_overdue, Reason};
use super::store::{self, GrantRow, NewGrant};
use crate::access::{Action, Resource, Role};
use crate::calendar::WorkCalendar;
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, Validator};
use crate::households::bsn::{Bsn, RawBsn};
use crate::state::{Ctx, Effect};

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

/// Uses listed at most.
const LIST_LIMIT: i64 = 500;

fn to_view(r: GrantRow, calendar: &WorkCalendar, today: chrono::NaiveDate) -> BreakGlass {
    BreakGlass {
        review_overdue: r.reviewed_at.is_none() && review_overdue(calendar, r.started_at.date(), today),
        id: r.id,
        user_id: r.user_id,
        user_name: r.user_name,
        case_id: r.case_id,
        reason: Reason::parse(&r.reason).unwrap_or(Reason::Other),
        justification: r.justification,
        started_at: r.started_at.and_utc(),
        expires_at: r.expires_at.and_utc(),
        reviewed_at: r.reviewed_at.map(|t| t.and_utc()),
        reviewed_by: r.reviewed_by,
        judgement: r.judgement,
        review_note: r.review_note,
    }
}

fn one(c: &mut crate::db::DbConn, calendar: &WorkCalendar, id: &str) -> AppResult<Option<BreakGlass>> {
    Ok(store::grant(c, id)?.map(|r| to_view(r, calendar, now().date())))
}

/// Opens read access to a case outside the caller's scope (role wijkteam only), for the configured window.
pub async fn open(ctx: &Ctx, input: OpenBreakGlass) -> AppResult<BreakGlass> {
    ctx.state.access.decide_break_glass(&ctx.principal, &ctx.audit)?;
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
    let window = chrono::Duration::from_std(ctx.state.config.break_glass_window).map_err(AppError::internal)?;
    let cx = ctx.clone();
    ctx.write(Effect::Created, move |c| {
        let person_id = match (&input.person_id, &bsn) {
            (Some(id), _) => Some(id.clone()),
            (None, Some(b)) => crate::households::store::person_by_bsn(c, &cx.state.bsn, b)?.map(|p| p.id),
            (None, None) => None,
        };
        let case = match (&input.case_id, person_id) {
            (Some(id), _) => store::case(c, id)?,
            (None, Some(person)) => {
                cx.audit.person(&person);
                store::open_case_of_person(c, &person)?
            }
            (None, None) => None,
        };
        let Some(case) = case.filter(|k| k.state != "closed") else {
            return Err(AppError::NotFound);
        };
        let opening = cx.state.access.decide_break_glass_case(c, &cx.principal, &case)?;
        let t = now();
        let id = new_id();
        store::insert(
            c,
            &NewGrant {
                id: &id,
                user_id: &cx.principal.user_id,
                case_id: &case.id,
                reason: input.reason.map(Reason::as_str).unwrap_or("other"),
                justification: input.justification.as_deref().unwrap_or_default().trim(),
                started_at: t,
                expires_at: t + window,
            },
        )?;
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
        opening.granted(&id, &cx.audit);
        one(c, &cx.state.rules.calendar, &id)?.ok_or(AppError::NotFound)
    })
    .await
}

/// Break-glass uses for privacy officers, newest first; `reviewed=false` is the review list.
pub async fn list(ctx: &Ctx, reviewed: Option<bool>) -> AppResult<Vec<BreakGlass>> {
    ctx.state.access.decide_break_glass_list(&ctx.principal, &ctx.audit)?;
    let today = now().date();
    let calendar = ctx.state.rules.calendar.clone();
    ctx.read(move |c| {
        Ok(store::grants(c, reviewed, LIST_LIMIT)?.into_iter().map(|r| to_view(r, &calendar, today)).collect())
    })
    .await
}

/// One break-glass use, for the privacy officers who list and judge them (`GET /api/v1/break-glass/{id}`, and the
/// page the notification email links to). Another use than one that exists answers 404, as for everyone.
pub async fn get(ctx: &Ctx, id: String) -> AppResult<BreakGlass> {
    ctx.state.access.decide_break_glass_list(&ctx.principal, &ctx.audit)?;
    ctx.audit.resource(&id);
    let cx = ctx.clone();
    ctx.read(move |c| {
        let use_ = cx.state.access.decide_break_glass_use(one(c, &cx.state.rules.calendar, &id)?, &cx.audit)?;
        cx.audit.case(&use_.case_id);
        Ok(use_)
    })
    .await
}

/// Whether the caller may open break-glass at all (the role permission), to offer the dialog; records nothing.
pub fn may_open(ctx: &Ctx) -> bool {
    ctx.state.access.may_break_glass(&ctx.principal)
}

/// The caller's own break-glass windows that are open now — on one case when `case_id` is given — the latest ending
/// first (`GET /api/v1/break-glass/mine`): the caller's own data, on the permission every role has for its own
/// account. Nothing of a case is shown.
pub async fn my_open(ctx: &Ctx, case_id: Option<String>) -> AppResult<Vec<BreakGlass>> {
    ctx.state.access.decide(&ctx.principal, Resource::OwnAccount, Action::Read, &ctx.audit)?;
    open_windows(ctx, case_id).await
}

/// The banner on a case's pages: the caller's own window on this case, as `my_open` lists it. It records nothing:
/// the event of the page that shows it stays that of the page's own read.
pub async fn window_on(ctx: &Ctx, case_id: String) -> AppResult<Option<BreakGlass>> {
    Ok(open_windows(ctx, Some(case_id)).await?.into_iter().next())
}

async fn open_windows(ctx: &Ctx, case_id: Option<String>) -> AppResult<Vec<BreakGlass>> {
    let user_id = ctx.principal.user_id.clone();
    let calendar = ctx.state.rules.calendar.clone();
    ctx.read(move |c| open_windows_in(c, &calendar, &user_id, case_id.as_deref())).await
}

/// The user's open windows (on one case, or all), on a connection the caller holds.
pub(crate) fn open_windows_in(
    c: &mut DbConn,
    calendar: &WorkCalendar,
    user_id: &str,
    case_id: Option<&str>,
) -> AppResult<Vec<BreakGlass>> {
    let today = now().date();
    Ok(store::open_grants_of(c, user_id, case_id, now())?.into_iter().map(|r| to_view(r, calendar, today)).collect())
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

pub async fn review(ctx: &Ctx, id: String, input: Review) -> AppResult<BreakGlass> {
    ctx.state.access.decide(&ctx.principal, Resource::BreakGlass, Action::Update, &ctx.audit)?;
    ctx.audit.resource(&id);
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
    let cx = ctx.clone();
    ctx.write(Effect::Changed, move |c| {
        let judgement = match input.judgement {
            Some(Judgement::NotJustified) => "not_justified",
            _ => "justified",
        };
        let Some(existing) = store::grant(c, &id)? else {
            return Err(AppError::NotFound);
        };
        cx.state.access.decide_break_glass_review(&cx.principal, &existing.case_id, &existing.user_id, &cx.audit)?;
        let note = input.note.as_deref().map(str::trim);
        if !store::review(c, &id, &cx.principal.user_id, judgement, note, now())? {
            return Err(AppError::Conflict("This use was already reviewed".into()));
        }
        one(c, &cx.state.rules.calendar, &id)?.ok_or(AppError::NotFound)
    })
    .await
}
