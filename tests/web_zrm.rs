//! The ZRM screen: what the regisseur sees (the server-drawn radar with its table, progress side by side, the
//! warning on a low domain without a goal), recording an assessment through the form (all errors at once, input
//! kept, nothing changed), CSRF, and every role × page × in/out of scope against the API's own answer, with the
//! page view's audit event.

mod common;

use actix_web::http::StatusCode;
use serde_json::{json, Value};

use common::world::{user_for, world, Actor, GoalOf, ACTORS};
use common::TestApp;

async fn assessments(app: &TestApp, rt: &str, case: &str) -> common::Response {
    app.get(&format!("/api/v1/cases/{case}/assessments"), rt).await
}

// ---- tests ----

#[actix_web::test]
async fn the_regisseur_records_assessments_and_sees_the_radar_the_table_the_progress_and_the_warning() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Parent).await;
    let web = app.web_sign_in(&w.regisseur).await;
    let zrm = format!("/dossiers/{}/zrm", w.case);

    let empty = web.get(&app, &zrm).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert!(empty.body.contains("Nog geen meting"));
    assert!(empty.body.contains(&format!("/dossiers/{}/zrm/nieuw?voor={}", w.case, w.child)));

    let form = web.get(&app, &format!("{zrm}/nieuw?voor={}", w.child)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("Nieuwe ZRM-meting: Kind Jansen"));
    assert!(form.body.contains("for=\"veld-scores-financien\""), "every select has its label");

    let first = web
        .post(
            &app,
            &zrm,
            &[
                ("voor", &w.child),
                ("kind", "start"),
                ("assessedOn", "2026-01-10"),
                ("scores.financien", "3"),
                ("scores.huisvesting", "4"),
                ("scores.justitie", ""),
            ],
            None,
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    assert_eq!(first.location.as_deref(), Some(zrm.as_str()));
    let second = web
        .post(
            &app,
            &zrm,
            &[
                ("voor", &w.child),
                ("kind", "intermediate"),
                ("assessedOn", "2026-03-10"),
                ("scores.financien", "1"),
                ("scores.huisvesting", "5"),
            ],
            None,
        )
        .await;
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.body);
    let household = web
        .post(
            &app,
            &zrm,
            &[("voor", "huishouden"), ("kind", "start"), ("assessedOn", "2026-03-10"), ("scores.hh_financien", "4")],
            None,
        )
        .await;
    assert_eq!(household.status, StatusCode::SEE_OTHER, "{}", household.body);

    // The API holds what the forms sent.
    let rt = app.token(&w.regisseur).await;
    let listed = assessments(&app, &rt, &w.case).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 3);
    assert_eq!(listed.body[1]["scores"], json!({"financien": 1, "huisvesting": 5}));
    assert_eq!(listed.body[2]["personId"], Value::Null);

    let page = web.get(&app, &zrm).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.body;
    // The radar: inline SVG with role img and a title, presentation attributes only (no style attribute).
    assert!(html.contains("<svg") && html.contains("role=\"img\"") && html.contains("<title id=\"radar-titel-"));
    assert!(!html.contains("style="), "the CSP forbids inline styles");
    assert!(html.contains("stroke-dasharray"), "the previous assessment is drawn too, dashed");
    // The same figures in a table, previous and current side by side.
    assert!(html.contains("<th scope=\"row\">Financiën</th><td>3 (beperkt zelfredzaam)</td><td>1 (acute problematiek)</td><td>2 lager (slechter)</td>"), "{html}");
    assert!(html.contains("<th scope=\"row\">Huisvesting</th><td>4 (voldoende zelfredzaam)</td><td>5 (volledig zelfredzaam)</td><td>1 hoger (beter)</td>"));
    assert!(html.contains("Tussenmeting van 10 maart 2026") && html.contains("Beginmeting van 10 januari 2026"));
    // The child's finances are at 1 and the plan's only goal is the parent's: a warning.
    assert!(
        html.contains(
            "Kind Jansen: Financiën heeft score 1, maar in het huidige plan staat geen doel voor dit domein."
        ),
        "{html}"
    );

    // The API's summary says the same.
    let summary = app.get(&format!("/api/v1/cases/{}/assessments/summary", w.case), &rt).await;
    assert_eq!(
        summary.body["lowDomainsWithoutGoal"],
        json!([{"personId": w.child, "domain": "financien", "score": 1}]),
        "{}",
        summary.text
    );
    // A goal for the parent's own finances covers the parent's low score: no warning for the parent.
    let parent = web
        .post(
            &app,
            &zrm,
            &[("voor", &w.parent), ("kind", "start"), ("assessedOn", "2026-03-10"), ("scores.financien", "2")],
            None,
        )
        .await;
    assert_eq!(parent.status, StatusCode::SEE_OTHER);
    let summary = app.get(&format!("/api/v1/cases/{}/assessments/summary", w.case), &rt).await;
    assert_eq!(summary.body["lowDomainsWithoutGoal"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn the_form_names_every_error_at_once_keeps_the_input_and_changes_nothing() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Parent).await;
    let web = app.web_sign_in(&w.regisseur).await;
    let zrm = format!("/dossiers/{}/zrm", w.case);
    let rt = app.token(&w.regisseur).await;
    let before = assessments(&app, &rt, &w.case).await.body.as_array().unwrap().len();

    let refused = web
        .post(
            &app,
            &zrm,
            &[("voor", &w.child), ("assessedOn", "10-03-2026"), ("scores.financien", "7"), ("scores.huisvesting", "3")],
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let html = &refused.body;
    assert!(html.contains("Er zijn 3 fouten in het formulier"), "{html}");
    assert!(
        html.contains("href=\"#veld-kind\"")
            && html.contains("href=\"#veld-assessedOn\"")
            && html.contains("href=\"#veld-scores-financien\"")
    );
    assert!(html.contains("Vul een geldige datum in"));
    assert!(html.contains("Kies een score van 1 tot 5"));
    // The input is kept.
    assert!(html.contains("value=\"10-03-2026\""));
    assert!(html.contains("<option value=\"3\" selected>"));
    // Nothing scored at all: said once, for the scores.
    let none =
        web.post(&app, &zrm, &[("voor", "huishouden"), ("kind", "start"), ("assessedOn", "2026-03-01")], None).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("Vul voor minstens één domein een score in."));
    assert_eq!(assessments(&app, &rt, &w.case).await.body.as_array().unwrap().len(), before);
}

