//! Signalling and matching. A signal records *that* an organisation is involved with a young person — never why.
//! Matching runs in the signal's own transaction; every signaller in a match and the matchregisseurs hear of it
//! through the outbox in that same transaction. Signallers see their own signals and matches only; no one browses.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{self, MatchKind, RemovalReason};
use super::store::{self, MatchFilter, MemberRow, SignalListRow, SignalRow};
use crate::access::signals::{MatchView, Signaller};
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, Validator};
use crate::households::bsn::{Bsn, RawBsn};
use crate::notify::model::Template;
use crate::paging::{self, Page, PageQuery};
use crate::roles::Role;
use crate::state::{Ctx, Effect};

pub use super::model::CONFIRM_WORKING_DAYS;
pub use super::store::serialize_signalling;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSignal {
    pub subject: Option<Subject>,
    pub contact: Option<Contact>,
}

/// The young person: BSN and birth date, which must agree with the person eenplan knows; a name only for a person
/// eenplan does not know yet.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Subject {
    #[schema(value_type = Option<String>)]
    pub bsn: Option<RawBsn>,
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub birth_date: Option<NaiveDate>,
    pub name: Option<String>,
}

/// How other professionals reach the signaller: a phone number, an email address, or both.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Contact {
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Signal {
    pub id: String,
    /// Whom the signaller signalled (their own signal: they know whom).
    pub subject_name: String,
    pub subject_birth_date: NaiveDate,
    pub contact: Contact,
    /// active or archived
    pub status: String,
    pub created_at: DateTime<Utc>,
    /// The first day it no longer matches.
    pub expires_on: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removal_reason: Option<String>,
    /// The matches this signal is in.
    pub matches: Vec<MatchRef>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MatchRef {
    pub id: String,
    pub kind: MatchKind,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoveSignal {
    pub reason: Option<RemovalReason>,
}

/// A match as a signaller sees it (the others' contact details) or as the matchregisseur does (who has confirmed
/// contact, and since when). Nothing about the person or household, for either.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Match {
    pub id: String,
    pub kind: MatchKind,
    pub created_at: DateTime<Utc>,
    /// Some signaller has not confirmed contact within ten working days of joining.
    pub overdue: bool,
    pub members: Vec<MatchMember>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MatchMember {
    pub name: String,
    pub organisation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The caller's own signal.
    pub own: bool,
    pub joined_at: DateTime<Utc>,
    pub contact_confirmed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MatchQuery {
    /// Only matches with an unconfirmed signaller past ten working days.
    pub overdue: Option<bool>,
    pub limit: Option<i64>,
    pub after: Option<String>,
}

impl MatchQuery {
    fn page(&self) -> PageQuery {
        PageQuery { limit: self.limit, after: self.after.clone() }
    }
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|x| x.trim().to_string()).filter(|x| !x.is_empty())
}

impl crate::access::signals::SignalFacts for SignalRow {
    fn made_by(&self) -> &str {
        &self.user_id
    }
}

/// Whether the caller may register a signal (a role that signals), to offer the form. It records nothing: an empty
/// form shows no one's data, and an event named `signal.create` would say a signal was made when none was.
pub fn may_register(ctx: &Ctx) -> bool {
    ctx.state.access.may_signal(&ctx.principal)
}

/// Registers a signal and matches it, in one transaction.
pub async fn register(ctx: &Ctx, input: NewSignal) -> AppResult<Signal> {
    let who = ctx.state.access.decide_register_signal(&ctx.principal, &ctx.audit)?;
    let today = now().date();
    let max_age = ctx.state.config.signals.max_age;
    let mut v = Validator::new();
    let mut bsn = None;
    let (mut birth, mut name) = (None, None);
    if let Some(s) = v.required(&input.subject, "subject") {
        match v.required(&s.bsn, "subject.bsn").map(|raw| Bsn::parse(&raw.0)) {
            Some(Ok(b)) => bsn = Some(b),
            Some(Err(e)) => v.add("subject.bsn", e.message()),
            None => {}
        }
        if let Some(b) = v.required(&s.birth_date, "subject.birthDate") {
            v.check(*b <= today, "subject.birthDate", "must not be in the future");
            v.check(
                *b > today || model::may_be_signalled(*b, today, max_age),
                "subject.birthDate",
                &format!("the person is {max_age} or older: signals are for younger persons"),
            );
            birth = Some(*b);
        }
        name = clean(&s.name);
        v.check(name.as_ref().is_none_or(|n| n.chars().count() <= 200), "subject.name", "at most 200 characters");
    }
    let contact = match v.required(&input.contact, "contact") {
        Some(c) => {
            let (phone, email) = (clean(&c.phone), clean(&c.email));
            v.check(phone.is_some() || email.is_some(), "contact", "give a phone number, an email address or both");
            if let Some(ph) = &phone {
                v.check(model::is_phone(ph), "contact.phone", "is not a phone number");
            }
            if let Some(em) = &email {
                v.check(model::is_email(em), "contact.email", "is not an email address");
            }
            Contact { phone, email }
        }
        None => Contact { phone: None, email: None },
    };
    v.finish()?;
    let (bsn, birth) = (bsn.expect("validated"), birth.expect("validated"));
    let (st, audit) = (ctx.state.clone(), ctx.audit.clone());
    ctx.write(Effect::Created, move |c| {
        serialize_signalling(c)?;
        let t = now();
        let person = match crate::households::store::person_by_bsn(c, &st.bsn, &bsn)? {
            Some(known) if known.birth_date != birth => {
                return Err(AppError::field(
                    "subject.birthDate",
                    "does not agree with the person eenplan knows by this BSN",
                ))
            }
            Some(known) if known.deceased_on.is_some() => {
                return Err(AppError::field("subject.bsn", "this person has died"))
            }
            Some(known) => known.id,
            None => {
                let Some(name) = name else {
                    return Err(AppError::field("subject.name", "is required for a person eenplan does not know yet"));
                };
                let id = new_id();
                crate::households::store::insert_person(c, &st.bsn, &id, &name, birth, Some(&bsn), t)?;
                id
            }
        };
        audit.person(&person);
        let id = insert_and_match(c, &who.user_id, &who.organisation_id, &person, birth, &contact, max_age, t)?;
        audit.resource(&id);
        let rows = store::own_signals(c, &who.user_id, Some(&id), None, 1)?;
        signals_of(c, rows)?.pop().ok_or(AppError::NotFound)
    })
    .await
}

/// The part of signalling after the subject is known (inside the caller's transaction, after
/// `serialize_signalling`): one active signal per organisation and person (409), the signal, its matches and their
/// notifications, and an archived signal's one announcement. Returns the new signal's id.
#[allow(clippy::too_many_arguments)]
pub fn insert_and_match(
    c: &mut DbConn,
    user_id: &str,
    organisation_id: &str,
    person: &str,
    birth: NaiveDate,
    contact: &Contact,
    max_age: i32,
    t: NaiveDateTime,
) -> AppResult<String> {
    if store::active_signal_of(c, person, organisation_id)?.is_some() {
        return Err(AppError::Conflict("Your organisation already has an active signal on this person".into()));
    }
    let row = SignalRow {
        id: new_id(),
        person_id: person.to_string(),
        organisation_id: organisation_id.to_string(),
        user_id: user_id.to_string(),
        contact_phone: contact.phone.clone(),
        contact_email: contact.email.clone(),
        status: "active".into(),
        created_at: t,
        expires_on: model::expires_on(t.date(), birth, max_age),
        removed_at: None,
        removal_reason: None,
        archive_until: None,
        archive_notified_at: None,
    };
    store::insert_signal(c, &row)?;
    match_signal(c, &row, t)?;
    // An archived signal on the same person tells the first new signaller about itself, once.
    for archived in store::unannounced_archived(c, person, organisation_id)? {
        if store::claim_announcement(c, &archived, t)? {
            crate::notify::store::enqueue(
                c,
                user_id,
                Template::ArchivedSignal,
                serde_json::json!({"signalId": archived}),
                t,
            )?;
        }
    }
    Ok(row.id)
}

/// Matches a new signal against other organisations' active signals and notifies everyone concerned.
fn match_signal(c: &mut DbConn, row: &SignalRow, t: NaiveDateTime) -> AppResult<()> {
    let candidates = store::candidates(c, &row.person_id, &row.organisation_id, t.date())?;
    for ((kind, key), others) in model::group(candidates) {
        let (match_id, created) = match store::match_by_key(c, kind, &key)? {
            Some(id) => (id, false),
            None => {
                let id = new_id();
                store::insert_match(c, &id, kind, &key, t)?;
                (id, true)
            }
        };
        let members = store::member_signals(c, &match_id)?;
        for signal in others.iter().chain(std::iter::once(&row.id)) {
            if !members.contains(signal) {
                store::insert_member(c, &match_id, signal, t)?;
            }
        }
        // The payload names the match only: delivery fills in the kind and the contacts as they are then.
        let payload = serde_json::json!({"matchId": match_id});
        for user in store::match_signallers(c, &match_id)? {
            crate::notify::store::enqueue(c, &user, Template::MatchFound, payload.clone(), t)?;
        }
        if created {
            for user in crate::notify::store::active_users_with_role(c, Role::Matchregisseur)? {
                crate::notify::store::enqueue(c, &user, Template::MatchCreated, payload.clone(), t)?;
            }
        }
    }
    Ok(())
}

/// Signals as their signaller sees them, with the matches each is in.
fn signals_of(c: &mut DbConn, rows: Vec<SignalListRow>) -> AppResult<Vec<Signal>> {
    let ids: Vec<String> = rows.iter().map(|(r, ..)| r.id.clone()).collect();
    let refs = store::match_refs(c, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(r, subject_name, subject_birth_date)| Signal {
            matches: refs
                .iter()
                .filter(|(s, ..)| *s == r.id)
                .filter_map(|(_, id, kind)| MatchKind::parse(kind).map(|kind| MatchRef { id: id.clone(), kind }))
                .collect(),
            id: r.id,
            subject_name,
            subject_birth_date,
            contact: Contact { phone: r.contact_phone, email: r.contact_email },
            status: r.status,
            created_at: r.created_at.and_utc(),
            expires_on: r.expires_on,
            removal_reason: r.removal_reason,
        })
        .collect())
}

/// The caller's own signals, newest first: no one sees anyone else's.
pub async fn list_own(ctx: &Ctx, q: PageQuery) -> AppResult<Page<Signal>> {
    let who = ctx.state.access.decide_list_signals(&ctx.principal, &ctx.audit)?;
    let audit = ctx.audit.clone();
    ctx.read(move |c| {
        let rows = store::own_signals(c, &who.user_id, None, q.after.as_deref(), q.fetch())?;
        let page = paging::page(rows, q.limit(), |(r, ..)| r.id.clone());
        // The signaller sees the persons they signalled: that is an access to personal data, recorded.
        audit.persons(page.items.iter().map(|(r, ..)| r.person_id.clone()));
        Ok(Page { items: signals_of(c, page.items)?, next: page.next })
    })
    .await
}

/// One of the caller's own signals (as `list_own` shows it); someone else's, or none: 404.
pub async fn own_signal(ctx: &Ctx, id: String) -> AppResult<Signal> {
    let who = ctx.state.access.decide_list_signals(&ctx.principal, &ctx.audit)?;
    ctx.audit.resource(&id);
    let (st, audit) = (ctx.state.clone(), ctx.audit.clone());
    ctx.read(move |c| {
        let row = st.access.decide_own_signal(&who, store::signal(c, &id)?, &audit)?;
        audit.person(&row.person_id);
        let rows = store::own_signals(c, &who.user_id, Some(&row.id), None, 1)?;
        signals_of(c, rows)?.pop().ok_or(AppError::NotFound)
    })
    .await
}

/// The signaller removes their own signal: unjustified → deleted; risk gone → archived (or deleted when the
/// subject is too old to keep it). Someone else's signal answers 404.
pub async fn remove(ctx: &Ctx, id: String, input: RemoveSignal) -> AppResult<serde_json::Value> {
    let who = ctx.state.access.decide_remove_signal(&ctx.principal, &ctx.audit)?;
    ctx.audit.resource(&id);
    let mut v = Validator::new();
    v.required(&input.reason, "reason");
    v.finish()?;
    let reason = input.reason.expect("validated");
    let max_age = ctx.state.config.signals.max_age;
    let (st, audit) = (ctx.state.clone(), ctx.audit.clone());
    ctx.write(Effect::Changed, move |c| {
        let row = st.access.decide_own_signal(&who, store::signal(c, &id)?, &audit)?;
        audit.person(&row.person_id);
        if row.status != "active" {
            return Err(AppError::Conflict("This signal was removed already".into()));
        }
        let t = now();
        let birth = store::birth_date(c, &row.person_id)?;
        let kept = match reason {
            RemovalReason::Unjustified => None,
            RemovalReason::RiskGone => model::archive_until(t.date(), birth, max_age),
        };
        match kept {
            None => store::delete_signal(c, &row.id)?,
            Some(until) => {
                store::archive_signal(c, &row.id, "risk_gone", t, until)?;
            }
        }
        Ok(serde_json::json!({"id": row.id, "status": if kept.is_some() { "archived" } else { "deleted" }}))
    })
    .await
}

/// The matches with these ids as `view` sees them; overdue when an unconfirmed member joined before
/// `overdue_before`.
fn load_matches(
    c: &mut DbConn,
    ids: &[String],
    view: &MatchView,
    overdue_before: NaiveDateTime,
) -> AppResult<Vec<Match>> {
    let heads = store::match_heads(c, ids)?;
    let rows = store::member_rows(c, ids)?;
    Ok(heads
        .into_iter()
        .filter_map(|(id, kind, created)| {
            let members: Vec<&MemberRow> = rows.iter().filter(|r| r.match_id == id).collect();
            let overdue = members.iter().any(|r| r.contact_confirmed_at.is_none() && r.joined_at < overdue_before);
            Some(Match {
                kind: MatchKind::parse(&kind)?,
                created_at: created.and_utc(),
                overdue,
                members: members.into_iter().map(|r| member(r, view)).collect(),
                id,
            })
        })
        .collect())
}

fn member(r: &MemberRow, view: &MatchView) -> MatchMember {
    let contacts = view.shows_contacts();
    MatchMember {
        name: r.name.clone(),
        organisation: r.organisation.clone(),
        phone: r.phone.clone().filter(|_| contacts),
        email: r.email.clone().filter(|_| contacts),
        own: view.is_own(&r.user_id),
        joined_at: r.joined_at.and_utc(),
        contact_confirmed_at: r.contact_confirmed_at.map(|t| t.and_utc()),
    }
}

/// Whether the caller sees matches as the matchregisseur (who follows them all), not as a signaller in them.
pub fn follows_matches(ctx: &Ctx) -> bool {
    ctx.state.access.follows_matches(&ctx.principal)
}

/// Matches for the caller: a matchregisseur follows all of them (who has confirmed contact, never the person); a
/// signaller sees the matches of their own signals, with the others' contact details.
pub async fn list_matches(ctx: &Ctx, q: MatchQuery) -> AppResult<Page<Match>> {
    let view = ctx.state.access.decide_list_matches(&ctx.principal, &ctx.audit)?;
    let page = q.page();
    let calendar = ctx.state.rules.calendar.clone();
    ctx.read(move |c| {
        let overdue_before = model::overdue_if_joined_before(&calendar, now().date());
        let filter = MatchFilter {
            member: view.member().map(|s: &Signaller| s.user_id.as_str()),
            overdue: q.overdue,
            overdue_before,
            after: page.after.as_deref(),
            fetch: page.fetch(),
        };
        let ids = paging::page(store::match_ids(c, &filter)?, page.limit(), String::clone);
        Ok(Page { items: load_matches(c, &ids.items, &view, overdue_before)?, next: ids.next })
    })
    .await
}

/// One match as `list_matches` shows it to the caller: a signaller's own (404 when none of their signals is in it),
/// any match for the matchregisseur (404 when there is no such match).
pub async fn get_match(ctx: &Ctx, match_id: String) -> AppResult<Match> {
    let view = ctx.state.access.decide_list_matches(&ctx.principal, &ctx.audit)?;
    ctx.audit.resource(&match_id);
    let (st, audit) = (ctx.state.clone(), ctx.audit.clone());
    ctx.read(move |c| {
        let view = match view.member() {
            Some(who) => {
                st.access.decide_match_member(who.clone(), &store::member_signallers(c, &match_id)?, &audit)?.view
            }
            None => {
                let exists = !store::match_heads(c, std::slice::from_ref(&match_id))?.is_empty();
                st.access.decide_followed_match(exists, &audit)?;
                view
            }
        };
        let overdue_before = model::overdue_if_joined_before(&st.rules.calendar, now().date());
        load_matches(c, &[match_id], &view, overdue_before)?.pop().ok_or(AppError::NotFound)
    })
    .await
}

/// The signaller confirms that contact was made with the others in the match. Not their match: 404.
pub async fn confirm_contact(ctx: &Ctx, match_id: String) -> AppResult<Match> {
    let who = ctx.state.access.decide_confirm_contact(&ctx.principal, &ctx.audit)?;
    ctx.audit.resource(&match_id);
    let (st, audit) = (ctx.state.clone(), ctx.audit.clone());
    ctx.write(Effect::Changed, move |c| {
        let members = store::member_signallers(c, &match_id)?;
        let own = st.access.decide_match_member(who, &members, &audit)?;
        let t = now();
        store::confirm_contact(c, &match_id, &own.signals, t)?;
        crate::db::mark_cases_of_match(c, &match_id, t)?;
        let overdue_before = model::overdue_if_joined_before(&st.rules.calendar, t.date());
        load_matches(c, &[match_id], &own.view, overdue_before)?.pop().ok_or(AppError::NotFound)
    })
    .await
}

/// What a reminder queued: one email to each signaller in the match who has not confirmed contact.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reminder {
    pub match_id: String,
    /// The emails queued (one per signaller reminded).
    pub queued: usize,
    /// Whom: name and organisation, never contact details or the person.
    pub reminded: Vec<Reminded>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reminded {
    pub name: String,
    pub organisation: String,
}

/// The matchregisseur reminds the signallers of a match who have not confirmed contact: one outbox email each
/// (`Template::MatchReminder`, linking to the match). At most one reminder per match a day (409 otherwise), and
/// none when everyone has confirmed (409). No such match: 404.
pub async fn remind(ctx: &Ctx, match_id: String) -> AppResult<Reminder> {
    let view = ctx.state.access.decide_remind_match(&ctx.principal, &ctx.audit)?;
    ctx.audit.resource(&match_id);
    let (st, audit) = (ctx.state.clone(), ctx.audit.clone());
    ctx.write(Effect::Changed, move |c| {
        store::serialize_reminders(c)?;
        st.access.decide_followed_match(!store::match_heads(c, std::slice::from_ref(&match_id))?.is_empty(), &audit)?;
        let t = now();
        let payload = serde_json::json!({"matchId": match_id});
        let last = store::last_queued(c, Template::MatchReminder.as_str(), &payload.to_string())?;
        if !model::may_remind(last, t) {
            return Err(AppError::Conflict(format!(
                "This match was reminded less than {} hours ago",
                model::REMINDER_INTERVAL_HOURS
            )));
        }
        let mut reminded: Vec<(String, Reminded)> = Vec::new();
        for r in store::member_rows(c, std::slice::from_ref(&match_id))? {
            if r.contact_confirmed_at.is_none() && !reminded.iter().any(|(user, _)| *user == r.user_id) {
                let m = member(&r, &view);
                reminded.push((r.user_id, Reminded { name: m.name, organisation: m.organisation }));
            }
        }
        if reminded.is_empty() {
            return Err(AppError::Conflict("Everyone in this match has confirmed contact".into()));
        }
        for (user, _) in &reminded {
            crate::notify::store::enqueue(c, user, Template::MatchReminder, payload.clone(), t)?;
        }
        Ok(Reminder { match_id, queued: reminded.len(), reminded: reminded.into_iter().map(|(_, r)| r).collect() })
    })
    .await
}
