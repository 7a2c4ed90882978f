//! How many SQL statements the main reads make, counted by diesel's instrumentation on every connection the server
//! opens (the audit writer's own statements left out). A change that adds a statement to one of these requests
//! makes this test fail: update the figure here and in docs/benchmarks.md only when the new statement is needed.

mod common;

use std::sync::Mutex;

use actix_web::http::StatusCode;
use diesel::connection::{set_default_instrumentation, Instrumentation, InstrumentationEvent};
use serde_json::json;

use common::TestApp;
use common::{web_form, world};
use eenplan::access::Role;

/// The statements run since the last `take`, as their SQL text.
static STATEMENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Counter;

impl Instrumentation for Counter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            // The audit writer's batches (its own thread) are its own work, measured by the audit benchmark.
            if std::thread::current().name() != Some("audit-writer") {
                STATEMENTS.lock().unwrap().push(query.to_string());
            }
        }
    }
}

fn take() -> Vec<String> {
    std::mem::take(&mut *STATEMENTS.lock().unwrap())
}

#[actix_web::test]
async fn statements_per_request() {
    set_default_instrumentation(|| Some(Box::new(Counter))).unwrap();
    let app = TestApp::new().await;
    let regisseur = app.user(Role::Wijkteam);
    let token = app.token(&regisseur).await;
    let (_, case, _) = world::household_case_and_person(&app, &regisseur).await;
    let body = json!({"userId": regisseur.id, "familyChoice": false});
    let path = format!("/api/v1/cases/{case}/regisseur");
    let lead = app.token(&app.user(Role::Teamleider)).await;
    let p = app.call(actix_web::http::Method::PUT, &path, Some(&lead), Some(body), &[]).await;
    assert!(p.status.is_success(), "{}", p.text);
    let a = app.post(&format!("/api/v1/cases/{case}/regisseur/accept"), &token, json!({})).await;
    assert!(a.status.is_success(), "{}", a.text);
    let (cookie, _) = web_form::sign_in(&app, &regisseur).await;

    // (what, path, a web page?, statements): the session, user, roles and break-glass flag (a page reads its web
    // session row first), then the case decision and projection, then a page's part reads.
    let table = [
        ("JSON case read", format!("/api/v1/cases/{case}"), false, 8),
        // The regisseur's page reads the team's members too (one statement), whom its propose and involve forms offer,
        // the case's stuck reasons (two: the change marks to settle, none here, and the stored reasons) and its open
        // escalation (one), for the panel's link.
        ("case page", format!("/dossiers/{case}"), true, 16),
    ];
    let mut failures = Vec::new();
    for (label, path, web, expected) in table {
        // Once to warm what is cached per connection, then counted.
        let mut counted = Vec::new();
        for _ in 0..2 {
            take();
            let status = if web {
                web_form::web(&app, actix_web::http::Method::GET, &path, Some(&cookie), None).await.status
            } else {
                app.get(&path, &token).await.status
            };
            assert_eq!(status, StatusCode::OK, "{label}");
            counted = take();
        }
        if counted.len() != expected {
            let listing: Vec<String> = counted.iter().map(|s| s.chars().take(140).collect()).collect();
            failures.push(format!(
                "{label}: {} statements, expected {expected}:\n  {}",
                counted.len(),
                listing.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
