//! The Toestemming screen: the case's consents, recording one with the givers the age rules require (all errors at
//! once, input kept, nothing changed), withdrawing one, CSRF, "bekijk als…" compared with what the provider really
//! gets from the API, and every role × page × in/out of scope against the API's answer, with the audit event.

mod common;

use actix_web::http::StatusCode;
use serde_json::{json, Value};

use common::world::{user_for, world, Actor, GoalOf, ACTORS};
use common::TestApp;
use eenplan::access::Role;

async fn consents(app: &TestApp, token: &str, case: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/v1/consents?caseId={case}"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body.as_array().unwrap().clone()
}

// ---- tests ----

#[actix_web::test]
async fn the_regisseur_sees_the_consents_and_who_must_consent_by_age() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Child).await;
    let web = app.web_sign_in(&w.regisseur).await;
    let page = web.get(&app, &format!("/dossiers/{}/toestemming", w.case)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let html = &page.body;
    assert!(html.contains("<h1>Toestemming</h1>"));
    assert!(html.contains("Kind Jansen zelf, Ouder Jansen (ouder of voogd)"), "{html}");
    assert!(html.contains("plan, ZRM-scores"));
    assert!(html.contains("<strong>Geldig</strong>"));
    assert!(html.contains("data-confirm=\""), "withdrawal asks once more with JavaScript on");
    // Who must consent, per member, in plain words.
    assert!(html.contains("Kind Jansen is 14 jaar. Van 12 tot en met 15 jaar zijn er twee nodig"));
    assert!(html.contains("Ouder Jansen is 46 jaar.") || html.contains("Vanaf 16 jaar beslist Ouder Jansen zelf"));
    // "Bekijk als…" offers the involved provider's organisation.
    assert!(html.contains(&format!("<option value=\"{}\">", app.provider_org_id)));

    let form = web.get(&app, &format!("/dossiers/{}/toestemming/nieuw?voor={}", w.case, w.child)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("Toestemming vastleggen voor Kind Jansen"));
    assert!(form.body.contains("Kind Jansen zelf") && form.body.contains("Ouder Jansen als ouder of voogd met gezag"));
    assert!(form.body.contains("wordt 16 op"), "the form warns of the birthday that changes who must consent");
    assert!(!form.body.contains("style="));
}

#[actix_web::test]
async fn recording_a_consent_through_the_form_lets_the_provider_in_and_withdrawing_it_shuts_them_out() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Child).await;
    let web = app.web_sign_in(&w.regisseur).await;
    let rt = app.token(&w.regisseur).await;
    let pt = app.token(&w.provider_in).await;
    let evaluations = format!("/api/v1/cases/{}/evaluations", w.case);
    let contacts = format!("/api/v1/cases/{}/contacts", w.case);
    assert_eq!(app.get(&contacts, &pt).await.status, StatusCode::NOT_FOUND, "no consent for basic details yet");
    let today = chrono::Utc::now().date_naive();
    let until = (today + chrono::Duration::days(90)).to_string();
    let custodian = format!("custodian:{}", w.parent);
    let done = web
        .post(
            &app,
            &format!("/dossiers/{}/toestemming", w.case),
            &[
                ("personId", &w.child),
                ("giver", "self"),
                ("giver", &custodian),
                ("category", "basic"),
                ("category", "evaluations"),
                ("recipient", &app.provider_org_id),
                ("purpose", "Samen de hulp afstemmen"),
                ("validFrom", &today.to_string()),
                ("validUntil", &until),
            ],
            None,
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location, Some(format!("/dossiers/{}/toestemming?klaar=vastgelegd", w.case)));
    let all = consents(&app, &rt, &w.case).await;
    assert_eq!(all.len(), 2);
    let new = &all[1];
    assert_eq!(new["categories"], json!(["basic", "evaluations"]));
    assert_eq!(new["givenBy"].as_array().unwrap().len(), 2);
    assert_eq!(new["validUntil"], json!(until));
    assert_eq!(new["active"], json!(true));
    assert_eq!(app.get(&contacts, &pt).await.status, StatusCode::OK, "the consent covers basic details now");
    assert_eq!(app.get(&evaluations, &pt).await.status, StatusCode::OK);
    let shown = web.get(&app, &format!("/dossiers/{}/toestemming?klaar=vastgelegd", w.case)).await;
    assert!(shown.body.contains("De toestemming is vastgelegd."));

    let id = new["id"].as_str().unwrap();
    let withdrawn = web
        .post(&app, &format!("/dossiers/{}/toestemming/{id}/intrekken", w.case), &[("note", "Moeder belde")], None)
        .await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER, "{}", withdrawn.body);
    let all = consents(&app, &rt, &w.case).await;
    assert!(all[1]["withdrawnAt"].is_string());
    assert_eq!(all[1]["withdrawalNote"], json!("Moeder belde"));
    assert_eq!(app.get(&contacts, &pt).await.status, StatusCode::NOT_FOUND, "withdrawal ends access at once");
    let page = web.get(&app, &format!("/dossiers/{}/toestemming?klaar=ingetrokken", w.case)).await;
    assert!(page.body.contains("<strong>Ingetrokken</strong>"));
    // Withdrawing it again changes nothing and says so.
    let again = web.post(&app, &format!("/dossiers/{}/toestemming/{id}/intrekken", w.case), &[], None).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[actix_web::test]
