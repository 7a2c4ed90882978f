//! Every page's audit event names the page's primary act (the read it is for, or the change its form makes),
//! with the same action and basis as the JSON API's read of the same thing; out of scope the primary read refused
//! (404, denied); a refused form the change with the response's status.

mod common;

use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

use common::world::{household_case_and_person, world, GoalOf, World};
use common::{Response, TestApp, TestUser};
use eenplan::access::Role;
use eenplan::audit::model::EventData;

fn last_event_of(app: &TestApp, user: &TestUser) -> EventData {
    app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(&user.id)).unwrap().data
}

async fn household_and_case(app: &TestApp, creator: &TestUser) -> String {
    household_case_and_person(app, creator).await.1
}

/// A page's event against the API read's event of the same user: same action, resource, case and basis.
async fn page_is_audited_as_api(
    app: &TestApp,
    user: &TestUser,
    s: &common::pages::WebSession,
    page: &str,
    api: &str,
) -> EventData {
    let res = app.page(s, page).await;
    assert_eq!(res.status, StatusCode::OK, "{page}: {}", res.text);
    let p = last_event_of(app, user);
    let res = app.get(api, &app.token(user).await).await;
    assert_eq!(res.status, StatusCode::OK, "{api}: {}", res.text);
    let a = last_event_of(app, user);
    assert_eq!(p.action, a.action, "{page} is audited as {api}");
    assert_eq!(p.basis, a.basis, "{page}: the basis of {api}");
    assert_eq!(p.resource_id, a.resource_id, "{page}");
    assert_eq!(p.case_id, a.case_id, "{page}");
    assert_eq!(p.http_status, Some(200));
    assert_eq!(p.outcome, "allowed");
    p
}

/// The event of a web request that answered `status`.
fn web_event(app: &TestApp, user: &TestUser, res: &Response, status: StatusCode, what: &str) -> EventData {
    assert_eq!(res.status, status, "{what}: {}", res.text);
    last_event_of(app, user)
}

/// One request of the JSON API (`If-Match` when a revision is given); its event, after it answered `status`.
#[derive(Clone)]
struct Api<'a> {
    method: Method,
    path: String,
    body: Option<Value>,
    if_match: Option<&'a str>,
}

impl Api<'_> {
    fn get(path: String) -> Api<'static> {
        Api { method: Method::GET, path, body: None, if_match: None }
    }

    async fn event(self, app: &TestApp, user: &TestUser, status: StatusCode) -> EventData {
        let token = app.token(user).await;
        let headers: Vec<(&str, &str)> = self.if_match.map(|m| ("If-Match", m)).into_iter().collect();
        let res = app.call(self.method, &self.path, Some(&token), self.body, &headers).await;
        assert_eq!(res.status, status, "{}: {}", self.path, res.text);
        last_event_of(app, user)
    }
}

/// The page's event and the API's event of the same request by the same user name the same act, outcome, basis,
/// resource and case, with the same status.
fn assert_alike(page: &EventData, api: &EventData, what: &str) {
    assert_eq!((&page.action, &page.resource_type), (&api.action, &api.resource_type), "{what}: the API's act");
    assert_eq!(page.outcome, api.outcome, "{what}: outcome");
    assert_eq!(page.basis, api.basis, "{what}: basis");
    assert_eq!(page.resource_id, api.resource_id, "{what}: resource");
    assert_eq!(page.case_id, api.case_id, "{what}: case");
    assert_eq!(page.http_status, api.http_status, "{what}: status");
}

/// The world with a draft (version 2) started from the agreed plan (version 1).
async fn world_with_draft(app: &TestApp) -> World {
    let w = world(app, GoalOf::Child).await;
    let rt = app.token(&w.regisseur).await;
    let res = app.post(&format!("/api/v1/cases/{}/plans", w.case), &rt, json!({})).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["number"], 2);
    w
}

