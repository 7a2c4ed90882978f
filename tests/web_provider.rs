//! The provider professional's screens: Mijn acties (`/acties`, `GET /api/v1/work/actions`) with the progress form
//! per action (`POST /dossiers/{id}/plan/acties/{action}/voortgang`, the API's progress update with its revision),
//! the plan page as the API projects it, the page that says there is no consent (404 as the API, the same for every
//! id), and a provider who directs a case (`teams.provider_may_direct`) using the regisseur's screens. Every role in
//! and out of scope, every view audited.

mod common;

use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

use common::pages::WebSession;
use common::world::{user_for, world, Actor, GoalOf, World, ACTORS};
use common::{TestApp, TestUser};
use eenplan::access::Role;

const NO_CONSENT: &str = "U heeft geen toestemming om het plan van dit huishouden te zien.";

/// The current plan's progress of the action, as the regisseur's API read gives it.
async fn progress_of(app: &TestApp, w: &World, action: &str) -> Value {
    let rt = app.token(&w.regisseur).await;
    let v = app.get(&format!("/api/v1/cases/{}/plans/current", w.case), &rt).await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.text);
    v.body["progress"].as_array().unwrap().iter().find(|p| p["actionId"] == action).cloned().unwrap()
}

fn progress_path(w: &World) -> String {
    format!("/dossiers/{}/plan/acties/a1/voortgang", w.case)
}

/// The last audit event of `user` after `before`.
fn last_event(app: &TestApp, user: &TestUser, before: usize) -> eenplan::audit::model::StoredEvent {
    app.audit_events()
        .into_iter()
        .skip(before)
        .rfind(|e| e.data.user_id.as_deref() == Some(user.id.as_str()))
        .unwrap_or_else(|| panic!("no audit event of {}", user.email))
}

/// The ids of the action cards on the page, in their order.
fn cards(html: &str) -> Vec<String> {
    html.split("<article class=\"action-card")
        .skip(1)
        .filter_map(|s| s.split("id=\"").nth(1).and_then(|r| r.split('"').next()).map(str::to_string))
        .collect()
}

