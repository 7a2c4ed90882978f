//! Signals and matching through the API, on SQLite and PostgreSQL: the three match kinds, institutional addresses,
//! what a signal may hold, the age limit and expiry, who sees what, the archive's one notification, retention.

mod common;

use actix_web::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use common::{TestApp, TestUser};
use eenplan::access::Role;
use eenplan::calendar::WorkCalendar;
use eenplan::db::schema::{match_members, matches, outbox, persons, signals};
use eenplan::households::bsn::synthetic;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The date `years` years and `days` days before today.
fn born(years: i32, days: i64) -> NaiveDate {
    let t = today();
    NaiveDate::from_ymd_opt(t.year() - years, t.month(), t.day().min(28)).unwrap() - Duration::days(days)
}

struct Person {
    id: String,
    bsn: String,
    birth: NaiveDate,
    name: String,
}

struct World {
    /// Household A: a mother and two children.
    eldest: Person,
    youngest: Person,
    /// Household B, elsewhere: a child of the same mother who lives with the father.
    half_sibling: Person,
    /// Two young people in a youth institution.
    resident_a: Person,
    resident_b: Person,
    school: Vec<TestUser>,
    jgz: TestUser,
    police: TestUser,
    matchregisseur: TestUser,
}

async fn household(app: &TestApp, token: &str, postcode: &str, institutional: bool) -> String {
    let h = app
        .post(
            "/api/v1/households",
            token,
            json!({"postcode": postcode, "houseNumber": 12, "wijk": "Centrum", "teamId": app.team_id,
                   "institutionalAddress": institutional}),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    h.body["id"].as_str().unwrap().to_string()
}

async fn member(
    app: &TestApp,
    token: &str,
    household: &str,
    n: u32,
    name: &str,
    birth: NaiveDate,
    relation: &str,
) -> Person {
    let bsn = synthetic(n).expose().to_string();
    let m = app
        .post(
            &format!("/api/v1/households/{household}/members"),
            token,
            json!({"person": {"name": name, "birthDate": birth, "bsn": bsn}, "relation": relation, "from": birth.max(born(30, 0))}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.text);
    Person { id: m.body["person"]["id"].as_str().unwrap().to_string(), bsn, birth, name: name.into() }
}

async fn world(app: &TestApp) -> World {
    let wijkteam = app.user(Role::Wijkteam);
    let t = app.token(&wijkteam).await;
    let a = household(app, &t, "2711AA", false).await;
    let mother = member(app, &t, &a, 60, "Moeder Jansen", born(38, 0), "parent").await;
    let eldest = member(app, &t, &a, 61, "Eldest Jansen", born(14, 10), "child").await;
    let youngest = member(app, &t, &a, 62, "Youngest Jansen", born(10, 3), "child").await;
    let b = household(app, &t, "2712BB", false).await;
    let half_sibling = member(app, &t, &b, 63, "Half Pietersen", born(12, 40), "child").await;
    for child in [&eldest, &youngest, &half_sibling] {
        let r = app.post(&format!("/api/v1/persons/{}/parents", child.id), &t, json!({"parentId": mother.id})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let i = household(app, &t, "2713CC", true).await;
    let resident_a = member(app, &t, &i, 64, "Bewoner Een", born(16, 0), "other").await;
    let resident_b = member(app, &t, &i, 65, "Bewoner Twee", born(17, 0), "other").await;
    let school_org = app.organisation("Basisschool De Regenboog", "other");
    let jgz_org = app.organisation("Jeugdgezondheidszorg", "provider");
    let police_org = app.organisation("Politie", "other");
    World {
        eldest,
        youngest,
        half_sibling,
        resident_a,
        resident_b,
        school: vec![app.user_in(Role::Signaller, &school_org), app.user_in(Role::Signaller, &school_org)],
        jgz: app.user_in(Role::Signaller, &jgz_org),
        police: app.user_in(Role::Signaller, &police_org),
        matchregisseur: app.user(Role::Matchregisseur),
    }
}

fn signal_body(p: &Person) -> Value {
    json!({"subject": {"bsn": p.bsn, "birthDate": p.birth}, "contact": {"phone": "079 123 45 67", "email": "zorg@example.nl"}})
}

async fn signal(app: &TestApp, who: &TestUser, p: &Person) -> common::Response {
    app.post("/api/v1/signals", &app.token(who).await, signal_body(p)).await
}

fn kinds(res: &common::Response) -> Vec<String> {
    res.body["matches"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap().to_string()).collect()
}

/// Outbox messages of a template, as (recipient, payload).
fn queued(app: &TestApp, template: &str) -> Vec<(String, String)> {
    outbox::table
        .filter(outbox::template.eq(template))
        .select((outbox::recipient_user_id, outbox::payload))
        .load(&mut app.conn())
        .unwrap()
}

#[actix_web::test]
async fn signals_match_on_person_address_and_parent_but_not_in_an_institution() {
    let app = TestApp::new().await;
    let w = world(&app).await;

    let first = signal(&app, &w.school[0], &w.eldest).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert!(kinds(&first).is_empty(), "nothing to match yet");

    // Another organisation, same young person.
    let person = signal(&app, &w.jgz, &w.eldest).await;
    assert_eq!(kinds(&person), ["person"], "{}", person.text);
    // The same organisation again: one active signal per organisation and person.
    assert_eq!(signal(&app, &w.school[1], &w.eldest).await.status, StatusCode::CONFLICT);

    // The police signal the younger sibling at the same address: an address match with both signals of the eldest
    // (the shared mother would also match, but the address says more).
    let address = signal(&app, &w.police, &w.youngest).await;
    assert_eq!(kinds(&address), ["address"], "{}", address.text);
    let address_match = address.body["matches"][0]["id"].as_str().unwrap().to_string();
    let in_it: i64 = match_members::table
        .filter(match_members::match_id.eq(&address_match))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(in_it, 3);

    // The school signals the half-sibling at another address: a parent match with the others' signals on the
    // mother's children (its own signal on the eldest is its own organisation's, so not in it).
    let parent = signal(&app, &w.school[1], &w.half_sibling).await;
    assert_eq!(kinds(&parent), ["parent"], "{}", parent.text);
    let parent_match = parent.body["matches"][0]["id"].as_str().unwrap().to_string();
    let orgs: Vec<String> = match_members::table
        .inner_join(signals::table)
        .filter(match_members::match_id.eq(&parent_match))
        .select(signals::user_id)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(orgs.len(), 3, "jgz (eldest), police (youngest), school (half-sibling)");
    assert!(!orgs.contains(&w.school[0].id));

    // A later signal on the same person joins the existing person match.
    let later = signal(&app, &w.police, &w.eldest).await;
    assert!(kinds(&later).contains(&"person".to_string()), "{}", later.text);
    assert_eq!(later.body["matches"][0]["id"], person.body["matches"][0]["id"]);

    // An institution is not an address that links its residents.
    assert!(kinds(&signal(&app, &w.school[0], &w.resident_a).await).is_empty());
    let institution = signal(&app, &w.jgz, &w.resident_b).await;
    assert_eq!(institution.status, StatusCode::CREATED);
    assert!(kinds(&institution).is_empty(), "{}", institution.text);

    let all: Vec<String> =
        matches::table.select(matches::kind).order(matches::kind.asc()).load(&mut app.conn()).unwrap();
    assert_eq!(all, ["address", "parent", "person"]);
    // Everyone in a match hears of it; the matchregisseur of each new match.
    let created = queued(&app, "match_created");
    assert_eq!(created.len(), 3);
    assert!(created.iter().all(|(to, _)| *to == w.matchregisseur.id));
    let found = queued(&app, "match_found");
    for signaller in [&w.school[0], &w.school[1], &w.jgz, &w.police] {
        assert!(found.iter().any(|(to, _)| *to == signaller.id), "{} not notified", signaller.email);
    }
    for (_, payload) in found.iter().chain(created.iter()) {
        let v: Value = serde_json::from_str(payload).unwrap();
        assert_eq!(v.as_object().unwrap().keys().collect::<Vec<_>>(), ["matchId"], "ids only: {payload}");
    }
}

#[actix_web::test]
async fn a_signal_holds_the_subject_and_a_contact_and_nothing_else() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let t = app.token(&w.jgz).await;

    // No reason, note or free text: unknown fields are refused and nothing is stored.
    let mut with_reason = signal_body(&w.eldest);
    with_reason["reason"] = json!("Vermoeden van huiselijk geweld");
    let refused = app.post("/api/v1/signals", &t, with_reason).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    let mut note_in_contact = signal_body(&w.eldest);
    note_in_contact["contact"]["note"] = json!("Moeder drinkt");
    assert_eq!(app.post("/api/v1/signals", &t, note_in_contact).await.status, StatusCode::BAD_REQUEST);
    let count = || signals::table.count().get_result::<i64>(&mut app.conn()).unwrap();
    assert_eq!(count(), 0);

    // Every field error at once.
    let bad =
        app.post("/api/v1/signals", &t, json!({"subject": {"bsn": "123456789"}, "contact": {"phone": "bel me"}})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    let fields: Vec<&str> =
        bad.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["subject.bsn", "subject.birthDate", "contact.phone"], "{}", bad.text);
    assert!(!bad.text.contains("123456789"), "the input BSN is never echoed");

    // The birth date must agree with the person eenplan knows.
    let mut wrong_birth = signal_body(&w.eldest);
    wrong_birth["subject"]["birthDate"] = json!(w.eldest.birth - Duration::days(1));
    let r = app.post("/api/v1/signals", &t, wrong_birth).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["errors"][0]["field"], "subject.birthDate");

    // Someone eenplan does not know: created from BSN, birth date and a name — the name is required.
    let stranger =
        Person { id: String::new(), bsn: synthetic(90).expose().into(), birth: born(9, 0), name: String::new() };
    let r = app.post("/api/v1/signals", &t, signal_body(&stranger)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["errors"][0]["field"], "subject.name");
    let mut named = signal_body(&stranger);
    named["subject"]["name"] = json!("Nieuw Kind");
    let r = app.post("/api/v1/signals", &t, named).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["subjectName"], "Nieuw Kind");
    assert_eq!(count(), 1);

    // Only signallers and wijkteam members signal.
    for role in Role::ALL {
        let user = app.user(role);
        let res = app.post("/api/v1/signals", &app.token(&user).await, signal_body(&w.youngest)).await;
        let allowed = matches!(role, Role::Signaller | Role::Wijkteam);
        assert_eq!(res.status == StatusCode::FORBIDDEN, !allowed, "{role:?}: {}", res.status);
        if role == Role::Wijkteam {
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        }
    }

    // No BSN, name or birth date in any audit event.
    let audit: String = app.audit_events().iter().map(|e| format!("{:?}", e.data)).collect();
    for secret in [&w.eldest.bsn, &stranger.bsn, &w.eldest.name, &"Nieuw Kind".to_string()] {
        assert!(!audit.contains(secret.as_str()), "{secret} in the audit log");
    }
}

#[actix_web::test]
async fn the_age_limit_and_expiry_follow_the_23rd_birthday() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let t = app.token(&w.jgz).await;
    let person = |n: u32, birth: NaiveDate| {
        let mut b =
            signal_body(&Person { id: String::new(), bsn: synthetic(n).expose().into(), birth, name: String::new() });
        b["subject"]["name"] = json!("Jongvolwassene");
        b
    };
    // 23 today: refused.
    let r = app.post("/api/v1/signals", &t, person(91, born(23, 0))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.body["errors"][0]["field"], "subject.birthDate");
    // 23 tomorrow: accepted, and ends tomorrow.
    let r = app.post("/api/v1/signals", &t, person(92, born(23, -1))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["expiresOn"], json!(today() + Duration::days(1)));
    // Turns 23 in a year: the birthday comes before the two years.
    let birth = born(22, -365);
    let r = app.post("/api/v1/signals", &t, person(93, birth)).await;
    assert_eq!(
        r.body["expiresOn"],
        json!(NaiveDate::from_ymd_opt(birth.year() + 23, birth.month(), birth.day()).unwrap())
    );
    // A ten-year-old: two years.
    let r = signal(&app, &w.jgz, &w.youngest).await;
    let t0 = today();
    assert_eq!(r.body["expiresOn"], json!(NaiveDate::from_ymd_opt(t0.year() + 2, t0.month(), t0.day()).unwrap()));
}

