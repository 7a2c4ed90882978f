//! Persons, households and their composition over time; search by BSN; reopening; providers who direct.
//! On SQLite, and on PostgreSQL when EENPLAN_TEST_DATABASE_URL is set.

mod common;

use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

use common::{TestApp, TestUser};
use eenplan::access::Role;
use eenplan::households::bsn::synthetic;

async fn new_household(app: &TestApp, token: &str, number: i32) -> String {
    let h = app
        .post(
            "/api/v1/households",
            token,
            json!({"postcode": "2711AB", "houseNumber": number, "wijk": "Rokkeveen", "teamId": app.team_id}),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    h.body["id"].as_str().unwrap().to_string()
}

async fn add_member(app: &TestApp, token: &str, household: &str, body: Value) -> common::Response {
    app.post(&format!("/api/v1/households/{household}/members"), token, body).await
}

fn person(name: &str, birth: &str, bsn: &str) -> Value {
    json!({"name": name, "birthDate": birth, "bsn": bsn})
}

async fn open_case(app: &TestApp, token: &str, household: &str) -> String {
    let c = app.post("/api/v1/cases", token, json!({"householdId": household, "laws": ["Jeugdwet"]})).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    c.body["id"].as_str().unwrap().to_string()
}

#[actix_web::test]
async fn composition_over_time_and_moving_creates_history() {
    let app = TestApp::new().await;
    let worker = app.user(Role::Wijkteam);
    let t = app.token(&worker).await;
    let first = new_household(&app, &t, 1).await;
    let second = new_household(&app, &t, 2).await;
    let (mother, child) = (synthetic(0), synthetic(1));

    let m = add_member(
        &app,
        &t,
        &first,
        json!({"person": person("Anna de Vries", "1985-03-02", mother.expose()), "relation": "parent", "custody": true, "from": "2015-01-01"}),
    )
    .await;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.text);
    let c = add_member(
        &app,
        &t,
        &first,
        json!({"person": person("Bram de Vries", "2014-06-01", child.expose()), "relation": "child", "from": "2015-01-01"}),
    )
    .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    let child_id = c.body["person"]["id"].as_str().unwrap().to_string();
    // Before a case exists the owning team sees the household to register it, BSNs masked.
    assert_eq!(c.body["person"]["bsn"], format!("******{}", &child.expose()[6..]));
    assert_eq!(c.body["person"]["bsnMasked"], true);

    // The same BSN again is the same person: the child moves, the old membership ends on the moving day.
    let moved = add_member(
        &app,
        &t,
        &second,
        json!({"person": person("B. de Vries", "2014-06-01", child.expose()), "relation": "child", "from": "2024-09-01"}),
    )
    .await;
    assert_eq!(moved.status, StatusCode::CREATED, "{}", moved.text);
    assert_eq!(moved.body["person"]["id"], child_id.as_str(), "not a copy");
    assert_eq!(moved.body["person"]["name"], "Bram de Vries", "the known person's details are kept");
    let on = |date: &'static str| {
        let (app, t, first) = (&app, t.clone(), first.clone());
        async move {
            let r = app.get(&format!("/api/v1/households/{first}/members?on={date}"), &t).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            r.body
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["person"]["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(on("2014-12-31").await, Vec::<String>::new());
    assert_eq!(on("2024-08-31").await, ["Anna de Vries", "Bram de Vries"]);
    assert_eq!(on("2024-09-01").await, ["Anna de Vries"]);
    let history = app.get(&format!("/api/v1/households/{first}/members"), &t).await;
    let rows = history.body.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows.iter().find(|r| r["person"]["id"] == child_id.as_str()).unwrap()["until"], "2024-09-01");

    // Moving back to a date before the move, or joining twice, is a conflict; a wrong birth date is refused.
    let back =
        add_member(&app, &t, &first, json!({"personId": child_id, "relation": "child", "from": "2024-01-01"})).await;
    assert_eq!(back.status, StatusCode::CONFLICT, "{}", back.text);
    let twice =
        add_member(&app, &t, &second, json!({"personId": child_id, "relation": "child", "from": "2025-01-01"})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let wrong = add_member(
        &app,
        &t,
        &first,
        json!({"person": person("Bram", "2014-06-02", child.expose()), "relation": "child", "from": "2025-01-01"}),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.body["errors"][0]["field"], "person.birthDate");

    // A member leaves.
    let mother_membership = m.body["id"].as_str().unwrap();
    let left = app
        .post(
            &format!("/api/v1/households/{first}/members/{mother_membership}/end"),
            &t,
            json!({"until": "2025-02-01"}),
        )
        .await;
    assert_eq!(left.status, StatusCode::OK, "{}", left.text);
    assert_eq!(left.body["until"], "2025-02-01");
    let today = app.get(&format!("/api/v1/households/{first}"), &t).await;
    assert_eq!(today.body["memberCount"], 0);
    assert_eq!(today.body["members"], json!([]));
    let again = app
        .post(
            &format!("/api/v1/households/{first}/members/{mother_membership}/end"),
            &t,
            json!({"until": "2025-03-01"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // Parent–child link.
    let mother_id = m.body["person"]["id"].as_str().unwrap();
    let link = app.post(&format!("/api/v1/persons/{child_id}/parents"), &t, json!({"parentId": mother_id})).await;
    assert_eq!(link.status, StatusCode::CREATED, "{}", link.text);
    assert_eq!(link.body["parentIds"], json!([mother_id]));
    let dup = app.post(&format!("/api/v1/persons/{child_id}/parents"), &t, json!({"parentId": mother_id})).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    let mother_view = app.get(&format!("/api/v1/persons/{mother_id}"), &t).await;
    assert_eq!(mother_view.body["childIds"], json!([child_id]));
}

#[actix_web::test]
async fn member_input_errors_come_all_at_once_and_never_repeat_the_bsn() {
    let app = TestApp::new().await;
    let worker = app.user(Role::Wijkteam);
    let t = app.token(&worker).await;
    let h = new_household(&app, &t, 3).await;
    let res = add_member(
        &app,
        &t,
        &h,
        json!({"person": {"name": "", "birthDate": "2999-01-01", "bsn": "123456789"}, "from": "2020-01-01", "until": "2019-01-01"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        res.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["person.name", "person.birthDate", "person.bsn", "relation", "until"]);
    assert!(!res.text.contains("123456789"));
    // A BSN sent as a number fails to parse; the parse error must not echo it either.
    let res =
        add_member(&app, &t, &h, json!({"person": {"name": "X", "birthDate": "2000-01-01", "bsn": 123456782}})).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(!res.text.contains("123456782"), "{}", res.text);
    let persons: i64 = {
        use diesel::prelude::*;
        eenplan::db::schema::persons::table.count().get_result(&mut app.conn()).unwrap()
    };
    assert_eq!(persons, 0, "bad input changes nothing");
}

#[actix_web::test]
async fn who_sees_a_household_and_its_persons() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let t = app.token(&creator).await;
    let h = new_household(&app, &t, 4).await;
    let bsn = synthetic(7);
    let added = add_member(
        &app,
        &t,
        &h,
        json!({"person": person("Cas Jansen", "2010-01-01", bsn.expose()), "relation": "child", "from": "2020-01-01"}),
    )
    .await;
    let person_id = added.body["person"]["id"].as_str().unwrap().to_string();
    let colleague = app.user(Role::Wijkteam);
    let ct = app.token(&colleague).await;
    // Before a case: the whole team sees it, to register it.
    assert_eq!(app.get(&format!("/api/v1/households/{h}"), &ct).await.body["view"], "registration");
    open_case(&app, &t, &h).await;

    let lead = app.user(Role::Teamleider);
    let cases: Vec<(TestUser, StatusCode, Option<&str>)> = vec![
        (creator.clone(), StatusCode::OK, Some("content")),
        (colleague.clone(), StatusCode::NOT_FOUND, None),
        (lead.clone(), StatusCode::OK, Some("summary")),
        (app.user_in_other_team(Role::Wijkteam), StatusCode::NOT_FOUND, None),
        (app.user_in_other_team(Role::Teamleider), StatusCode::NOT_FOUND, None),
        (app.user(Role::Provider), StatusCode::FORBIDDEN, None),
        (app.user(Role::PrivacyOfficer), StatusCode::FORBIDDEN, None),
        (app.user(Role::Admin), StatusCode::FORBIDDEN, None),
    ];
    for (user, status, view) in cases {
        let token = app.token(&user).await;
        let r = app.get(&format!("/api/v1/households/{h}"), &token).await;
        assert_eq!(r.status, status, "{:?}: {}", user.role, r.text);
        if let Some(view) = view {
            assert_eq!(r.body["view"], view);
            assert_eq!(r.body["address"].is_object(), view == "content", "{:?}", user.role);
            assert_eq!(r.body["memberCount"], 1);
        }
        let p = app.get(&format!("/api/v1/persons/{person_id}"), &token).await;
        let person_status = if view == Some("content") {
            StatusCode::OK
        } else if status == StatusCode::FORBIDDEN {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(p.status, person_status, "{:?} person: {}", user.role, p.text);
        let s = app.post("/api/v1/persons/search", &token, json!({"bsn": bsn.expose()})).await;
        if status == StatusCode::FORBIDDEN {
            assert_eq!(s.status, StatusCode::FORBIDDEN);
        } else {
            assert_eq!(s.status, StatusCode::OK, "{}", s.text);
            let found = s.body["items"].as_array().unwrap().len();
            assert_eq!(found, usize::from(view == Some("content")), "{:?} search", user.role);
        }
    }
    // The involved team member sees the BSN in full.
    let p = app.get(&format!("/api/v1/persons/{person_id}"), &t).await;
    assert_eq!(p.body["bsn"], bsn.expose());
    assert_eq!(p.body["bsnMasked"], false);
    // Search by name and birth date.
    let by_name = app.post("/api/v1/persons/search", &t, json!({"name": "jansen", "birthDate": "2010-01-01"})).await;
    assert_eq!(by_name.body["items"][0]["id"], person_id.as_str());
    let none = app.post("/api/v1/persons/search", &t, json!({"name": "jansen", "birthDate": "2010-01-02"})).await;
    assert_eq!(none.body["items"], json!([]));
    let bad = app.post("/api/v1/persons/search", &t, json!({"bsn": "123"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mixed = app.post("/api/v1/persons/search", &t, json!({"name": "x"})).await;
    assert_eq!(mixed.body["errors"][0]["field"], "birthDate");
}

#[actix_web::test]
async fn a_bsn_search_is_audited_as_a_search_without_the_bsn() {
    let app = TestApp::new().await;
    let worker = app.user(Role::Wijkteam);
    let t = app.token(&worker).await;
    let h = new_household(&app, &t, 5).await;
    let bsn = synthetic(11);
    let added =
        add_member(&app, &t, &h, json!({"person": person("Dirk Bakker", "1970-05-05", bsn.expose()), "relation": "parent", "from": "2000-01-01"}))
            .await;
    let person_id = added.body["person"]["id"].as_str().unwrap().to_string();
    open_case(&app, &t, &h).await;
    let s = app
        .call(
            Method::POST,
            "/api/v1/persons/search",
            Some(&t),
            Some(json!({"bsn": bsn.expose()})),
            &[("X-Audit-Reason", "bsn 999990011 check")],
        )
        .await;
    assert_eq!(s.status, StatusCode::OK);
    let events = app.audit_events();
    let search = events.iter().rev().find(|e| e.data.action == "person.search").expect("search audited");
    assert_eq!(search.data.person_ids, vec![person_id.clone()]);
    assert_eq!(search.data.basis_kind().as_deref(), Some("involvement"));
    // No BSN anywhere in the audit table: every column of every row, as stored.
    let everything = format!("{events:?}");
    assert!(!everything.contains(bsn.expose()), "BSN found in the audit log");
    assert!(!everything.contains("999990011"));
    // Nor in the persons table in the clear.
    use diesel::prelude::*;
    let stored: Vec<(Option<Vec<u8>>, Option<String>)> = eenplan::db::schema::persons::table
        .select((eenplan::db::schema::persons::bsn_encrypted, eenplan::db::schema::persons::bsn_hash))
        .load(&mut app.conn())
        .unwrap();
    for (enc, hash) in stored {
        assert!(!enc.unwrap().windows(9).any(|w| w == bsn.expose().as_bytes()));
        assert!(!hash.unwrap().contains(bsn.expose()));
    }
}

async fn close(app: &TestApp, token: &str, case: &str) {
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{case}/state"),
            Some(token),
            Some(json!({"state": "closed", "closeReason": "moved"})),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[actix_web::test]
async fn a_closed_case_is_reopened_only_as_a_new_linked_case() {
    let app = TestApp::new().await;
    let worker = app.user(Role::Wijkteam);
    let t = app.token(&worker).await;
    let h = new_household(&app, &t, 6).await;
    let first = open_case(&app, &t, &h).await;
    let early = app.post(&format!("/api/v1/cases/{first}/reopen"), &t, json!({})).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "an open case is not reopened");
    close(&app, &t, &first).await;
    let second = app.post(&format!("/api/v1/cases/{first}/reopen"), &t, json!({"laws": ["Wmo"]})).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.text);
    assert_eq!(second.body["previousCaseId"], first.as_str());
    assert_eq!(second.body["state"], "registered");
    assert_eq!(second.body["laws"], json!(["Wmo"]));
    let old = app.get(&format!("/api/v1/cases/{first}"), &t).await;
    assert_eq!(old.body["state"], "closed", "the closed case stays closed");
    assert_eq!(old.body["closeReason"], "moved");
    let twice = app.post(&format!("/api/v1/cases/{first}/reopen"), &t, json!({})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "the household has an open case again");
    // A colleague outside the case cannot reopen it; a new case through POST /cases links to the last closed one.
    let second_id = second.body["id"].as_str().unwrap().to_string();
    close(&app, &t, &second_id).await;
    let colleague = app.user(Role::Wijkteam);
    let ct = app.token(&colleague).await;
    assert_eq!(app.post(&format!("/api/v1/cases/{first}/reopen"), &ct, json!({})).await.status, StatusCode::NOT_FOUND);
    let third = app.post("/api/v1/cases", &ct, json!({"householdId": h, "laws": ["Jeugdwet"]})).await;
    assert_eq!(third.status, StatusCode::CREATED);
    assert_eq!(third.body["previousCaseId"], second_id.as_str());
}

#[actix_web::test]
async fn a_provider_directs_only_where_the_team_allows_it() {
    let app = TestApp::new().await;
    let worker = app.user(Role::Wijkteam);
    let t = app.token(&worker).await;
    let h = new_household(&app, &t, 7).await;
    let case = open_case(&app, &t, &h).await;
    let lead = app.user(Role::Teamleider);
    let lt = app.token(&lead).await;
    let provider = app.user(Role::Provider);
    let pt = app.token(&provider).await;
    let regisseur_path = format!("/api/v1/cases/{case}/regisseur");
    let propose = || app.call(Method::PUT, &regisseur_path, Some(&lt), Some(json!({"userId": provider.id})), &[]);
    assert_eq!(propose().await.status, StatusCode::UNPROCESSABLE_ENTITY, "the team does not allow it");

    // Involved as a provider: still nothing of the case (consent-based sharing comes later).
    let inv = app
        .post(
            &format!("/api/v1/cases/{case}/involvements"),
            &lt,
            json!({"userId": provider.id, "roleInCase": "jeugdhulp"}),
        )
        .await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.text);
    assert_eq!(app.get(&format!("/api/v1/cases/{case}"), &pt).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/cases", &pt).await.body["items"], json!([]));

    app.backend_sql(
        &format!("UPDATE teams SET provider_may_direct = 1 WHERE id = '{}'", app.team_id),
        &format!("UPDATE teams SET provider_may_direct = true WHERE id = '{}'", app.team_id),
    );
    assert_eq!(propose().await.status, StatusCode::CREATED);
    let accepted = app.post(&format!("/api/v1/cases/{case}/regisseur/accept"), &pt, json!({})).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    let seen = app.get(&format!("/api/v1/cases/{case}"), &pt).await;
    assert_eq!(seen.body["view"], "content");
    let h_seen = app.get(&format!("/api/v1/households/{h}"), &pt).await;
    assert_eq!(h_seen.status, StatusCode::FORBIDDEN, "persons and households stay with the wijkteam roles");
}

#[actix_web::test]
async fn an_involvement_runs_from_its_start_to_its_end() {
    let app = TestApp::new().await;
    let worker = app.user(Role::Wijkteam);
    let t = app.token(&worker).await;
    let h = new_household(&app, &t, 8).await;
    let case = open_case(&app, &t, &h).await;
    let lead = app.user(Role::Teamleider);
    let lt = app.token(&lead).await;
    let later = app.user(Role::Wijkteam);
    let path = format!("/api/v1/cases/{case}/involvements");
    let start = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let end = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let r = app
        .post(
            &path,
            &lt,
            json!({"userId": later.id, "roleInCase": "gezinscoach", "validFrom": start, "validUntil": end}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let lat = app.token(&later).await;
    assert_eq!(app.get(&format!("/api/v1/cases/{case}"), &lat).await.status, StatusCode::NOT_FOUND, "not started yet");
    let past = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let bad = app
        .post(&path, &lt, json!({"userId": later.id, "roleInCase": "x", "validFrom": past, "validUntil": past}))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        bad.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["validFrom", "validUntil"]);
    let overlap = app.post(&path, &lt, json!({"userId": later.id, "roleInCase": "x"})).await;
    assert_eq!(overlap.status, StatusCode::CONFLICT, "overlaps the planned period");
}