async fn withdraw_all(app: &TestApp, w: &World) {
    let rt = app.token(&w.regisseur).await;
    let list = app.get(&format!("/api/v1/consents?caseId={}", w.case), &rt).await;
    for c in list.body.as_array().unwrap() {
        if c["withdrawnAt"].is_null() {
            let id = c["id"].as_str().unwrap();
            let r = app.post(&format!("/api/v1/consents/{id}/withdraw"), &rt, json!({"note": "Ingetrokken"})).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Every role × every page, in and out of scope

#[actix_web::test]
async fn every_role_in_and_out_of_scope_against_every_page() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Child).await;
    // For Regisseur, Member, Colleague, Lead, OtherLead, ProviderInvolved, ProviderOutside; other roles 403 (the
    // role may not read plans). The form: those who see the whole plan and the provider who owns the action record
    // progress (303); the teamleider's summary 403; out of scope 404.
    let rows: [(&str, [u16; 7]); 3] = [
        ("/acties", [200, 200, 200, 200, 200, 200, 200]),
        ("plan", [200, 200, 404, 403, 404, 200, 404]),
        ("form", [303, 303, 404, 403, 404, 303, 404]),
    ];
    let mut failures = Vec::new();
    for actor in ACTORS {
        let user = user_for(&app, &w, actor);
        let web = app.web_sign_in(&user).await;
        for (page, row) in &rows {
            let expected = match actor {
                // Reads plans (of cases they adopted, none here): their own actions (none) and 404 on this plan.
                Actor::Other(Role::Procescoordinator) if *page == "/acties" => 200,
                Actor::Other(Role::Procescoordinator) if *page == "plan" => 404,
                Actor::Other(_) => 403,
                _ => row[ACTORS.iter().position(|a| *a == actor).unwrap()],
            };
            let before = app.audit_events().len();
            let answer = match *page {
                "/acties" => web.get(&app, "/acties").await,
                "plan" => web.get(&app, &format!("/dossiers/{}/plan", w.case)).await,
                _ => {
                    let revision = progress_of(&app, &w, "a1").await["revision"].to_string();
                    let fields = [("revision", revision.as_str()), ("status", "in_progress"), ("doneOn", "")];
                    web.post(&app, &progress_path(&w), &fields, None).await
                }
            };
            if answer.status.as_u16() != expected {
                failures.push(format!("{page} as {actor:?}: expected {expected}, got {}", answer.status));
                continue;
            }
            let event = last_event(&app, &user, before);
            let denied = expected == 403 || expected == 404;
            assert_eq!(event.data.outcome == "denied", denied, "{page} as {actor:?}: {:?}", event.data);
            if !denied {
                assert!(event.data.basis.is_some(), "{page} as {actor:?}: allowed without a basis");
            }
            match *page {
                "/acties" => {
                    assert_eq!(event.data.action, "plan.actions", "{actor:?}");
                    if expected == 200 {
                        let mine = actor == Actor::ProviderInvolved;
                        assert_eq!(answer.body.contains("Budgetplan"), mine, "{actor:?}: only the owner's action");
                    }
                }
                "plan" if expected == 404 && matches!(actor, Actor::ProviderOutside) => {
                    // No relation at all: the same page as for any id, nothing of the plan.
                    assert!(answer.body.contains(NO_CONSENT), "{}", answer.body);
                    assert!(!answer.body.contains("Budgetplan") && !answer.body.contains("Grip op geld"));
                }
                "plan" if expected == 404 => assert!(!answer.body.contains(NO_CONSENT), "not a provider's page"),
                "form" if expected == 303 => {
                    assert_eq!(event.data.action, "plan.update");
                    assert_eq!(event.data.case_id.as_deref(), Some(w.case.as_str()));
                }
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{} cells differ:\n{}", failures.len(), failures.join("\n"));
    // The API answers the list alike.
    for (user, status) in [
        (w.provider_in.clone(), StatusCode::OK),
        (w.lead.clone(), StatusCode::OK),
        (app.user(Role::Signaller), StatusCode::FORBIDDEN),
        (app.user(Role::Matchregisseur), StatusCode::FORBIDDEN),
        // Reads plans, for the cases they adopt: their own actions (none here).
        (app.user(Role::Procescoordinator), StatusCode::OK),
    ] {
        let token = app.token(&user).await;
        assert_eq!(app.get("/api/v1/work/actions", &token).await.status, status, "{:?}", user.role);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The list is the API's

#[actix_web::test]
async fn the_page_lists_exactly_the_actions_the_api_lists_in_its_order() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Child).await;
    // A second case of the same team where the provider's action is overdue.
    let second = world(&app, GoalOf::Child).await;
    let rt = app.token(&second.regisseur).await;
    // The second world has its own provider; involve the first world's provider and give them an overdue action.
    let inv = app
        .post(
            &format!("/api/v1/cases/{}/involvements", second.case),
            &rt,
            json!({"userId": w.provider_in.id, "roleInCase": "jeugdhulp"}),
        )
        .await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.text);
    let plans = format!("/api/v1/cases/{}/plans", second.case);
    let draft = app.post(&plans, &rt, json!({})).await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
    let content = json!({"content": {
        "goals": [{"id": "g1", "domain": "financien", "personId": second.child, "description": "Naar school",
                   "target": "Elke dag", "dueDate": "2027-06-01", "status": "open"}],
        "actions": [{"id": "a-laat", "goalId": "g1", "description": "Schoolgesprek plannen", "dueDate": yesterday,
                     "owner": {"kind": "professional", "userId": w.provider_in.id}}],
        "nextEvaluationDate": "2027-03-01"}});
    let put = app.call(Method::PUT, &format!("{plans}/2"), Some(&rt), Some(content), &[("If-Match", "\"1\"")]).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    let agreement = json!({"agreement": {"memberIds": [second.parent], "method": "paper"}});
    let agreed =
        app.call(Method::POST, &format!("{plans}/2/agree"), Some(&rt), Some(agreement), &[("If-Match", "\"2\"")]).await;
    assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.text);

    let pt = app.token(&w.provider_in).await;
    let api = app.get("/api/v1/work/actions", &pt).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text);
    let items = api.body["items"].as_array().unwrap().clone();
    let ids: Vec<String> = items
        .iter()
        .map(|i| format!("actie-{}-{}", i["caseId"].as_str().unwrap(), i["actionId"].as_str().unwrap()))
        .collect();
    assert_eq!(ids.len(), 2, "{items:?}");
    assert_eq!(items[0]["actionId"], "a-laat", "the overdue action first");
    assert_eq!(items[0]["standing"], "overdue");
    assert_eq!(items[0]["goal"], "Naar school");
    assert_eq!(items[1]["actionId"], "a1");
    assert_eq!(items[1]["standing"], "open");
    // Each item is what the plan read projects for the provider: the same action, goal and revision.
    for item in &items {
        let case = item["caseId"].as_str().unwrap();
        let v = app.get(&format!("/api/v1/cases/{case}/plans/current"), &pt).await;
        assert_eq!(v.status, StatusCode::OK);
        let action = v.body["content"]["actions"].as_array().unwrap().iter().find(|a| a["id"] == item["actionId"]);
        let action = action.expect("the plan read shows the action");
        assert_eq!(action["description"], item["description"]);
        let goal = v.body["content"]["goals"].as_array().unwrap().iter().find(|g| g["id"] == action["goalId"]).unwrap();
        assert_eq!(goal["description"], item["goal"]);
        let p = v.body["progress"].as_array().unwrap().iter().find(|p| p["actionId"] == item["actionId"]).unwrap();
        assert_eq!(p["revision"], item["revision"]);
    }
    // Paging: one at a time gives the same two, in the same order.
    let first = app.get("/api/v1/work/actions?limit=1", &pt).await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 1);
    let next = first.body["next"].as_str().expect("a cursor").to_string();
    let rest = app.get(&format!("/api/v1/work/actions?limit=1&after={}", urlencode(&next)), &pt).await;
    assert_eq!(rest.body["items"][0]["actionId"], "a1", "{}", rest.text);
    assert!(rest.body["next"].is_null());

    let web = app.web_sign_in(&w.provider_in).await;
    let before = app.audit_events().len();
    let page = web.get(&app, "/acties").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(cards(&page.body), ids, "the page shows the API's items in its order");
    assert!(page.body.contains("<h1>Mijn acties</h1>"));
    assert!(page.body.contains("Te laat") && page.body.contains("Naar school") && page.body.contains("Grip op geld"));
    assert!(page.body.contains(&format!("href=\"/dossiers/{}/plan\"", second.case)), "each links to its plan");
    let event = last_event(&app, &w.provider_in, before);
    assert_eq!((event.data.action.as_str(), event.data.outcome.as_str()), ("plan.actions", "allowed"));
    assert!(event.data.person_ids.contains(&second.child) && event.data.person_ids.contains(&w.child));
    // Mijn werk links to it.
    assert!(web.get(&app, "/").await.body.contains("href=\"/acties\""));
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[actix_web::test]
async fn an_action_on_a_goal_the_consent_does_not_cover_is_shown_nowhere() {
    let app = TestApp::new().await;
    // The goal is the parent's; the consent covers the child only.
    let w = world(&app, GoalOf::Parent).await;
    let pt = app.token(&w.provider_in).await;
    let plan = app.get(&format!("/api/v1/cases/{}/plans/current", w.case), &pt).await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.text);
    assert!(plan.body["content"]["actions"].as_array().unwrap().is_empty(), "the plan read hides it");
    let api = app.get("/api/v1/work/actions", &pt).await;
    assert!(api.body["items"].as_array().unwrap().is_empty(), "and so does the list: {}", api.text);
    let web = app.web_sign_in(&w.provider_in).await;
    let page = web.get(&app, "/acties").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(cards(&page.body).is_empty() && !page.body.contains("Budgetplan") && !page.body.contains("Grip op geld"));
    assert!(page.body.contains("U heeft geen open acties."));
}