#[actix_web::test]
async fn signallers_see_their_own_signals_and_matches_and_the_matchregisseur_sees_no_person() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let first = signal(&app, &w.school[0], &w.eldest).await;
    let second = signal(&app, &w.jgz, &w.eldest).await;
    signal(&app, &w.police, &w.resident_a).await;
    let match_id = second.body["matches"][0]["id"].as_str().unwrap().to_string();

    let mine = app.get("/api/v1/signals", &app.token(&w.jgz).await).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1, "{}", mine.text);
    assert_eq!(mine.body["items"][0]["id"], second.body["id"]);
    let read =
        app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(w.jgz.id.as_str())).unwrap();
    assert_eq!((read.data.action.as_str(), read.data.person_ids.clone()), ("signal.list", vec![w.eldest.id.clone()]));

    // The signaller's matches: the other's contact details, nothing about the person.
    let theirs = app.get("/api/v1/matches", &app.token(&w.school[0]).await).await;
    let items = theirs.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", theirs.text);
    let members = items[0]["members"].as_array().unwrap();
    let other = members.iter().find(|m| m["own"] == false).unwrap();
    assert_eq!(
        (other["organisation"].as_str(), other["phone"].as_str()),
        (Some("Jeugdgezondheidszorg"), Some("079 123 45 67"))
    );
    let police_view = app.get("/api/v1/matches", &app.token(&w.police).await).await;
    assert_eq!(police_view.body["items"], json!([]), "not in any match");

    // The matchregisseur: every match, who has confirmed — no person, no contact details.
    let mr = app.token(&w.matchregisseur).await;
    let overview = app.get("/api/v1/matches", &mr).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert_eq!(overview.body["items"].as_array().unwrap().len(), 1);
    for secret in [&w.eldest.name, &w.eldest.bsn, &w.eldest.id, &w.eldest.birth.to_string(), &"079 123".to_string()] {
        assert!(!overview.text.contains(secret.as_str()), "{secret} shown to the matchregisseur: {}", overview.text);
    }
    assert_eq!(app.get("/api/v1/signals", &mr).await.status, StatusCode::FORBIDDEN, "no one browses signals");
    assert_eq!(app.get("/api/v1/matches", &app.token(&app.user(Role::Wijkteam)).await).await.body["items"], json!([]));

    // Confirming contact: the members only.
    let path = format!("/api/v1/matches/{match_id}/contact");
    assert_eq!(app.post(&path, &app.token(&w.police).await, json!({})).await.status, StatusCode::NOT_FOUND);
    let confirmed = app.post(&path, &app.token(&w.jgz).await, json!({})).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text);
    let own = confirmed.body["members"].as_array().unwrap().iter().find(|m| m["own"] == true).unwrap().clone();
    assert!(own["contactConfirmedAt"].is_string());
    let after = app.get("/api/v1/matches", &mr).await;
    let confirmations: Vec<bool> = after.body["items"][0]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["contactConfirmedAt"].is_string())
        .collect();
    assert_eq!(confirmations, [false, true]);

    // Removing someone else's signal: 404; one's own: done.
    let other_id = first.body["id"].as_str().unwrap();
    let path = format!("/api/v1/signals/{other_id}/remove");
    let r = app.post(&path, &app.token(&w.jgz).await, json!({"reason": "unjustified"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.post(&path, &app.token(&w.school[0]).await, json!({"reason": "unjustified"})).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("deleted")), "{}", r.text);
    let left: i64 = signals::table.filter(signals::id.eq(other_id)).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(left, 0, "an unjustified signal is deleted, not archived");
}

