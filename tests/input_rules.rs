//! Issue #11 points 6–8: every request value is held to the input rules at the edge, one event that cannot
//! be stored fails only its own request, and no BSN reaches the audit log. Both backends.

mod common;

use actix_web::http::{Method, StatusCode};
use common::{Response, TestApp};
use diesel::prelude::*;
use futures_util::future::join_all;
use serde_json::{json, Value};

use eenplan::access::Role;
use eenplan::audit::model::StoredEvent;
use eenplan::audit::EventData;
use eenplan::db::{new_id, now};

const BSN: &str = "123456782";

/// A household of the app's team and an open case on it, by this wijkteam member.
async fn case_of(app: &TestApp, token: &str) -> (String, String) {
    let h = app
        .post(
            "/api/v1/households",
            token,
            json!({"postcode": "2711AB", "houseNumber": 7, "wijk": "Rokkeveen", "teamId": app.team_id}),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    let household = h.body["id"].as_str().unwrap().to_string();
    let c = app.post("/api/v1/cases", token, json!({"householdId": household, "laws": ["Wmo"]})).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    (household, c.body["id"].as_str().unwrap().to_string())
}

/// Every text an event holds, as one string per event.
fn event_text(e: &StoredEvent) -> String {
    let d = &e.data;
    let kind = d.basis_kind();
    let fields = [
        d.user_id.as_deref(),
        d.user_name.as_deref(),
        d.resource_id.as_deref(),
        d.case_id.as_deref(),
        d.household_id.as_deref(),
        kind.as_deref(),
        d.basis_id(),
        d.reason.as_deref(),
        Some(d.action.as_str()),
    ];
    format!("{:?} {}", fields, d.person_ids.join(","))
}

/// The form `new_id` makes: a lowercase hyphenated UUID.
fn is_id(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                matches!(c, '0'..='9' | 'a'..='f')
            }
        })
}

fn assert_problem(res: &Response, status: StatusCode) {
    assert_eq!(res.status, status, "{}", res.text);
    assert_eq!(res.content_type(), "application/problem+json", "{}", res.text);
}