// ---------------------------------------------------------------------------------------------------------------
// Progress through the form

#[actix_web::test]
async fn progress_is_recorded_through_the_form_with_its_revision() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Child).await;
    let web = app.web_sign_in(&w.provider_in).await;
    let path = progress_path(&w);
    let revision = progress_of(&app, &w, "a1").await["revision"].to_string();

    // Bezig: recorded, back to Mijn acties with a notice.
    let before = app.audit_events().len();
    let done = web.post(&app, &path, &[("revision", &revision), ("status", "in_progress"), ("doneOn", "")], None).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some(format!("/acties?melding=voortgang#actie-{}-a1", w.case).as_str()));
    let event = last_event(&app, &w.provider_in, before);
    assert_eq!((event.data.action.as_str(), event.data.outcome.as_str()), ("plan.update", "allowed"));
    let now = progress_of(&app, &w, "a1").await;
    assert_eq!(now["status"], "in_progress");
    let list = web.get(&app, "/acties?melding=voortgang").await;
    assert!(list.body.contains("De voortgang is opgeslagen."));
    assert!(list.body.contains(">Bezig</strong>"));

    // A stale revision: 412, shown as a conflict with the choice kept; nothing changed.
    let stale = web.post(&app, &path, &[("revision", &revision), ("status", "cancelled"), ("doneOn", "")], None).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.body);
    assert!(stale.body.contains("Iemand anders heeft de voortgang van deze actie intussen vastgelegd"));
    assert!(stale.body.contains("<option value=\"cancelled\" selected>"), "the choice kept");
    assert_eq!(progress_of(&app, &w, "a1").await, now, "nothing overwritten");

    // Klaar with a date that cannot be read: 422, the error at the field and in the summary, input kept.
    let revision = now["revision"].to_string();
    let bad = web.post(&app, &path, &[("revision", &revision), ("status", "done"), ("doneOn", "gisteren")], None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains(&format!("href=\"#actie-{}-a1-doneOn\"", w.case)), "the summary links to the field");
    assert!(bad.body.contains("Vul een geldige datum in"));
    assert!(bad.body.contains("value=\"gisteren\""), "what was typed is kept");
    assert_eq!(progress_of(&app, &w, "a1").await, now);
    // A date in the future: the API's rule, in Dutch.
    let future =
        web.post(&app, &path, &[("revision", &revision), ("status", "done"), ("doneOn", "2999-01-01")], None).await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.body.contains("Deze datum mag niet in de toekomst liggen."));

    // Klaar without a date: today.
    let ok = web.post(&app, &path, &[("revision", &revision), ("status", "done"), ("doneOn", "")], None).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let done = progress_of(&app, &w, "a1").await;
    assert_eq!(done["status"], "done");
    assert_eq!(done["doneOn"], chrono::Utc::now().date_naive().to_string());
    let list = web.get(&app, "/acties").await;
    assert!(list.body.contains("Klaar of vervallen (1)"), "{}", list.body);

    // Without the session's CSRF token nothing changes.
    let revision = done["revision"].to_string();
    let forged = web.post(&app, &path, &[("revision", &revision), ("status", "planned")], Some("-")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(progress_of(&app, &w, "a1").await, done);
}

