//! Break-glass on SQLite and PostgreSQL: wijkteam only, a justification required, read-only access that ends to the
//! second, every event in the window flagged, every privacy officer notified, and the review recorded.

mod common;

use actix_web::http::{Method, StatusCode};
use chrono::Duration;
use diesel::prelude::*;
use serde_json::json;

use common::{TestApp, TestUser};
use eenplan::access::Role;
use eenplan::db::schema::{break_glass as bg, outbox};
use eenplan::households::bsn::synthetic;

struct World {
    case: String,
    member: TestUser,
    bsn: String,
}

async fn world(app: &TestApp) -> World {
    let member = app.user(Role::Wijkteam);
    let mt = app.token(&member).await;
    let h = app
        .post(
            "/api/v1/households",
            &mt,
            json!({"postcode": "2717CC", "houseNumber": 3, "wijk": "Rokkeveen", "teamId": app.team_id}),
        )
        .await;
    let household = h.body["id"].as_str().unwrap().to_string();
    let bsn = synthetic(40).expose().to_string();
    let m = app
        .post(
            &format!("/api/v1/households/{household}/members"),
            &mt,
            json!({"person": {"name": "Kind", "birthDate": "2019-02-02", "bsn": bsn}, "relation": "child", "from": "2019-02-02"}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.text);
    let case = app.post("/api/v1/cases", &mt, json!({"householdId": household, "laws": ["Jeugdwet"]})).await;
    World { case: case.body["id"].as_str().unwrap().to_string(), member, bsn }
}

fn justification() -> &'static str {
    "De school meldt blauwe plekken en het kind durft niet naar huis; de moeder is onbereikbaar."
}

#[actix_web::test]
async fn only_a_wijkteam_member_with_a_justification_breaks_the_glass() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let body = json!({"caseId": w.case, "reason": "acute_danger_child", "justification": justification()});
    for role in Role::ALL {
        let user = app.user(role);
        let res = app.post("/api/v1/break-glass", &app.token(&user).await, body.clone()).await;
        let expected = if role == Role::Wijkteam { StatusCode::CREATED } else { StatusCode::FORBIDDEN };
        assert_eq!(res.status, expected, "{role:?}: {}", res.text);
    }
    let outsider = app.user(Role::Wijkteam);
    let t = app.token(&outsider).await;
    let missing = app.post("/api/v1/break-glass", &t, json!({"caseId": w.case, "reason": "other"})).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.body["errors"][0]["field"], "justification");
    let short = app
        .post("/api/v1/break-glass", &t, json!({"caseId": w.case, "reason": "other", "justification": "acuut!"}))
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let nothing: i64 = bg::table.filter(bg::user_id.eq(&outsider.id)).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(nothing, 0, "a refusal grants nothing");
    // Someone who already sees the case needs no break-glass.
    let mt = app.token(&w.member).await;
    assert_eq!(app.post("/api/v1/break-glass", &mt, body).await.status, StatusCode::CONFLICT);
}

