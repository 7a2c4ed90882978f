//! Suspicious access and log reviews (POST /api/v1/audit/findings/scan, the findings' workflow, /api/v1/audit/reviews):
//! each kind of finding at its threshold and just below it, from events in the log (written through the audit writer
//! on a past day, so the clock of the run does not matter); the findings linked to their events and recorded once;
//! normal work finds nothing but what the clock may make off-hours; the workflow open → assigned → judged → closed
//! with its refusals; reviews and their warning; every role but the privacy officer refused. On SQLite, and on
//! PostgreSQL with EENPLAN_TEST_DATABASE_URL.

mod common;

use actix_web::http::{Method, StatusCode};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Value};

use common::world::{household_at, household_case_and_person, world, GoalOf};
use common::{TestApp, TestUser};
use eenplan::audit::model::{Basis, EventData};
use eenplan::roles::Role;

/// A Tuesday in November (CET, UTC+1), long enough ago for every follow-up window to have passed.
const DAY: &str = "2026-11-10";

fn at(local_time: &str) -> NaiveDateTime {
    // Local CET time to UTC.
    NaiveDateTime::parse_from_str(&format!("{DAY} {local_time}"), "%Y-%m-%d %H:%M:%S").unwrap()
        - chrono::Duration::hours(1)
}

struct Ev<'a> {
    user: &'a TestUser,
    time: &'a str,
    action: &'a str,
    resource: &'a str,
    household: Option<String>,
    case: Option<String>,
    persons: Vec<String>,
    basis: Option<Basis>,
    allowed: bool,
}

fn read<'a>(user: &'a TestUser, time: &'a str, household: &str) -> Ev<'a> {
    Ev {
        user,
        time,
        action: "household.read",
        resource: "household",
        household: Some(household.to_string()),
        case: None,
        persons: vec![],
        basis: Some(Basis::TeamMember("t".into())),
        allowed: true,
    }
}

/// An id of eenplan's form for a name in these tests (the audit record takes ids only).
fn id(name: &str) -> String {
    if eenplan::input::Id::is_valid(name) {
        return name.to_string();
    }
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
    format!("{:08x}-0000-7000-8000-{:012x}", hash >> 32, hash & 0xffff_ffff_ffff)
}

/// Writes the events through the audit writer, as the service would have; the rows' ids.
fn write(app: &TestApp, events: Vec<Ev>) -> Vec<i64> {
    let mut conn = app.conn();
    let mut ids = Vec::new();
    for e in events {
        let data = EventData {
            event_id: eenplan::db::new_id(),
            occurred_at: at(e.time),
            user_id: Some(e.user.id.clone()),
            user_name: Some(format!("Test {}", e.user.role.as_str())),
            role: Some(e.user.role.as_str().into()),
            organisation_id: Some(app.municipality_id.clone()),
            action: e.action.into(),
            resource_type: e.resource.into(),
            household_id: e.household.filter(|h| !h.is_empty()).map(|h| id(&h)),
            case_id: e.case.map(|c| id(&c)),
            person_ids: e.persons.iter().map(|p| id(p)).collect(),
            basis: e.basis,
            outcome: if e.allowed { "allowed" } else { "denied" }.into(),
            ..Default::default()
        };
        let event_id = data.event_id.clone();
        app.state.audit.write_with(&mut conn, |_| Ok(((), data))).unwrap();
        ids.push(app.audit_events().into_iter().find(|x| x.data.event_id == event_id).unwrap().id);
    }
    ids
}

async fn scan(app: &TestApp, token: &str, from: &str, to: &str) -> common::Response {
    app.post("/api/v1/audit/findings/scan", token, json!({ "from": from, "to": to })).await
}

fn findings_of<'a>(list: &'a Value, user: &TestUser) -> Vec<&'a Value> {
    list["items"].as_array().unwrap().iter().filter(|f| f["userId"] == user.id.as_str()).collect()
}