// ---------------------------------------------------------------------------------------------------------------
// Consent withdrawn

#[actix_web::test]
async fn a_withdrawn_consent_hides_the_plan_on_the_page_and_in_the_api_alike() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Child).await;
    let web = app.web_sign_in(&w.provider_in).await;
    let plan_path = format!("/dossiers/{}/plan", w.case);
    let seen = web.get(&app, &plan_path).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.body.contains("Budgetplan") && seen.body.contains("Grip op geld"));
    let revision = progress_of(&app, &w, "a1").await["revision"].to_string();

    withdraw_all(&app, &w).await;

    let pt = app.token(&w.provider_in).await;
    assert_eq!(app.get(&format!("/api/v1/cases/{}/plans/current", w.case), &pt).await.status, StatusCode::NOT_FOUND);
    let api = app.get("/api/v1/work/actions", &pt).await;
    assert!(api.body["items"].as_array().unwrap().is_empty(), "{}", api.text);

    let before = app.audit_events().len();
    let page = web.get(&app, &plan_path).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "as the API");
    assert!(page.body.contains(NO_CONSENT), "{}", page.body);
    assert!(page.body.contains("Vraag de regisseur"));
    for hidden in ["Budgetplan", "Grip op geld", "Huur op tijd", "Kind Jansen", "Ouder Jansen"] {
        assert!(!page.body.contains(hidden), "{hidden} shown without consent");
    }
    let event = last_event(&app, &w.provider_in, before);
    assert_eq!((event.data.action.as_str(), event.data.outcome.as_str()), ("plan.read", "denied"));
    // The page says nothing the API does not: an id that was never a case gets the same page.
    let never = web.get(&app, "/dossiers/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/plan").await;
    assert_eq!(never.status, StatusCode::NOT_FOUND);
    assert_eq!(never.body, page.body.replace(&w.case, "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"));
    // The case page alike: 404 as the API's case read, the same words for the household's details.
    let case_page = web.get(&app, &format!("/dossiers/{}", w.case)).await;
    assert_eq!(case_page.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/v1/cases/{}", w.case), &pt).await.status, StatusCode::NOT_FOUND);
    assert!(case_page.body.contains("U heeft geen toestemming om de gegevens van dit huishouden te zien."));
    assert!(!case_page.body.contains("Jansen") && !case_page.body.contains("2712"), "nothing of the household");
    // The list leaves the case out, and the form is refused as the API refuses it.
    let list = web.get(&app, "/acties").await;
    assert!(!list.body.contains("Budgetplan") && cards(&list.body).is_empty());
    let form = web.post(&app, &progress_path(&w), &[("revision", &revision), ("status", "done")], None).await;
    assert_eq!(form.status, StatusCode::NOT_FOUND);
    assert!(form.body.contains(NO_CONSENT));
    let api = app
        .call(
            Method::PUT,
            &format!("/api/v1/cases/{}/plans/actions/a1/progress", w.case),
            Some(&pt),
            Some(json!({"status": "in_progress"})),
            &[("If-Match", &format!("\"{revision}\""))],
        )
        .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn with_basic_details_shared_but_not_the_plan_the_page_names_the_regisseur_from_the_contact_sheet() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Child).await;
    withdraw_all(&app, &w).await;
    let rt = app.token(&w.regisseur).await;
    let today = chrono::Utc::now().date_naive();
    let basic = app
        .post(
            "/api/v1/consents",
            &rt,
            json!({"caseId": w.case, "personId": w.parent, "kind": "consent",
                   "givenBy": [{"personId": w.parent, "capacity": "self"}],
                   "recipientOrganisationIds": [app.provider_org_id], "categories": ["basic"],
                   "purpose": "Contact", "validFrom": today.to_string(),
                   "validUntil": (today + chrono::Duration::days(30)).to_string()}),
        )
        .await;
    assert_eq!(basic.status, StatusCode::CREATED, "{}", basic.text);
    let pt = app.token(&w.provider_in).await;
    let sheet = app.get(&format!("/api/v1/cases/{}/contacts", w.case), &pt).await;
    assert_eq!(sheet.status, StatusCode::OK, "{}", sheet.text);
    let regisseur = sheet.body["professionals"].as_array().unwrap().iter().find(|p| p["kind"] == "regisseur").cloned();
    let regisseur = regisseur.expect("the contact sheet names the regisseur");
    assert_eq!(app.get(&format!("/api/v1/cases/{}/plans/current", w.case), &pt).await.status, StatusCode::NOT_FOUND);

    let web = app.web_sign_in(&w.provider_in).await;
    let page = web.get(&app, &format!("/dossiers/{}/plan", w.case)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains(NO_CONSENT));
    assert!(page.body.contains(regisseur["email"].as_str().unwrap()), "the regisseur's email from the sheet");
    assert!(!page.body.contains("Budgetplan"));
}

