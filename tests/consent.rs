//! Consent through the API, on SQLite and PostgreSQL: who must give it by age, what it lets a provider see of the
//! plan (and when that stops), statutory bases, history and withdrawal.

mod common;

use actix_web::http::{Method, StatusCode};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::{json, Value};

use common::{TestApp, TestUser};
use eenplan::access::Role;

struct World {
    case: String,
    regisseur: TestUser,
    provider: TestUser,
    parent: String,
    /// Born `child_age` years ago today.
    child: String,
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn years_ago(years: i32) -> NaiveDate {
    let t = today();
    NaiveDate::from_ymd_opt(t.year() - years, t.month(), t.day()).unwrap_or(t - Duration::days(365 * years as i64))
}

/// A household (parent with custody, child of `child_age` today), a case, a regisseur, an involved provider, and an
/// agreed plan whose one goal concerns the child and whose one action belongs to the provider.
async fn world(app: &TestApp, child_birth: NaiveDate) -> World {
    let regisseur = app.user(Role::Wijkteam);
    let rt = app.token(&regisseur).await;
    let h = app
        .post(
            "/api/v1/households",
            &rt,
            json!({"postcode": "2716BB", "houseNumber": 8, "wijk": "Meerzicht", "teamId": app.team_id}),
        )
        .await;
    let household = h.body["id"].as_str().unwrap().to_string();
    let members = format!("/api/v1/households/{household}/members");
    let parent = app
        .post(&members, &rt, json!({"person": {"name": "Ouder", "birthDate": "1984-03-03"}, "relation": "parent", "custody": true, "from": "2010-01-01"}))
        .await;
    let child = app
        .post(&members, &rt, json!({"person": {"name": "Kind", "birthDate": child_birth.to_string()}, "relation": "child", "from": child_birth.to_string()}))
        .await;
    assert_eq!(child.status, StatusCode::CREATED, "{}", child.text);
    let case = app.post("/api/v1/cases", &rt, json!({"householdId": household, "laws": ["Jeugdwet"]})).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let lead = app.user(Role::Teamleider);
    let lt = app.token(&lead).await;
    app.call(
        Method::PUT,
        &format!("/api/v1/cases/{case}/regisseur"),
        Some(&lt),
        Some(json!({"userId": regisseur.id})),
        &[],
    )
    .await;
    app.post(&format!("/api/v1/cases/{case}/regisseur/accept"), &rt, json!({})).await;
    let provider = app.user(Role::Provider);
    app.post(
        &format!("/api/v1/cases/{case}/involvements"),
        &rt,
        json!({"userId": provider.id, "roleInCase": "jeugdhulp"}),
    )
    .await;
    let w = World {
        case,
        regisseur,
        provider,
        parent: parent.body["person"]["id"].as_str().unwrap().to_string(),
        child: child.body["person"]["id"].as_str().unwrap().to_string(),
    };
    let plans = format!("/api/v1/cases/{}/plans", w.case);
    app.post(&plans, &rt, json!({})).await;
    let content = json!({"content": {
        "goals": [{"id": "g1", "domain": "werk_opleiding", "personId": w.child, "description": "Naar school",
                   "target": "Geen verzuim", "dueDate": "2027-06-01", "status": "open"}],
        "actions": [{"id": "a1", "goalId": "g1", "description": "Gesprekken", "dueDate": "2027-01-01",
                     "owner": {"kind": "professional", "userId": w.provider.id}}],
        "nextEvaluationDate": "2027-03-01"}});
    let put = app.call(Method::PUT, &format!("{plans}/1"), Some(&rt), Some(content), &[("If-Match", "\"1\"")]).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    let agreed = app
        .call(
            Method::POST,
            &format!("{plans}/1/agree"),
            Some(&rt),
            Some(json!({"agreement": {"memberIds": [w.parent], "method": "paper"}})),
            &[("If-Match", "\"2\"")],
        )
        .await;
    assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.text);
    // An assessment of the child and one of the household, and an evaluation.
    let assessments = format!("/api/v1/cases/{}/assessments", w.case);
    let a = app
        .post(&assessments, &rt, json!({"personId": w.child, "kind": "start", "assessedOn": today().to_string(), "scores": {"werk_opleiding": 2}}))
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    app.post(
        &assessments,
        &rt,
        json!({"kind": "start", "assessedOn": today().to_string(), "scores": {"hh_financien": 2}}),
    )
    .await;
    let e = app
        .post(
            &format!("/api/v1/cases/{}/evaluations", w.case),
            &rt,
            json!({"heldOn": today().to_string(), "participants": [{"kind": "member", "personId": w.parent}],
                   "goalProgress": [{"goalId": "g1", "status": "open", "note": "Gaat beter"}], "decision": "continue",
                   "nextEvaluationDate": (today() + Duration::days(60)).to_string()}),
        )
        .await;
    assert_eq!(e.status, StatusCode::CREATED, "{}", e.text);
    w
}

