//! The OpenAPI document says what the server does (error answers are problem documents, the statuses the shared
//! layers answer are declared), and inputs the fuzzer found that broke a route. `.ci/fuzz` checks the document
//! against the running server; these check it without one. On SQLite and PostgreSQL.

mod common;

use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

use common::TestApp;
use eenplan::access::Role;

async fn document(app: &TestApp) -> Value {
    let doc = app.call(Method::GET, "/api/v1/openapi.json", None, None, &[]).await;
    assert_eq!(doc.status, StatusCode::OK);
    doc.body
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((path.clone(), method.clone(), op.clone()));
        }
    }
    out
}

#[actix_web::test]
async fn error_answers_are_declared_as_problem_documents() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let mut wrong = Vec::new();
    for (path, method, op) in operations(&doc) {
        for (status, response) in op["responses"].as_object().unwrap() {
            if status.as_str() >= "400" {
                let types: Vec<&String> =
                    response["content"].as_object().map(|c| c.keys().collect()).unwrap_or_default();
                if types != ["application/problem+json"] {
                    wrong.push(format!("{method} {path} {status}: {types:?}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[actix_web::test]
async fn statuses_of_the_shared_layers_are_declared_where_they_apply() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let mut missing = Vec::new();
    for (path, method, op) in operations(&doc) {
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let has_in = |place: &str| params.iter().any(|p| p["in"] == place);
        let mut expected = Vec::new();
        if op.get("security").is_some() {
            expected.extend(["401", "403"]);
        }
        if op.get("requestBody").is_some() {
            expected.extend(["400", "413", "415", "422"]);
        }
        if has_in("query") {
            expected.extend(["400", "422"]);
        }
        expected.push("431");
        if has_in("path") {
            expected.push("404");
        }
        if params.iter().any(|p| p["name"] == "If-Match") {
            expected.extend(["412", "428"]);
        }
        if !path.starts_with("/health/") && path != "/api/v1/openapi.json" {
            expected.push("503");
        }
        for status in expected {
            if op["responses"].get(status).is_none() {
                missing.push(format!("{method} {path}: {status}"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[actix_web::test]
async fn the_match_list_takes_its_filters_from_the_query() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let params = doc["paths"]["/api/v1/matches"]["get"]["parameters"].as_array().unwrap().clone();
    assert!(!params.is_empty());
    for p in params {
        assert_eq!(p["in"], "query", "{p}");
        assert_ne!(p["required"], true, "{p}");
    }
    // And the server reads them there.
    let mr = app.user(Role::Matchregisseur);
    let token = app.token(&mr).await;
    assert_eq!(app.get("/api/v1/matches?overdue=true&limit=5", &token).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/matches?overdue=perhaps", &token).await.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn a_postcode_with_characters_beyond_ascii_is_a_field_error() {
    // Found by the fuzzer: six bytes but fewer characters made the postcode check slice inside a character.
    let app = TestApp::new().await;
    let member = app.user(Role::Wijkteam);
    let token = app.token(&member).await;
    for postcode in ["12\u{80d2c}", "1234é", "١٢٣٤AB"] {
        let res = app
            .post(
                "/api/v1/households",
                &token,
                json!({"postcode": postcode, "houseNumber": 1, "wijk": "Centrum", "teamId": app.team_id}),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{postcode}: {}", res.text);
        assert_eq!(res.content_type(), "application/problem+json");
        assert!(res.body["errors"].as_array().unwrap().iter().any(|e| e["field"] == "postcode"), "{}", res.text);
    }
}