#[actix_web::test]
async fn break_glass_reads_until_the_second_it_ends_and_never_writes() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let officer = app.user(Role::PrivacyOfficer);
    let gone = app.user(Role::PrivacyOfficer);
    let admin = app.user(Role::Admin);
    app.post(&format!("/api/v1/users/{}/deactivate", gone.id), &app.token(&admin).await, json!({})).await;

    let outsider = app.user(Role::Wijkteam);
    let t = app.token(&outsider).await;
    let case_path = format!("/api/v1/cases/{}", w.case);
    assert_eq!(app.get(&case_path, &t).await.status, StatusCode::NOT_FOUND);
    // Found by BSN, in the body.
    let opened = app
        .post(
            "/api/v1/break-glass",
            &t,
            json!({"bsn": w.bsn, "reason": "acute_danger_child", "justification": justification()}),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text);
    assert_eq!(opened.body["caseId"], w.case.as_str());
    let started = chrono::DateTime::parse_from_rfc3339(opened.body["startedAt"].as_str().unwrap()).unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(opened.body["expiresAt"].as_str().unwrap()).unwrap();
    assert_eq!(expires - started, Duration::hours(4));
    let id = opened.body["id"].as_str().unwrap().to_string();

    // Privacy officers are notified at once (the active ones), with the id only.
    let queued: Vec<(String, String)> = outbox::table
        .filter(outbox::template.eq("break_glass_used"))
        .select((outbox::recipient_user_id, outbox::payload))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].0, officer.id);
    assert_eq!(queued[0].1, json!({"breakGlassId": id}).to_string());

    // Read access, flagged; no writes.
    let read = app.get(&case_path, &t).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(read.body["view"], "emergency_read");
    let state = app
        .call(
            Method::POST,
            &format!("{case_path}/state"),
            Some(&t),
            Some(json!({"state": "intake"})),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(state.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post(&format!("{case_path}/plans"), &t, json!({})).await.status, StatusCode::FORBIDDEN);
    let assess = app
        .post(
            &format!("{case_path}/assessments"),
            &t,
            json!({"kind": "start", "assessedOn": "2026-01-01", "scores": {"hh_financien": 2}}),
        )
        .await;
    assert_eq!(assess.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("{case_path}/assessments"), &t).await.status, StatusCode::OK);
    // Who lives there and whom to call: the contact sheet, not the household's record (BSNs, history).
    let contacts = app.get(&format!("{case_path}/contacts"), &t).await;
    assert_eq!(contacts.status, StatusCode::OK, "{}", contacts.text);
    assert!(!contacts.body["members"].as_array().unwrap().is_empty());
    let household = read.body["householdId"].as_str().unwrap();
    assert_eq!(app.get(&format!("/api/v1/households/{household}"), &t).await.status, StatusCode::NOT_FOUND);
    app.get("/api/v1/auth/me", &t).await;
    let events: Vec<_> =
        app.audit_events().into_iter().filter(|e| e.data.user_id.as_deref() == Some(outsider.id.as_str())).collect();
    let after_open: Vec<_> = events.iter().skip_while(|e| e.data.action != "break_glass.create").collect();
    assert!(after_open.len() >= 6);
    assert!(after_open.iter().all(|e| e.data.flagged), "every event in the window is flagged");
    let case_read = after_open.iter().find(|e| e.data.action == "case.read").unwrap();
    assert_eq!(
        (case_read.data.basis_kind().as_deref(), case_read.data.basis_id()),
        (Some("break_glass"), Some(id.as_str()))
    );

    // The window, to the second: one second past its end there is no access; one second before, there is.
    let now = eenplan::db::now();
    let set_expiry = |at: chrono::NaiveDateTime| {
        diesel::update(bg::table.find(&id))
            .set((bg::started_at.eq(now - Duration::hours(4)), bg::expires_at.eq(at)))
            .execute(&mut app.conn())
            .unwrap();
    };
    set_expiry(now + Duration::seconds(30));
    assert_eq!(app.get(&case_path, &t).await.status, StatusCode::OK);
    set_expiry(eenplan::db::now() - Duration::seconds(1));
    assert_eq!(app.get(&case_path, &t).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("{case_path}/contacts"), &t).await.status, StatusCode::NOT_FOUND);
    let last =
        app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(outsider.id.as_str())).unwrap();
    assert!(!last.data.flagged, "after the window events are no longer flagged");
}

#[actix_web::test]
async fn privacy_officers_review_every_use() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let outsider = app.user(Role::Wijkteam);
    let t = app.token(&outsider).await;
    let opened = app
        .post(
            "/api/v1/break-glass",
            &t,
            json!({"caseId": w.case, "reason": "acute_care_avoidance", "justification": justification()}),
        )
        .await;
    let id = opened.body["id"].as_str().unwrap().to_string();
    let officer = app.user(Role::PrivacyOfficer);
    let pt = app.token(&officer).await;
    let open_list = app.get("/api/v1/break-glass?reviewed=false", &pt).await;
    assert_eq!(open_list.status, StatusCode::OK, "{}", open_list.text);
    let item = &open_list.body[0];
    assert_eq!((item["id"].as_str(), item["reviewOverdue"].as_bool()), (Some(id.as_str()), Some(false)));
    assert_eq!(app.get("/api/v1/break-glass", &t).await.status, StatusCode::FORBIDDEN, "not for the user themselves");

    // Unreviewed for more than five working days: it stands out. Twenty days hold at least ten working days
    // whatever the holidays (ten days around Easter hold only four).
    let long_ago = eenplan::db::now() - Duration::days(20);
    diesel::update(bg::table.find(&id))
        .set((bg::started_at.eq(long_ago), bg::expires_at.eq(long_ago + Duration::hours(4))))
        .execute(&mut app.conn())
        .unwrap();
    assert_eq!(app.get("/api/v1/break-glass?reviewed=false", &pt).await.body[0]["reviewOverdue"], true);

    let path = format!("/api/v1/break-glass/{id}/review");
    let bare = app.post(&path, &pt, json!({"judgement": "not_justified"})).await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bare.body["errors"][0]["field"], "note");
    let judged = app
        .post(&path, &pt, json!({"judgement": "not_justified", "note": "Eerst de teamleider bellen was mogelijk."}))
        .await;
    assert_eq!(judged.status, StatusCode::OK, "{}", judged.text);
    assert_eq!(judged.body["judgement"], "not_justified");
    assert_eq!(judged.body["reviewedBy"], officer.id.as_str());
    assert_eq!(app.post(&path, &pt, json!({"judgement": "justified"})).await.status, StatusCode::CONFLICT);
    assert_eq!(app.get("/api/v1/break-glass?reviewed=false", &pt).await.body, json!([]));
    assert_eq!(app.get("/api/v1/break-glass?reviewed=true", &pt).await.body.as_array().unwrap().len(), 1);
}
