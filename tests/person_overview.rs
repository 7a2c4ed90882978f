//! Who saw my data (GET /api/v1/audit/persons/{id}/overview): the accesses to a person's data — naming them, or
//! their household or its cases — merged per organisation and day, with bases, the emergency flag, no employee
//! names unless asked for with a reason; only for privacy officers, and producing it is audited. The person index
//! the writer keeps holds every event's persons. On SQLite, and on PostgreSQL with EENPLAN_TEST_DATABASE_URL.

mod common;

use actix_web::http::{Method, StatusCode};
use common::world::{child_with_bsn, household_case_and_person};
use common::TestApp;
use diesel::prelude::*;
use eenplan::roles::Role;
use serde_json::{json, Value};

fn overview_path(person: &str, query: &str) -> String {
    format!("/api/v1/audit/persons/{person}/overview{query}")
}

/// The lines with this action.
fn lines_of<'a>(body: &'a Value, action: &str) -> Vec<&'a Value> {
    body["lines"].as_array().unwrap().iter().filter(|l| l["action"] == action).collect()
}

#[actix_web::test]
async fn the_overview_lists_the_accesses_to_a_person_merged_with_their_basis_and_no_names() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (household, case, person) = household_case_and_person(&app, &creator).await;
    let token = app.token(&creator).await;
    for _ in 0..3 {
        assert_eq!(app.get(&format!("/api/v1/cases/{case}"), &token).await.status, StatusCode::OK);
    }
    assert_eq!(app.get(&format!("/api/v1/households/{household}"), &token).await.status, StatusCode::OK);
    // Someone else's household and a refused read are not this person's accesses.
    let (_, other_case, _) = household_case_and_person(&app, &creator).await;
    assert_eq!(app.get(&format!("/api/v1/cases/{other_case}"), &token).await.status, StatusCode::OK);
    let outsider = app.user_in_other_team(Role::Wijkteam);
    let refused = app.get(&format!("/api/v1/cases/{case}"), &app.token(&outsider).await).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);

    let officer = app.user(Role::PrivacyOfficer);
    let res = app.get(&overview_path(&person, ""), &app.token(&officer).await).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let reads = lines_of(&res.body, "case.read");
    assert_eq!(reads.len(), 1, "three reads of one organisation on one day are one line: {}", res.text);
    assert_eq!(reads[0]["count"], 3);
    assert_eq!(reads[0]["category"], "case");
    assert_eq!(reads[0]["role"], "wijkteam");
    assert_eq!(reads[0]["organisationId"], app.municipality_id.as_str());
    assert!(reads[0]["organisation"].as_str().is_some_and(|n| !n.is_empty()));
    assert!(reads[0]["basis"].as_str().is_some(), "{}", res.text);
    assert_eq!(reads[0]["emergency"], false);
    assert_eq!(lines_of(&res.body, "household.read").len(), 1, "{}", res.text);
    // The lines count every access they show; the refused read is not one.
    let counted: i64 = res.body["lines"].as_array().unwrap().iter().map(|l| l["count"].as_i64().unwrap()).sum();
    assert_eq!(counted, res.body["accesses"].as_i64().unwrap());
    let events = app.audit_events();
    let of_other_case = events.iter().filter(|e| e.data.case_id.as_deref() == Some(other_case.as_str())).count();
    assert!(of_other_case > 0);
    let allowed_on_case = events
        .iter()
        .filter(|e| e.data.case_id.as_deref() == Some(case.as_str()) && e.data.outcome == "allowed")
        .count() as i64;
    let case_lines: i64 = res.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["category"] == "case")
        .map(|l| l["count"].as_i64().unwrap())
        .sum();
    assert!(case_lines >= 3 && case_lines <= allowed_on_case, "{case_lines} of {allowed_on_case}");
    // No employee names, no user ids.
    assert!(!res.text.contains("Test wijkteam"), "{}", res.text);
    assert!(!res.text.contains(&creator.id), "{}", res.text);
    assert!(res.body["lines"].as_array().unwrap().iter().all(|l| l.get("employees").is_none()));

    // Producing it is audited: the person, as the resource and among the persons.
    let last = app.audit_events().pop().unwrap();
    assert_eq!((last.data.action.as_str(), last.data.outcome.as_str()), ("audit_event.read", "allowed"));
    assert_eq!(last.data.resource_id.as_deref(), Some(person.as_str()));
    assert_eq!(last.data.person_ids, std::slice::from_ref(&person));
    assert_eq!(last.data.user_id.as_deref(), Some(officer.id.as_str()));
    // …and the next overview shows it: the privacy officer's look is an access too.
    let again = app.get(&overview_path(&person, ""), &app.token(&officer).await).await;
    assert_eq!(lines_of(&again.body, "audit_event.read").len(), 1, "{}", again.text);
}

