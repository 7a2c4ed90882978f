//! The gezinsplan through the API, on SQLite and on PostgreSQL: drafts, agreement, supersession, immutability,
//! differences, provider projection and action progress.

mod common;

use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

use common::{TestApp, TestUser};
use eenplan::access::Role;

struct Case {
    id: String,
    regisseur: TestUser,
    member: TestUser,
    provider: TestUser,
    parent: String,
    child: String,
}

async fn case_with_plan_people(app: &TestApp) -> Case {
    let member = app.user(Role::Wijkteam);
    let mt = app.token(&member).await;
    let h = app
        .post(
            "/api/v1/households",
            &mt,
            json!({"postcode": "2715AA", "houseNumber": 4, "wijk": "Seghwaert", "teamId": app.team_id}),
        )
        .await;
    let household = h.body["id"].as_str().unwrap().to_string();
    let members = format!("/api/v1/households/{household}/members");
    let add = |body: Value| app.post(&members, &mt, body);
    let parent = add(json!({"person": {"name": "Ouder", "birthDate": "1985-01-01"}, "relation": "parent", "custody": true, "from": "2015-01-01"})).await;
    let child =
        add(json!({"person": {"name": "Kind", "birthDate": "2015-05-05"}, "relation": "child", "from": "2015-05-05"}))
            .await;
    let case = app.post("/api/v1/cases", &mt, json!({"householdId": household, "laws": ["Jeugdwet"]})).await;
    let id = case.body["id"].as_str().unwrap().to_string();
    let lead = app.user(Role::Teamleider);
    let lt = app.token(&lead).await;
    let regisseur = app.user(Role::Wijkteam);
    let rt = app.token(&regisseur).await;
    app.call(
        Method::PUT,
        &format!("/api/v1/cases/{id}/regisseur"),
        Some(&lt),
        Some(json!({"userId": regisseur.id})),
        &[],
    )
    .await;
    assert_eq!(app.post(&format!("/api/v1/cases/{id}/regisseur/accept"), &rt, json!({})).await.status, StatusCode::OK);
    let provider = app.user(Role::Provider);
    let inv = app
        .post(
            &format!("/api/v1/cases/{id}/involvements"),
            &rt,
            json!({"userId": provider.id, "roleInCase": "jeugdhulp"}),
        )
        .await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.text);
    Case {
        id,
        regisseur,
        member,
        provider,
        parent: parent.body["person"]["id"].as_str().unwrap().to_string(),
        child: child.body["person"]["id"].as_str().unwrap().to_string(),
    }
}