// ---------------------------------------------------------------------------------------------------------------
// A provider who directs the case

#[actix_web::test]
async fn a_provider_who_may_direct_accepts_and_works_the_plan_as_regisseur() {
    let app = TestApp::new().await;
    let w = world(&app, GoalOf::Child).await;
    app.backend_sql(
        &format!("UPDATE teams SET provider_may_direct = 1 WHERE id = '{}'", app.team_id),
        &format!("UPDATE teams SET provider_may_direct = true WHERE id = '{}'", app.team_id),
    );
    let lt = app.token(&w.lead).await;
    let proposed = app
        .call(
            Method::PUT,
            &format!("/api/v1/cases/{}/regisseur", w.case),
            Some(&lt),
            Some(json!({"userId": w.provider_in.id})),
            &[],
        )
        .await;
    assert_eq!(proposed.status, StatusCode::CREATED, "{}", proposed.text);

    let web: WebSession = app.web_sign_in(&w.provider_in).await;
    let case_page = web.get(&app, &format!("/dossiers/{}", w.case)).await;
    assert_eq!(case_page.status, StatusCode::OK, "{}", case_page.body);
    assert!(case_page.body.contains("/regisseur/accepteren"), "the proposal to answer");
    let accepted = web.post(&app, &format!("/dossiers/{}/regisseur/accepteren", w.case), &[], None).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(accepted.location.as_deref(), Some(format!("/dossiers/{}?gedaan=geaccepteerd", w.case).as_str()));
    let pt = app.token(&w.provider_in).await;
    let history = app.get(&format!("/api/v1/cases/{}/regisseur", w.case), &pt).await;
    assert!(history.text.contains(&w.provider_in.id) && history.text.contains("\"active\""), "{}", history.text);

    // Now the whole plan, with the family's names from the contact sheet, and the draft to start and edit.
    let plan = web.get(&app, &format!("/dossiers/{}/plan", w.case)).await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    assert!(plan.body.contains("Concept starten"), "the regisseur's part of the page");
    assert!(plan.body.contains("Kind Jansen"), "names from the contact sheet: {}", plan.body);
    let started = web.post(&app, &format!("/dossiers/{}/plan/concept", w.case), &[], None).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let edit = started.location.expect("to the edit form");
    let form = web.get(&app, &edit).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("Ouder Jansen") && form.body.contains("Grip op geld"), "the draft with the family");
    let agree = web.get(&app, &format!("/dossiers/{}/plan/2/instemming", w.case)).await;
    assert_eq!(agree.status, StatusCode::OK, "{}", agree.body);
}