#[actix_web::test]
async fn employee_names_only_with_a_reason_that_the_overview_event_keeps() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case, person) = household_case_and_person(&app, &creator).await;
    assert_eq!(app.get(&format!("/api/v1/cases/{case}"), &app.token(&creator).await).await.status, StatusCode::OK);
    let officer = app.user(Role::PrivacyOfficer);
    let token = app.token(&officer).await;
    let path = overview_path(&person, "?employeeNames=true");

    let refused = app.get(&path, &token).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
    assert_eq!(refused.body["errors"][0]["field"], "reason");
    assert!(!refused.text.contains("Test wijkteam"));
    let blank = app.call(Method::GET, &path, Some(&token), None, &[("X-Audit-Reason", "   ")]).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", blank.text);

    let reason = "Klacht van de cliënt over inzage";
    let named = app.call(Method::GET, &path, Some(&token), None, &[("X-Audit-Reason", reason)]).await;
    assert_eq!(named.status, StatusCode::OK, "{}", named.text);
    let reads = lines_of(&named.body, "case.read");
    assert_eq!(reads[0]["employees"], json!(["Test wijkteam"]));
    let last = app.audit_events().pop().unwrap();
    assert_eq!(last.data.action, "audit_event.read");
    assert_eq!(last.data.reason.as_deref(), Some(reason));
}

#[actix_web::test]
async fn a_break_glass_read_is_an_emergency_line_with_its_basis() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case, person) = household_case_and_person(&app, &creator).await;
    let outsider = app.user(Role::Wijkteam);
    let t = app.token(&outsider).await;
    let opened = app
        .post(
            "/api/v1/break-glass",
            &t,
            json!({"caseId": case, "reason": "acute_danger_child",
                   "justification": "De school meldt blauwe plekken en het kind durft niet naar huis."}),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text);
    assert_eq!(app.get(&format!("/api/v1/cases/{case}"), &t).await.status, StatusCode::OK);

    let officer = app.user(Role::PrivacyOfficer);
    let res = app.get(&overview_path(&person, ""), &app.token(&officer).await).await;
    let emergency: Vec<&Value> =
        res.body["lines"].as_array().unwrap().iter().filter(|l| l["emergency"] == true).collect();
    assert!(!emergency.is_empty(), "{}", res.text);
    assert!(emergency.iter().any(|l| l["action"] == "case.read" && l["basis"] == "break_glass"), "{}", res.text);
    let grant = opened.body["id"].as_str().unwrap();
    assert!(emergency.iter().any(|l| l["basisIds"] == json!([grant])), "{}", res.text);
    // The creator's reads are not emergencies.
    assert!(res.body["lines"].as_array().unwrap().iter().any(|l| l["emergency"] == false));
}

#[actix_web::test]
async fn only_privacy_officers_produce_an_overview_of_a_person_that_exists() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, _, person) = household_case_and_person(&app, &creator).await;
    for role in Role::ALL {
        let user = app.user(role);
        let token = app.token(&user).await;
        let res = app.get(&overview_path(&person, ""), &token).await;
        let expected = if role == Role::PrivacyOfficer { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(res.status, expected, "{role:?}: {}", res.text);
        if role != Role::PrivacyOfficer {
            assert!(!res.text.contains("case.read"), "{role:?}");
            let last = app.audit_events().pop().unwrap();
            assert_eq!((last.data.action.as_str(), last.data.outcome.as_str()), ("audit_event.read", "denied"));
        }
    }
    let officer = app.user(Role::PrivacyOfficer);
    let token = app.token(&officer).await;
    let unknown = app.get(&overview_path(&eenplan::db::new_id(), ""), &token).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.text);
    assert_eq!(unknown.content_type(), "application/problem+json");
    let backwards =
        app.get(&overview_path(&person, "?from=2027-02-01T00:00:00Z&to=2027-01-01T00:00:00Z"), &token).await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", backwards.text);
    // A period before anything happened: no lines.
    let before = app.get(&overview_path(&person, "?to=2001-01-01T00:00:00Z"), &token).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);
    assert_eq!(before.body["lines"], json!([]));
}