/// A parent's consent, for the child (under 12), letting the provider's organisation see `categories`.
async fn consent_for_provider(app: &TestApp, case: &Case, categories: Value) -> common::Response {
    let rt = app.token(&case.regisseur).await;
    let today = chrono::Utc::now().date_naive();
    let r = app
        .post(
            "/api/v1/consents",
            &rt,
            json!({"caseId": case.id, "personId": case.child, "kind": "consent",
                   "givenBy": [{"personId": case.parent, "capacity": "custodian"}],
                   "recipientOrganisationIds": [app.provider_org_id], "categories": categories,
                   "purpose": "Jeugdhulp afstemmen met het wijkteam", "validFrom": today.to_string(),
                   "validUntil": (today + chrono::Duration::days(365)).to_string()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r
}

fn content(case: &Case) -> Value {
    json!({
        "strengths": ["Moeder vraagt zelf om hulp", "Oma woont dichtbij"],
        "concerns": [{"description": "Huurachterstand", "priority": "high"}, {"description": "Schoolverzuim", "priority": "medium"}],
        "ownEfforts": ["Oma haalt Kind twee keer per week van school"],
        "goals": [
            {"id": "g-geld", "domain": "financien", "personId": case.parent, "description": "Weer grip op geld",
             "target": "Drie maanden op rij de huur op tijd betaald", "targetScore": 4, "dueDate": "2027-06-01", "status": "open"},
            {"id": "g-school", "domain": "werk_opleiding", "personId": case.child, "description": "Elke dag naar school",
             "target": "Geen ongeoorloofd verzuim", "dueDate": "2027-03-01", "status": "open"}
        ],
        "actions": [
            {"id": "a-budget", "goalId": "g-geld", "description": "Budgetplan maken",
             "owner": {"kind": "professional", "userId": case.regisseur.id}, "dueDate": "2027-01-15"},
            {"id": "a-jeugd", "goalId": "g-school", "description": "Gesprekken met Kind over school",
             "owner": {"kind": "professional", "userId": case.provider.id}, "dueDate": "2020-02-01"},
            {"id": "a-oma", "goalId": "g-school", "description": "Wekker zetten en ontbijt",
             "owner": {"kind": "network", "name": "Oma"}, "dueDate": "2027-02-01"}
        ],
        "nextEvaluationDate": "2027-03-15"
    })
}

async fn put_draft(app: &TestApp, token: &str, case: &str, number: i64, etag: &str, body: Value) -> common::Response {
    app.call(
        Method::PUT,
        &format!("/api/v1/cases/{case}/plans/{number}"),
        Some(token),
        Some(body),
        &[("If-Match", etag)],
    )
    .await
}

async fn agree(app: &TestApp, token: &str, case: &str, number: i64, etag: &str, body: Value) -> common::Response {
    app.call(
        Method::POST,
        &format!("/api/v1/cases/{case}/plans/{number}/agree"),
        Some(token),
        Some(body),
        &[("If-Match", etag)],
    )
    .await
}

fn fields(res: &common::Response) -> Vec<String> {
    res.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn a_plan_is_drafted_agreed_superseded_and_compared() {
    let app = TestApp::new().await;
    let case = case_with_plan_people(&app).await;
    let rt = app.token(&case.regisseur).await;
    let plans = format!("/api/v1/cases/{}/plans", case.id);

    let draft = app.post(&plans, &rt, json!({})).await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
    assert_eq!(draft.body["number"], 1);
    assert_eq!(draft.header("etag"), Some("\"1\""));
    assert_eq!(app.post(&plans, &rt, json!({})).await.status, StatusCode::CONFLICT, "one draft at a time");

    // An incomplete plan can be saved but not agreed; every gap is named at once.
    let mut partial = content(&case);
    partial["goals"][1]["dueDate"] = Value::Null;
    partial["goals"][0]["domain"] = Value::Null;
    partial["actions"][2]["owner"] = Value::Null;
    partial["nextEvaluationDate"] = Value::Null;
    let saved = put_draft(&app, &rt, &case.id, 1, "\"1\"", json!({"content": partial})).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    assert_eq!(saved.header("etag"), Some("\"2\""));
    let stale = put_draft(&app, &rt, &case.id, 1, "\"1\"", json!({"content": content(&case)})).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert!(stale.body["detail"].as_str().unwrap().contains('2'), "names the current version: {}", stale.text);
    let missing =
        agree(&app, &rt, &case.id, 1, "\"2\"", json!({"agreement": {"memberIds": [], "refused": true}})).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&missing),
        [
            "goals[0].domain",
            "goals[1].dueDate",
            "actions[2].owner",
            "nextEvaluationDate",
            "agreement.memberIds",
            "agreement.method",
            "agreement.statement"
        ]
    );
    let bad = put_draft(
        &app,
        &rt,
        &case.id,
        1,
        "\"2\"",
        json!({"content": {"goals": [{"id": "g", "domain": "geluk", "description": "x", "status": "open", "personId": "nobody"}],
                          "actions": [{"id": "a", "goalId": "none", "description": "y", "owner": {"kind": "professional", "userId": "stranger"}}]}}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&bad), ["goals[0].domain", "goals[0].personId", "actions[0].goalId", "actions[0].owner.userId"]);

    let complete = put_draft(&app, &rt, &case.id, 1, "\"2\"", json!({"content": content(&case)})).await;
    assert_eq!(complete.status, StatusCode::OK, "{}", complete.text);
    let statement = "Wij willen het zelf proberen, maar  met hulp van Oma.\nGetekend.";
    let agreed = agree(
        &app,
        &rt,
        &case.id,
        1,
        "\"3\"",
        json!({"agreement": {"memberIds": [case.parent], "method": "paper", "statement": statement}}),
    )
    .await;
    assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.text);
    assert_eq!(agreed.body["status"], "agreed");
    assert_eq!(agreed.body["agreement"]["statement"], statement, "kept word for word");
    let provider_org = &agreed.body["content"]["actions"][1]["owner"]["organisationId"];
    assert!(provider_org.is_string(), "a professional owner is shown with their organisation");
    assert_ne!(provider_org, &agreed.body["content"]["actions"][0]["owner"]["organisationId"]);
    let overdue: Vec<&str> = agreed.body["progress"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["overdue"] == true)
        .map(|p| p["actionId"].as_str().unwrap())
        .collect();
    assert_eq!(overdue, ["a-jeugd"]);
    // An agreed version does not change.
    let frozen = put_draft(&app, &rt, &case.id, 1, "\"4\"", json!({"content": content(&case)})).await;
    assert_eq!(frozen.status, StatusCode::CONFLICT);

    // A new draft starts from the current plan; agreeing it supersedes version 1.
    let second = app.post(&plans, &rt, json!({})).await;
    assert_eq!(second.body["number"], 2);
    assert_eq!(second.body["basedOn"], 1);
    assert_eq!(second.body["content"], agreed.body["content"]);
    let mut changed = content(&case);
    changed["goals"][1]["description"] = json!("Elke dag op tijd naar school");
    changed["goals"].as_array_mut().unwrap().push(json!({"id": "g-huis", "domain": "hh_huisvesting", "description": "Een rustig huis", "target": "Geen klachten van buren", "dueDate": "2027-05-01", "status": "open"}));
    changed["actions"].as_array_mut().unwrap().remove(2);
    assert_eq!(put_draft(&app, &rt, &case.id, 2, "\"1\"", json!({"content": changed})).await.status, StatusCode::OK);
    let v2 = agree(
        &app,
        &rt,
        &case.id,
        2,
        "\"2\"",
        json!({"agreement": {"memberIds": [case.parent, case.child], "method": "conversation"}}),
    )
    .await;
    assert_eq!(v2.status, StatusCode::OK, "{}", v2.text);
    let list = app.get(&plans, &rt).await;
    let statuses: Vec<&str> = list.body.as_array().unwrap().iter().map(|v| v["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["superseded", "agreed"]);
    let v1 = app.get(&format!("{plans}/1"), &rt).await;
    assert_eq!(
        v1.body["content"]["goals"][1]["description"], "Elke dag naar school",
        "earlier versions stay as they were"
    );
    assert_eq!(app.get(&format!("{plans}/current"), &rt).await.body["number"], 2);
    let diff = app.get(&format!("{plans}/compare?from=1&to=2"), &rt).await;
    assert_eq!(diff.status, StatusCode::OK, "{}", diff.text);
    assert_eq!(diff.body["goals"], json!({"added": ["g-huis"], "changed": ["g-school"], "removed": []}));
    assert_eq!(diff.body["actions"], json!({"added": [], "changed": [], "removed": ["a-oma"]}));

    // The database refuses to change an agreed or superseded version, whoever asks.
    let mut conn = app.conn();
    use diesel::connection::SimpleConnection;
    let tamper = conn.batch_execute(&format!(
        "UPDATE plan_versions SET content = '{{}}' WHERE case_id = '{}' AND number = 1",
        case.id
    ));
    assert!(tamper.is_err(), "the immutability trigger must refuse");
}

#[actix_web::test]
async fn two_agreements_at_once_leave_one_current_plan() {
    let app = TestApp::new().await;
    let case = case_with_plan_people(&app).await;
    let rt = app.token(&case.regisseur).await;
    let plans = format!("/api/v1/cases/{}/plans", case.id);
    app.post(&plans, &rt, json!({})).await;
    assert_eq!(
        put_draft(&app, &rt, &case.id, 1, "\"1\"", json!({"content": content(&case)})).await.status,
        StatusCode::OK
    );
    let svc = actix_web::test::init_service(eenplan::build_app(app.state.clone())).await;
    let body = json!({"agreement": {"memberIds": [case.parent], "method": "digital"}});
    let call = || {
        let req = actix_web::test::TestRequest::post()
            .uri(&format!("{plans}/1/agree"))
            .insert_header(("Authorization", format!("Bearer {rt}")))
            .insert_header(("If-Match", "\"2\""))
            .set_json(body.clone())
            .to_request();
        actix_web::test::call_service(&svc, req)
    };
    let (r1, r2) = futures_util::future::join(call(), call()).await;
    let mut statuses = [r1.status().as_u16(), r2.status().as_u16()];
    statuses.sort();
    assert!(statuses == [200, 409] || statuses == [200, 412], "{statuses:?}");
    use diesel::prelude::*;
    use eenplan::db::schema::plan_versions as pv;
    let agreed: i64 = pv::table
        .filter(pv::case_id.eq(&case.id))
        .filter(pv::status.eq("agreed"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(agreed, 1);
    // And the database alone allows no second current plan.
    let mut conn = app.conn();
    let t = eenplan::db::now();
    let second = diesel::insert_into(pv::table)
        .values((
            pv::id.eq(eenplan::db::new_id()),
            pv::case_id.eq(&case.id),
            pv::number.eq(9),
            pv::status.eq("agreed"),
            pv::content.eq("{}"),
            pv::members_may_edit.eq(false),
            pv::revision.eq(1i64),
            pv::created_by.eq(&case.regisseur.id),
            pv::created_at.eq(t),
            pv::updated_by.eq(&case.regisseur.id),
            pv::updated_at.eq(t),
        ))
        .execute(&mut conn);
    assert!(second.is_err(), "partial unique index: one current plan per case");
}

#[actix_web::test]
async fn who_sees_and_edits_the_plan() {
    let app = TestApp::new().await;
    let case = case_with_plan_people(&app).await;
    let rt = app.token(&case.regisseur).await;
    let mt = app.token(&case.member).await;
    let pt = app.token(&case.provider).await;
    let plans = format!("/api/v1/cases/{}/plans", case.id);
    consent_for_provider(&app, &case, json!(["plan"])).await;
    // Only the regisseur starts a draft.
    assert_eq!(app.post(&plans, &mt, json!({})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post(&plans, &pt, json!({})).await.status, StatusCode::FORBIDDEN);
    app.post(&plans, &rt, json!({})).await;
    // An involved team member edits only when the regisseur allows it, and cannot allow it themselves.
    let body = json!({"content": content(&case)});
    assert_eq!(put_draft(&app, &mt, &case.id, 1, "\"1\"", body.clone()).await.status, StatusCode::FORBIDDEN);
    let mut opening = body.clone();
    opening["membersMayEdit"] = json!(true);
    assert_eq!(put_draft(&app, &mt, &case.id, 1, "\"1\"", opening.clone()).await.status, StatusCode::FORBIDDEN);
    assert_eq!(put_draft(&app, &rt, &case.id, 1, "\"1\"", opening).await.status, StatusCode::OK);
    let by_member = put_draft(&app, &mt, &case.id, 1, "\"2\"", body.clone()).await;
    assert_eq!(by_member.status, StatusCode::OK, "{}", by_member.text);
    // Drafts are not for providers, nor for the teamleider; outsiders do not see the case at all.
    assert_eq!(app.get(&format!("{plans}/1"), &pt).await.status, StatusCode::NOT_FOUND);
    assert_eq!(put_draft(&app, &pt, &case.id, 1, "\"3\"", body).await.status, StatusCode::FORBIDDEN);
    let lead = app.user(Role::Teamleider);
    assert_eq!(app.get(&plans, &app.token(&lead).await).await.status, StatusCode::FORBIDDEN);
    let outsider = app.user(Role::Wijkteam);
    assert_eq!(app.get(&plans, &app.token(&outsider).await).await.status, StatusCode::NOT_FOUND);
    let agreed =
        agree(&app, &rt, &case.id, 1, "\"3\"", json!({"agreement": {"memberIds": [case.parent], "method": "paper"}}))
            .await;
    assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.text);

    // The provider sees their own action and the goal it serves, nothing else.
    let seen = app.get(&format!("{plans}/current"), &pt).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    assert_eq!(seen.body["view"], "own_actions");
    let goals: Vec<&str> =
        seen.body["content"]["goals"].as_array().unwrap().iter().map(|g| g["id"].as_str().unwrap()).collect();
    let actions: Vec<&str> =
        seen.body["content"]["actions"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!((goals, actions), (vec!["g-school"], vec!["a-jeugd"]));
    assert_eq!(seen.body["content"]["strengths"], json!([]));
    assert_eq!(seen.body["content"]["concerns"], json!([]));
    assert!(seen.body.get("agreement").is_none());
    assert_eq!(app.get(&plans, &pt).await.body.as_array().unwrap().len(), 1, "the current version only");
    assert_eq!(app.get(&format!("{plans}/compare?from=1&to=1"), &pt).await.status, StatusCode::FORBIDDEN);

    // Progress: the provider on their own action; not on someone else's.
    let progress = |action: &str| format!("{plans}/actions/{action}/progress");
    let done = app
        .call(
            Method::PUT,
            &progress("a-jeugd"),
            Some(&pt),
            Some(json!({"status": "done", "doneOn": "2026-11-01"})),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    assert_eq!(done.body["overdue"], false);
    let other = app
        .call(
            Method::PUT,
            &progress("a-budget"),
            Some(&pt),
            Some(json!({"status": "in_progress"})),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let stale = app
        .call(
            Method::PUT,
            &progress("a-jeugd"),
            Some(&rt),
            Some(json!({"status": "in_progress"})),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let invalid = app
        .call(Method::PUT, &progress("a-budget"), Some(&rt), Some(json!({"status": "done"})), &[("If-Match", "\"1\"")])
        .await;
    assert_eq!(fields(&invalid), ["doneOn"]);
    let now_plan = app.get(&format!("{plans}/current"), &rt).await;
    let p = now_plan.body["progress"].as_array().unwrap().iter().find(|p| p["actionId"] == "a-jeugd").unwrap().clone();
    assert_eq!((p["status"].as_str(), p["doneOn"].as_str()), (Some("done"), Some("2026-11-01")));
}

#[actix_web::test]
async fn zrm_assessments_progress_and_the_household_summary() {
    let app = TestApp::new().await;
    let case = case_with_plan_people(&app).await;
    let mt = app.token(&case.member).await;
    let path = format!("/api/v1/cases/{}/assessments", case.id);
    let record = |body: Value| app.post(&path, &mt, body);
    let start = record(json!({"personId": case.parent, "kind": "start", "assessedOn": "2026-01-10",
        "scores": {"financien": 1, "huisvesting": 2, "geestelijke_gezondheid": 2, "justitie": null, "sociaal_netwerk": 4}}))
    .await;
    assert_eq!(start.status, StatusCode::CREATED, "{}", start.text);
    assert_eq!(start.body["instrument"], "zrm_2017");
    let child = record(json!({"personId": case.child, "kind": "start", "assessedOn": "2026-01-10",
        "scores": {"werk_opleiding": 2, "huiselijke_relaties": 2}}))
    .await;
    assert_eq!(child.status, StatusCode::CREATED);
    let hh = record(
        json!({"kind": "start", "assessedOn": "2026-01-10", "scores": {"hh_financien": 1, "hh_huisvesting": 3}}),
    )
    .await;
    assert_eq!(hh.body["instrument"], "zrm_huishoudens");
    let later = record(json!({"personId": case.parent, "kind": "intermediate", "assessedOn": "2026-06-10",
        "scores": {"financien": 3, "huisvesting": 2, "geestelijke_gezondheid": 4, "sociaal_netwerk": 4}}))
    .await;
    assert_eq!(later.status, StatusCode::CREATED);

    let bad = record(json!({"personId": case.parent, "kind": "start", "assessedOn": "2999-01-01",
        "scores": {"financien": 0, "hh_huisvesting": 3, "justitie": 3.5}}))
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&bad), ["assessedOn", "scores.financien", "scores.hh_huisvesting", "scores.justitie", "scores"]);
    let stranger = record(
        json!({"personId": "someone-else", "kind": "end", "assessedOn": "2026-01-01", "scores": {"financien": 3}}),
    )
    .await;
    assert_eq!(fields(&stranger), ["personId"]);

    let (a, b) = (start.body["id"].as_str().unwrap(), later.body["id"].as_str().unwrap());
    let progress = app.get(&format!("{path}/progress?from={a}&to={b}"), &mt).await;
    assert_eq!(progress.status, StatusCode::OK, "{}", progress.text);
    let financien = progress.body["domains"].as_array().unwrap().iter().find(|d| d["domain"] == "financien").unwrap();
    assert_eq!(financien["change"], 2);
    let mixed = app.get(&format!("{path}/progress?from={a}&to={}", hh.body["id"].as_str().unwrap()), &mt).await;
    assert_eq!(mixed.status, StatusCode::UNPROCESSABLE_ENTITY);

    let summary = app.get(&format!("{path}/summary"), &mt).await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.text);
    // The parent's latest assessment has huisvesting at 2 only; the child two domains at 2.
    assert_eq!(summary.body["membersAssessed"], 2);
    assert_eq!(summary.body["membersWithLowDomains"], 2);
    assert_eq!(
        summary.body["membersLowPerDomain"],
        json!({"huisvesting": 1, "werk_opleiding": 1, "huiselijke_relaties": 1})
    );
    assert_eq!(summary.body["householdLowDomains"], json!(["hh_financien"]));
    assert_eq!(app.get(&path, &mt).await.body.as_array().unwrap().len(), 4);

    let pt = app.token(&case.provider).await;
    assert_eq!(app.get(&path, &pt).await.status, StatusCode::NOT_FOUND, "no consent: out of scope");
    let outsider = app.user(Role::Wijkteam);
    assert_eq!(app.get(&path, &app.token(&outsider).await).await.status, StatusCode::NOT_FOUND);
}

async fn agreed_plan(app: &TestApp, case: &Case) -> String {
    let rt = app.token(&case.regisseur).await;
    app.post(&format!("/api/v1/cases/{}/plans", case.id), &rt, json!({})).await;
    put_draft(app, &rt, &case.id, 1, "\"1\"", json!({"content": content(case)})).await;
    let a =
        agree(app, &rt, &case.id, 1, "\"2\"", json!({"agreement": {"memberIds": [case.parent], "method": "paper"}}))
            .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    rt
}

async fn move_case(app: &TestApp, token: &str, case: &str, states: &[&str]) {
    for s in states {
        let etag = app.get(&format!("/api/v1/cases/{case}"), token).await.header("etag").unwrap().to_string();
        let r = app
            .call(
                Method::POST,
                &format!("/api/v1/cases/{case}/state"),
                Some(token),
                Some(json!({"state": s})),
                &[("If-Match", &etag)],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{s}: {}", r.text);
    }
}

#[actix_web::test]
async fn evaluations_set_the_next_date_open_a_draft_or_close_the_case() {
    let app = TestApp::new().await;
    let case = case_with_plan_people(&app).await;
    let rt = agreed_plan(&app, &case).await;
    move_case(&app, &rt, &case.id, &["intake", "planning", "active", "evaluating"]).await;
    let path = format!("/api/v1/cases/{}/evaluations", case.id);
    let participants = json!([{"kind": "member", "personId": case.parent}, {"kind": "professional", "userId": case.regisseur.id}, {"kind": "network", "name": "Oma"}]);
    let progress = json!([{"goalId": "g-geld", "status": "partly_achieved", "note": "Huur twee maanden op tijd"}, {"goalId": "g-school", "status": "achieved"}]);

    let incomplete = app
        .post(&path, &rt, json!({"heldOn": "2026-11-01", "participants": [{"kind": "member", "personId": "stranger"}],
            "goalProgress": [{"goalId": "g-geld", "status": "open"}, {"goalId": "g-geld", "status": "open"}], "decision": "continue",
            "nextEvaluationDate": "2027-02-01"}))
        .await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&incomplete), ["goalProgress[1].goalId", "goalProgress", "participants[0]"]);
    let no_date = app.post(&path, &rt, json!({"heldOn": "2026-11-01", "participants": participants, "goalProgress": progress, "decision": "continue"})).await;
    assert_eq!(fields(&no_date), ["nextEvaluationDate"]);

    let cont = app
        .post(
            &path,
            &rt,
            json!({"heldOn": "2026-11-01", "participants": participants, "goalProgress": progress,
            "decision": "continue", "nextEvaluationDate": "2027-02-01"}),
        )
        .await;
    assert_eq!(cont.status, StatusCode::CREATED, "{}", cont.text);
    assert_eq!(app.get(&format!("/api/v1/cases/{}", case.id), &rt).await.body["state"], "active", "the round is over");
    let listed = app.get(&path, &rt).await;
    assert_eq!(listed.body["nextEvaluationDate"], "2027-02-01");

    let adjust = app
        .post(
            &path,
            &rt,
            json!({"heldOn": "2026-11-10", "participants": participants, "goalProgress": progress,
            "decision": "adjust", "nextEvaluationDate": "2027-03-01"}),
        )
        .await;
    assert_eq!(adjust.status, StatusCode::CREATED, "{}", adjust.text);
    assert_eq!(adjust.body["newDraft"], 2);
    let draft = app.get(&format!("/api/v1/cases/{}/plans/2", case.id), &rt).await;
    assert_eq!(draft.body["status"], "draft");
    assert_eq!(draft.body["content"]["goals"][1]["status"], "achieved");
    assert_eq!(draft.body["content"]["nextEvaluationDate"], "2027-03-01");
    // Adjusting again while that draft is open changes nothing at all.
    let again = app
        .post(
            &path,
            &rt,
            json!({"heldOn": "2026-11-11", "participants": participants, "goalProgress": progress,
            "decision": "adjust", "nextEvaluationDate": "2027-03-02"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(app.get(&path, &rt).await.body["items"].as_array().unwrap().len(), 2);

    // Only the regisseur records evaluations.
    let mt = app.token(&case.member).await;
    assert_eq!(app.post(&path, &mt, json!({})).await.status, StatusCode::UNPROCESSABLE_ENTITY, "validation first");
    let by_member = app
        .post(
            &path,
            &mt,
            json!({"heldOn": "2026-11-12", "participants": participants, "goalProgress": progress,
            "decision": "continue", "nextEvaluationDate": "2027-03-02"}),
        )
        .await;
    assert_eq!(by_member.status, StatusCode::FORBIDDEN);

    let close = app
        .post(
            &path,
            &rt,
            json!({"heldOn": "2026-11-20", "participants": participants, "goalProgress": progress,
            "decision": "close", "closeReason": "goal_reached"}),
        )
        .await;
    assert_eq!(close.status, StatusCode::CREATED, "{}", close.text);
    let closed = app.get(&format!("/api/v1/cases/{}", case.id), &rt).await;
    assert_eq!(
        (closed.body["state"].as_str(), closed.body["closeReason"].as_str()),
        (Some("closed"), Some("goal_reached"))
    );
    assert_eq!(app.get(&path, &rt).await.body["nextEvaluationDate"], Value::Null);
}

#[actix_web::test]
async fn the_family_gets_a_printable_plan_and_producing_it_is_an_audited_export() {
    let app = TestApp::new().await;
    let case = case_with_plan_people(&app).await;
    let rt = agreed_plan(&app, &case).await;
    let path = format!("/api/v1/cases/{}/plans/current/document", case.id);
    let doc = app.get(&path, &rt).await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.text);
    assert!(doc.content_type().starts_with("text/html"));
    assert!(doc.header("content-security-policy").unwrap().contains("style-src 'unsafe-inline'"));
    for text in
        ["Ons gezinsplan", "Weer grip op geld", "Budgetplan maken", "Oma", "Wie helpen ons", "15 januari 2027", "Ouder"]
    {
        assert!(doc.text.contains(text), "{text} missing");
    }
    let export =
        app.audit_events().into_iter().rev().find(|e| e.data.action == "plan.export").expect("audited as an export");
    assert_eq!(export.data.user_id.as_deref(), Some(case.regisseur.id.as_str()));
    assert_eq!(export.data.case_id.as_deref(), Some(case.id.as_str()));
    assert_eq!(export.data.outcome, "allowed");
    // A provider without a consent for the plan: the case is out of scope.
    let pt = app.token(&case.provider).await;
    assert_eq!(app.get(&path, &pt).await.status, StatusCode::NOT_FOUND);
    // With one, the family's document still stays with those who see the whole plan.
    consent_for_provider(&app, &case, json!(["plan"])).await;
    assert_eq!(app.get(&path, &pt).await.status, StatusCode::FORBIDDEN);
}

/// A headless Chromium, when one is installed (`EENPLAN_CHROMIUM` or `chromium` on the PATH). `.ci/run` installs it
/// and sets `EENPLAN_REQUIRE_BROWSER=1`, so there the test cannot be skipped.
fn chromium() -> Option<std::path::PathBuf> {
    if let Ok(p) = std::env::var("EENPLAN_CHROMIUM") {
        return Some(p.into());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser", "google-chrome"].map(|name| dir.join(name)))
        .find(|p| p.is_file())
}

#[actix_web::test]
async fn the_family_document_renders_and_prints_in_a_real_browser() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var("EENPLAN_REQUIRE_BROWSER").is_err(),
            "EENPLAN_REQUIRE_BROWSER is set but no Chromium was found"
        );
        eprintln!("eenplan: the browser test of the family's document was SKIPPED (no chromium on the PATH)");
        return;
    };
    let app = TestApp::new().await;
    let case = case_with_plan_people(&app).await;
    let rt = agreed_plan(&app, &case).await;
    let doc = app.get(&format!("/api/v1/cases/{}/plans/current/document", case.id), &rt).await;
    assert_eq!(doc.status, StatusCode::OK);
    let dir = std::env::temp_dir().join(format!("eenplan-doc-{}", eenplan::db::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("gezinsplan.html");
    std::fs::write(&html, &doc.text).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(&browser)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"])
            .arg(format!("--user-data-dir={}", dir.join("profile").display()))
            .args(args)
            .arg(format!("file://{}", html.display()))
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run chromium");
        assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    // The browser parsed it into the page we meant: headings, the goals table, Dutch dates.
    let dom = run(&["--dump-dom"]);
    for expected in [
        "<h1>Ons gezinsplan</h1>",
        r#"<th scope="col">Wie</th><th scope="col">Doet wat</th>"#,
        "Budgetplan maken",
        "15 januari 2027",
    ] {
        assert!(dom.contains(expected), "{expected} not in the rendered DOM");
    }
    // And it prints: a PDF with at least one page.
    let pdf = dir.join("gezinsplan.pdf");
    run(&[&format!("--print-to-pdf={}", pdf.display())]);
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    let pages = bytes.windows(11).filter(|w| w == b"/Type /Page").count();
    assert!(pages >= 2, "a page tree and at least one page");
    std::fs::remove_dir_all(dir).unwrap();
}

#[actix_web::test]
async fn an_evaluation_keeps_what_each_participant_will_do_in_order_and_shows_a_provider_only_the_covered() {
    let app = TestApp::new().await;
    let case = case_with_plan_people(&app).await;
    let rt = agreed_plan(&app, &case).await;
    let path = format!("/api/v1/cases/{}/evaluations", case.id);
    let parent = json!({"kind": "member", "personId": case.parent});
    let child = json!({"kind": "member", "personId": case.child});
    let me = json!({"kind": "professional", "userId": case.regisseur.id});
    let oma = json!({"kind": "network", "name": "Oma"});
    let progress = json!([{"goalId": "g-geld", "status": "partly_achieved"}, {"goalId": "g-school", "status": "open"}]);
    let body = |held: &str, agreements: Value| {
        json!({"heldOn": held, "participants": [parent, child, me, oma], "goalProgress": progress,
               "decision": "continue", "nextEvaluationDate": "2027-02-01", "agreements": agreements})
    };

    // Every error at once: someone who did not take part (an involved provider, a network name not given), an
    // empty text, one character too many. Nothing is stored.
    let bad = app
        .post(
            &path,
            &rt,
            body(
                "2026-11-01",
                json!([
                    {"who": parent, "what": "Belt de woningcorporatie"},
                    {"who": {"kind": "professional", "userId": case.provider.id}, "what": "Gesprek met Kind"},
                    {"who": me, "what": "  \n "},
                    {"who": oma, "what": "a".repeat(501)},
                    {"who": {"kind": "network", "name": "Opa"}, "what": "Komt langs"}
                ]),
            ),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert_eq!(fields(&bad), ["agreements[1].who", "agreements[2].what", "agreements[3].what", "agreements[4].who"]);
    // A control character is refused at the edge, naming the field.
    let control = app.post(&path, &rt, body("2026-11-01", json!([{"who": me, "what": "Belt\u{7} op"}]))).await;
    assert_eq!(control.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", control.text);
    assert_eq!(fields(&control), ["agreements[0].what"]);
    // Several per participant, but at most 50 in all.
    let many: Vec<Value> = (0..51).map(|i| json!({"who": me, "what": format!("Afspraak {i}")})).collect();
    let too_many = app.post(&path, &rt, body("2026-11-01", json!(many))).await;
    assert_eq!(fields(&too_many), ["agreements"]);
    assert_eq!(app.get(&path, &rt).await.body["items"], json!([]), "nothing stored");

    // Stored and returned in the order given, trimmed; 500 characters (not bytes) is the limit.
    let long = "é".repeat(500);
    let given = json!([
        {"who": parent, "what": "  Belt de woningcorporatie\nen vraagt een betalingsregeling  "},
        {"who": me, "what": "Regelt een afspraak bij de schuldhulp"},
        {"who": child, "what": "Gaat elke dag naar school"},
        {"who": parent, "what": "Zet elke ochtend de wekker"},
        {"who": oma, "what": long}
    ]);
    let ok = app.post(&path, &rt, body("2026-11-01", given)).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text);
    let whats = |v: &Value| -> Vec<String> {
        v["agreements"].as_array().unwrap().iter().map(|a| a["what"].as_str().unwrap().to_string()).collect()
    };
    let expected = [
        "Belt de woningcorporatie\nen vraagt een betalingsregeling",
        "Regelt een afspraak bij de schuldhulp",
        "Gaat elke dag naar school",
        "Zet elke ochtend de wekker",
        long.as_str(),
    ];
    assert_eq!(whats(&ok.body), expected);
    assert_eq!(ok.body["agreements"][0]["who"]["personId"], case.parent.as_str());
    assert_eq!(ok.body["agreements"][1]["who"]["userId"], case.regisseur.id.as_str());
    assert_eq!(ok.body["agreements"][4]["who"]["name"], "Oma");
    // A later evaluation's agreements stay its own.
    let later = app.post(&path, &rt, body("2026-11-15", json!([{"who": child, "what": "Vertelt hoe het gaat"}]))).await;
    assert_eq!(later.status, StatusCode::CREATED, "{}", later.text);
    let listed = app.get(&path, &rt).await;
    assert_eq!(whats(&listed.body["items"][0]), expected);
    assert_eq!(whats(&listed.body["items"][1]), ["Vertelt hoe het gaat"]);

    // A provider with a consent for the child's evaluations: what the child, the professional and the network will
    // do; not what the parent (whom no consent covers) will do, as the parent is not among the participants shown.
    let pt = app.token(&case.provider).await;
    assert_eq!(app.get(&path, &pt).await.status, StatusCode::NOT_FOUND, "no consent: out of scope");
    consent_for_provider(&app, &case, json!(["evaluations"])).await;
    let seen = app.get(&path, &pt).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    let first = &seen.body["items"][0];
    assert_eq!(whats(first), ["Regelt een afspraak bij de schuldhulp", "Gaat elke dag naar school", long.as_str()]);
    assert!(!first["participants"].as_array().unwrap().iter().any(|p| p["personId"] == case.parent.as_str()));
    assert!(!seen.text.contains("woningcorporatie") && !seen.text.contains("wekker"));
}

/// A birth date whose 18th birthday falls `months` months and `days` days from today (a 29 February the birth year
/// lacks becomes 1 March: later, never earlier).
fn born_to_turn_eighteen_in(months: u32, days: i64) -> chrono::NaiveDate {
    let today = eenplan::calendar::local(chrono::Utc::now()).date();
    let birthday = today.checked_add_months(chrono::Months::new(months)).unwrap() + chrono::Duration::days(days);
    eenplan::cases::model::born_eighteen_years_before(birthday)
}

/// 18-/18+: in the last three months before a young member's 18th birthday the plan is agreed only with its
/// section on care after 18, whole; three months and a day before, it is not needed yet.
#[actix_web::test]
async fn a_plan_in_the_last_months_before_eighteen_needs_its_section_on_care_after_eighteen() {
    let app = TestApp::new().await;
    let agreement = json!({"agreement": {"memberIds": [], "method": "paper"}});
    for (months, days, needed) in [(2, 0, true), (3, 1, false)] {
        let case = case_with_plan_people(&app).await;
        let mt = app.token(&case.member).await;
        let rt = app.token(&case.regisseur).await;
        let household =
            app.get(&format!("/api/v1/cases/{}", case.id), &rt).await.body["householdId"].as_str().unwrap().to_string();
        let birth = born_to_turn_eighteen_in(months, days);
        let young = app
            .post(
                &format!("/api/v1/households/{household}/members"),
                &mt,
                json!({"person": {"name": "Jongere", "birthDate": birth.to_string()}, "relation": "child",
                       "from": "2015-01-01"}),
            )
            .await;
        assert_eq!(young.status, StatusCode::CREATED, "{}", young.text);
        let young = young.body["person"]["id"].as_str().unwrap().to_string();
        let mut agreement = agreement.clone();
        agreement["agreement"]["memberIds"] = json!([case.parent]);
        let plans = format!("/api/v1/cases/{}/plans", case.id);
        assert_eq!(app.post(&plans, &rt, json!({})).await.status, StatusCode::CREATED);
        assert_eq!(
            put_draft(&app, &rt, &case.id, 1, "\"1\"", json!({"content": content(&case)})).await.status,
            StatusCode::OK
        );
        let res = agree(&app, &rt, &case.id, 1, "\"2\"", agreement.clone()).await;
        if !needed {
            assert_eq!(res.status, StatusCode::OK, "three months and a day before: {}", res.text);
            continue;
        }
        assert_eq!((res.status, fields(&res)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["afterEighteen".to_string()]));
        // Half filled in: each gap named; someone else's section does not count.
        let mut c = content(&case);
        c["afterEighteen"] = json!([
            {"personId": young, "support": "Begeleiding bij wonen en geld"},
            {"personId": case.child, "support": "Nog niet nodig", "law": "none", "takenOverBy": "-", "from": "2033-05-05"}
        ]);
        assert_eq!(put_draft(&app, &rt, &case.id, 1, "\"2\"", json!({"content": c})).await.status, StatusCode::OK);
        let res = agree(&app, &rt, &case.id, 1, "\"3\"", agreement.clone()).await;
        assert_eq!(
            fields(&res),
            ["afterEighteen[0].law", "afterEighteen[0].takenOverBy", "afterEighteen[0].from"],
            "{}",
            res.text
        );
        let bad = json!({"content": {"afterEighteen": [{"personId": young, "law": "AOW"}, {"personId": young}]}});
        let res = put_draft(&app, &rt, &case.id, 1, "\"3\"", bad).await;
        assert_eq!(fields(&res), ["afterEighteen[0].law", "afterEighteen[1].personId"], "{}", res.text);
        c["afterEighteen"][0] = json!({"personId": young, "support": "Begeleiding bij wonen en geld", "law": "Wmo",
                                       "takenOverBy": "Wijkteam volwassenen",
                                       "from": eenplan::cases::model::eighteenth_birthday(birth).to_string()});
        assert_eq!(put_draft(&app, &rt, &case.id, 1, "\"3\"", json!({"content": c})).await.status, StatusCode::OK);
        let res = agree(&app, &rt, &case.id, 1, "\"4\"", agreement.clone()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.body["content"]["afterEighteen"][0]["law"], "Wmo");
    }
}
