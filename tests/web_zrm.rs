//! The ZRM screen: what the regisseur sees (the server-drawn radar with its table, progress side by side, the
//! warning on a low domain without a goal), recording an assessment through the form (all errors at once, input
//! kept, nothing changed), CSRF, and every role × page × in/out of scope against the API's own answer, with the
//! page view's audit event.

mod common;

use actix_web::http::{Method, StatusCode};
use actix_web::test::{self, TestRequest};
use serde_json::{json, Value};

use common::{TestApp, TestUser};
use eenplan::access::Role;

// ---- web client helpers (signed-in requests with the session cookie) ----

struct Web {
    cookie: String,
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

async fn send(app: &TestApp, req: TestRequest) -> (StatusCode, actix_web::http::header::HeaderMap, String) {
    let service = test::init_service(eenplan::build_app(app.state.clone())).await;
    let res = test::call_service(&service, req.peer_addr("192.0.2.20:40000".parse().unwrap()).to_request()).await;
    let status = res.status();
    let headers = res.headers().clone();
    let body = String::from_utf8_lossy(&test::read_body(res).await).to_string();
    (status, headers, body)
}

fn set_cookie(headers: &actix_web::http::header::HeaderMap, name: &str) -> Option<String> {
    headers.get_all("set-cookie").filter_map(|v| v.to_str().ok()).find_map(|v| {
        let (pair, _) = v.split_once(';').unwrap_or((v, ""));
        let (k, val) = pair.split_once('=')?;
        (k == name && !val.is_empty()).then(|| val.to_string())
    })
}

fn form_csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

fn encode(fields: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish()
}

async fn sign_in(app: &TestApp, user: &TestUser) -> Web {
    let (_, headers, html) = send(app, TestRequest::get().uri("/aanmelden")).await;
    let form_cookie = set_cookie(&headers, "__Host-eenplan-aanmelden").expect("the sign-in form's cookie");
    let totp = user.totp_secret.as_deref().map(TestApp::totp_now).unwrap_or_default();
    let body =
        encode(&[("email", &user.email), ("password", &user.password), ("totp", &totp), ("csrf", &form_csrf(&html))]);
    let (status, headers, text) = send(
        app,
        TestRequest::post()
            .uri("/aanmelden")
            .insert_header(("cookie", format!("__Host-eenplan-aanmelden={form_cookie}")))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(body),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "sign-in of {}: {text}", user.email);
    Web { cookie: set_cookie(&headers, "__Host-eenplan").expect("the session cookie") }
}

impl Web {
    fn csrf(&self) -> String {
        eenplan::auth::model::csrf_token(&self.cookie)
    }

    async fn get(&self, app: &TestApp, path: &str) -> Answer {
        let req = TestRequest::get().uri(path).insert_header(("cookie", format!("__Host-eenplan={}", self.cookie)));
        let (status, headers, body) = send(app, req).await;
        Answer { status, location: headers.get("location").and_then(|v| v.to_str().ok()).map(str::to_string), body }
    }