#[actix_web::test]
async fn an_archived_signal_tells_the_first_new_signaller_once() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let made = signal(&app, &w.school[0], &w.eldest).await;
    let id = made.body["id"].as_str().unwrap().to_string();
    let r = app
        .post(&format!("/api/v1/signals/{id}/remove"), &app.token(&w.school[0]).await, json!({"reason": "risk_gone"}))
        .await;
    assert_eq!(r.body["status"], "archived", "{}", r.text);
    let (status, until): (String, Option<NaiveDate>) =
        signals::table.find(&id).select((signals::status, signals::archive_until)).first(&mut app.conn()).unwrap();
    assert_eq!(status, "archived");
    let t = today();
    assert_eq!(until, NaiveDate::from_ymd_opt(t.year() + 5, t.month(), t.day()));
    // An archived signal does not match.
    assert!(kinds(&signal(&app, &w.jgz, &w.eldest).await).is_empty());
    let told = queued(&app, "archived_signal");
    assert_eq!(told, [(w.jgz.id.clone(), json!({"signalId": id}).to_string())]);
    signal(&app, &w.police, &w.eldest).await;
    assert_eq!(queued(&app, "archived_signal").len(), 1, "once");
}

#[actix_web::test]
async fn retention_archives_expired_signals_deletes_what_is_due_and_reminds_overdue_matches_once() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let ids: Vec<String> = [
        signal(&app, &w.school[0], &w.eldest).await,
        signal(&app, &w.jgz, &w.eldest).await,
        signal(&app, &w.police, &w.youngest).await,
        signal(&app, &w.jgz, &w.half_sibling).await,
    ]
    .iter()
    .map(|r| r.body["id"].as_str().unwrap().to_string())
    .collect();
    let mut c = app.conn();
    let yesterday = today() - Duration::days(1);
    // The first expired yesterday; the third's archive time is over; the half-sibling died.
    diesel::update(signals::table.find(&ids[0])).set(signals::expires_on.eq(yesterday)).execute(&mut c).unwrap();
    diesel::update(signals::table.find(&ids[2]))
        .set((
            signals::status.eq("archived"),
            signals::removal_reason.eq("risk_gone"),
            signals::removed_at.eq(eenplan::db::now()),
            signals::archive_until.eq(yesterday),
        ))
        .execute(&mut c)
        .unwrap();
    diesel::update(persons::table.find(&w.half_sibling.id))
        .set(persons::deceased_on.eq(yesterday))
        .execute(&mut c)
        .unwrap();
    // Every match waited three weeks without confirmations.
    diesel::update(match_members::table)
        .set(match_members::joined_at.eq(eenplan::db::now() - Duration::days(21)))
        .execute(&mut c)
        .unwrap();
    let overdue = app.get("/api/v1/matches?overdue=true", &app.token(&w.matchregisseur).await).await;
    let overdue_matches = overdue.body["items"].as_array().unwrap().len();
    assert!(overdue_matches >= 1, "{}", overdue.text);

    // Two nodes run the job at the same moment: the work is done once.
    let target = app.state.config.database.clone();
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let target = target.clone();
            std::thread::spawn(move || {
                let mut c = target.connect().unwrap();
                eenplan::signals::retention::run(&mut c, eenplan::db::now(), 23, &WorkCalendar::default()).unwrap()
            })
        })
        .collect();
    let reports: Vec<_> = runs.into_iter().map(|h| h.join().unwrap()).collect();
    let sum = |f: fn(&eenplan::signals::retention::RetentionReport) -> usize| reports.iter().map(f).sum::<usize>();
    assert_eq!(sum(|r| r.expired_to_archive), 1);
    assert_eq!(sum(|r| r.archive_deleted), 1);
    assert_eq!(sum(|r| r.deceased_deleted), 1);
    assert_eq!(sum(|r| r.matches_reminded), overdue_matches);
    let statuses: Vec<(String, String)> =
        signals::table.select((signals::id, signals::status)).order(signals::id.asc()).load(&mut c).unwrap();
    assert_eq!(statuses, [(ids[0].clone(), "archived".into()), (ids[1].clone(), "active".into())]);
    assert_eq!(queued(&app, "match_overdue").len(), overdue_matches, "one reminder per overdue match");
    let again = eenplan::signals::retention::run(&mut c, eenplan::db::now(), 23, &WorkCalendar::default()).unwrap();
    assert_eq!(again, Default::default(), "nothing left to do");
}