/// (page, the API read of the same thing) for the plan's, the ZRM's and the consents' pages that read one thing.
fn reading_pages(app: &TestApp, w: &World) -> Vec<(String, String)> {
    let (c, org, child) = (&w.case, &app.provider_org_id, &w.child);
    vec![
        (format!("/dossiers/{c}/plan/2/bewerken"), format!("/api/v1/cases/{c}/plans/2")),
        (format!("/dossiers/{c}/plan/2/instemming"), format!("/api/v1/cases/{c}/plans/2")),
        (format!("/dossiers/{c}/plan/verschil"), format!("/api/v1/cases/{c}/plans")),
        (format!("/dossiers/{c}/plan/verschil?van=1&naar=2"), format!("/api/v1/cases/{c}/plans/compare?from=1&to=2")),
        (format!("/dossiers/{c}/plan/current/afdrukken"), format!("/api/v1/cases/{c}/plans/current/document")),
        (format!("/dossiers/{c}/plan/1/afdrukken"), format!("/api/v1/cases/{c}/plans/1/document")),
        (
            format!("/dossiers/{c}/toestemming/bekijk-als?organisatie={org}"),
            format!("/api/v1/cases/{c}/consent-preview?organisationId={org}"),
        ),
        (format!("/dossiers/{c}/zrm/nieuw?voor={child}"), format!("/api/v1/cases/{c}/contacts")),
        (format!("/dossiers/{c}/toestemming/nieuw?voor={child}"), format!("/api/v1/consents?caseId={c}")),
    ]
}

#[actix_web::test]
async fn every_page_is_audited_as_its_primary_read_like_the_api() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let case = household_and_case(&app, &creator).await;
    let s = app.web_sign_in_after_api(&creator).await;
    // (page, the API read of the same thing, its action)
    let table = [
        (format!("/dossiers/{case}"), format!("/api/v1/cases/{case}"), "case.read"),
        (format!("/dossiers/{case}/plan"), format!("/api/v1/cases/{case}/plans"), ""),
        (format!("/dossiers/{case}/zrm"), format!("/api/v1/cases/{case}/assessments"), ""),
        (format!("/dossiers/{case}/toestemming"), format!("/api/v1/consents?caseId={case}"), ""),
        ("/".to_string(), "/api/v1/work".to_string(), ""),
    ];
    for (page, api, action) in table {
        let e = page_is_audited_as_api(&app, &creator, &s, &page, &api).await;
        if !action.is_empty() {
            assert_eq!(e.action, action, "{page}");
        }
        // Without keeping the act the case page would be named by its last read (the regisseur history, a
        // case.read too, but on the case's involvements): the case id and resource are the case's own.
        if page != "/" {
            assert_eq!(e.resource_id.as_deref(), Some(case.as_str()), "{page}");
        }
    }
}

#[actix_web::test]
async fn the_plan_consent_and_zrm_pages_are_audited_as_the_api_reads_them() {
    let app = TestApp::new().await;
    let w = world_with_draft(&app).await;
    let s = app.web_sign_in_after_api(&w.regisseur).await;
    for (page, api) in reading_pages(&app, &w) {
        let e = page_is_audited_as_api(&app, &w.regisseur, &s, &page, &api).await;
        assert_eq!(e.case_id.as_deref(), Some(w.case.as_str()), "{page}");
        // The edit form and the agreement form are the draft's read, not the names they show beside it.
        if page.ends_with("/bewerken") || page.ends_with("/instemming") {
            assert_eq!((e.action.as_str(), e.resource_type.as_str()), ("plan.read", "plan"), "{page}");
        }
    }
}

#[actix_web::test]
async fn an_out_of_scope_page_is_audited_as_its_refused_primary_read() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let case = household_and_case(&app, &creator).await;
    let other = app.user_in_other_team(Role::Wijkteam);
    let s = app.web_sign_in_after_api(&other).await;
    for (page, action) in [(format!("/dossiers/{case}"), "case.read"), (format!("/dossiers/{case}/plan"), "plan.read")]
    {
        let res = app.page(&s, &page).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{page}");
        let e = last_event_of(&app, &other);
        assert_eq!(e.action, action, "{page}");
        assert_eq!(e.outcome, "denied", "{page}");
        assert_eq!(e.http_status, Some(404), "{page}");
    }
}

#[actix_web::test]
async fn the_plan_consent_and_zrm_pages_out_of_scope_are_audited_as_the_apis_refusal() {
    let app = TestApp::new().await;
    let w = world_with_draft(&app).await;
    let other = app.user_in_other_team(Role::Wijkteam);
    let s = app.web_sign_in_after_api(&other).await;
    for (page, api) in reading_pages(&app, &w) {
        let p = web_event(&app, &other, &app.page(&s, &page).await, StatusCode::NOT_FOUND, &page);
        let a = Api::get(api).event(&app, &other, StatusCode::NOT_FOUND).await;
        assert_alike(&p, &a, &page);
        assert_eq!(p.outcome, "denied", "{page}");
        // The agreement form is the draft's refused read, not the refused read of the names.
        if page.ends_with("/instemming") {
            assert_eq!(p.action, "plan.read", "{page}");
        }
    }
}

