//! The privacy officer's NEN 7513 views of the access log: per employee, per case, per household, per outcome and
//! period (GET /api/v1/audit/events), the CSV export of the same (GET /api/v1/audit/events.csv), the employees to
//! choose from, and the register of processing activities every event names (GET /api/v1/audit/register). Only
//! privacy officers; every query audited with what was looked for. On SQLite, and on PostgreSQL with
//! EENPLAN_TEST_DATABASE_URL.

mod common;

use actix_web::http::{Method, StatusCode};
use common::world::household_case_and_person;
use common::TestApp;
use eenplan::roles::Role;
use serde_json::Value;

fn items(body: &Value) -> &Vec<Value> {
    body["items"].as_array().unwrap()
}

#[actix_web::test]
async fn the_views_per_employee_case_household_and_outcome_are_exactly_the_matching_events() {
    let app = TestApp::new().await;
    let member = app.user(Role::Wijkteam);
    let (household, case, _) = household_case_and_person(&app, &member).await;
    let token = app.token(&member).await;
    assert_eq!(app.get(&format!("/api/v1/cases/{case}"), &token).await.status, StatusCode::OK);
    let outsider = app.user_in_other_team(Role::Wijkteam);
    let refused = app.get(&format!("/api/v1/cases/{case}"), &app.token(&outsider).await).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let events: Vec<_> = app.audit_events().into_iter().map(|e| e.data).collect();

    let officer = app.token(&app.user(Role::PrivacyOfficer)).await;
    let view = |query: String| {
        let app = &app;
        let officer = officer.clone();
        async move {
            let res = app.get(&format!("/api/v1/audit/events?limit=500&{query}"), &officer).await;
            assert_eq!(res.status, StatusCode::OK, "{query}: {}", res.text);
            let mut ids: Vec<String> =
                items(&res.body).iter().map(|i| i["eventId"].as_str().unwrap().to_string()).collect();
            ids.sort();
            ids
        }
    };
    let expect = |keep: &dyn Fn(&eenplan::audit::model::EventData) -> bool| {
        let mut ids: Vec<String> = events.iter().filter(|e| keep(e)).map(|e| e.event_id.clone()).collect();
        ids.sort();
        ids
    };
    let by_member = expect(&|e| e.user_id.as_deref() == Some(member.id.as_str()));
    assert!(by_member.len() >= 4);
    assert_eq!(view(format!("userId={}", member.id)).await, by_member);
    let on_case = expect(&|e| e.case_id.as_deref() == Some(case.as_str()));
    assert_eq!(view(format!("caseId={case}")).await, on_case);
    let on_household = expect(&|e| e.household_id.as_deref() == Some(household.as_str()));
    assert!(!on_household.is_empty());
    assert_eq!(view(format!("householdId={household}")).await, on_household);
    let denied = expect(&|e| e.outcome == "denied" && e.case_id.as_deref() == Some(case.as_str()));
    assert_eq!(denied.len(), 1, "the outsider's refused read");
    assert_eq!(view(format!("caseId={case}&outcome=denied")).await, denied);
    assert_eq!(view("to=2001-01-01T00:00:00Z".into()).await, Vec::<String>::new());

    // Each query is audited with what was looked for.
    let _ = view(format!("caseId={case}&householdId={household}")).await;
    let last = app.audit_events().pop().unwrap().data;
    assert_eq!((last.action.as_str(), last.case_id.as_deref()), ("audit_event.list", Some(case.as_str())));
    assert_eq!(last.household_id.as_deref(), Some(household.as_str()));

    // Every event names its processing activity.
    let res = app.get(&format!("/api/v1/audit/events?caseId={case}"), &officer).await;
    for item in items(&res.body) {
        let activity = item["processingActivity"].as_str().unwrap();
        assert!(eenplan::audit::model::PROCESSING_ACTIVITIES.contains(&activity), "{item}");
        if item["action"] == "case.read" && item["outcome"] == "allowed" {
            assert_eq!(activity, "case_work");
        }
    }

    // Bad filters: all at once, nothing read.
    let bad = app
        .get("/api/v1/audit/events?outcome=maybe&from=2027-02-01T00:00:00Z&to=2027-01-01T00:00:00Z&after=x", &officer)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    let mut fields: Vec<&str> =
        bad.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort();
    assert_eq!(fields, ["after", "outcome", "to"]);
}