/// The field names of a 422's errors.
fn fields(res: &Response) -> Vec<String> {
    res.body["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

// --- point 6 -------------------------------------------------------------------------------------------

#[actix_web::test]
async fn a_nul_path_of_one_user_does_not_fail_the_reads_of_another() {
    let app = TestApp::new().await;
    let reader = app.user(Role::Wijkteam);
    let reader_token = app.token(&reader).await;
    let (_, case) = case_of(&app, &reader_token).await;
    let prober = app.user(Role::Wijkteam);
    let prober_token = app.token(&prober).await;

    let case_path = format!("/api/v1/cases/{case}");
    let mut calls = Vec::new();
    for i in 0..80 {
        if i % 4 == 0 {
            calls.push(app.get("/api/v1/cases/%00", &prober_token));
        } else {
            calls.push(app.get(&case_path, &reader_token));
        }
    }
    let results = join_all(calls).await;
    for (i, res) in results.iter().enumerate() {
        if i % 4 == 0 {
            assert_problem(res, StatusCode::NOT_FOUND);
        } else {
            assert_eq!(res.status, StatusCode::OK, "read {i} of the other user: {}", res.text);
        }
    }
    // Nothing the prober typed reached the log.
    for e in app.audit_events() {
        assert!(!event_text(&e).contains('\0'), "{:?}", e.data);
        for id in [&e.data.resource_id, &e.data.case_id, &e.data.household_id].into_iter().flatten() {
            assert!(is_id(id), "{:?}", e.data);
        }
    }
}

fn event(action: &str) -> EventData {
    EventData {
        event_id: new_id(),
        occurred_at: now(),
        request_id: Some(new_id()),
        action: action.into(),
        resource_type: "system".into(),
        outcome: "allowed".into(),
        ..Default::default()
    }
}

/// Holds the audit table so the writer's next transaction waits; `release` lets it go.
struct TableHold(eenplan::db::DbConn);

impl TableHold {
    fn take(app: &TestApp) -> TableHold {
        let mut conn = app.conn();
        use diesel::connection::SimpleConnection;
        if app.is_postgres() {
            conn.batch_execute("BEGIN; LOCK TABLE audit_events IN SHARE ROW EXCLUSIVE MODE;").unwrap();
        } else {
            conn.batch_execute("BEGIN IMMEDIATE;").unwrap();
        }
        TableHold(conn)
    }

    fn release(mut self) {
        use diesel::connection::SimpleConnection;
        self.0.batch_execute("ROLLBACK;").unwrap();
    }
}

#[actix_web::test]
async fn when_a_batch_fails_only_the_event_that_cannot_be_stored_fails() {
    let app = TestApp::new().await;
    let log = app.state.audit.clone();
    let first = event("test.first");
    log.record(first.clone()).await.unwrap();

    let hold = TableHold::take(&app);
    // One event the writer takes on its own and waits with, then a batch queued behind it.
    let waiting = {
        let log = log.clone();
        actix_web::rt::spawn(async move { log.record(event("test.waiting")).await })
    };
    actix_web::rt::time::sleep(std::time::Duration::from_millis(200)).await;
    let mut queued = Vec::new();
    for i in 0..20 {
        let mut e = event("test.queued");
        if i == 10 {
            // Passes every check before the batch, and still cannot be stored: its id is taken.
            e.event_id = first.event_id.clone();
        }
        let log = log.clone();
        queued.push(actix_web::rt::spawn(async move { log.record(e).await }));
    }
    actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;
    hold.release();

    assert!(waiting.await.unwrap().is_ok());
    let results: Vec<bool> = join_all(queued).await.into_iter().map(|r| r.unwrap().is_ok()).collect();
    let failed: Vec<usize> = results.iter().enumerate().filter(|(_, ok)| !**ok).map(|(i, _)| i).collect();
    assert_eq!(failed, vec![10], "only the duplicate fails");
    let stored = app.audit_events().iter().filter(|e| e.data.action == "test.queued").count();
    assert_eq!(stored, 19);
    // The chain stays intact around the refused event.
    let report = eenplan::audit::service::verify(&mut app.conn()).unwrap();
    assert!(report.first_break.is_none(), "{:?}", report.first_break);
}

// --- point 7 -------------------------------------------------------------------------------------------

#[actix_web::test]
async fn a_nul_in_a_body_field_is_refused_naming_the_field_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin);
    let token = app.token(&admin).await;
    let count = || eenplan::db::schema::organisations::table.count().get_result::<i64>(&mut app.conn()).unwrap();
    let before = count();
    let res = app.post("/api/v1/organisations", &token, json!({"name": "Zorg\u{0}Org", "kind": "provider"})).await;
    assert_problem(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&res), vec!["name"]);
    assert!(!res.text.contains('\0'));
    assert_eq!(count(), before, "nothing stored");

    // Nested fields are named by their path, all at once.
    let wijk = app.user(Role::Wijkteam);
    let wt = app.token(&wijk).await;
    let res = app
        .post(
            "/api/v1/households",
            &wt,
            json!({"postcode": "2711AB\u{0}", "houseNumber": 7, "wijk": "Rokke\u{1b}veen", "teamId": app.team_id}),
        )
        .await;
    assert_problem(&res, StatusCode::UNPROCESSABLE_ENTITY);
    let mut f = fields(&res);
    f.sort();
    assert_eq!(f, vec!["postcode", "wijk"]);
    // A line break in free text is not a control character to refuse.
    let ok = app.post("/api/v1/organisations", &token, json!({"name": "Zorg\nOrg", "kind": "provider"})).await;
    assert_ne!(ok.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", ok.text);
}

#[actix_web::test]
async fn a_nul_in_the_login_email_is_refused_naming_the_field() {
    let app = TestApp::new().await;
    let user = app.user(Role::Wijkteam);
    let res = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": format!("{}\u{0}", user.email), "password": user.password})),
            &[],
        )
        .await;
    assert_problem(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&res), vec!["email"]);
}

#[actix_web::test]
async fn a_nul_in_a_query_value_or_cursor_is_refused_naming_the_parameter() {
    let app = TestApp::new().await;
    let wijk = app.user(Role::Wijkteam);
    let token = app.token(&wijk).await;
    let res = app.get("/api/v1/cases?after=%00", &token).await;
    assert_problem(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&res), vec!["after"]);

    let officer = app.user(Role::PrivacyOfficer);
    let ot = app.token(&officer).await;
    let res = app.get("/api/v1/audit/events?action=case.read%00", &ot).await;
    assert_problem(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&res), vec!["action"]);
    // An id filter that is not an id is named too, and never reaches the officer's own event.
    let res = app.get(&format!("/api/v1/audit/events?personId={BSN}"), &ot).await;
    assert_problem(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&res), vec!["personId"]);
    assert!(app.audit_events().iter().all(|e| !event_text(e).contains(BSN) && !event_text(e).contains('\0')));
}

#[actix_web::test]
async fn path_ids_that_are_not_ids_answer_404() {
    let app = TestApp::new().await;
    let wijk = app.user(Role::Wijkteam);
    let token = app.token(&wijk).await;
    for path in
        ["/api/v1/cases/%00", "/api/v1/cases/abc", "/api/v1/households/%00/members", "/api/v1/cases/x%01y/plans"]
    {
        let res = app.get(path, &token).await;
        assert_problem(&res, StatusCode::NOT_FOUND);
    }
    // Refused before the handler: no event names what was typed.
    for e in app.audit_events() {
        assert!(e.data.resource_id.as_deref().is_none_or(is_id), "{:?}", e.data);
    }
}

