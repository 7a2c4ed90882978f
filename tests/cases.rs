//! Households and cases through the API: need-to-know by involvement and team, on SQLite and PostgreSQL.

mod common;

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use common::{TestApp, TestUser};
use eenplan::access::Role;

fn user_in_other_team(app: &TestApp, role: Role) -> TestUser {
    app.user_in_other_team(role)
}

async fn household_and_case(app: &TestApp, creator: &TestUser) -> (String, String) {
    let token = app.token(creator).await;
    let h = app
        .post(
            "/api/v1/households",
            &token,
            json!({"postcode": "2711 ab", "houseNumber": 12, "wijk": "Centrum", "teamId": app.team_id}),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    assert_eq!(h.body["address"]["postcode"], "2711AB");
    let household = h.body["id"].as_str().unwrap().to_string();
    let c = app.post("/api/v1/cases", &token, json!({"householdId": household, "laws": ["Jeugdwet", "Wmo"]})).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    assert_eq!(c.body["state"], "registered");
    assert_eq!(c.body["involvedProfessionals"], 1);
    (household, c.body["id"].as_str().unwrap().to_string())
}

#[actix_web::test]
async fn who_sees_a_case_and_how_much() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case) = household_and_case(&app, &creator).await;

    // (who, GET /cases/{id}, view, visible in GET /cases)
    let mut table: Vec<(TestUser, StatusCode, Option<&str>, bool)> = vec![
        (creator.clone(), StatusCode::OK, Some("content"), true),
        (app.user(Role::Wijkteam), StatusCode::NOT_FOUND, None, false),
        (app.user(Role::Teamleider), StatusCode::OK, Some("summary"), true),
        (user_in_other_team(&app, Role::Teamleider), StatusCode::NOT_FOUND, None, false),
        (user_in_other_team(&app, Role::Wijkteam), StatusCode::NOT_FOUND, None, false),
        // A provider may direct cases where a team allows it, so has the role permission; not involved: 404.
        (app.user(Role::Provider), StatusCode::NOT_FOUND, None, false),
        // A procescoördinator reads the cases they adopted (an escalation), so has the role permission; this one
        // adopted none: 404. Cases are not listed to them (the queue is their list).
        (app.user(Role::Procescoordinator), StatusCode::NOT_FOUND, None, false),
    ];
    for role in [Role::Signaller, Role::Matchregisseur, Role::PrivacyOfficer, Role::Admin] {
        table.push((app.user(role), StatusCode::FORBIDDEN, None, false));
    }
    for (user, status, view, listed) in table {
        let token = app.token(&user).await;
        let res = app.get(&format!("/api/v1/cases/{case}"), &token).await;
        assert_eq!(res.status, status, "{:?}: {}", user.role, res.text);
        if let Some(view) = view {
            assert_eq!(res.body["view"], view, "{:?}", user.role);
            assert_eq!(res.body["householdId"].is_string(), view == "content", "{:?}", user.role);
        } else {
            assert_eq!(res.content_type(), "application/problem+json");
            let last =
                app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(&user.id)).unwrap();
            assert_eq!(last.data.outcome, "denied", "{:?}", user.role);
        }
        let list = app.get("/api/v1/cases", &token).await;
        if status == StatusCode::FORBIDDEN || user.role == Role::Procescoordinator {
            assert_eq!(list.status, StatusCode::FORBIDDEN);
        } else {
            let ids: Vec<&str> =
                list.body["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
            assert_eq!(ids.contains(&case.as_str()), listed, "{:?} list", user.role);
            assert!(list.body["items"].as_array().unwrap().iter().all(|c| c["view"] == "summary"));
        }
    }
    // The creator's read records the involvement it rests on.
    let read = app
        .audit_events()
        .into_iter()
        .find(|e| e.data.action == "case.read" && e.data.user_id.as_deref() == Some(&creator.id))
        .unwrap();
    assert_eq!(read.data.basis_kind().as_deref(), Some("involvement"));
    assert!(read.data.basis_id().is_some());
    assert_eq!(read.data.case_id.as_deref(), Some(case.as_str()));
}