fn consent_body(w: &World, givers: Value, orgs: Value, categories: Value, from: NaiveDate, until: NaiveDate) -> Value {
    json!({"caseId": w.case, "personId": w.child, "kind": "consent", "givenBy": givers,
           "recipientOrganisationIds": orgs, "categories": categories, "purpose": "Afstemmen over school",
           "validFrom": from.to_string(), "validUntil": until.to_string()})
}

fn fields(res: &common::Response) -> Vec<String> {
    res.body["errors"]
        .as_array()
        .map(|e| e.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[actix_web::test]
async fn who_must_consent_depends_on_age_on_the_start_date() {
    let app = TestApp::new().await;
    for (age, givers, ok) in [
        (8, vec!["custodian"], true),
        (8, vec!["self"], false),
        (13, vec!["custodian"], false),
        (13, vec!["self"], false),
        (13, vec!["self", "custodian"], true),
        (17, vec!["self"], true),
        (17, vec!["custodian"], false),
    ] {
        let w = world(&app, years_ago(age) - Duration::days(30)).await;
        let rt = app.token(&w.regisseur).await;
        let given: Vec<Value> = givers
            .iter()
            .map(|g| json!({"personId": if *g == "self" { &w.child } else { &w.parent }, "capacity": g}))
            .collect();
        let r = app
            .post(
                "/api/v1/consents",
                &rt,
                consent_body(
                    &w,
                    json!(given),
                    json!([app.provider_org_id]),
                    json!(["plan"]),
                    today(),
                    today() + Duration::days(90),
                ),
            )
            .await;
        if ok {
            assert_eq!(r.status, StatusCode::CREATED, "age {age} {givers:?}: {}", r.text);
            assert_eq!(r.body["active"], true);
        } else {
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "age {age} {givers:?}");
            let e = r.body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["field"] == "givenBy")
                .expect("says who must consent");
            assert!(e["message"].as_str().unwrap().contains("must consent"), "{e}");
        }
    }
}

#[actix_web::test]
async fn a_parents_consent_for_a_child_stops_covering_on_the_twelfth_birthday() {
    let app = TestApp::new().await;
    // Twelve today: the parent's consent given yesterday (age 11) was enough then and is not any more.
    let w = world(&app, years_ago(12)).await;
    let rt = app.token(&w.regisseur).await;
    let given = json!([{"personId": w.parent, "capacity": "custodian"}]);
    let r = app
        .post(
            "/api/v1/consents",
            &rt,
            consent_body(
                &w,
                given,
                json!([app.provider_org_id]),
                json!(["plan"]),
                today() - Duration::days(1),
                today() + Duration::days(90),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["active"], false, "the young person must now consent too");
    let pt = app.token(&w.provider).await;
    assert_eq!(app.get(&format!("/api/v1/cases/{}/plans/current", w.case), &pt).await.status, StatusCode::NOT_FOUND);
    let both = json!([{"personId": w.parent, "capacity": "custodian"}, {"personId": w.child, "capacity": "self"}]);
    app.post(
        "/api/v1/consents",
        &rt,
        consent_body(&w, both, json!([app.provider_org_id]), json!(["plan"]), today(), today() + Duration::days(90)),
    )
    .await;
    assert_eq!(app.get(&format!("/api/v1/cases/{}/plans/current", w.case), &pt).await.status, StatusCode::OK);
}

/// The consent states of the sharing table.
#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Present,
    Absent,
    Withdrawn,
    Expired,
    OtherOrganisation,
}

/// Every output a provider can reach, with the data category it shows.
const PATHS: [(&str, &str); 7] = [
    ("basic", "GET contacts"),
    ("plan", "GET plans/current"),
    ("plan", "GET plans"),
    ("plan", "PUT plans/actions/a1/progress"),
    ("zrm", "GET assessments"),
    ("zrm", "GET assessments/summary"),
    ("evaluations", "GET evaluations"),
];