#[actix_web::test]
async fn the_csv_export_holds_the_views_events() {
    let app = TestApp::new().await;
    let member = app.user(Role::Wijkteam);
    let (_, case, _) = household_case_and_person(&app, &member).await;
    let token = app.token(&member).await;
    assert_eq!(app.get(&format!("/api/v1/cases/{case}"), &token).await.status, StatusCode::OK);
    let officer = app.token(&app.user(Role::PrivacyOfficer)).await;
    let list = app.get(&format!("/api/v1/audit/events?caseId={case}&limit=500"), &officer).await;
    let res = app.get(&format!("/api/v1/audit/events.csv?caseId={case}"), &officer).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.content_type(), "text/csv; charset=utf-8");
    assert!(res.headers.get("content-disposition").unwrap().to_str().unwrap().starts_with("attachment"));
    let lines: Vec<&str> = res.text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("occurredAt,eventId,userId,userName,role,"), "{}", lines[0]);
    // Newest first: the list's own read (it names the case), then the list's events.
    assert!(lines[1].contains(",audit_event.list,"), "{}", lines[1]);
    assert_eq!(lines.len() - 2, items(&list.body).len(), "the export is the view's events");
    for (line, item) in lines[2..].iter().zip(items(&list.body)) {
        assert!(line.contains(item["eventId"].as_str().unwrap()), "same order: {line}");
        assert!(
            line.contains(",case_work,") || line.contains(",administration,") || line.contains(",privacy_supervision,"),
            "{line}"
        );
    }
    let last = app.audit_events().pop().unwrap().data;
    assert_eq!((last.action.as_str(), last.case_id.as_deref()), ("audit_event.export", Some(case.as_str())));
    let bad = app.get("/api/v1/audit/events.csv?outcome=maybe", &officer).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.content_type(), "application/problem+json");
}

#[actix_web::test]
async fn the_register_and_the_employees_are_for_privacy_officers_only() {
    let app = TestApp::new().await;
    let member = app.user(Role::Wijkteam);
    for role in Role::ALL {
        let token = app.token(&app.user(role)).await;
        let ok = role == Role::PrivacyOfficer;
        for (path, action) in [
            ("/api/v1/audit/register", "processing_register.read"),
            ("/api/v1/audit/employees", "audit_event.employees"),
            ("/api/v1/audit/events.csv", "audit_event.export"),
        ] {
            let res = app.call(Method::GET, path, Some(&token), None, &[]).await;
            assert_eq!(res.status, if ok { StatusCode::OK } else { StatusCode::FORBIDDEN }, "{role:?} {path}");
            let last = app.audit_events().pop().unwrap().data;
            assert_eq!(last.outcome, if ok { "allowed" } else { "denied" }, "{role:?} {path}");
            if ok {
                assert_eq!(last.action, action);
            }
        }
    }
    let officer = app.token(&app.user(Role::PrivacyOfficer)).await;
    let register = app.get("/api/v1/audit/register", &officer).await;
    let codes: Vec<&str> = register.body.as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap()).collect();
    assert_eq!(codes, eenplan::audit::model::PROCESSING_ACTIVITIES);
    assert!(register.body[0]["legalBasis"].as_str().is_some_and(|s| !s.is_empty()));
    let employees = app.get("/api/v1/audit/employees", &officer).await;
    assert!(employees
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["id"] == member.id.as_str() && e["name"] == "Test wijkteam"));
}

/// The export holds at most 50,000 events: exactly that many is one CSV, one more is refused on the period (422,
/// problem+json), and the refusal is audited like the export. The events are one generated employee's, linked into
/// a chain of their own as the writer links them.
#[actix_web::test]
async fn the_csv_export_holds_50000_events_and_refuses_one_more() {
    use eenplan::audit::model::{ChainHead, EventData};
    let app = TestApp::new().await;
    let employee = eenplan::db::new_id();
    let start = eenplan::db::now() - chrono::Duration::days(30);
    let event = |n: i64| EventData {
        event_id: eenplan::db::new_id(),
        occurred_at: start + chrono::Duration::seconds(n),
        user_id: Some(employee.clone()),
        role: Some("wijkteam".into()),
        action: "household.read".into(),
        resource_type: "household".into(),
        outcome: "allowed".into(),
        ..Default::default()
    };
    let write = |events: Vec<EventData>, head: ChainHead| -> ChainHead {
        let (links, next) = head.link(&events);
        let rows: Vec<_> = events.iter().zip(links.iter()).collect();
        let mut conn = app.conn();
        eenplan::db::write_tx(&mut conn, |c| eenplan::audit::store::insert_batch(c, &rows)).unwrap();
        next
    };
    let head = write((0..50_000).map(event).collect(), ChainHead::new(eenplan::db::new_id()));
    let officer = app.token(&app.user(Role::PrivacyOfficer)).await;
    let path = format!("/api/v1/audit/events.csv?userId={employee}");
    let res = app.get(&path, &officer).await;
    assert_eq!(res.status, StatusCode::OK, "{}", &res.text[..res.text.len().min(300)]);
    assert_eq!(res.text.split("\r\n").filter(|l| !l.is_empty()).count(), 1 + 50_000, "the header and every event");

    write(vec![event(50_000)], head);
    let res = app.get(&path, &officer).await;
    assert_eq!((res.status, res.content_type()), (StatusCode::UNPROCESSABLE_ENTITY, "application/problem+json"));
    assert_eq!(res.body["errors"][0]["field"], "from", "{}", res.text);
    let last = app.audit_events().pop().unwrap().data;
    assert_eq!((last.action.as_str(), last.outcome.as_str()), ("audit_event.export", "failed"));
}