    /// A form POST; `csrf` None sends the session's own token.
    async fn post(&self, app: &TestApp, path: &str, fields: &[(&str, &str)], csrf: Option<&str>) -> Answer {
        let token = csrf.map(str::to_string).unwrap_or_else(|| self.csrf());
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if csrf != Some("-") {
            all.push(("csrf", &token));
        }
        let req = TestRequest::post()
            .uri(path)
            .insert_header(("cookie", format!("__Host-eenplan={}", self.cookie)))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(encode(&all));
        let (status, headers, body) = send(app, req).await;
        Answer { status, location: headers.get("location").and_then(|v| v.to_str().ok()).map(str::to_string), body }
    }
}

// ---- the world ----

#[derive(Debug, Clone, Copy, PartialEq)]
enum Actor {
    Regisseur,
    Member,
    Colleague,
    Lead,
    OtherLead,
    ProviderInvolved,
    ProviderOutside,
    Other(Role),
}

const ACTORS: [Actor; 12] = [
    Actor::Regisseur,
    Actor::Member,
    Actor::Colleague,
    Actor::Lead,
    Actor::OtherLead,
    Actor::ProviderInvolved,
    Actor::ProviderOutside,
    Actor::Other(Role::Signaller),
    Actor::Other(Role::Matchregisseur),
    Actor::Other(Role::Procescoordinator),
    Actor::Other(Role::PrivacyOfficer),
    Actor::Other(Role::Admin),
];

struct World {
    member: TestUser,
    regisseur: TestUser,
    lead: TestUser,
    provider_in: TestUser,
    case: String,
    parent: String,
    child: String,
}

/// A household (a parent with custody, a child of 14) with an open case: `member` opened it, `regisseur` directs it,
/// a provider is involved; an agreed plan with one goal (the parent's finances) and one action of the provider; the
/// provider's organisation has the consent of the child and the parent for the plan and the ZRM of the child.
async fn world(app: &TestApp) -> World {
    let member = app.user(Role::Wijkteam);
    let regisseur = app.user(Role::Wijkteam);
    let lead = app.user(Role::Teamleider);
    let provider_in = app.user(Role::Provider);
    let (mt, lt, rt) = (app.token(&member).await, app.token(&lead).await, app.token(&regisseur).await);
    let h = app
        .post(
            "/api/v1/households",
            &mt,
            json!({"postcode": "2712CD", "houseNumber": 7, "wijk": "Meerzicht", "teamId": app.team_id}),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    let household = h.body["id"].as_str().unwrap().to_string();
    let members_path = format!("/api/v1/households/{household}/members");
    let today = chrono::Utc::now().date_naive();
    let born_14 = (today - chrono::Duration::days(14 * 365 + 100)).to_string();
    let p = app
        .post(&members_path, &mt, json!({"person": {"name": "Ouder Jansen", "birthDate": "1980-01-01"}, "relation": "parent", "custody": true, "from": "2010-01-01"}))
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.text);
    let c = app
        .post(
            &members_path,
            &mt,
            json!({"person": {"name": "Kind Jansen", "birthDate": born_14}, "relation": "child", "from": "2012-01-01"}),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    let (parent, child) =
        (p.body["person"]["id"].as_str().unwrap().to_string(), c.body["person"]["id"].as_str().unwrap().to_string());
    let case = app.post("/api/v1/cases", &mt, json!({"householdId": household, "laws": ["Jeugdwet"]})).await;
    let case = case.body["id"].as_str().unwrap().to_string();
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/cases/{case}/regisseur"),
            Some(&lt),
            Some(json!({"userId": regisseur.id})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        app.post(&format!("/api/v1/cases/{case}/regisseur/accept"), &rt, json!({})).await.status,
        StatusCode::OK
    );
    let inv = app
        .post(
            &format!("/api/v1/cases/{case}/involvements"),
            &rt,
            json!({"userId": provider_in.id, "roleInCase": "jeugdhulp"}),
        )
        .await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.text);
    let plans = format!("/api/v1/cases/{case}/plans");
    assert_eq!(app.post(&plans, &rt, json!({})).await.status, StatusCode::CREATED);
    let content = json!({"content": {
        "goals": [{"id": "g1", "domain": "financien", "personId": parent, "description": "Grip op geld",
                   "target": "Huur op tijd", "dueDate": "2027-06-01", "status": "open"}],
        "actions": [{"id": "a1", "goalId": "g1", "description": "Budgetplan", "dueDate": "2027-01-01",
                     "owner": {"kind": "professional", "userId": provider_in.id}}],
        "nextEvaluationDate": "2027-03-01"}});
    let put = app.call(Method::PUT, &format!("{plans}/1"), Some(&rt), Some(content), &[("If-Match", "\"1\"")]).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    let agreement = json!({"agreement": {"memberIds": [parent], "method": "paper"}});
    let agreed =
        app.call(Method::POST, &format!("{plans}/1/agree"), Some(&rt), Some(agreement), &[("If-Match", "\"2\"")]).await;
    assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.text);
    let consent = app
        .post(
            "/api/v1/consents",
            &rt,
            json!({"caseId": case, "personId": child, "kind": "consent",
                   "givenBy": [{"personId": child, "capacity": "self"}, {"personId": parent, "capacity": "custodian"}],
                   "recipientOrganisationIds": [app.provider_org_id], "categories": ["plan", "zrm"],
                   "purpose": "Afstemmen", "validFrom": today.to_string(),
                   "validUntil": (today + chrono::Duration::days(30)).to_string()}),
        )
        .await;
    assert_eq!(consent.status, StatusCode::CREATED, "{}", consent.text);
    World { member, regisseur, lead, provider_in, case, parent, child }
}

fn user_for(app: &TestApp, w: &World, actor: Actor) -> TestUser {
    match actor {
        Actor::Regisseur => w.regisseur.clone(),
        Actor::Member => w.member.clone(),
        Actor::Colleague => app.user(Role::Wijkteam),
        Actor::Lead => w.lead.clone(),
        Actor::OtherLead => app.user_in_other_team(Role::Teamleider),
        Actor::ProviderInvolved => w.provider_in.clone(),
        Actor::ProviderOutside => app.user(Role::Provider),
        Actor::Other(role) => app.user(role),
    }
}

async fn assessments(app: &TestApp, rt: &str, case: &str) -> common::Response {
    app.get(&format!("/api/v1/cases/{case}/assessments"), rt).await
}

// ---- tests ----

#[actix_web::test]
async fn the_regisseur_records_assessments_and_sees_the_radar_the_table_the_progress_and_the_warning() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let web = sign_in(&app, &w.regisseur).await;
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
    let w = world(&app).await;
    let web = sign_in(&app, &w.regisseur).await;
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
    let w = world(&app).await;
    let web = sign_in(&app, &w.regisseur).await;
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
    let w = world(&app).await;
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
        let web = sign_in(&app, &user).await;
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