/// A form's fields, as posted (the session's CSRF token is added).
type Fields<'a> = Vec<(&'a str, &'a str)>;

/// The edit form's fields for the draft (version 2, revision 1) with one goal; `due` as typed.
fn draft_fields<'a>(due: &'a str, button: &'a str) -> Fields<'a> {
    vec![
        ("revision", "1"),
        ("goals[0].id", "g1"),
        ("goals[0].domain", "financien"),
        ("goals[0].description", "Grip op geld"),
        ("goals[0].dueDate", due),
        ("goals[0].status", "open"),
        ("knop", button),
    ]
}

/// The API's save of the draft with a goal whose target score is out of range: 422.
fn api_refused_save(case: &str) -> Api<'static> {
    Api {
        method: Method::PUT,
        path: format!("/api/v1/cases/{case}/plans/2"),
        body: Some(json!({"content": {"goals": [
            {"id": "g1", "description": "Grip op geld", "targetScore": 9, "status": "open"}]}})),
        if_match: Some("\"1\""),
    }
}

#[actix_web::test]
async fn a_refused_draft_save_is_audited_as_the_plan_update_and_another_row_as_the_draft_read() {
    let app = TestApp::new().await;
    let w = world_with_draft(&app).await;
    let edit = format!("/dossiers/{}/plan/2/bewerken", w.case);
    let s = app.web_sign_in_after_api(&w.regisseur).await;

    // A date the page cannot read: 422, audited as the plan update refused (not as the names' read), with the case.
    let res = app.submit(&s, &edit, &draft_fields("morgen", "opslaan")).await;
    let p = web_event(&app, &w.regisseur, &res, StatusCode::UNPROCESSABLE_ENTITY, "an unreadable date");
    assert!(res.text.contains("Doel 1: klaar vóór"), "the error is on the goal's date: {}", res.text);
    let a = api_refused_save(&w.case).event(&app, &w.regisseur, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_alike(&p, &a, "an unreadable date");
    assert_eq!((p.action.as_str(), p.case_id.as_deref()), ("plan.update", Some(w.case.as_str())));
    // Nothing was saved.
    let draft = app.get(&format!("/api/v1/cases/{}/plans/2", w.case), &app.token(&w.regisseur).await).await;
    assert_eq!(draft.body["revision"], 1, "{}", draft.text);

    // A rule of the plan the service finds: 422, the plan update too.
    let fields = [("revision", "1"), ("goals[0].id", "g1"), ("goals[0].targetScore", "9"), ("knop", "opslaan")];
    let p = web_event(&app, &w.regisseur, &app.submit(&s, &edit, &fields).await, StatusCode::UNPROCESSABLE_ENTITY, "");
    assert_alike(&p, &a, "a score out of range");

    // Another row: nothing saved, the draft shown again as typed: audited as the draft's read, like the API's.
    let res = app.submit(&s, &edit, &draft_fields("2027-06-01", "rij-doel")).await;
    let p = web_event(&app, &w.regisseur, &res, StatusCode::OK, "another row");
    let a = Api::get(format!("/api/v1/cases/{}/plans/2", w.case)).event(&app, &w.regisseur, StatusCode::OK).await;
    assert_alike(&p, &a, "another row");
    assert_eq!(p.action, "plan.read");

    // Out of scope, whatever the form holds: 404, the plan update refused; another row the draft's read refused.
    let other = app.user_in_other_team(Role::Wijkteam);
    let s = app.web_sign_in_after_api(&other).await;
    let refused = api_refused_save(&w.case).event(&app, &other, StatusCode::NOT_FOUND).await;
    assert_eq!((refused.action.as_str(), refused.outcome.as_str()), ("plan.update", "denied"));
    for due in ["2027-06-01", "morgen"] {
        let res = app.submit(&s, &edit, &draft_fields(due, "opslaan")).await;
        let p = web_event(&app, &other, &res, StatusCode::NOT_FOUND, due);
        assert_alike(&p, &refused, due);
    }
    let res = app.submit(&s, &edit, &draft_fields("2027-06-01", "rij-actie")).await;
    let p = web_event(&app, &other, &res, StatusCode::NOT_FOUND, "another row out of scope");
    let a = Api::get(format!("/api/v1/cases/{}/plans/2", w.case)).event(&app, &other, StatusCode::NOT_FOUND).await;
    assert_alike(&p, &a, "another row out of scope");
}

#[actix_web::test]
async fn refused_agreement_consent_and_zrm_forms_are_audited_as_the_apis_refusal_with_the_case() {
    let app = TestApp::new().await;
    let w = world_with_draft(&app).await;
    let (c, org, child) = (w.case.clone(), app.provider_org_id.clone(), w.child.clone());
    let today = chrono::Utc::now().date_naive().to_string();
    let later = (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string();
    // (form, its fields, the API's request of the same change): each refused for a missing field.
    let forms: Vec<(String, Fields, Api)> = vec![
        (
            format!("/dossiers/{c}/plan/2/instemming"),
            vec![("revision", "1"), ("answer", "agree"), ("method", "paper")],
            Api {
                method: Method::POST,
                path: format!("/api/v1/cases/{c}/plans/2/agree"),
                body: Some(json!({"agreement": {"memberIds": [], "method": "paper"}})),
                if_match: Some("\"1\""),
            },
        ),
        (
            format!("/dossiers/{c}/toestemming"),
            vec![
                ("personId", &child),
                ("giver", "self"),
                ("category", "plan"),
                ("recipient", &org),
                ("validFrom", &today),
                ("validUntil", &later),
            ],
            Api {
                method: Method::POST,
                path: "/api/v1/consents".into(),
                body: Some(json!({"caseId": c, "personId": child, "kind": "consent",
                                  "givenBy": [{"personId": child, "capacity": "self"}],
                                  "recipientOrganisationIds": [org], "categories": ["plan"],
                                  "validFrom": today, "validUntil": later})),
                if_match: None,
            },
        ),
        (
            format!("/dossiers/{c}/zrm"),
            vec![("voor", "huishouden"), ("assessedOn", &today)],
            Api {
                method: Method::POST,
                path: format!("/api/v1/cases/{c}/assessments"),
                body: Some(json!({"assessedOn": today, "scores": {}})),
                if_match: None,
            },
        ),
    ];
    let s = app.web_sign_in_after_api(&w.regisseur).await;
    let other = app.user_in_other_team(Role::Wijkteam);
    let t = app.web_sign_in_after_api(&other).await;
    for (form, fields, api) in forms {
        let res = app.submit(&s, &form, &fields).await;
        let p = web_event(&app, &w.regisseur, &res, StatusCode::UNPROCESSABLE_ENTITY, &form);
        let a = api.clone().event(&app, &w.regisseur, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_alike(&p, &a, &form);
        // The refusal names the case it was for.
        assert_eq!(p.case_id.as_deref(), Some(c.as_str()), "{form}: the case");
        assert_eq!(p.resource_id.as_deref(), Some(c.as_str()), "{form}: the resource");
        assert_eq!(p.outcome, "failed", "{form}: a refused form, not a refused caller");
        // Out of scope the same form is not found, never a 422 that would tell the case exists.
        let p = web_event(&app, &other, &app.submit(&t, &form, &fields).await, StatusCode::NOT_FOUND, &form);
        let a = api.event(&app, &other, StatusCode::NOT_FOUND).await;
        assert_alike(&p, &a, &form);
        assert_eq!(p.outcome, "denied", "{form}");
    }
}

#[actix_web::test]
async fn a_refused_form_is_audited_as_its_change_with_the_pages_status() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let case = household_and_case(&app, &creator).await;
    let s = app.web_sign_in_after_api(&creator).await;
    // A stale version: 412, audited as the change of state, not as the case read that shows the page again.
    let res = app.submit(&s, &format!("/dossiers/{case}/fase"), &[("version", "999"), ("state", "intake")]).await;
    assert_eq!(res.status, StatusCode::PRECONDITION_FAILED, "{}", res.text);
    let e = last_event_of(&app, &creator);
    assert_eq!((e.action.as_str(), e.http_status), ("case.update", Some(412)));
    // A proposal without a regisseur: 422, audited as the change.
    let res = app.submit(&s, &format!("/dossiers/{case}/regisseur"), &[("reason", "x")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let e = last_event_of(&app, &creator);
    assert_eq!((e.action.as_str(), e.http_status), ("case.update", Some(422)));
}
