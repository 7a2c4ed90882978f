//! The web client's escalation screens: one escalation (`/escalaties/{id}`) for every role in and out of scope —
//! the API's status, the view audited as the API's read — with only the forms the service allows that user; every
//! act through its form (field errors change nothing; adoption opens the case, closing shuts it again and shows the
//! computed counts); raising from the case page's link; the teamleider's level-1 list, the API's rows; the header's
//! item. On SQLite and PostgreSQL.

mod common;

use actix_web::http::StatusCode;
use serde_json::json;

use common::pages::WebSession;
use common::world::household_case_and_person;
use common::{TestApp, TestUser};
use eenplan::access::Role;

async fn sign_in(app: &TestApp, user: &TestUser) -> WebSession {
    app.web_sign_in_after_api(user).await
}

/// Raises an escalation through the API: its id.
async fn raise(app: &TestApp, who: &TestUser, case: &str) -> String {
    let res = app
        .post(&format!("/api/v1/cases/{case}/escalations"), &app.token(who).await, json!({"reason": "Het loopt vast"}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_str().unwrap().to_string()
}

async fn api_escalation(app: &TestApp, who: &TestUser, id: &str) -> serde_json::Value {
    let res = app.get(&format!("/api/v1/escalations/{id}"), &app.token(who).await).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.body
}

fn last_event_of(app: &TestApp, user: &TestUser) -> eenplan::audit::model::EventData {
    app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(&user.id)).unwrap().data
}

/// Which of the page's forms are offered, by their action's last part.
fn forms(html: &str, id: &str) -> Vec<String> {
    let prefix = format!("action=\"/escalaties/{id}/");
    html.split(&prefix).skip(1).map(|rest| rest.split('"').next().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn every_role_opens_an_escalation_only_in_scope_and_each_view_is_audited_as_the_apis_read() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case, _) = household_case_and_person(&app, &creator).await;
    let id = raise(&app, &creator, &case).await;
    let mut table: Vec<(String, TestUser, StatusCode)> = vec![
        ("involved professional".into(), creator.clone(), StatusCode::OK),
        ("teamleider of the team".into(), app.user(Role::Teamleider), StatusCode::OK),
        ("procescoördinator".into(), app.user(Role::Procescoordinator), StatusCode::OK),
        ("colleague not involved".into(), app.user(Role::Wijkteam), StatusCode::NOT_FOUND),
        ("teamleider of another team".into(), app.user_in_other_team(Role::Teamleider), StatusCode::NOT_FOUND),
        ("provider not involved".into(), app.user(Role::Provider), StatusCode::NOT_FOUND),
    ];
    // Every other role, which has no part in escalations.
    for role in Role::ALL {
        if !matches!(role, Role::Wijkteam | Role::Teamleider | Role::Procescoordinator | Role::Provider) {
            table.push((format!("{role:?}"), app.user(role), StatusCode::FORBIDDEN));
        }
    }
    for (who, user, expected) in table {
        // The API's sign-in first: the web's takes the next second-factor step.
        let token = app.token(&user).await;
        let web = sign_in(&app, &user).await;
        let page = web.get(&app, &format!("/escalaties/{id}")).await;
        assert_eq!(page.status, expected, "{who}: {}", page.body);
        let seen = last_event_of(&app, &user);
        let api = app.get(&format!("/api/v1/escalations/{id}"), &token).await;
        assert_eq!(api.status, expected, "{who}: the API agrees");
        let read = last_event_of(&app, &user);
        assert_eq!(
            (&seen.action, &seen.outcome, &seen.basis, &seen.case_id),
            (&read.action, &read.outcome, &read.basis, &read.case_id),
            "{who}: the page's event is the API read's"
        );
        if expected == StatusCode::OK {
            assert!(page.body.contains("<h2 id=\"ladder-titel\">De ladder</h2>"), "{who}");
            assert!(page.body.contains("Niveau 1: De teamleider van "), "{who}: the ladder names the team's lead");
        } else {
            assert!(!page.body.contains("ladder"), "{who}: the refusal shows nothing of it");
        }
    }
}

#[actix_web::test]
async fn each_user_is_offered_only_the_acts_the_service_allows_them() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let lead = app.user(Role::Teamleider);
    let pc = app.user(Role::Procescoordinator);
    let other_pc = app.user(Role::Procescoordinator);
    let (_, case, _) = household_case_and_person(&app, &creator).await;
    let id = raise(&app, &creator, &case).await;
    let case_link = format!("href=\"/dossiers/{case}\"");

    let as_creator = sign_in(&app, &creator).await.get(&app, &format!("/escalaties/{id}")).await;
    assert!(
        forms(&as_creator.body, &id).is_empty(),
        "the involved member only reads: {:?}",
        forms(&as_creator.body, &id)
    );
    assert!(as_creator.body.contains(&case_link), "they see the case");

    let as_lead = sign_in(&app, &lead).await.get(&app, &format!("/escalaties/{id}")).await;
    assert_eq!(forms(&as_lead.body, &id), ["reageren", "afsluiten"], "level 1: the lead answers or closes");

    let pc_web = sign_in(&app, &pc).await;
    let before = pc_web.get(&app, &format!("/escalaties/{id}")).await;
    assert_eq!(forms(&before.body, &id), ["adopteren", "afsluiten"], "the procescoördinator adopts or closes");
    assert!(!before.body.contains(&case_link), "no case link before adoption");
    let adopted = pc_web.post(&app, &format!("/escalaties/{id}/adopteren"), &[], None).await;
    assert_eq!(adopted.status, StatusCode::SEE_OTHER, "{}", adopted.body);
    assert_eq!(adopted.location.as_deref(), Some(format!("/escalaties/{id}?gedaan=geadopteerd").as_str()));
    let after = pc_web.get(&app, adopted.location.as_deref().unwrap()).await;
    assert_eq!(forms(&after.body, &id), ["bijeenroepen", "opschalen", "afspraken", "afsluiten"], "the adopter's acts");
    assert!(after.body.contains(&case_link), "the adopter sees the case");
    assert!(after.body.contains("U heeft het dossier geadopteerd."), "the notice");

    // Another procescoördinator reads it but may no longer adopt or close it; their forms would be refused.
    let other = sign_in(&app, &other_pc).await;
    let theirs = other.get(&app, &format!("/escalaties/{id}")).await;
    assert!(forms(&theirs.body, &id).is_empty(), "{:?}", forms(&theirs.body, &id));
    let refused = other.post(&app, &format!("/escalaties/{id}/afsluiten"), &[("perspective", "ja")], None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(api_escalation(&app, &pc, &id).await["status"], "open", "nothing changed");
}

#[actix_web::test]
async fn the_adopter_works_the_escalation_through_its_forms_and_closing_ends_their_access() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let pc = app.user(Role::Procescoordinator);
    let (_, case, _) = household_case_and_person(&app, &creator).await;
    let id = raise(&app, &creator, &case).await;
    let pc_token = app.token(&pc).await;
    let web = sign_in(&app, &pc).await;
    assert_eq!(app.get(&format!("/api/v1/cases/{case}"), &pc_token).await.status, StatusCode::NOT_FOUND);
    let res = web.post(&app, &format!("/escalaties/{id}/adopteren"), &[], None).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let adoption = last_event_of(&app, &pc);
    assert_eq!(app.get(&format!("/api/v1/cases/{case}"), &pc_token).await.status, StatusCode::OK, "adoption opens it");
    // The adopter manages the case ("minder hulpverleners", a new regisseur): the case page offers them those forms.
    let page = web.get(&app, &format!("/dossiers/{case}")).await;
    for offered in ["id=\"betrekken-titel\"", "id=\"voorstel-titel\"", "/beeindigen\""] {
        assert!(page.body.contains(offered), "{offered}: {}", page.body);
    }
    assert_eq!(adoption.action, "escalation.adopt");
    assert_eq!(adoption.basis_id(), Some(id.as_str()), "the escalation is the basis");

    // An empty agreement: the page again with the error, nothing recorded.
    let steps = |e: &serde_json::Value| e["steps"].as_array().unwrap().len();
    let n = steps(&api_escalation(&app, &pc, &id).await);
    let empty = web.post(&app, &format!("/escalaties/{id}/afspraken"), &[("text", "  ")], None).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", empty.body);
    assert!(
        empty.body.contains("class=\"error-summary\"") && empty.body.contains("href=\"#veld-text\""),
        "{}",
        empty.body
    );
    assert_eq!(steps(&api_escalation(&app, &pc, &id).await), n, "nothing recorded");
    let agreed =
        web.post(&app, &format!("/escalaties/{id}/afspraken"), &[("text", "Eén gesprek met het gezin")], None).await;
    assert_eq!(agreed.status, StatusCode::SEE_OTHER, "{}", agreed.body);
    let page = web.get(&app, &format!("/escalaties/{id}")).await;
    assert!(page.body.contains("Eén gesprek met het gezin"), "the agreement is listed");

    // Convening, then doorzettingsmacht and its decision.
    assert_eq!(
        web.post(&app, &format!("/escalaties/{id}/bijeenroepen"), &[], None).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(web.post(&app, &format!("/escalaties/{id}/opschalen"), &[], None).await.status, StatusCode::SEE_OTHER);
    let e = api_escalation(&app, &pc, &id).await;
    assert_eq!(e["level"], 3);
    let page = web.get(&app, &format!("/escalaties/{id}")).await;
    assert!(forms(&page.body, &id).contains(&"besluiten".to_string()), "level 3 offers the decision");
    let decided = web
        .post(
            &app,
            &format!("/escalaties/{id}/besluiten"),
            &[("holder", "De wethouder"), ("text", "GGZ gaat door")],
            None,
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    let kinds: Vec<String> = api_escalation(&app, &pc, &id).await["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap().to_string())
        .collect();
    for kind in ["raised", "risen", "adopted", "agreement", "convened", "decision"] {
        assert!(kinds.contains(&kind.to_string()), "{kind}: {kinds:?}");
    }

    // Closing needs the choice; then the outcome with the computed counts, and the case is closed to them.
    let missing = web.post(&app, &format!("/escalaties/{id}/afsluiten"), &[("note", "klaar")], None).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", missing.body);
    assert!(missing.body.contains("href=\"#veld-perspectiveRegained\""), "{}", missing.body);
    assert!(missing.body.contains(">klaar</textarea>"), "what was typed is kept");
    assert_eq!(api_escalation(&app, &pc, &id).await["status"], "open", "nothing changed");
    let closed =
        web.post(&app, &format!("/escalaties/{id}/afsluiten"), &[("perspective", "ja"), ("note", "klaar")], None).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let e = api_escalation(&app, &pc, &id).await;
    assert_eq!((&e["status"], &e["perspectiveRegained"]), (&json!("closed"), &json!(true)));
    let page = web.get(&app, &format!("/escalaties/{id}")).await;
    let outcome = &page.body[page.body.find("uitkomst-titel").unwrap()..];
    let counts =
        format!("{} bij de adoptie, {} bij het afsluiten", e["professionalsAtAdoption"], e["professionalsAtClose"]);
    assert!(outcome.contains(&counts), "{counts}: {outcome}");
    assert!(forms(&page.body, &id).is_empty(), "a closed escalation offers no acts");
    assert_eq!(
        app.get(&format!("/api/v1/cases/{case}"), &pc_token).await.status,
        StatusCode::NOT_FOUND,
        "closed to them"
    );
    assert_eq!(web.get(&app, &format!("/dossiers/{case}")).await.status, StatusCode::NOT_FOUND, "the page too");
}

#[actix_web::test]
async fn raising_from_the_case_page_needs_a_reason_and_then_links_the_escalation() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let outsider = app.user(Role::Wijkteam);
    let (_, case, _) = household_case_and_person(&app, &creator).await;
    let web = sign_in(&app, &creator).await;
    let page = web.get(&app, &format!("/dossiers/{case}")).await;
    let link = format!("href=\"/escalaties/nieuw?dossier={case}\"");
    assert!(page.body.contains(&link), "the case page offers raising");
    let form = web.get(&app, &format!("/escalaties/nieuw?dossier={case}")).await;
    assert_eq!(form.status, StatusCode::OK);

    let empty = web.post(&app, "/escalaties/nieuw", &[("dossier", &case), ("reason", "")], None).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", empty.body);
    assert!(empty.body.contains("href=\"#veld-reason\""), "{}", empty.body);
    let open = app.get("/api/v1/escalations?status=open", &app.token(&creator).await).await;
    assert_eq!(open.body.as_array().unwrap().len(), 0, "nothing raised");

    // Someone who does not see the case: 404, nothing raised.
    let theirs = sign_in(&app, &outsider).await;
    let refused = theirs.post(&app, "/escalaties/nieuw", &[("dossier", &case), ("reason", "Vast")], None).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);

    let raised = web.post(&app, "/escalaties/nieuw", &[("dossier", &case), ("reason", "Vast")], None).await;
    assert_eq!(raised.status, StatusCode::SEE_OTHER, "{}", raised.body);
    let open = app.get("/api/v1/escalations?status=open", &app.token(&creator).await).await;
    let id = open.body[0]["id"].as_str().unwrap().to_string();
    assert_eq!(raised.location.as_deref(), Some(format!("/escalaties/{id}?gedaan=gemeld").as_str()));
    let page = web.get(&app, &format!("/dossiers/{case}")).await;
    assert!(page.body.contains(&format!("href=\"/escalaties/{id}\"")), "the case page links the open escalation");
    assert!(!page.body.contains(&link), "and no longer offers raising another");
}

#[actix_web::test]
async fn the_teamleiders_level_one_list_is_the_apis_and_the_header_offers_it_to_whom_it_serves() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let lead = app.user(Role::Teamleider);
    let pc = app.user(Role::Procescoordinator);
    let other_lead = app.user_in_other_team(Role::Teamleider);
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (_, case, _) = household_case_and_person(&app, &creator).await;
        ids.push(raise(&app, &creator, &case).await);
    }
    // One of them the procescoördinator adopted: it is at level 2 now.
    let res = app.post(&format!("/api/v1/escalations/{}/adopt", ids[0]), &app.token(&pc).await, json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    let rows = |html: &str| -> Vec<String> {
        html.split("href=\"/escalaties/")
            .skip(1)
            .filter_map(|r| r.split('"').next())
            .filter(|r| !r.starts_with("nieuw") && !r.contains('?'))
            .map(str::to_string)
            .collect()
    };
    let web = sign_in(&app, &lead).await;
    let page = web.get(&app, "/escalaties?niveau=1").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let api = app.get("/api/v1/escalations?level=1&status=open", &app.token(&lead).await).await;
    let api_ids: Vec<String> =
        api.body.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(api_ids.len(), 2, "{}", api.text);
    assert_eq!(rows(&page.body), api_ids, "the page's rows are the API's, in its order");
    assert!(!rows(&page.body).contains(&ids[0]), "the adopted one is at level 2");
    assert_eq!(last_event_of(&app, &lead).action, "escalation.list", "the view is audited as the list");

    let theirs = sign_in(&app, &other_lead).await.get(&app, "/escalaties?niveau=1").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(rows(&theirs.body).is_empty(), "another team's lead sees none of them");

    for role in Role::ALL {
        let user = app.user(role);
        let home = sign_in(&app, &user).await.get(&app, "/account").await;
        let offered = matches!(role, Role::Teamleider | Role::Procescoordinator);
        assert_eq!(home.body.contains("href=\"/escalaties\""), offered, "{role:?}: the header's item");
    }
}