#[actix_web::test]
async fn what_a_provider_sees_follows_consent_per_category_on_every_output_path() {
    let app = TestApp::new().await;
    let mut failures = Vec::new();
    for category in ["basic", "plan", "zrm", "evaluations"] {
        for state in [State::Present, State::Absent, State::Withdrawn, State::Expired, State::OtherOrganisation] {
            let w = world(&app, years_ago(9)).await;
            let rt = app.token(&w.regisseur).await;
            let given = json!([{"personId": w.parent, "capacity": "custodian"}]);
            let (orgs, from, until) = match state {
                State::OtherOrganisation => (json!([app.municipality_id]), today(), today() + Duration::days(30)),
                State::Expired => {
                    (json!([app.provider_org_id]), today() - Duration::days(60), today() - Duration::days(1))
                }
                _ => (json!([app.provider_org_id]), today(), today() + Duration::days(30)),
            };
            if state != State::Absent {
                let r = app
                    .post("/api/v1/consents", &rt, consent_body(&w, given, orgs, json!([category]), from, until))
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{state:?}: {}", r.text);
                if state == State::Withdrawn {
                    let id = r.body["id"].as_str().unwrap();
                    let wd = app
                        .post(&format!("/api/v1/consents/{id}/withdraw"), &rt, json!({"note": "Moeder belde"}))
                        .await;
                    assert_eq!(wd.status, StatusCode::OK, "{}", wd.text);
                }
            }
            let pt = app.token(&w.provider).await;
            let base = format!("/api/v1/cases/{}", w.case);
            for (path_category, path) in PATHS {
                let res = match path.split_once(' ').unwrap() {
                    ("GET", rest) => app.get(&format!("{base}/{rest}"), &pt).await,
                    (_, rest) => {
                        app.call(
                            Method::PUT,
                            &format!("{base}/{rest}"),
                            Some(&pt),
                            Some(json!({"status": "in_progress"})),
                            &[("If-Match", "\"1\"")],
                        )
                        .await
                    }
                };
                let visible = state == State::Present && path_category == category;
                let expected = if visible { StatusCode::OK } else { StatusCode::NOT_FOUND };
                if res.status != expected {
                    failures.push(format!(
                        "{category} {state:?} {path}: expected {expected}, got {}: {}",
                        res.status, res.text
                    ));
                    continue;
                }
                if visible {
                    // What is shown is what the consent covers: the child's data, and the household's.
                    let shown = match path {
                        "GET plans/current" => res.body["content"]["goals"].as_array().unwrap().len(),
                        "GET assessments" => res.body.as_array().unwrap().len(),
                        "GET evaluations" => res.body["items"][0]["goalProgress"].as_array().unwrap().len(),
                        "GET contacts" => res.body["members"].as_array().unwrap().len(),
                        _ => 1,
                    };
                    assert_eq!(shown, if path == "GET assessments" { 2 } else { 1 }, "{category} {path}: {}", res.text);
                    let event = app
                        .audit_events()
                        .into_iter()
                        .rev()
                        .find(|e| e.data.user_id.as_deref() == Some(w.provider.id.as_str()))
                        .unwrap();
                    assert_eq!(
                        event.data.basis_kind().as_deref(),
                        Some("consent"),
                        "{category} {path}: the access records its consent"
                    );
                    assert!(event.data.basis_id().is_some());
                    if path == "GET contacts" {
                        assert_eq!(res.body["members"][0]["personId"], json!(w.child), "only the covered child");
                        assert_eq!(res.body["professionals"].as_array().unwrap().len(), 2, "{}", res.text);
                        assert!(!res.text.contains("bsn"), "no BSN on the contact sheet");
                    }
                    if path == "GET evaluations" {
                        assert_eq!(res.body["items"][0]["participants"], json!([]), "the parent is not covered");
                    }
                }
            }
            // Never for a provider: the family's document and the consent history.
            assert_ne!(app.get(&format!("{base}/plans/current/document"), &pt).await.status, StatusCode::OK);
        }
    }
    assert!(failures.is_empty(), "{} cells differ:\n{}", failures.len(), failures.join("\n"));
}

