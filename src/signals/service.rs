//! Signalling and matching. A signal records *that* an organisation is involved with a young person — never why.
//! Matching runs in the signal's own transaction; every signaller in a match and the matchregisseurs hear of it
//! through the outbox in that same transaction. Signallers see their own signals and matches only; no one browses.

use actix_web::web;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{self, MatchKind, RemovalReason};
use super::store::{self, SignalRow};
use crate::access::Principal;
use crate::access::{Action, Resource, Role};
use crate::audit::AuditRecord;
use crate::breakglass::model::working_days_between;
use crate::db::schema::{match_members, matches, organisations, persons, signals, users};
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, Validator};
use crate::households::bsn::{Bsn, RawBsn};
use crate::notify::model::Template;
use crate::state::{db, write, AppState};

type State = web::Data<AppState>;

/// Working days a match may wait for every signaller's contact confirmation before it is overdue.
pub const CONFIRM_WORKING_DAYS: i64 = 10;

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

fn clean(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|x| x.trim().to_string()).filter(|x| !x.is_empty())
}

/// Registers a signal and matches it, in one transaction.
pub async fn register(state: &State, p: &Principal, audit: &AuditRecord, input: NewSignal) -> AppResult<Signal> {
    state.access.decide(p, Resource::Signal, Action::Create, audit)?;
    let today = now().date();
    let max_age = state.config.signals.max_age;
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
    let (st, principal, audit2) = (state.clone(), p.clone(), audit.clone());
    write(state, audit, 201, move |c| {
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
        audit2.person(&person.clone());
        let id =
            insert_and_match(c, &principal.user_id, &principal.organisation_id, &person, birth, &contact, max_age, t)?;
        audit2.resource(&id);
        load_own(c, &principal.user_id, Some(&id), None, 1)?.0.pop().ok_or(AppError::NotFound)
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
    t: chrono::NaiveDateTime,
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

/// On PostgreSQL several nodes may register at once: signalling takes one transaction-scoped advisory lock, so that
/// two signals on related persons always see each other. (On one node writes are serialised already.)
pub fn serialize_signalling(c: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Pg(pg) = c {
        diesel::sql_query("SELECT pg_advisory_xact_lock(7225001)").execute(pg)?;
    }
    Ok(())
}

/// Matches a new signal against other organisations' active signals and notifies everyone concerned.
fn match_signal(c: &mut DbConn, row: &SignalRow, t: chrono::NaiveDateTime) -> AppResult<()> {
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
        let signallers: Vec<String> = match_members::table
            .inner_join(signals::table)
            .filter(match_members::match_id.eq(&match_id))
            .select(signals::user_id)
            .distinct()
            .load(c)?;
        let payload = serde_json::json!({"matchId": match_id});
        for user in signallers {
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

type SignalListRow = (SignalRow, String, NaiveDate);

/// The caller's own signals (or one of them), newest first, and the persons they concern (for the audit event).
fn load_own(
    c: &mut DbConn,
    user_id: &str,
    id: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> AppResult<(Vec<Signal>, Vec<String>)> {
    let mut q = signals::table
        .inner_join(persons::table)
        .filter(signals::user_id.eq(user_id))
        .select((SignalRow::as_select(), persons::name, persons::birth_date))
        .order(signals::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(id) = id {
        q = q.filter(signals::id.eq(id.to_string()));
    }
    if let Some(after) = after {
        q = q.filter(signals::id.lt(after.to_string()));
    }
    let rows: Vec<SignalListRow> = q.load(c)?;
    let ids: Vec<String> = rows.iter().map(|(r, ..)| r.id.clone()).collect();
    let refs: Vec<(String, String, String)> = match_members::table
        .inner_join(matches::table)
        .filter(match_members::signal_id.eq_any(&ids))
        .select((match_members::signal_id, matches::id, matches::kind))
        .load(c)?;
    let persons = rows.iter().map(|(r, ..)| r.person_id.clone()).collect();
    let signals = rows
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
        .collect();
    Ok((signals, persons))
}

/// The caller's own signals: no one sees anyone else's.
pub async fn list_own(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    q: crate::http::PageQuery,
) -> AppResult<crate::identity::model::Page<Signal>> {
    state.access.decide(p, Resource::Signal, Action::List, audit)?;
    let (principal, audit2) = (p.clone(), audit.clone());
    let limit = q.limit();
    db(state, move |c| {
        let (items, persons) = load_own(c, &principal.user_id, None, q.after.as_deref(), limit)?;
        // The signaller sees the persons they signalled: that is an access to personal data, recorded.
        audit2.persons(persons);
        let next = (items.len() as i64 == limit).then(|| items.last().map(|s| s.id.clone())).flatten();
        Ok(crate::identity::model::Page { items, next })
    })
    .await
}

/// The signaller removes their own signal: unjustified → deleted; risk gone → archived (or deleted when the
/// subject is too old to keep it). Someone else's signal answers 404.
pub async fn remove(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    id: String,
    input: RemoveSignal,
) -> AppResult<serde_json::Value> {
    state.access.decide(p, Resource::Signal, Action::Update, audit)?;
    audit.resource(&id);
    let mut v = Validator::new();
    v.required(&input.reason, "reason");
    v.finish()?;
    let reason = input.reason.expect("validated");
    let max_age = state.config.signals.max_age;
    let (principal, audit2) = (p.clone(), audit.clone());
    write(state, audit, 200, move |c| {
        let Some(row) = store::signal(c, &id)?.filter(|s| s.user_id == principal.user_id) else {
            return Err(crate::access::not_found(&audit2));
        };
        audit2.person(&row.person_id.clone());
        if row.status != "active" {
            return Err(AppError::Conflict("This signal was removed already".into()));
        }
        let t = now();
        let birth: NaiveDate = persons::table.find(&row.person_id).select(persons::birth_date).first(c)?;
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

type MemberRow = (
    String,
    String,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
);

fn load_matches(c: &mut DbConn, ids: &[String], viewer: Option<&str>, today: NaiveDate) -> AppResult<Vec<Match>> {
    let heads: Vec<(String, String, chrono::NaiveDateTime)> = matches::table
        .filter(matches::id.eq_any(ids))
        .order(matches::id.asc())
        .select((matches::id, matches::kind, matches::created_at))
        .load(c)?;
    let rows: Vec<MemberRow> = match_members::table
        .inner_join(signals::table)
        .inner_join(users::table.on(users::id.eq(signals::user_id)))
        .inner_join(organisations::table.on(organisations::id.eq(signals::organisation_id)))
        .filter(match_members::match_id.eq_any(ids))
        .order(match_members::joined_at.asc())
        .select((
            match_members::match_id,
            match_members::signal_id,
            match_members::joined_at,
            match_members::contact_confirmed_at,
            users::display_name,
            organisations::name,
            signals::contact_phone,
            signals::contact_email,
            signals::user_id,
        ))
        .load(c)?;
    Ok(heads
        .into_iter()
        .filter_map(|(id, kind, created)| {
            let members: Vec<MatchMember> = rows
                .iter()
                .filter(|r| r.0 == id)
                .map(|r| MatchMember {
                    name: r.4.clone(),
                    organisation: r.5.clone(),
                    // Contact details are for the other signallers; the matchregisseur follows up on confirmations.
                    phone: viewer.and(r.6.clone()),
                    email: viewer.and(r.7.clone()),
                    own: viewer == Some(r.8.as_str()),
                    joined_at: r.2.and_utc(),
                    contact_confirmed_at: r.3.map(|t| t.and_utc()),
                })
                .collect();
            let overdue = rows
                .iter()
                .filter(|r| r.0 == id && r.3.is_none())
                .any(|r| working_days_between(r.2.date(), today) > CONFIRM_WORKING_DAYS);
            Some(Match { id, kind: MatchKind::parse(&kind)?, created_at: created.and_utc(), overdue, members })
        })
        .collect())
}

/// Matches for the caller: a matchregisseur follows all of them (who has confirmed contact, never the person); a
/// signaller sees the matches of their own signals, with the others' contact details.
pub async fn list_matches(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    q: MatchQuery,
) -> AppResult<crate::identity::model::Page<Match>> {
    state.access.decide(p, Resource::Match, Action::List, audit)?;
    let principal = p.clone();
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    db(state, move |c| {
        let follows_all = principal.roles().any(|r| r == Role::Matchregisseur);
        let mut ids_q = matches::table.select(matches::id).order(matches::id.asc()).limit(limit).into_boxed();
        if let Some(after) = &q.after {
            ids_q = ids_q.filter(matches::id.gt(after.clone()));
        }
        if !follows_all {
            let own = match_members::table
                .inner_join(signals::table)
                .filter(signals::user_id.eq(principal.user_id.clone()))
                .select(match_members::match_id);
            ids_q = ids_q.filter(matches::id.eq_any(own));
        }
        let ids: Vec<String> = ids_q.load(c)?;
        let viewer = (!follows_all).then_some(principal.user_id.as_str());
        let mut items = load_matches(c, &ids, viewer, now().date())?;
        if let Some(overdue) = q.overdue {
            items.retain(|m| m.overdue == overdue);
        }
        let next = (ids.len() as i64 == limit).then(|| ids.last().cloned()).flatten();
        Ok(crate::identity::model::Page { items, next })
    })
    .await
}

/// The signaller confirms that contact was made with the others in the match. Not their match: 404.
pub async fn confirm_contact(state: &State, p: &Principal, audit: &AuditRecord, match_id: String) -> AppResult<Match> {
    state.access.decide(p, Resource::Match, Action::Update, audit)?;
    audit.resource(&match_id);
    let (principal, audit2) = (p.clone(), audit.clone());
    write(state, audit, 200, move |c| {
        let own: Vec<String> = match_members::table
            .inner_join(signals::table)
            .filter(match_members::match_id.eq(&match_id))
            .filter(signals::user_id.eq(&principal.user_id))
            .select(match_members::signal_id)
            .load(c)?;
        if own.is_empty() {
            return Err(crate::access::not_found(&audit2));
        }
        diesel::update(
            match_members::table
                .filter(match_members::match_id.eq(&match_id))
                .filter(match_members::signal_id.eq_any(&own))
                .filter(match_members::contact_confirmed_at.is_null()),
        )
        .set(match_members::contact_confirmed_at.eq(now()))
        .execute(c)?;
        load_matches(c, &[match_id], Some(&principal.user_id), now().date())?.pop().ok_or(AppError::NotFound)
    })
    .await
}