/// The writer keeps the person index in the same transaction as its events: every event's persons, each once.
#[actix_web::test]
async fn the_person_index_holds_every_persons_of_every_event() {
    use eenplan::db::schema::audit_event_persons as ap;
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (household, _, _) = household_case_and_person(&app, &creator).await;
    let token = app.token(&creator).await;
    assert_eq!(app.get(&format!("/api/v1/households/{household}"), &token).await.status, StatusCode::OK);
    let events = app.audit_events();
    let mut expected: Vec<(String, i64)> = Vec::new();
    for e in &events {
        let mut persons = e.data.person_ids.clone();
        persons.sort();
        persons.dedup();
        expected.extend(persons.into_iter().map(|p| (p, e.id)));
    }
    expected.sort();
    assert!(!expected.is_empty());
    let mut stored: Vec<(String, i64)> =
        ap::table.select((ap::person_id, ap::event_row)).load(&mut app.conn()).unwrap();
    stored.sort();
    assert_eq!(stored, expected);
    // What the overview reads of an access is the event's own, copied by the writer.
    type Copy = (i64, chrono::NaiveDateTime, bool, Option<String>, Option<String>, Option<String>, String, String);
    type Basis = (Option<String>, Option<String>, bool);
    let copies: Vec<(Copy, Basis)> = ap::table
        .select((
            (
                ap::event_row,
                ap::occurred_at,
                ap::allowed,
                ap::user_name,
                ap::role,
                ap::organisation_id,
                ap::action,
                ap::resource_type,
            ),
            (ap::basis, ap::basis_id, ap::flagged),
        ))
        .load(&mut app.conn())
        .unwrap();
    for ((row, at, allowed, user_name, role, organisation, action, resource_type), (basis, basis_id, flagged)) in copies
    {
        let e = &events.iter().find(|e| e.id == row).unwrap().data;
        assert_eq!(at, e.occurred_at);
        assert_eq!(allowed, e.outcome == "allowed");
        assert_eq!((user_name, role, organisation), (e.user_name.clone(), e.role.clone(), e.organisation_id.clone()));
        assert_eq!((action, resource_type), (e.action.clone(), e.resource_type.clone()));
        assert_eq!((basis, basis_id.as_deref(), flagged), (e.basis_kind(), e.basis_id(), e.flagged));
    }
}

#[derive(QueryableByName)]
struct SqlitePlanLine {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlanLine {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    line: String,
}

/// The overview's three ways in (privacy::store::accesses: the person index, the household's events, the case's
/// events) are index ranges, never a scan of the log; the person's is index-only on PostgreSQL, so that its
/// 100,000 rows of a 10-million-event log are read from the index's leaf pages. The statements mirror the store's.
/// PostgreSQL is told not to scan (its planner scans a table this small whatever the indexes): the plan it falls
/// back to shows which index can answer.
#[actix_web::test]
async fn the_overviews_reads_are_index_ranges_and_the_persons_is_index_only() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    household_case_and_person(&app, &creator).await;
    let person = "SELECT event_row, occurred_at, user_name, role, organisation_id, action, resource_type, basis, \
                  basis_id, flagged FROM audit_event_persons WHERE person_id = 'p' AND allowed = TRUE \
                  AND occurred_at >= '2026-01-01' AND occurred_at < '2027-01-01'";
    let columns = "id, occurred_at, user_name, role, organisation_id, action, resource_type, basis, basis_id, \
                   flagged, household_id, case_id";
    let household =
        format!("SELECT {columns} FROM audit_events WHERE household_id IN ('h1', 'h2') AND outcome = 'allowed'");
    let case = format!("SELECT {columns} FROM audit_events WHERE case_id IN ('c1', 'c2') AND outcome = 'allowed'");
    let mut conn = app.conn();
    let plans: Vec<String> = match &mut conn {
        eenplan::db::DbConn::Sqlite(c) => [person.to_string(), household, case]
            .iter()
            .map(|q| {
                let lines = diesel::sql_query(format!("EXPLAIN QUERY PLAN {q}")).load::<SqlitePlanLine>(c).unwrap();
                lines.into_iter().map(|l| l.detail).collect::<Vec<_>>().join("\n")
            })
            .collect(),
        eenplan::db::DbConn::Pg(c) => {
            use diesel::connection::SimpleConnection;
            c.batch_execute("VACUUM ANALYZE audit_event_persons").unwrap();
            c.batch_execute("SET enable_seqscan = off; SET enable_bitmapscan = off").unwrap();
            [person.to_string(), household, case]
                .iter()
                .map(|q| {
                    let lines = diesel::sql_query(format!("EXPLAIN {q}")).load::<PgPlanLine>(c).unwrap();
                    lines.into_iter().map(|l| l.line).collect::<Vec<_>>().join("\n")
                })
                .collect()
        }
    };
    let expected: [&[&str]; 3] = if app.is_postgres() {
        [
            &["Index Only Scan using audit_event_persons_pkey on audit_event_persons"],
            &["Index Scan using audit_events_household on audit_events"],
            &["Index Scan using audit_events_case on audit_events"],
        ]
    } else {
        [
            &["SEARCH audit_event_persons USING PRIMARY KEY (person_id=? AND occurred_at>? AND occurred_at<?)"],
            &["SEARCH audit_events USING INDEX audit_events_household (household_id=?)"],
            &["SEARCH audit_events USING INDEX audit_events_case (case_id=?)"],
        ]
    };
    for (plan, wanted) in plans.iter().zip(expected) {
        for w in wanted {
            assert!(plan.contains(w), "expected {w:?} in the plan:\n{plan}");
        }
        assert!(!plan.contains("Seq Scan") && !plan.contains("SCAN "), "a scan in the plan:\n{plan}");
    }
}