#[actix_web::test]
async fn every_role_outside_a_signal_or_match_gets_403_or_404_and_changes_nothing() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let first = signal(&app, &w.school[0], &w.eldest).await;
    let second = signal(&app, &w.jgz, &w.eldest).await;
    let (signal_id, match_id) = (first.body["id"].as_str().unwrap(), second.body["matches"][0]["id"].as_str().unwrap());
    let state = |app: &TestApp| {
        let mut c = app.conn();
        let active: i64 = signals::table.filter(signals::status.eq("active")).count().get_result(&mut c).unwrap();
        let confirmed: i64 = match_members::table
            .filter(match_members::contact_confirmed_at.is_not_null())
            .count()
            .get_result(&mut c)
            .unwrap();
        (active, confirmed)
    };
    let before = state(&app);
    for role in Role::ALL {
        // A user of this role in a third organisation, in no match and with no signal.
        let user = app.user_in(role, &app.organisation(&format!("Organisatie {}", role.as_str()), "other"));
        let t = app.token(&user).await;
        let signals_role = matches!(role, Role::Signaller | Role::Wijkteam);
        let cells = [
            ("GET /signals", app.get("/api/v1/signals", &t).await, if signals_role { 200 } else { 403 }),
            (
                "GET /matches",
                app.get("/api/v1/matches", &t).await,
                if signals_role || role == Role::Matchregisseur { 200 } else { 403 },
            ),
            (
                "POST /matches/{id}/contact",
                app.post(&format!("/api/v1/matches/{match_id}/contact"), &t, json!({})).await,
                if signals_role { 404 } else { 403 },
            ),
            (
                "POST /signals/{id}/remove",
                app.post(&format!("/api/v1/signals/{signal_id}/remove"), &t, json!({"reason": "unjustified"})).await,
                if signals_role { 404 } else { 403 },
            ),
        ];
        for (name, res, expected) in cells {
            assert_eq!(res.status.as_u16(), expected, "{name} as {role:?}: {}", res.text);
            if expected == 200 {
                let items = res.body["items"].as_array().unwrap();
                let sees = if role == Role::Matchregisseur { 1 } else { 0 };
                assert_eq!(items.len(), sees, "{name} as {role:?}: nothing of others: {}", res.text);
            } else {
                let event = app
                    .audit_events()
                    .into_iter()
                    .rev()
                    .find(|e| e.data.user_id.as_deref() == Some(user.id.as_str()))
                    .unwrap();
                assert_eq!(event.data.outcome, "denied", "{name} as {role:?}");
            }
        }
    }
    assert_eq!(state(&app), before, "no refusal changed anything");
}