#[actix_web::test]
async fn a_wrong_or_missing_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Parent).await;
    let web = app.web_sign_in(&w.regisseur).await;
    let zrm = format!("/dossiers/{}/zrm", w.case);
    let fields =
        [("voor", "huishouden"), ("kind", "start"), ("assessedOn", "2026-03-01"), ("scores.hh_financien", "2")];
    assert_eq!(web.post(&app, &zrm, &fields, Some("0000")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(web.post(&app, &zrm, &fields, Some("-")).await.status, StatusCode::FORBIDDEN);
    let rt = app.token(&w.regisseur).await;
    assert!(assessments(&app, &rt, &w.case).await.body.as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn every_role_gets_the_apis_answer_on_each_zrm_page_and_every_view_is_audited() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Parent).await;
    // One assessment of the child, which the provider's consent covers.
    let rt = app.token(&w.regisseur).await;
    let a = app
        .post(
            &format!("/api/v1/cases/{}/assessments", w.case),
            &rt,
            json!({"personId": w.child, "kind": "start", "assessedOn": "2026-01-10", "scores": {"financien": 2}}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    for actor in ACTORS {
        let user = user_for(&app, &w, actor);
        let token = app.token(&user).await;
        let api = app.get(&format!("/api/v1/cases/{}/assessments", w.case), &token).await.status;
        let expected = match actor {
            Actor::Regisseur | Actor::Member | Actor::ProviderInvolved => StatusCode::OK,
            Actor::Lead => StatusCode::FORBIDDEN,
            Actor::Colleague | Actor::OtherLead | Actor::ProviderOutside => StatusCode::NOT_FOUND,
            Actor::Other(_) => api,
        };
        assert_eq!(api, expected, "{actor:?}: the API");
        if matches!(actor, Actor::Other(_)) {
            assert_ne!(api, StatusCode::OK, "{actor:?}");
        }
        // A TOTP code is used once: a role with a second factor signs in to the web client as a second user.
        let user = if user.totp_secret.is_some() { user_for(&app, &w, actor) } else { user };
        let web = app.web_sign_in(&user).await;
        let overview = format!("/dossiers/{}/zrm", w.case);
        let before = app.audit_events().len();
        let page = web.get(&app, &overview).await;
        assert_eq!(page.status, api, "{actor:?}: {overview}");
        let events = app.audit_events();
        let event = events[before..].iter().rev().find(|e| e.data.user_id.as_deref() == Some(user.id.as_str()));
        let event = event.unwrap_or_else(|| panic!("{actor:?}: no audit event for the page view"));
        if page.status == StatusCode::OK {
            assert_eq!(event.data.outcome, "allowed", "{actor:?}");
            assert!(event.data.basis.is_some(), "{actor:?}: the basis is recorded");
            assert_eq!(event.data.case_id.as_deref(), Some(w.case.as_str()));
        } else {
            assert_ne!(event.data.outcome, "allowed", "{actor:?}");
        }
        if actor == Actor::ProviderInvolved {
            // A provider reads what its consent covers, and records nothing.
            assert!(page.body.contains("Financiën"));
            assert!(!page.body.contains("Nieuwe meting voor"));
        }
        // The form: only those who see the whole case may record (the contact sheet decides who reads it).
        let form = web.get(&app, &format!("{overview}/nieuw?voor=huishouden")).await;
        let expected_form = match actor {
            Actor::Regisseur | Actor::Member => StatusCode::OK,
            Actor::ProviderInvolved => StatusCode::NOT_FOUND,
            _ => api,
        };
        assert_eq!(form.status, expected_form, "{actor:?}: the form");
    }
}