#[actix_web::test]
async fn dates_outside_the_strict_form_and_range_are_refused_naming_the_field() {
    let app = TestApp::new().await;
    let wijk = app.user(Role::Wijkteam);
    let token = app.token(&wijk).await;
    let (household, _) = case_of(&app, &token).await;
    for bad in ["2024-1-1", "-0001-01-01", "-5000-01-01", "+12024-01-01", "0000-01-01"] {
        let res = app.post("/api/v1/persons/search", &token, json!({"name": "Jansen", "birthDate": bad})).await;
        assert_problem(&res, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&res), vec!["birthDate"], "{bad}");

        let res = app
            .post(
                &format!("/api/v1/households/{household}/members"),
                &token,
                json!({"person": {"name": "Kees", "birthDate": "2010-05-04"}, "relation": "child", "from": bad}),
            )
            .await;
        assert_problem(&res, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&res), vec!["from"], "{bad}: {}", res.text);

        let res = app.get(&format!("/api/v1/households/{household}/members?on={bad}"), &token).await;
        assert_problem(&res, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&res), vec!["on"], "{bad}");
    }
    let res = app.post("/api/v1/persons/search", &token, json!({"name": "Jansen", "birthDate": "2010-05-04"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let officer = app.user(Role::PrivacyOfficer);
    let ot = app.token(&officer).await;
    let res = app.get("/api/v1/audit/events?from=-0001-01-01T00:00:00Z", &ot).await;
    assert_problem(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&res), vec!["from"]);
}

// --- point 8 -------------------------------------------------------------------------------------------

#[actix_web::test]
async fn a_nine_digit_path_id_never_reaches_the_audit_log() {
    let app = TestApp::new().await;
    let wijk = app.user(Role::Wijkteam);
    let token = app.token(&wijk).await;
    for path in [format!("/api/v1/persons/{BSN}"), format!("/api/v1/households/{BSN}"), format!("/api/v1/cases/{BSN}")]
    {
        let res = app.get(&path, &token).await;
        assert_problem(&res, StatusCode::NOT_FOUND);
    }
    for e in app.audit_events() {
        assert!(!event_text(&e).contains(BSN), "{:?}", e.data);
    }
}

async fn stored_reason(app: &TestApp, token: &str, reason: &str) -> Option<String> {
    let res = app.call(Method::GET, "/api/v1/cases", Some(token), None, &[("X-Audit-Reason", reason)]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let request_id = res.header("x-request-id").unwrap().to_string();
    let events = app.audit_events();
    let e = events.iter().find(|e| e.data.request_id.as_deref() == Some(request_id.as_str())).expect("audited");
    e.data.reason.clone()
}

#[actix_web::test]
async fn a_bsn_in_the_audit_reason_is_scrubbed_in_any_notation() {
    let app = TestApp::new().await;
    let wijk = app.user(Role::Wijkteam);
    let token = app.token(&wijk).await;
    for written in ["123.456.782", "1234 56 782", "12-34-56-782", "123 456 782", "123456782"] {
        let reason = stored_reason(&app, &token, &format!("controle dossier {written} op verzoek")).await.unwrap();
        assert_eq!(reason, "controle dossier [removed] op verzoek", "{written}");
    }
    // A BSN cut in half by the 200-character limit is still removed.
    let long = format!("{}{BSN}", "a".repeat(196));
    let reason = stored_reason(&app, &token, &long).await.unwrap();
    assert!(!reason.chars().any(|c| c.is_ascii_digit()), "{reason}");
    // Short numbers stay.
    let reason = stored_reason(&app, &token, "melding 42 van 3 maart").await.unwrap();
    assert_eq!(reason, "melding 42 van 3 maart");
}

#[actix_web::test]
async fn an_oversized_header_answers_431_problem_json_with_the_security_headers() {
    let app = TestApp::new().await;
    let wijk = app.user(Role::Wijkteam);
    let token = app.token(&wijk).await;
    let long_reason = "r".repeat(4000);
    let padding = "p".repeat(20_000);
    for header in [("X-Audit-Reason", long_reason.as_str()), ("X-Padding", padding.as_str())] {
        let res = app.call(Method::GET, "/api/v1/cases", Some(&token), None, &[header]).await;
        assert_problem(&res, StatusCode::from_u16(431).unwrap());
        let body: &Value = &res.body;
        assert_eq!(body["status"], 431);
        assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(res.header("x-frame-options"), Some("DENY"));
        assert_eq!(res.header("cache-control"), Some("no-store"));
        assert_eq!(res.header("api-version"), Some("1"));
        assert!(res.header("x-request-id").is_some());
    }
}