#[actix_web::test]
async fn withdrawal_ends_access_on_the_next_request_and_history_is_kept() {
    let app = TestApp::new().await;
    let w = world(&app, years_ago(9)).await;
    let rt = app.token(&w.regisseur).await;
    let pt = app.token(&w.provider).await;
    let given = json!([{"personId": w.parent, "capacity": "custodian"}]);
    let c = app
        .post(
            "/api/v1/consents",
            &rt,
            consent_body(
                &w,
                given,
                json!([app.provider_org_id]),
                json!(["plan"]),
                today(),
                today() + Duration::days(30),
            ),
        )
        .await;
    let current = format!("/api/v1/cases/{}/plans/current", w.case);
    assert_eq!(app.get(&current, &pt).await.status, StatusCode::OK);
    let id = c.body["id"].as_str().unwrap();
    assert_eq!(app.post(&format!("/api/v1/consents/{id}/withdraw"), &rt, json!({})).await.status, StatusCode::OK);
    assert_eq!(app.get(&current, &pt).await.status, StatusCode::NOT_FOUND, "at once");
    // The regisseur sees that the provider's organisation has no basis any more.
    let involvements = app.get(&format!("/api/v1/cases/{}/involvements", w.case), &rt).await;
    let provider_row = involvements.body.as_array().unwrap().iter().find(|i| i["kind"] == "provider").unwrap().clone();
    assert_eq!(provider_row["sharingBasis"], "none");
    assert_eq!(app.post(&format!("/api/v1/consents/{id}/withdraw"), &rt, json!({})).await.status, StatusCode::CONFLICT);

    // A statutory basis stands in for consent.
    let statutory = app
        .post(
            "/api/v1/consents",
            &rt,
            json!({"caseId": w.case, "personId": w.child, "kind": "statutory", "legalGround": "Ondertoezichtstelling (art. 1:255 BW)",
                   "holderOrganisationId": app.provider_org_id, "recipientOrganisationIds": [app.provider_org_id],
                   "categories": ["plan"], "purpose": "Uitvoering van de maatregel", "validFrom": today().to_string(),
                   "validUntil": (today() + Duration::days(365)).to_string()}),
        )
        .await;
    assert_eq!(statutory.status, StatusCode::CREATED, "{}", statutory.text);
    assert_eq!(app.get(&current, &pt).await.status, StatusCode::OK);
    let involvements = app.get(&format!("/api/v1/cases/{}/involvements", w.case), &rt).await;
    assert!(involvements
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["kind"] == "provider" && i["sharingBasis"] == "consent"));

    // History: both, withdrawn one marked; for the regisseur and the privacy officer, not for others.
    let history = format!("/api/v1/consents?caseId={}", w.case);
    let h = app.get(&history, &rt).await;
    let items = h.body.as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items[0]["withdrawnAt"].is_string() && items[0]["active"] == false);
    assert_eq!(items[1]["kind"], "statutory");
    let po = app.user(Role::PrivacyOfficer);
    assert_eq!(app.get(&history, &app.token(&po).await).await.status, StatusCode::OK);
    assert_eq!(app.get(&history, &pt).await.status, StatusCode::FORBIDDEN);
    let outsider = app.user(Role::Wijkteam);
    assert_eq!(app.get(&history, &app.token(&outsider).await).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn consent_input_errors_come_all_at_once() {
    let app = TestApp::new().await;
    let w = world(&app, years_ago(9)).await;
    let rt = app.token(&w.regisseur).await;
    let r = app
        .post(
            "/api/v1/consents",
            &rt,
            json!({"caseId": w.case, "personId": w.child, "kind": "consent", "recipientOrganisationIds": [],
            "categories": [], "purpose": " ", "validFrom": "2026-05-01", "validUntil": "2026-04-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), ["givenBy", "recipientOrganisationIds", "categories", "purpose", "validUntil"]);
    let no_end = app
        .post(
            "/api/v1/consents",
            &rt,
            json!({"caseId": w.case, "personId": w.child, "kind": "consent",
            "givenBy": [{"personId": w.parent, "capacity": "custodian"}], "recipientOrganisationIds": ["nope"],
            "categories": ["plan"], "purpose": "x", "validFrom": "2026-05-01"}),
        )
        .await;
    assert_eq!(fields(&no_end), ["validUntil"], "a consent always has an end date");
    let stranger = app
        .post(
            "/api/v1/consents",
            &rt,
            json!({"caseId": w.case, "personId": w.child, "kind": "consent",
            "givenBy": [{"personId": "someone", "capacity": "custodian"}], "recipientOrganisationIds": ["nope"],
            "categories": ["plan"], "purpose": "x", "validFrom": "2026-05-01", "validUntil": "2026-06-01"}),
        )
        .await;
    assert_eq!(fields(&stranger), ["givenBy[0]", "recipientOrganisationIds[0]", "givenBy"]);
}