/// The privacy officer finds the person an overview is for by BSN: the id only, audited with the person and never
/// the BSN; the overview then names them. Every other role is refused (and that is audited); a BSN no one has is
/// 404, a wrong one 422 with the field.
#[actix_web::test]
async fn a_privacy_officer_finds_a_person_by_bsn_and_only_their_id_comes_back() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let bsn = eenplan::crypto::bsn::synthetic(41).expose().to_string();
    let (_, _, person) = child_with_bsn(&app, &creator, &bsn).await;
    let officer = app.user(Role::PrivacyOfficer);
    let token = app.token(&officer).await;

    let res = app.post("/api/v1/audit/persons/search", &token, json!({ "bsn": bsn })).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body, json!({ "personId": person }));
    let last = app.audit_events().pop().unwrap();
    assert_eq!((last.data.action.as_str(), last.data.outcome.as_str()), ("audit_event.search", "allowed"));
    assert_eq!(last.data.resource_id.as_deref(), Some(person.as_str()));
    assert!(last.data.person_ids.contains(&person));
    let stored = serde_json::to_string(&last.data).unwrap();
    assert!(!stored.contains(&bsn), "{stored}");

    let overview = app.get(&overview_path(&person, ""), &token).await;
    assert_eq!(overview.body["name"], "Noor Bakker", "{}", overview.text);
    assert!(!overview.text.contains(&bsn));

    let nobody = eenplan::crypto::bsn::synthetic(42).expose().to_string();
    let res = app.post("/api/v1/audit/persons/search", &token, json!({ "bsn": nobody })).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    for body in [json!({ "bsn": "123456789" }), json!({ "bsn": "12" }), json!({})] {
        let res = app.post("/api/v1/audit/persons/search", &token, body.clone()).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", res.text);
        assert_eq!(res.body["errors"][0]["field"], "bsn", "{}", res.text);
    }

    for role in Role::ALL.into_iter().filter(|r| *r != Role::PrivacyOfficer) {
        let token = app.token(&app.user(role)).await;
        let res = app.post("/api/v1/audit/persons/search", &token, json!({ "bsn": bsn })).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{role:?}: {}", res.text);
        assert!(!res.text.contains(&person), "{role:?}");
        let last = app.audit_events().pop().unwrap();
        assert_eq!((last.data.action.as_str(), last.data.outcome.as_str()), ("audit_event.search", "denied"));
        assert!(last.data.person_ids.is_empty(), "{role:?}: a refused lookup names no one");
    }
}

/// The event list's person filter reads the person index: exactly the events that name the person, newest first,
/// paged by the cursor.
#[actix_web::test]
async fn the_event_list_by_person_is_every_event_that_names_them() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (household, _, person) = household_case_and_person(&app, &creator).await;
    let token = app.token(&creator).await;
    for _ in 0..3 {
        assert_eq!(app.get(&format!("/api/v1/households/{household}"), &token).await.status, StatusCode::OK);
    }
    let _ = household_case_and_person(&app, &creator).await;
    let mut expected: Vec<i64> =
        app.audit_events().iter().filter(|e| e.data.person_ids.contains(&person)).map(|e| e.id).collect();
    expected.reverse();
    assert!(expected.len() >= 4, "{expected:?}");

    let officer = app.token(&app.user(Role::PrivacyOfficer)).await;
    let mut seen: Vec<String> = Vec::new();
    let mut path = format!("/api/v1/audit/events?personId={person}&limit=2");
    loop {
        let res = app.get(&path, &officer).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        for item in res.body["items"].as_array().unwrap() {
            assert!(item["personIds"].as_array().unwrap().iter().any(|p| p == person.as_str()), "{item}");
            seen.push(item["eventId"].as_str().unwrap().to_string());
        }
        match res.body["next"].as_str() {
            Some(next) => path = format!("/api/v1/audit/events?personId={person}&limit=2&after={next}"),
            None => break,
        }
    }
    let events = app.audit_events();
    let expected_ids: Vec<String> =
        expected.iter().map(|row| events.iter().find(|e| e.id == *row).unwrap().data.event_id.to_string()).collect();
    assert_eq!(seen, expected_ids);
}