#[actix_web::test]
async fn each_kind_is_found_at_its_threshold_and_not_below() {
    let app = TestApp::new().await;
    let u = |_: &str| app.user(Role::Wijkteam);
    let (early, on_time, many, thirty, probing, nine, bare, based, searcher, follower) = (
        u("early"),
        u("on time"),
        u("many"),
        u("thirty"),
        u("probing"),
        u("nine"),
        u("bare"),
        u("based"),
        u("searcher"),
        u("follower"),
    );
    let h = |n: i64| format!("h-{n}");
    let mut evs =
        vec![read(&early, "06:59:59", "h-e"), read(&on_time, "07:00:00", "h-o"), read(&on_time, "18:59:59", "h-o")];
    evs.extend((0..31).map(|n| read(&many, "10:00:00", &h(n))));
    evs.extend((0..30).map(|n| read(&thirty, "10:00:00", &h(n))));
    let refused = |user, time| Ev { allowed: false, basis: None, ..read(user, time, "h-x") };
    let times: Vec<String> = (0..10).map(|i| format!("11:{:02}:00", i * 6)).collect();
    evs.extend(times.iter().map(|t| refused(&probing, t.as_str())));
    evs.extend(times[..9].iter().map(|t| refused(&nine, t.as_str())));
    let case_read = |user, basis| Ev {
        action: "case.read",
        resource: "case",
        case: Some("c-1".into()),
        basis,
        ..read(user, "12:00:00", "h-c")
    };
    evs.push(case_read(&bare, None));
    evs.push(case_read(&based, Some(Basis::Involvement("i".into()))));
    let search = |user, person: &str| Ev {
        action: "person.search",
        resource: "person",
        household: None,
        persons: vec![person.to_string()],
        basis: None,
        ..read(user, "13:00:00", "")
    };
    evs.push(search(&searcher, "p-lost"));
    evs.push(search(&follower, "p-found"));
    evs.push(Ev { persons: vec!["p-found".into()], time: "13:05:00", ..read(&follower, "13:05:00", "h-f") });
    let rows = write(&app, evs);

    let officer = app.user(Role::PrivacyOfficer);
    let token = app.token(&officer).await;
    let res = scan(&app, &token, DAY, DAY).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let scanned = app.audit_events().pop().unwrap().data;
    assert_eq!((scanned.action.as_str(), scanned.outcome.as_str()), ("access_finding.create", "allowed"));
    let list = app.get("/api/v1/audit/findings", &token).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let kinds = |user: &TestUser| -> Vec<String> {
        findings_of(&list.body, user).iter().map(|f| f["kind"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(kinds(&early), ["off_hours"]);
    assert!(kinds(&on_time).is_empty(), "07:00 and 18:59 are office hours");
    assert_eq!(kinds(&many), ["many_households"]);
    let m = findings_of(&list.body, &many)[0];
    assert_eq!(
        (m["figure"].as_i64(), m["threshold"].as_i64(), m["eventCount"].as_i64()),
        (Some(31), Some(30), Some(31))
    );
    assert!(kinds(&thirty).is_empty(), "30 households is the limit itself");
    assert_eq!(kinds(&probing), ["denials"]);
    assert!(kinds(&nine).is_empty());
    assert_eq!(kinds(&bare), ["no_basis"]);
    assert!(kinds(&based).is_empty());
    assert_eq!(kinds(&searcher), ["unfollowed_search"]);
    assert!(kinds(&follower).is_empty(), "followed by work on the person found");
    assert_eq!(res.body["new"].as_u64(), Some(list.body["items"].as_array().unwrap().len() as u64));

    // Each finding links its events: the early read is the off-hours finding's one event.
    let early_finding = findings_of(&list.body, &early)[0]["id"].as_str().unwrap().to_string();
    let detail = app.get(&format!("/api/v1/audit/findings/{early_finding}"), &token).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.text);
    let linked: Vec<&str> =
        detail.body["events"].as_array().unwrap().iter().map(|e| e["eventId"].as_str().unwrap()).collect();
    let events = app.audit_events();
    let early_event = events.iter().find(|e| e.id == rows[0]).unwrap();
    assert_eq!(linked, [early_event.data.event_id.as_str()]);
    assert_eq!(detail.body["day"], DAY);

    // A second scan finds the same and records nothing twice.
    let again = scan(&app, &token, DAY, DAY).await;
    assert_eq!((again.body["found"].clone(), again.body["new"].clone()), (res.body["found"].clone(), json!(0)));
}

#[actix_web::test]
async fn break_glass_not_judged_in_five_working_days_is_a_finding() {
    use eenplan::db::schema::break_glass as bg;
    let app = TestApp::new().await;
    let member = app.user(Role::Wijkteam);
    let (_, case, _) = household_case_and_person(&app, &member).await;
    let (late, in_time) = (app.user(Role::Wijkteam), app.user(Role::Wijkteam));
    let cal = &app.state.rules.calendar;
    let today = eenplan::calendar::local(chrono::Utc::now()).date();
    // Five working days before today is still in time; six is late.
    let mut day = today;
    let mut started = Vec::new();
    for n in 1..=6 {
        day = day.pred_opt().unwrap();
        while !cal.is_working_day(day) {
            day = day.pred_opt().unwrap();
        }
        if n >= 5 {
            started.push(day);
        }
    }
    let mut uses = Vec::new();
    for (user, d) in [(&in_time, started[0]), (&late, started[1])] {
        let start = eenplan::calendar::start_of_day(d).naive_utc() + chrono::Duration::hours(10);
        let use_id = eenplan::db::new_id();
        uses.push((use_id.clone(), start));
        diesel::insert_into(bg::table)
            .values((
                bg::id.eq(&use_id),
                bg::user_id.eq(&user.id),
                bg::case_id.eq(&case),
                bg::reason.eq("acute_danger_child"),
                bg::justification.eq("Melding van de politie over acute onveiligheid thuis."),
                bg::started_at.eq(start),
                bg::expires_at.eq(start + chrono::Duration::hours(4)),
            ))
            .execute(&mut app.conn())
            .unwrap();
    }
    // What the late use allowed: two reads in its window, the second after another use's read; a read on the
    // same basis after the window is not the use's.
    let (late_use, late_start) = uses[1].clone();
    let glass = |minutes: i64, use_id: &str| EventData {
        event_id: eenplan::db::new_id(),
        occurred_at: late_start + chrono::Duration::minutes(minutes),
        user_id: Some(late.id.clone()),
        role: Some("wijkteam".into()),
        action: "case.read".into(),
        resource_type: "case".into(),
        case_id: Some(case.clone()),
        basis: Some(Basis::BreakGlass(use_id.to_string())),
        flagged: true,
        outcome: "allowed".into(),
        ..Default::default()
    };
    let events = [glass(5, &late_use), glass(6, &uses[0].0), glass(30, &late_use), glass(60 * 5, &late_use)];
    let expected = [events[0].event_id.clone(), events[2].event_id.clone()];
    let mut conn = app.conn();
    for data in events {
        app.state.audit.write_with(&mut conn, |_| Ok(((), data))).unwrap();
    }
    let token = app.token(&app.user(Role::PrivacyOfficer)).await;
    let t = today.to_string();
    let res = scan(&app, &token, &t, &t).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let list = app.get("/api/v1/audit/findings?kind=break_glass_unreviewed", &token).await;
    assert_eq!(findings_of(&list.body, &late).len(), 1, "{}", list.text);
    assert!(findings_of(&list.body, &in_time).is_empty(), "{}", list.text);
    assert_eq!(findings_of(&list.body, &late)[0]["day"], started[1].to_string());
    let finding = findings_of(&list.body, &late)[0]["id"].as_str().unwrap().to_string();
    let detail = app.get(&format!("/api/v1/audit/findings/{finding}"), &token).await;
    let linked: Vec<&str> =
        detail.body["events"].as_array().unwrap().iter().map(|e| e["eventId"].as_str().unwrap()).collect();
    assert_eq!(linked, expected.iter().map(String::as_str).collect::<Vec<_>>(), "{}", detail.text);
}

#[actix_web::test]
async fn normal_work_finds_nothing_but_what_the_clock_makes_off_hours() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Child).await;
    for user in [&w.member, &w.regisseur, &w.lead, &w.provider_in] {
        let token = app.token(user).await;
        let _ = app.get(&format!("/api/v1/cases/{}", w.case), &token).await;
        let _ = app.get(&format!("/api/v1/cases/{}/plans/current", w.case), &token).await;
    }
    let token = app.token(&app.user(Role::PrivacyOfficer)).await;
    let today = eenplan::calendar::local(chrono::Utc::now()).date().to_string();
    assert_eq!(scan(&app, &token, &today, &today).await.status, StatusCode::OK);
    let list = app.get("/api/v1/audit/findings", &token).await;
    let kinds: Vec<&str> = list.body["items"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert!(kinds.iter().all(|k| *k == "off_hours"), "{}", list.text);
}

#[actix_web::test]
async fn a_finding_is_assigned_judged_and_closed_and_keeps_its_judgement() {
    let app = TestApp::new().await;
    let early = app.user(Role::Wijkteam);
    write(&app, vec![read(&early, "05:00:00", "h-1")]);
    let officer = app.user(Role::PrivacyOfficer);
    let colleague = app.user(Role::PrivacyOfficer);
    let token = app.token(&officer).await;
    scan(&app, &token, DAY, DAY).await;
    let list = app.get("/api/v1/audit/findings?status=open", &token).await;
    let id = findings_of(&list.body, &early)[0]["id"].as_str().unwrap().to_string();
    let step = |what: &str, body: Value| {
        let path = format!("/api/v1/audit/findings/{id}/{what}");
        let token = token.clone();
        let app = &app;
        async move { app.call(Method::POST, &path, Some(&token), Some(body), &[]).await }
    };

    let close_early = step("close", json!({})).await;
    assert_eq!(close_early.status, StatusCode::CONFLICT, "an open finding is judged before it is closed");
    let not_officer = step("assign", json!({ "assigneeId": early.id })).await;
    assert_eq!(not_officer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", not_officer.text);
    let assigned = step("assign", json!({ "assigneeId": colleague.id })).await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.text);
    assert_eq!(
        (assigned.body["status"].as_str(), assigned.body["assignedTo"].as_str()),
        (Some("assigned"), Some(colleague.id.as_str()))
    );
    let no_note = step("judge", json!({ "judgement": "not_justified" })).await;
    assert_eq!(no_note.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_note.body["errors"][0]["field"], "note");
    let bad = step("judge", json!({ "judgement": "maybe" })).await;
    assert_eq!(bad.body["errors"][0]["field"], "judgement", "{}", bad.text);
    let note = "Werkte thuis vroeg door een spoedzaak; besproken met de teamleider.";
    let judged = step("judge", json!({ "judgement": "needs_follow_up", "note": note })).await;
    assert_eq!(judged.status, StatusCode::OK, "{}", judged.text);
    assert_eq!(
        (judged.body["judgement"].as_str(), judged.body["judgementNote"].as_str()),
        (Some("needs_follow_up"), Some(note))
    );
    assert_eq!(judged.body["judgedBy"], officer.id.as_str());
    let closed = step("close", json!({})).await;
    assert_eq!(closed.status, StatusCode::OK);
    assert_eq!(
        (closed.body["status"].as_str(), closed.body["judgement"].as_str()),
        (Some("closed"), Some("needs_follow_up"))
    );
    for (what, body) in [
        ("close", json!({})),
        ("judge", json!({ "judgement": "justified" })),
        ("assign", json!({ "assigneeId": officer.id })),
    ] {
        let res = step(what, body).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{what} after closing: {}", res.text);
    }
    let last = app.audit_events().pop().unwrap().data;
    assert_eq!((last.action.as_str(), last.resource_id.as_deref()), ("access_finding.update", Some(id.as_str())));
    let closed_list = app.get("/api/v1/audit/findings?status=closed", &token).await;
    assert_eq!(findings_of(&closed_list.body, &early).len(), 1);
    assert_eq!(app.get("/api/v1/audit/findings?status=maybe", &token).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn log_reviews_are_recorded_with_every_field_and_warn_when_due() {
    use eenplan::db::schema::log_reviews as lr;
    let app = TestApp::new().await;
    let token = app.token(&app.user(Role::PrivacyOfficer)).await;
    let none = app.get("/api/v1/audit/reviews", &token).await;
    assert_eq!((none.body["overdue"].clone(), none.body["reviewEveryDays"].clone()), (json!(true), json!(30)));
    let empty = app.post("/api/v1/audit/reviews", &token, json!({})).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields: Vec<&str> =
        empty.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort();
    assert_eq!(fields, ["findings", "followUp", "from", "method", "sample", "to"]);
    let today = eenplan::calendar::local(chrono::Utc::now()).date();
    let review = json!({
        "from": (today - chrono::Duration::days(30)).to_string(), "to": today.to_string(),
        "method": "De scan op verdachte toegang en een steekproef van tien medewerkers.",
        "sample": "Tien medewerkers van wijkteam Centrum, alle dossiers die zij openden.",
        "findings": "Twee keer toegang buiten kantoortijd, beide terecht.", "followUp": "Geen.",
    });
    let recorded = app.post("/api/v1/audit/reviews", &token, review.clone()).await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.text);
    let after = app.get("/api/v1/audit/reviews", &token).await;
    assert_eq!(after.body["overdue"], false);
    assert_eq!(after.body["items"][0]["sample"], review["sample"]);
    // A month and a day later the warning is back.
    let long_ago: NaiveDate = today - chrono::Duration::days(31);
    diesel::update(lr::table)
        .set(lr::recorded_at.eq(long_ago.and_hms_opt(12, 0, 0).unwrap()))
        .execute(&mut app.conn())
        .unwrap();
    assert_eq!(app.get("/api/v1/audit/reviews", &token).await.body["overdue"], true);
    // A period in the future, or running backwards, is refused.
    let mut future = review.clone();
    future["to"] = json!((today + chrono::Duration::days(1)).to_string());
    let res = app.post("/api/v1/audit/reviews", &token, future).await;
    assert_eq!((res.status, res.body["errors"][0]["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("to")));
    let mut backwards = review;
    backwards["from"] = json!(today.to_string());
    backwards["to"] = json!((today - chrono::Duration::days(1)).to_string());
    let res = app.post("/api/v1/audit/reviews", &token, backwards).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
}

#[actix_web::test]
async fn every_role_but_the_privacy_officer_is_refused_and_audited() {
    let app = TestApp::new().await;
    let id = eenplan::db::new_id();
    let endpoints: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/v1/audit/findings".into(), None),
        (Method::POST, "/api/v1/audit/findings/scan".into(), Some(json!({ "from": DAY, "to": DAY }))),
        (Method::GET, format!("/api/v1/audit/findings/{id}"), None),
        (Method::POST, format!("/api/v1/audit/findings/{id}/judge"), Some(json!({ "judgement": "justified" }))),
        (Method::POST, format!("/api/v1/audit/findings/{id}/close"), Some(json!({}))),
        (Method::GET, "/api/v1/audit/reviews".into(), None),
        (Method::POST, "/api/v1/audit/reviews".into(), Some(json!({}))),
    ];
    for role in Role::ALL {
        let token = app.token(&app.user(role)).await;
        for (method, path, body) in &endpoints {
            let res = app.call(method.clone(), path, Some(&token), body.clone(), &[]).await;
            if role == Role::PrivacyOfficer {
                assert_ne!(res.status, StatusCode::FORBIDDEN, "{path}");
                continue;
            }
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{role:?} {method} {path}: {}", res.text);
            assert_eq!(app.audit_events().pop().unwrap().data.outcome, "denied", "{role:?} {path}");
        }
    }
}

/// The registers as they were on the scanned day: entries recorded (and ended) at these moments.
fn backdate(app: &TestApp, table: &str, id: &str, recorded: &str, ended: Option<&str>) {
    let ended = ended.map_or("NULL".to_string(), |e| format!("'{e}'"));
    let sql = format!("UPDATE {table} SET recorded_at = '{recorded}', ended_at = {ended} WHERE id = '{id}'");
    app.backend_sql(&sql, &sql);
}

/// The own-household rule (links kept by the administrator) and the protected-person rule (kept by a privacy
/// officer), each at its threshold and below it: the employee's registered address and surname are found, the
/// neighbour's house is not, another employee at that address is not, a link ended before the day is not; every
/// access to a protected person is found, the privacy officer's own supervision of them is not.
#[actix_web::test]
async fn own_household_and_protected_person_are_found_and_their_neighbours_are_not() {
    let app = TestApp::new().await;
    let member = app.user(Role::Wijkteam);
    let token = app.token(&member).await;
    let (home, _) = household_at(&app, &token, "2711 ab", 3, "Piet Visser").await;
    let (next_door, _) = household_at(&app, &token, "2711AB", 5, "Ans Visser").await;
    let (family, jansen) = household_at(&app, &token, "3011CD", 1, "Els de Jansen-Smit").await;
    let c = app.post("/api/v1/cases", &token, json!({"householdId": family, "laws": ["Wmo"]})).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    let family_case = c.body["id"].as_str().unwrap().to_string();

    let u = |_: &str| app.user(Role::Wijkteam);
    let (mine, neighbourly, former, other, curious) = (u("mine"), u("neighbourly"), u("former"), u("other"), u("c"));
    let admin = app.token(&app.user(Role::Admin)).await;
    let mut links = Vec::new();
    for (user, body) in [
        (&mine, json!({"postcode": "2711ab", "houseNumber": 3})),
        (&mine, json!({"surname": "Jansen"})),
        (&neighbourly, json!({"postcode": "2711 AB", "houseNumber": 5})),
        (&former, json!({"postcode": "2711AB", "houseNumber": 3, "surname": "Visser"})),
    ] {
        let res = app.post(&format!("/api/v1/users/{}/own-households", user.id), &admin, body).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        links.push(res.body["id"].as_str().unwrap().to_string());
    }
    let ended =
        app.post(&format!("/api/v1/users/{}/own-households/{}/end", former.id, links[3]), &admin, json!({})).await;
    assert_eq!((ended.status, ended.body["endedAt"].is_string()), (StatusCode::OK, true), "{}", ended.text);
    for l in &links[..3] {
        backdate(&app, "staff_own_households", l, "2026-11-01 09:00:00", None);
    }
    backdate(&app, "staff_own_households", &links[3], "2026-11-01 09:00:00", Some("2026-11-09 09:00:00"));

    let officer = app.user(Role::PrivacyOfficer);
    let officer_token = app.token(&officer).await;
    let p = app
        .post("/api/v1/audit/protected-persons", &officer_token, json!({"personId": jansen, "reason": "colleague"}))
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.text);
    backdate(&app, "protected_persons", p.body["id"].as_str().unwrap(), "2026-11-01 09:00:00", None);

    let case_read = |user, case: &str| Ev {
        action: "case.read",
        resource: "case",
        household: None,
        case: Some(case.to_string()),
        basis: Some(Basis::Involvement("i".into())),
        ..read(user, "10:00:00", "")
    };
    let evs = vec![
        read(&mine, "10:00:00", &home),
        case_read(&mine, &family_case),
        read(&neighbourly, "10:00:00", &next_door),
        read(&neighbourly, "10:05:00", &home),
        read(&former, "10:00:00", &home),
        read(&other, "10:00:00", &home),
        read(&curious, "10:00:00", &family),
        Ev { persons: vec![jansen.clone()], ..read(&officer, "10:00:00", "") },
    ];
    let rows = write(&app, evs);
    let res = scan(&app, &officer_token, DAY, DAY).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let list = app.get("/api/v1/audit/findings", &officer_token).await;
    let kinds = |user: &TestUser| -> Vec<String> {
        let mut k: Vec<String> =
            findings_of(&list.body, user).iter().map(|f| f["kind"].as_str().unwrap().to_string()).collect();
        k.sort();
        k
    };
    assert_eq!(kinds(&mine), ["own_household", "protected_person"], "{}", list.text);
    let own = findings_of(&list.body, &mine).into_iter().find(|f| f["kind"] == "own_household").unwrap();
    assert_eq!((own["figure"].as_i64(), own["eventCount"].as_i64()), (Some(2), Some(2)));
    assert_eq!(kinds(&neighbourly), ["own_household"], "their own house, not the one next door");
    let theirs = findings_of(&list.body, &neighbourly)[0]["id"].as_str().unwrap().to_string();
    let detail = app.get(&format!("/api/v1/audit/findings/{theirs}"), &officer_token).await;
    let linked: Vec<&str> =
        detail.body["events"].as_array().unwrap().iter().map(|e| e["eventId"].as_str().unwrap()).collect();
    let events = app.audit_events();
    let next_door_read = events.iter().find(|e| e.id == rows[2]).unwrap();
    assert_eq!(linked, [next_door_read.data.event_id.as_str()]);
    assert!(kinds(&former).is_empty(), "the link had ended before the day");
    assert!(kinds(&other).is_empty(), "no link of theirs");
    assert_eq!(kinds(&curious), ["protected_person"]);
    assert!(kinds(&officer).is_empty(), "the privacy officer's own supervision");
}

/// The registers' input: all errors at once, nothing recorded; a second protection in force is 409, an unknown
/// person or user 404; ending twice is 409.
#[actix_web::test]
async fn the_registers_refuse_bad_input_and_a_second_protection() {
    let app = TestApp::new().await;
    let admin = app.token(&app.user(Role::Admin)).await;
    let employee = app.user(Role::Wijkteam);
    let path = format!("/api/v1/users/{}/own-households", employee.id);
    let fields = |res: &common::Response| -> Vec<String> {
        let mut f: Vec<String> =
            res.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
        f.sort();
        f
    };
    let empty = app.post(&path, &admin, json!({})).await;
    assert_eq!(
        (empty.status, fields(&empty)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["postcode".into(), "surname".into()])
    );
    let bad = app.post(&path, &admin, json!({"postcode": "0711 AB", "houseNumberAddition": "A"})).await;
    assert_eq!(fields(&bad), ["houseNumber", "houseNumberAddition", "postcode"], "{}", bad.text);
    let half = app.post(&path, &admin, json!({"houseNumber": 0})).await;
    assert_eq!(fields(&half), ["houseNumber", "postcode"], "{}", half.text);
    let listed = app.get(&path, &admin).await;
    assert_eq!((listed.status, listed.body["items"].as_array().unwrap().len()), (StatusCode::OK, 0));
    let nobody = format!("/api/v1/users/{}/own-households", eenplan::db::new_id());
    assert_eq!(app.post(&nobody, &admin, json!({"surname": "Jansen"})).await.status, StatusCode::NOT_FOUND);
    let ok = app.post(&path, &admin, json!({"surname": "Jansen"})).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text);
    let end = format!("{path}/{}/end", ok.body["id"].as_str().unwrap());
    assert_eq!(app.post(&end, &admin, json!({})).await.status, StatusCode::OK);
    assert_eq!(app.post(&end, &admin, json!({})).await.status, StatusCode::CONFLICT);

    let member = app.user(Role::Wijkteam);
    let (_, _, person) = household_case_and_person(&app, &member).await;
    let officer = app.token(&app.user(Role::PrivacyOfficer)).await;
    let protect = |body: Value| app.post("/api/v1/audit/protected-persons", &officer, body);
    let wrong = protect(json!({"personId": "x", "reason": "other"})).await;
    assert_eq!(fields(&wrong), ["note", "personId"], "{}", wrong.text);
    let unknown = protect(json!({"personId": eenplan::db::new_id(), "reason": "colleague"})).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let first = protect(json!({"personId": person, "reason": "well_known"})).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(app.audit_events().pop().unwrap().data.person_ids, std::slice::from_ref(&person));
    let second = protect(json!({"personId": person, "reason": "colleague"})).await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.text);
    let theirs = app.get(&format!("/api/v1/audit/persons/{person}/protections"), &officer).await;
    assert_eq!(theirs.body["items"].as_array().unwrap().len(), 1, "{}", theirs.text);
    let end = format!("/api/v1/audit/protected-persons/{}/end", first.body["id"].as_str().unwrap());
    assert_eq!(app.post(&end, &officer, json!({})).await.status, StatusCode::OK);
    assert_eq!(app.post(&end, &officer, json!({})).await.status, StatusCode::CONFLICT);
    let now = app.get("/api/v1/audit/protected-persons", &officer).await;
    assert!(now.body["items"].as_array().unwrap().is_empty(), "{}", now.text);
    assert_eq!(protect(json!({"personId": person, "reason": "colleague"})).await.status, StatusCode::CREATED);
}

/// Who may keep the registers: the administrator the own-household links (the privacy officer reads them, to judge
/// a finding), the privacy officer the protections; every other role is refused, and that is audited.
#[actix_web::test]
async fn the_registers_role_by_role() {
    let app = TestApp::new().await;
    let employee = app.user(Role::Wijkteam);
    let link = eenplan::db::new_id();
    let own = format!("/api/v1/users/{}/own-households", employee.id);
    let protection = eenplan::db::new_id();
    let person = eenplan::db::new_id();
    let endpoints: Vec<(Method, String, Option<Value>, &[Role])> = vec![
        (Method::GET, own.clone(), None, &[Role::Admin, Role::PrivacyOfficer]),
        (Method::POST, own.clone(), Some(json!({"surname": "Jansen"})), &[Role::Admin]),
        (Method::POST, format!("{own}/{link}/end"), Some(json!({})), &[Role::Admin]),
        (Method::GET, "/api/v1/audit/protected-persons".into(), None, &[Role::PrivacyOfficer]),
        (Method::POST, "/api/v1/audit/protected-persons".into(), Some(json!({})), &[Role::PrivacyOfficer]),
        (
            Method::POST,
            format!("/api/v1/audit/protected-persons/{protection}/end"),
            Some(json!({})),
            &[Role::PrivacyOfficer],
        ),
        (Method::GET, format!("/api/v1/audit/persons/{person}/protections"), None, &[Role::PrivacyOfficer]),
    ];
    for role in Role::ALL {
        let token = app.token(&app.user(role)).await;
        for (method, path, body, allowed) in &endpoints {
            let res = app.call(method.clone(), path, Some(&token), body.clone(), &[]).await;
            if allowed.contains(&role) {
                assert_ne!(res.status, StatusCode::FORBIDDEN, "{role:?} {method} {path}: {}", res.text);
                continue;
            }
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{role:?} {method} {path}: {}", res.text);
            assert_eq!(app.audit_events().pop().unwrap().data.outcome, "denied", "{role:?} {path}");
        }
    }
}