#[actix_web::test]
async fn one_open_case_per_household_over_the_api() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (household, _) = household_and_case(&app, &creator).await;
    let token = app.token(&creator).await;
    let second = app.post("/api/v1/cases", &token, json!({"householdId": household, "laws": ["Wmo"]})).await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert_eq!(second.content_type(), "application/problem+json");
    // A household of another team does not exist for this user.
    let outsider = user_in_other_team(&app, Role::Wijkteam);
    let t = app.token(&outsider).await;
    let other = app.post("/api/v1/cases", &t, json!({"householdId": household, "laws": ["Wmo"]})).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn household_validation_reports_everything_at_once() {
    let app = TestApp::new().await;
    let user = app.user(Role::Wijkteam);
    let token = app.token(&user).await;
    let res = app
        .call(
            Method::POST,
            "/api/v1/households",
            Some(&token),
            Some(json!({"postcode": "12", "houseNumber": 0, "teamId": "not-mine", "confidentiality": "secret"})),
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        res.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["postcode", "houseNumber", "wijk", "teamId", "confidentiality"]);
}

#[actix_web::test]
async fn a_case_moves_through_its_states_with_if_match() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case) = household_and_case(&app, &creator).await;
    let token = app.token(&creator).await;
    let path = format!("/api/v1/cases/{case}/state");
    let step = |state: &'static str, reason: Option<&'static str>, etag: String| {
        let mut body = json!({ "state": state });
        if let Some(r) = reason {
            body["closeReason"] = json!(r);
        }
        let (app, path, token) = (&app, path.clone(), token.clone());
        async move { app.call(Method::POST, &path, Some(&token), Some(body), &[("If-Match", &etag)]).await }
    };
    let etag = |v: i64| format!("\"{v}\"");

    let missing = app.call(Method::POST, &path, Some(&token), Some(json!({"state": "intake"})), &[]).await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
    let skip = step("active", None, etag(1)).await;
    assert_eq!(skip.status, StatusCode::CONFLICT);
    assert_eq!(skip.body["allowed"], json!(["intake", "closed"]));
    let intake = step("intake", None, etag(1)).await;
    assert_eq!(intake.status, StatusCode::OK, "{}", intake.text);
    assert_eq!(intake.body["state"], "intake");
    let stale = step("planning", None, etag(1)).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let no_reason = step("closed", None, etag(2)).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_reason.body["errors"][0]["field"], "closeReason");
    for (i, s) in ["planning", "active", "evaluating", "active"].into_iter().enumerate() {
        let r = step(s, None, etag(2 + i as i64)).await;
        assert_eq!(r.status, StatusCode::OK, "{s}: {}", r.text);
    }
    let closed = step("closed", Some("goal_reached"), etag(6)).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.text);
    let history: Vec<&str> =
        closed.body["stateHistory"].as_array().unwrap().iter().map(|h| h["state"].as_str().unwrap()).collect();
    assert_eq!(history, ["registered", "intake", "planning", "active", "evaluating", "active", "closed"]);
    let after = step("active", None, etag(7)).await;
    assert_eq!(after.status, StatusCode::CONFLICT);
    assert_eq!(after.body["allowed"], json!([]));

    // The teamleider sees the summary but may not move the case; an uninvolved colleague gets 404.
    let lead = app.user(Role::Teamleider);
    let t = app.token(&lead).await;
    let r = app.call(Method::POST, &path, Some(&t), Some(json!({"state": "intake"})), &[("If-Match", "\"7\"")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let colleague = app.user(Role::Wijkteam);
    let t = app.token(&colleague).await;
    let r = app.call(Method::POST, &path, Some(&t), Some(json!({"state": "intake"})), &[("If-Match", "\"7\"")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn propose(app: &TestApp, token: &str, case: &str, user: &TestUser) -> common::Response {
    app.call(
        Method::PUT,
        &format!("/api/v1/cases/{case}/regisseur"),
        Some(token),
        Some(json!({"userId": user.id})),
        &[],
    )
    .await
}

#[actix_web::test]
async fn handover_leaves_no_gap_and_no_overlap() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case) = household_and_case(&app, &creator).await;
    let lead = app.user(Role::Teamleider);
    let lead_token = app.token(&lead).await;
    let a = app.user(Role::Wijkteam);
    let b = app.user(Role::Wijkteam);
    let (ta, tb) = (app.token(&a).await, app.token(&b).await);

    // Not the teamleider, not the regisseur: the case does not exist for them.
    assert_eq!(propose(&app, &tb, &case, &a).await.status, StatusCode::NOT_FOUND);
    let provider = app.user(Role::Provider);
    assert_eq!(propose(&app, &lead_token, &case, &provider).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(propose(&app, &lead_token, &case, &a).await.status, StatusCode::CREATED);
    assert_eq!(app.get(&format!("/api/v1/cases/{case}"), &ta).await.status, StatusCode::NOT_FOUND, "not yet involved");
    let accepted = app.post(&format!("/api/v1/cases/{case}/regisseur/accept"), &ta, json!({})).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    assert_eq!(accepted.body["status"], "active");
    assert_eq!(app.get(&format!("/api/v1/cases/{case}"), &ta).await.body["view"], "content");

    // The regisseur hands over to b; b declines once, then accepts a new proposal.
    assert_eq!(propose(&app, &ta, &case, &b).await.status, StatusCode::CREATED);
    let declined = app.post(&format!("/api/v1/cases/{case}/regisseur/decline"), &tb, json!({})).await;
    assert_eq!(declined.body["status"], "declined");
    assert_eq!(propose(&app, &ta, &case, &b).await.status, StatusCode::CREATED);
    let taken = app.post(&format!("/api/v1/cases/{case}/regisseur/accept"), &tb, json!({})).await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.text);

    // Each proposal queued one email to its candidate, with the case id only; refused proposals queued none.
    use diesel::prelude::*;
    use eenplan::db::schema::outbox;
    let mails: Vec<(String, String)> = outbox::table
        .filter(outbox::template.eq("regisseur_proposed"))
        .order(outbox::created_at.asc())
        .select((outbox::recipient_user_id, outbox::payload))
        .load(&mut app.conn())
        .unwrap();
    let payload = json!({"caseId": case}).to_string();
    assert_eq!(mails, [(a.id.clone(), payload.clone()), (b.id.clone(), payload.clone()), (b.id.clone(), payload)]);

    let history = app.get(&format!("/api/v1/cases/{case}/regisseur"), &tb).await;
    let rows = history.body.as_array().unwrap();
    let active: Vec<_> = rows.iter().filter(|r| r["status"] == "active").collect();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0]["userId"], b.id.as_str());
    let ended = rows.iter().find(|r| r["status"] == "ended").unwrap();
    assert_eq!(ended["userId"], a.id.as_str());
    assert_eq!(ended["activeUntil"], active[0]["activeFrom"], "the handover instant is shared: no gap, no overlap");
    assert_eq!(
        app.get(&format!("/api/v1/cases/{case}"), &ta).await.status,
        StatusCode::NOT_FOUND,
        "a no longer involved"
    );

    // A deactivated professional cannot be proposed.
    let gone = app.user(Role::Wijkteam);
    let admin = app.user(Role::Admin);
    let admin_token = app.token(&admin).await;
    app.post(&format!("/api/v1/users/{}/deactivate", gone.id), &admin_token, json!({})).await;
    assert_eq!(propose(&app, &lead_token, &case, &gone).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn two_concurrent_acceptances_leave_exactly_one_active_regisseur() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case) = household_and_case(&app, &creator).await;
    let lead = app.user(Role::Teamleider);
    let lead_token = app.token(&lead).await;
    let a = app.user(Role::Wijkteam);
    let ta = app.token(&a).await;
    assert_eq!(propose(&app, &lead_token, &case, &a).await.status, StatusCode::CREATED);

    let svc = actix_web::test::init_service(eenplan::build_app(app.state.clone())).await;
    let accept = || {
        let req = actix_web::test::TestRequest::post()
            .uri(&format!("/api/v1/cases/{case}/regisseur/accept"))
            .insert_header(("Authorization", format!("Bearer {ta}")))
            .to_request();
        actix_web::test::call_service(&svc, req)
    };
    let (r1, r2) = futures_util::future::join(accept(), accept()).await;
    let mut statuses = [r1.status().as_u16(), r2.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let mut conn = app.conn();
    use diesel::prelude::*;
    use eenplan::db::schema::regisseur_assignments as ra;
    let active: i64 =
        ra::table.filter(ra::case_id.eq(&case)).filter(ra::status.eq("active")).count().get_result(&mut conn).unwrap();
    assert_eq!(active, 1);
}

#[actix_web::test]
async fn the_regisseur_involves_and_releases_professionals() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case) = household_and_case(&app, &creator).await;
    let lead = app.user(Role::Teamleider);
    let lead_token = app.token(&lead).await;
    let regisseur = app.user(Role::Wijkteam);
    let rt = app.token(&regisseur).await;
    assert_eq!(propose(&app, &lead_token, &case, &regisseur).await.status, StatusCode::CREATED);
    app.post(&format!("/api/v1/cases/{case}/regisseur/accept"), &rt, json!({})).await;

    let colleague = app.user(Role::Wijkteam);
    let ct = app.token(&colleague).await;
    let provider = app.user(Role::Provider);
    let path = format!("/api/v1/cases/{case}/involvements");
    // An involved team member who is not the regisseur may not manage involvements.
    let creator_token = app.token(&creator).await;
    let refused = app.post(&path, &creator_token, json!({"userId": colleague.id, "roleInCase": "jeugdhulp"})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let added = app.post(&path, &rt, json!({"userId": colleague.id, "roleInCase": "schuldhulpverlener"})).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    assert_eq!(
        app.post(&path, &rt, json!({"userId": colleague.id, "roleInCase": "x"})).await.status,
        StatusCode::CONFLICT
    );
    let p = app.post(&path, &lead_token, json!({"userId": provider.id, "roleInCase": "jeugdhulp"})).await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.text);
    assert_eq!(p.body["kind"], "provider");
    let bad = app.post(&path, &rt, json!({"userId": "nobody"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.body["errors"].as_array().unwrap().len(), 1, "roleInCase missing: {}", bad.text);

    assert_eq!(app.get(&format!("/api/v1/cases/{case}"), &ct).await.body["view"], "content");
    let summary = app.get(&format!("/api/v1/cases/{case}"), &lead_token).await;
    // creator, regisseur, colleague (municipality) and the provider (another organisation).
    assert_eq!(summary.body["involvedProfessionals"], 4);
    assert_eq!(summary.body["involvedOrganisations"], 2);

    let id = added.body["id"].as_str().unwrap();
    let ended = app.post(&format!("{path}/{id}/end"), &rt, json!({})).await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.text);
    assert!(ended.body["validUntil"].is_string());
    assert_eq!(
        app.get(&format!("/api/v1/cases/{case}"), &ct).await.status,
        StatusCode::NOT_FOUND,
        "access ends at once"
    );
    let list = app.get(&path, &rt).await;
    assert_eq!(list.body.as_array().unwrap().len(), 4, "the ended involvement is kept in the history");
    let own = list.body.as_array().unwrap().iter().find(|i| i["kind"] == "regisseur").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.post(&format!("{path}/{own}/end"), &rt, json!({})).await.status, StatusCode::CONFLICT);
}

#[actix_web::test]
async fn the_case_list_pages_through_involvements_and_led_teams_exactly_once() {
    let app = TestApp::new().await;
    let member = app.user(Role::Wijkteam);
    let mut expected = Vec::new();
    for _ in 0..3 {
        expected.push(household_and_case(&app, &member).await.1);
    }
    // A teamleider of the team who is also involved in one of its cases; colleagues open two more.
    let lead = app.user(Role::Teamleider);
    let lt = app.token(&lead).await;
    let r = app
        .post(
            &format!("/api/v1/cases/{}/involvements", expected[1]),
            &lt,
            json!({"userId": lead.id, "roleInCase": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    for _ in 0..2 {
        let other = app.user(Role::Wijkteam);
        let (_, case) = household_and_case(&app, &other).await;
        expected.push(case);
    }
    expected.sort();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/v1/cases?limit=2&after={a}"),
            None => "/api/v1/cases?limit=2".into(),
        };
        let page = app.get(&path, &lt).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        seen.extend(page.body["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()));
        match page.body["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, expected, "every case of the led team once, in order");
    // The member sees only the three they are involved in, not the colleagues' two.
    let mt = app.token(&member).await;
    let mine = app.get("/api/v1/cases?limit=200", &mt).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 3);
}
