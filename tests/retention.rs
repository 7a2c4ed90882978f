//! Retention (docs/privacy.md): the dry run lists exactly what the run then removes (cases past their law's term
//! with their plans, households and persons left without a case), a legal hold keeps a case until lifted; the audit
//! log is pruned from a chain's start behind a checkpoint, `audit verify` still passes, and the database refuses
//! every other delete; a checkpoint changed outside a run is detected; erasure requests are refused for their art.
//! 17(3) grounds and carried out without; every role but the privacy officer refused. On SQLite, and on PostgreSQL
//! with EENPLAN_TEST_DATABASE_URL.

mod common;

use actix_web::http::{Method, StatusCode};
use chrono::{Duration, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{json, Value};

use common::world::household_case_and_person;
use common::TestApp;
use eenplan::audit::model::{ChainHead, EventData};
use eenplan::db::schema::{cases, households, persons, plan_versions};
use eenplan::roles::Role;

/// Closes a case `years` ago (and a little), under these laws.
fn close_long_ago(app: &TestApp, case: &str, laws: &str, years: i64) {
    let at = Utc::now().naive_utc() - Duration::days(365 * years + years / 4 + 30);
    diesel::update(cases::table.filter(cases::id.eq(case)))
        .set((
            cases::state.eq("closed"),
            cases::close_reason.eq(Some("goal_reached")),
            cases::closed_at.eq(at),
            cases::laws.eq(laws),
        ))
        .execute(&mut app.conn())
        .unwrap();
}

/// Whether the row with this id is still there: `what` is "case", "household" or "person".
fn exists(app: &TestApp, what: &str, id: &str) -> bool {
    let mut c = app.conn();
    let n: i64 = match what {
        "case" => cases::table.filter(cases::id.eq(id)).count().get_result(&mut c),
        "household" => households::table.filter(households::id.eq(id)).count().get_result(&mut c),
        _ => persons::table.filter(persons::id.eq(id)).count().get_result(&mut c),
    }
    .unwrap();
    n == 1
}

fn ids(v: &Value, key: &str, field: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| if field.is_empty() { c.as_str() } else { c[field].as_str() }.unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn the_dry_run_lists_what_the_run_removes_and_a_hold_keeps_its_case() {
    let app = TestApp::new().await;
    let worker = app.user(Role::Wijkteam);
    let officer = app.token(&app.user(Role::PrivacyOfficer)).await;
    // Three closed cases: a Wmo case 16 years ago (past its 15), a youth case 16 years ago (within its 20), and a
    // youth case 21 years ago that a court case holds.
    let (wmo_home, wmo_case, wmo_person) = household_case_and_person(&app, &worker).await;
    let (youth_home, youth_case, youth_person) = household_case_and_person(&app, &worker).await;
    let (held_home, held_case, _) = household_case_and_person(&app, &worker).await;
    // An agreed plan version, which nothing else may ever delete.
    let t = Utc::now().naive_utc();
    diesel::insert_into(plan_versions::table)
        .values((
            plan_versions::id.eq(eenplan::db::new_id()),
            plan_versions::case_id.eq(&wmo_case),
            plan_versions::number.eq(1),
            plan_versions::status.eq("agreed"),
            plan_versions::content.eq("{}"),
            plan_versions::members_may_edit.eq(false),
            plan_versions::revision.eq(1),
            plan_versions::created_by.eq(&worker.id),
            plan_versions::created_at.eq(t),
            plan_versions::updated_by.eq(&worker.id),
            plan_versions::updated_at.eq(t),
            plan_versions::agreed_by.eq(Some(&worker.id)),
            plan_versions::agreed_at.eq(Some(t)),
        ))
        .execute(&mut app.conn())
        .unwrap();
    let delete_plan = format!("DELETE FROM plan_versions WHERE case_id = '{wmo_case}'");
    assert!(app.conn().batch_execute(&delete_plan).is_err(), "kept while the case is open");
    close_long_ago(&app, &wmo_case, "Wmo", 16);
    close_long_ago(&app, &youth_case, "Jeugdwet,Wmo", 16);
    close_long_ago(&app, &held_case, "Jeugdwet", 21);
    let hold = app
        .post("/api/v1/retention/holds", &officer, json!({"caseId": held_case, "reason": "Klacht bij de rechter"}))
        .await;
    assert_eq!(hold.status, StatusCode::CREATED, "{}", hold.text);

    let plan = app.get("/api/v1/retention/plan", &officer).await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.text);
    assert_eq!(ids(&plan.body, "cases", "caseId"), [wmo_case.as_str()]);
    assert_eq!(ids(&plan.body, "held", "caseId"), [held_case.as_str()]);
    assert_eq!(ids(&plan.body, "households", ""), [wmo_home.as_str()]);
    assert_eq!(ids(&plan.body, "persons", ""), [wmo_person.as_str()]);
    assert_eq!(plan.body["cases"][0]["laws"], json!(["Wmo"]));
    // The dry run changed nothing.
    assert!(exists(&app, "case", &wmo_case));

    let run = app.post("/api/v1/retention/runs", &officer, json!({})).await;
    assert_eq!(run.status, StatusCode::CREATED, "{}", run.text);
    for key in ["cases", "held", "households", "persons"] {
        assert_eq!(run.body["plan"][key], plan.body[key], "{key}: the run carried out the dry run's plan");
    }
    assert_eq!((run.body["cases"].clone(), run.body["held"].clone()), (json!(1), json!(1)));
    assert!(!exists(&app, "case", &wmo_case));
    assert!(!exists(&app, "household", &wmo_home));
    assert!(!exists(&app, "person", &wmo_person));
    let versions: i64 =
        plan_versions::table.filter(plan_versions::case_id.eq(&wmo_case)).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(versions, 0, "the plan went with its case");
    for (case, home) in [(&youth_case, &youth_home), (&held_case, &held_home)] {
        assert!(exists(&app, "case", case) && exists(&app, "household", home));
    }
    assert!(exists(&app, "person", &youth_person));
    // The run's event records its counts, never whose data.
    let event = app.audit_events().into_iter().rev().find(|e| e.data.action == "retention.run").unwrap();
    let note = event.data.reason.unwrap();
    assert!(note.contains("1 zaken, 1 huishoudens, 1 personen gewist (1 vastgehouden)"), "{note}");
    assert!(!note.contains(&wmo_case) && event.data.person_ids.is_empty());
    let runs = app.get("/api/v1/retention/runs", &officer).await;
    assert_eq!(runs.body["items"][0]["cases"], 1);

    // Nothing is due now but the held case; lifting the hold lets it go.
    let again = app.get("/api/v1/retention/plan", &officer).await;
    assert_eq!(again.body["cases"], json!([]));
    let hold_id = hold.body["id"].as_str().unwrap();
    let no_reason = app.post(&format!("/api/v1/retention/holds/{hold_id}/lift"), &officer, json!({})).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let lifted = app
        .post(&format!("/api/v1/retention/holds/{hold_id}/lift"), &officer, json!({"reason": "Zaak afgedaan"}))
        .await;
    assert_eq!(lifted.status, StatusCode::OK, "{}", lifted.text);
    let twice = app
        .post(&format!("/api/v1/retention/holds/{hold_id}/lift"), &officer, json!({"reason": "Zaak afgedaan"}))
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let after = app.get("/api/v1/retention/plan", &officer).await;
    assert_eq!(ids(&after.body, "cases", "caseId"), [held_case.as_str()]);
    // A hold on an unknown case is 404; one without anything, every field error at once.
    let unknown =
        app.post("/api/v1/retention/holds", &officer, json!({"caseId": eenplan::db::new_id(), "reason": "x"})).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let empty = app.post("/api/v1/retention/holds", &officer, json!({})).await;
    assert_eq!(empty.body["errors"].as_array().map(Vec::len), Some(2), "{}", empty.text);
}

/// Writes events into a chain of its own, in one transaction: (when, how many) in order.
fn old_chain(app: &TestApp, name: &str, parts: &[(NaiveDateTime, usize)]) -> String {
    let head = ChainHead::new(format!("{name}/{}", eenplan::db::new_id()));
    let mut events = Vec::new();
    for (at, n) in parts {
        for i in 0..*n {
            events.push(EventData {
                event_id: eenplan::db::new_id(),
                occurred_at: *at + Duration::minutes(i as i64),
                action: "auth.login".into(),
                resource_type: "session".into(),
                outcome: "allowed".into(),
                person_ids: vec![eenplan::db::new_id()],
                ..Default::default()
            });
        }
    }
    let (links, _) = head.link(&events);
    let rows: Vec<_> = events.iter().zip(&links).collect();
    let mut c = app.conn();
    eenplan::audit::store::insert_batch(&mut c, &rows).unwrap();
    head.chain_id
}

fn chain_seqs(app: &TestApp, chain: &str) -> Vec<i64> {
    use eenplan::db::schema::audit_events as a;
    a::table.filter(a::chain_id.eq(chain)).select(a::chain_seq).order(a::chain_seq).load(&mut app.conn()).unwrap()
}

#[actix_web::test]
async fn pruning_keeps_every_chain_verifiable_and_the_database_refuses_any_other_delete() {
    let app = TestApp::new().await;
    let officer = app.token(&app.user(Role::PrivacyOfficer)).await;
    let now = Utc::now().naive_utc();
    let (six, four) = (now - Duration::days(6 * 366), now - Duration::days(4 * 365));
    // One chain with five old events and then two of four years ago; one chain of old events only.
    let mixed = old_chain(&app, "node-a", &[(six, 5), (four, 2)]);
    let old = old_chain(&app, "node-b", &[(six, 3)]);
    let delete_first = format!("DELETE FROM audit_events WHERE chain_id = '{old}' AND chain_seq = 1");
    assert!(app.conn().batch_execute(&delete_first).is_err(), "no delete without a checkpoint");

    let plan = app.get("/api/v1/retention/plan", &officer).await;
    let chains = plan.body["chains"].as_array().unwrap();
    let of = |id: &str| chains.iter().find(|c| c["chainId"] == id).cloned();
    assert_eq!(of(&mixed).map(|c| (c["throughSeq"].clone(), c["events"].clone())), Some((json!(5), json!(5))));
    assert_eq!(of(&old).map(|c| (c["throughSeq"].clone(), c["events"].clone())), Some((json!(3), json!(3))));
    assert_eq!(chains.len(), 2, "the live chain is young: {}", plan.text);
    assert_eq!(plan.body["auditEvents"], 8);

    let run = app.post("/api/v1/retention/runs", &officer, json!({})).await;
    assert_eq!(run.status, StatusCode::CREATED, "{}", run.text);
    assert_eq!((run.body["auditEvents"].clone(), run.body["chains"].clone()), (json!(8), json!(2)));
    assert_eq!(chain_seqs(&app, &mixed), [6, 7]);
    assert_eq!(chain_seqs(&app, &old), Vec::<i64>::new());
    let persons: i64 = {
        use eenplan::db::schema::{audit_event_persons as p, audit_events as a};
        let rows = a::table.select(a::id);
        p::table.filter(p::event_row.ne_all(rows)).count().get_result(&mut app.conn()).unwrap()
    };
    assert_eq!(persons, 0, "the person index went with its events");
    let report = eenplan::audit::service::verify(&mut app.conn()).unwrap();
    assert!(report.first_break.is_none(), "{:?}", report.first_break);
    assert_eq!(report.checkpoints, 2);
    // A second run finds nothing more, and verify still passes after it.
    let second = app.post("/api/v1/retention/runs", &officer, json!({})).await;
    assert_eq!(second.body["auditEvents"], 0);
    assert!(eenplan::audit::service::verify(&mut app.conn()).unwrap().first_break.is_none());

    // Behind the checkpoint nothing young may go, and no checkpoint moves back or goes.
    let delete_young = format!("DELETE FROM audit_events WHERE chain_id = '{mixed}' AND chain_seq = 6");
    assert!(app.conn().batch_execute(&delete_young).is_err());
    let back = format!("UPDATE audit_checkpoints SET through_seq = 1 WHERE chain_id = '{mixed}'");
    assert!(app.conn().batch_execute(&back).is_err());
    assert!(app.conn().batch_execute("DELETE FROM audit_checkpoints").is_err());
    assert!(app.conn().batch_execute("UPDATE audit_events SET reason = 'x'").is_err());
    // Even behind a checkpoint, an event younger than five years is refused (the checkpoint moved forward by hand).
    let ahead = format!("UPDATE audit_checkpoints SET through_seq = 7 WHERE chain_id = '{mixed}'");
    app.conn().batch_execute(&ahead).unwrap();
    assert!(app.conn().batch_execute(&delete_young).is_err(), "four years old: kept");
    assert_eq!(chain_seqs(&app, &mixed), [6, 7]);
    // A checkpoint added outside a run (to hide a removal) no longer matches the last run's record.
    let live = app.state.audit.chain_id();
    app.conn()
        .batch_execute(&format!(
            "INSERT INTO audit_checkpoints (chain_id, through_seq, through_hash, pruned_events, updated_at) \
             VALUES ('{live}', 1, 'x', 1, '2020-01-01 00:00:00')"
        ))
        .unwrap();
    let report = eenplan::audit::service::verify(&mut app.conn()).unwrap();
    assert!(report.first_break.is_some_and(|b| b.problem.contains("checkpoints")));
}

#[actix_web::test]
async fn an_erasure_request_is_refused_for_its_grounds_and_carried_out_without_one() {
    let app = TestApp::new().await;
    let worker = app.user(Role::Wijkteam);
    let officer = app.token(&app.user(Role::PrivacyOfficer)).await;
    let (_, open_case, in_open_case) = household_case_and_person(&app, &worker).await;
    let (_, closed_case, in_closed_case) = household_case_and_person(&app, &worker).await;
    close_long_ago(&app, &closed_case, "Wmo", 1);
    let _ = open_case;

    let empty = app.post("/api/v1/retention/erasure-requests", &officer, json!({})).await;
    let mut fields: Vec<&str> =
        empty.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort();
    assert_eq!(fields, ["personId", "receivedOn", "requestedBy"]);
    let today = eenplan::calendar::local(Utc::now()).date().to_string();
    let request = |person: &str| json!({"personId": person, "receivedOn": today, "requestedBy": "person"});
    let unknown = app.post("/api/v1/retention/erasure-requests", &officer, request(&eenplan::db::new_id())).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let open = app.post("/api/v1/retention/erasure-requests", &officer, request(&in_open_case)).await;
    assert_eq!(open.status, StatusCode::CREATED, "{}", open.text);
    assert_eq!(open.body["grounds"], json!(["open_case"]));
    let open_id = open.body["id"].as_str().unwrap();
    let decide = |id: &str| format!("/api/v1/retention/erasure-requests/{id}/decide");
    let carry = app.post(&decide(open_id), &officer, json!({"decision": "carry_out"})).await;
    assert_eq!(carry.status, StatusCode::CONFLICT, "{}", carry.text);
    assert!(exists(&app, "person", &in_open_case));
    let bare_refusal = app.post(&decide(open_id), &officer, json!({"decision": "refuse"})).await;
    assert_eq!(bare_refusal.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = app
        .post(&decide(open_id), &officer, json!({"decision": "refuse", "reason": "Hulp loopt nog; brief verstuurd."}))
        .await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.text);
    assert_eq!(refused.body["status"], "refused");
    assert!(refused.body["decisionReason"].as_str().unwrap().contains("lid 3 onder b"));
    let twice = app.post(&decide(open_id), &officer, json!({"decision": "carry_out"})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // A protection is no ground to keep a person: it goes with them.
    let protect = json!({"personId": in_closed_case, "reason": "colleague"});
    assert_eq!(app.post("/api/v1/audit/protected-persons", &officer, protect).await.status, StatusCode::CREATED);
    let closed = app.post("/api/v1/retention/erasure-requests", &officer, request(&in_closed_case)).await;
    assert_eq!(closed.body["grounds"], json!([]));
    let done = app.post(&decide(closed.body["id"].as_str().unwrap()), &officer, json!({"decision": "carry_out"})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    assert_eq!(done.body["status"], "carried_out");
    assert!(!exists(&app, "person", &in_closed_case));
    let protected = app.get("/api/v1/audit/protected-persons", &officer).await;
    assert_eq!(protected.body["items"], json!([]), "{}", protected.text);
    let list = app.get("/api/v1/retention/erasure-requests", &officer).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(2));
}

#[actix_web::test]
async fn every_role_but_the_privacy_officer_is_refused_and_audited() {
    let app = TestApp::new().await;
    let id = eenplan::db::new_id();
    let endpoints: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/v1/retention/plan".into(), None),
        (Method::GET, "/api/v1/retention/runs".into(), None),
        (Method::POST, "/api/v1/retention/runs".into(), Some(json!({}))),
        (Method::GET, "/api/v1/retention/holds".into(), None),
        (Method::POST, "/api/v1/retention/holds".into(), Some(json!({}))),
        (Method::POST, format!("/api/v1/retention/holds/{id}/lift"), Some(json!({"reason": "x"}))),
        (Method::GET, "/api/v1/retention/erasure-requests".into(), None),
        (Method::POST, "/api/v1/retention/erasure-requests".into(), Some(json!({}))),
        (Method::POST, format!("/api/v1/retention/erasure-requests/{id}/decide"), Some(json!({"decision": "refuse"}))),
    ];
    for role in Role::ALL {
        let token = app.token(&app.user(role)).await;
        for (method, path, body) in &endpoints {
            let before = app.audit_events().len();
            let res = app.call(method.clone(), path, Some(&token), body.clone(), &[]).await;
            if role == Role::PrivacyOfficer {
                assert_ne!(res.status, StatusCode::FORBIDDEN, "{path}");
                continue;
            }
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{role:?} {method} {path}");
            let events = app.audit_events();
            assert_eq!(events.len(), before + 1);
            assert_eq!(events.last().unwrap().data.outcome, "denied", "{role:?} {path}");
        }
    }
}