async fn the_form_names_every_error_at_once_with_the_age_rule_keeps_the_input_and_changes_nothing() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Child).await;
    let web = app.web_sign_in(&w.regisseur).await;
    let rt = app.token(&w.regisseur).await;
    let path = format!("/dossiers/{}/toestemming", w.case);
    let empty =
        web.post(&app, &path, &[("personId", &w.child), ("validFrom", ""), ("validUntil", "31-12-2026")], None).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", empty.body);
    let html = &empty.body;
    for id in [
        "veld-givenBy",
        "veld-categories",
        "veld-recipientOrganisationIds",
        "veld-purpose",
        "veld-validFrom",
        "veld-validUntil",
    ] {
        assert!(html.contains(&format!("href=\"#{id}\"")), "{id}: {html}");
        assert!(html.contains(&format!("id=\"{id}\"")), "{id} is a field on the page");
    }
    assert!(html.contains("Kies wie toestemming geeft.") && html.contains("Kies minstens één organisatie."));
    assert!(html.contains("value=\"31-12-2026\""), "the input is kept");

    // The child is 14: the parent alone is not enough, and the form says so in Dutch.
    let today = chrono::Utc::now().date_naive().to_string();
    let custodian = format!("custodian:{}", w.parent);
    let parent_only = web
        .post(
            &app,
            &path,
            &[
                ("personId", &w.child),
                ("giver", &custodian),
                ("category", "basic"),
                ("recipient", &app.provider_org_id),
                ("purpose", "Afstemmen met de jeugdhulp"),
                ("validFrom", &today),
                ("validUntil", "2027-01-01"),
            ],
            None,
        )
        .await;
    assert_eq!(parent_only.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", parent_only.body);
    assert!(parent_only.body.contains("De jongere moet zelf ook toestemming geven."), "{}", parent_only.body);
    assert!(parent_only.body.contains("Afstemmen met de jeugdhulp"), "the purpose is kept");
    assert!(parent_only.body.contains(&format!("value=\"{custodian}\" checked")), "the chosen giver is kept");
    assert_eq!(consents(&app, &rt, &w.case).await.len(), 1, "nothing was recorded");
}