#[actix_web::test]
async fn two_nodes_signalling_siblings_at_the_same_moment_still_match() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let target = app.state.config.database.clone();
    let org_of = |user: &TestUser| -> String {
        eenplan::db::schema::users::table
            .find(&user.id)
            .select(eenplan::db::schema::users::organisation_id)
            .first(&mut app.conn())
            .unwrap()
    };
    let sides = [
        (w.school[0].id.clone(), org_of(&w.school[0]), w.eldest.id.clone(), w.eldest.birth),
        (w.jgz.id.clone(), org_of(&w.jgz), w.youngest.id.clone(), w.youngest.birth),
    ];
    // Each round two connections (two nodes) register at once; without the advisory lock on PostgreSQL neither
    // transaction would see the other's uncommitted signal and no match would form.
    for round in 0..8 {
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let runs: Vec<_> = sides
            .iter()
            .cloned()
            .map(|(user, org, person, birth)| {
                let (target, barrier) = (target.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let mut c = target.connect().unwrap();
                    let contact =
                        eenplan::signals::service::Contact { phone: Some("079 123 45 67".into()), email: None };
                    barrier.wait();
                    eenplan::db::write_tx(&mut c, |c| {
                        eenplan::signals::service::serialize_signalling(c)?;
                        eenplan::signals::service::insert_and_match(
                            c,
                            &user,
                            &org,
                            &person,
                            birth,
                            &contact,
                            23,
                            eenplan::db::now(),
                        )
                    })
                    .unwrap()
                })
            })
            .collect();
        for r in runs {
            r.join().unwrap();
        }
        let mut c = app.conn();
        let members: i64 = match_members::table.count().get_result(&mut c).unwrap();
        let found: Vec<String> = matches::table.select(matches::kind).load(&mut c).unwrap();
        assert_eq!((found, members), (vec!["address".to_string()], 2), "round {round}");
        diesel::delete(match_members::table).execute(&mut c).unwrap();
        diesel::delete(matches::table).execute(&mut c).unwrap();
        diesel::delete(signals::table).execute(&mut c).unwrap();
    }
}
