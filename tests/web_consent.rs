//! The Toestemming screen: the case's consents, recording one with the givers the age rules require (all errors at
//! once, input kept, nothing changed), withdrawing one, CSRF, "bekijk als…" compared with what the provider really
//! gets from the API, and every role × page × in/out of scope against the API's answer, with the audit event.

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
/// a provider is involved; an agreed plan with one goal (the child's finances) and one action of the provider; the
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
        "goals": [{"id": "g1", "domain": "financien", "personId": child, "description": "Grip op geld",
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

async fn consents(app: &TestApp, token: &str, case: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/v1/consents?caseId={case}"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body.as_array().unwrap().clone()
}

// ---- tests ----

#[actix_web::test]
async fn the_regisseur_sees_the_consents_and_who_must_consent_by_age() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let web = sign_in(&app, &w.regisseur).await;
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
    let w = world(&app).await;
    let web = sign_in(&app, &w.regisseur).await;
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
    let w = world(&app).await;
    let web = sign_in(&app, &w.regisseur).await;
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
    let w = world(&app).await;
    let web = sign_in(&app, &w.regisseur).await;
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
    let w = world(&app).await;
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
    let web = sign_in(&app, &w.regisseur).await;
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
    let w = world(&app).await;
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
            Actor::Other(_) => (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN),
        };
        assert_eq!((history, preview), (expected_history, expected_preview), "{actor:?}: the API");
        let user = if user.totp_secret.is_some() { user_for(&app, &w, actor) } else { user };
        let web = sign_in(&app, &user).await;
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