#[actix_web::test]
async fn a_wrong_or_missing_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Child).await;
    let web = app.web_sign_in(&w.regisseur).await;
    let rt = app.token(&w.regisseur).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let fields = [
        ("personId", w.parent.as_str()),
        ("giver", "self"),
        ("category", "basic"),
        ("recipient", app.provider_org_id.as_str()),
        ("purpose", "Afstemmen"),
        ("validFrom", &today),
        ("validUntil", "2027-01-01"),
    ];
    let path = format!("/dossiers/{}/toestemming", w.case);
    assert_eq!(web.post(&app, &path, &fields, Some("0000")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(web.post(&app, &path, &fields, Some("-")).await.status, StatusCode::FORBIDDEN);
    let id = consents(&app, &rt, &w.case).await[0]["id"].as_str().unwrap().to_string();
    let withdraw = format!("/dossiers/{}/toestemming/{id}/intrekken", w.case);
    assert_eq!(web.post(&app, &withdraw, &[], Some("0000")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(web.post(&app, &withdraw, &[], Some("-")).await.status, StatusCode::FORBIDDEN);
    let all = consents(&app, &rt, &w.case).await;
    assert_eq!(all.len(), 1);
    assert!(all[0]["withdrawnAt"].is_null());
}

#[actix_web::test]
async fn view_as_shows_exactly_what_the_providers_professional_gets_from_the_api() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Child).await;
    let rt = app.token(&w.regisseur).await;
    let pt = app.token(&w.provider_in).await;
    // An assessment of the child (covered for the provider) and of the parent (not covered).
    for (person, score) in [(&w.child, 2), (&w.parent, 1)] {
        let a = app
            .post(
                &format!("/api/v1/cases/{}/assessments", w.case),
                &rt,
                json!({"personId": person, "kind": "start", "assessedOn": "2026-01-10", "scores": {"financien": score}}),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    }
    let api =
        app.get(&format!("/api/v1/cases/{}/consent-preview?organisationId={}", w.case, app.provider_org_id), &rt).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text);
    let pros = api.body["professionals"].as_array().unwrap();
    assert_eq!(pros.len(), 1);
    let p = &pros[0];
    assert_eq!(p["userId"], json!(w.provider_in.id));
    // Part by part: what the preview holds is what the provider's own call returns, and absent where it is refused.
    for (part, path) in [
        ("case", format!("/api/v1/cases/{}", w.case)),
        ("contacts", format!("/api/v1/cases/{}/contacts", w.case)),
        ("involvements", format!("/api/v1/cases/{}/involvements", w.case)),
        ("plan", format!("/api/v1/cases/{}/plans/current", w.case)),
        ("assessments", format!("/api/v1/cases/{}/assessments", w.case)),
        ("evaluations", format!("/api/v1/cases/{}/evaluations", w.case)),
        ("consents", format!("/api/v1/consents?caseId={}", w.case)),
    ] {
        let theirs = app.get(&path, &pt).await;
        if theirs.status == StatusCode::OK {
            assert_eq!(p[part], theirs.body, "{part}: the preview shows what the provider gets");
        } else {
            assert!(p[part].is_null(), "{part}: refused to the provider ({}), absent from the preview", theirs.status);
        }
    }
    assert!(p["plan"].is_object() && p["assessments"].as_array().unwrap().len() == 1);
    assert!(p["contacts"].is_null() && p["consents"].is_null());

    // The page shows the same, in words.
    let web = app.web_sign_in(&w.regisseur).await;
    let before = app.audit_events().len();
    let page = web
        .get(&app, &format!("/dossiers/{}/toestemming/bekijk-als?organisatie={}", w.case, app.provider_org_id))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let html = &page.body;
    assert!(html.contains("Wat Test provider ziet"));
    assert!(html.contains("Afspraak: Budgetplan"), "the provider's own action");
    assert!(html.contains("Doel voor Kind Jansen: Grip op geld"), "the goal it serves");
    assert!(html.contains("Financiën 2 (niet zelfredzaam)"), "the child's covered assessment");
    assert!(!html.contains("Financiën 1 (acute problematiek)"), "not the parent's: no consent");
    assert!(
        html.contains(
            "<h3>Contactgegevens</h3>\n  \n  <p class=\"view-as__hidden\"><strong>Ziet Test provider niet.</strong>"
        ),
        "{html}"
    );
    // Audited as the regisseur's read, with their basis, and the persons shown.
    let events = app.audit_events();
    let event = events[before..].iter().find(|e| e.data.action == "consent.preview").expect("the preview is audited");
    assert_eq!(event.data.user_id.as_deref(), Some(w.regisseur.id.as_str()));
    assert_eq!(event.data.outcome, "allowed");
    assert!(event.data.basis.is_some());
    assert_eq!(event.data.case_id.as_deref(), Some(w.case.as_str()));
    // The members it names (the page reads their names), the child's data among them.
    assert!(event.data.person_ids.contains(&w.child) && event.data.person_ids.contains(&w.parent));
    // The provider's own reads are not written in their name.
    assert!(events[before..].iter().all(|e| e.data.user_id.as_deref() != Some(w.provider_in.id.as_str())));

    // Withdrawn: the preview follows at once.
    let id = consents(&app, &rt, &w.case).await[0]["id"].as_str().unwrap().to_string();
    assert_eq!(app.post(&format!("/api/v1/consents/{id}/withdraw"), &rt, json!({})).await.status, StatusCode::OK);
    let after =
        app.get(&format!("/api/v1/cases/{}/consent-preview?organisationId={}", w.case, app.provider_org_id), &rt).await;
    assert!(after.body["professionals"][0]["case"].is_null(), "{}", after.text);
    assert_eq!(app.get(&format!("/api/v1/cases/{}", w.case), &pt).await.status, StatusCode::NOT_FOUND);
    // An organisation that is not involved: said, nothing shown.
    let other =
        app.get(&format!("/api/v1/cases/{}/consent-preview?organisationId={}", w.case, app.municipality_id), &rt).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", other.text);
    // Without one: the organisations to choose from, and nothing shown.
    let choices = app.get(&format!("/api/v1/cases/{}/consent-preview", w.case), &rt).await;
    assert_eq!(choices.status, StatusCode::OK, "{}", choices.text);
    assert_eq!(choices.body["organisations"][0]["id"], json!(app.provider_org_id));
    assert!(choices.body["professionals"].as_array().unwrap().is_empty());
    let refused = web
        .get(&app, &format!("/dossiers/{}/toestemming/bekijk-als?organisatie={}", w.case, app.municipality_id))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Kies een organisatie die nu bij dit gezin betrokken is."));
}

#[actix_web::test]
async fn every_role_gets_the_apis_answer_on_each_consent_page_and_every_view_is_audited() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Child).await;
    for actor in ACTORS {
        let user = user_for(&app, &w, actor);
        let token = app.token(&user).await;
        let history = app.get(&format!("/api/v1/consents?caseId={}", w.case), &token).await.status;
        let preview = app
            .get(&format!("/api/v1/cases/{}/consent-preview?organisationId={}", w.case, app.provider_org_id), &token)
            .await
            .status;
        let (expected_history, expected_preview) = match actor {
            Actor::Regisseur | Actor::Member => (StatusCode::OK, StatusCode::OK),
            Actor::Lead | Actor::ProviderInvolved => (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN),
            Actor::Colleague | Actor::OtherLead => (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND),
            Actor::ProviderOutside => (StatusCode::FORBIDDEN, StatusCode::NOT_FOUND),
            // A privacy officer reads any case's consent history (no content), never the preview (content).
            Actor::Other(Role::PrivacyOfficer) => (StatusCode::OK, StatusCode::FORBIDDEN),
            // A procescoördinator reads the cases they adopted (an escalation); this one adopted none.
            Actor::Other(Role::Procescoordinator) => (StatusCode::FORBIDDEN, StatusCode::NOT_FOUND),
            Actor::Other(_) => (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN),
        };
        assert_eq!((history, preview), (expected_history, expected_preview), "{actor:?}: the API");
        let user = if user.totp_secret.is_some() { user_for(&app, &w, actor) } else { user };
        let web = app.web_sign_in(&user).await;
        let pages = [
            // The page shows names and the organisations involved as well: those who see the whole case only.
            (
                format!("/dossiers/{}/toestemming", w.case),
                if actor == Actor::Other(Role::PrivacyOfficer) { StatusCode::FORBIDDEN } else { history },
            ),
            (
                format!("/dossiers/{}/toestemming/nieuw?voor={}", w.case, w.child),
                if actor == Actor::Other(Role::PrivacyOfficer) { StatusCode::FORBIDDEN } else { history },
            ),
            (format!("/dossiers/{}/toestemming/bekijk-als?organisatie={}", w.case, app.provider_org_id), preview),
        ];
        for (path, expected) in pages {
            let before = app.audit_events().len();
            let page = web.get(&app, &path).await;
            assert_eq!(page.status, expected, "{actor:?}: {path}");
            let events = app.audit_events();
            let mine: Vec<_> =
                events[before..].iter().filter(|e| e.data.user_id.as_deref() == Some(user.id.as_str())).collect();
            let event = mine.last().unwrap_or_else(|| panic!("{actor:?}: {path}: no audit event"));
            if page.status == StatusCode::OK {
                assert_eq!(event.data.outcome, "allowed", "{actor:?}: {path}");
                assert!(event.data.basis.is_some(), "{actor:?}: {path}: the basis is recorded");
                assert_eq!(event.data.case_id.as_deref(), Some(w.case.as_str()));
            } else {
                assert_ne!(event.data.outcome, "allowed", "{actor:?}: {path}");
            }
        }
    }
}
