//! Every page's audit event names the page's primary act (the read it is for, or the change its form makes),
//! with the same action and basis as the JSON API's read of the same thing; out of scope the primary read refused
//! (404, denied); a refused form the change with the response's status.

mod common;

use actix_web::http::StatusCode;
use serde_json::json;

use common::pages::WebSession;
use common::{TestApp, TestUser};
use eenplan::access::Role;
use eenplan::audit::model::EventData;

/// Signs in to the web client with the next step's code: the API's sign-in of the same user may have used this
/// step's (no replay).
async fn web_sign_in(app: &TestApp, user: &TestUser) -> WebSession {
    let code = user
        .totp_secret
        .as_deref()
        .map(|secret| eenplan::auth::model::totp_code_now(secret, chrono::Utc::now().timestamp() + 30).unwrap());
    let res = app.web_sign_in_response(user, code.as_deref()).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "web sign-in of {}: {}", user.email, res.text);
    let cookie = common::pages::set_cookie(&res, common::pages::SESSION_COOKIE).expect("a session cookie");
    WebSession { csrf: eenplan::auth::model::csrf_token(&cookie), cookie }
}

fn last_event_of(app: &TestApp, user: &TestUser) -> EventData {
    app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(&user.id)).unwrap().data
}

async fn household_and_case(app: &TestApp, creator: &TestUser) -> String {
    let token = app.token(creator).await;
    let h = app
        .post(
            "/api/v1/households",
            &token,
            json!({"postcode": "2711 ab", "houseNumber": 12, "wijk": "Centrum", "teamId": app.team_id}),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    let household = h.body["id"].as_str().unwrap().to_string();
    let m = app
        .post(
            &format!("/api/v1/households/{household}/members"),
            &token,
            json!({"person": {"name": "Sanne de Vries", "birthDate": "1988-04-02"}, "relation": "parent",
                   "custody": true, "from": "2020-01-01"}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.text);
    let c = app.post("/api/v1/cases", &token, json!({"householdId": household, "laws": ["Jeugdwet"]})).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    c.body["id"].as_str().unwrap().to_string()
}

/// A page's event against the API read's event of the same user: same action, resource, case and basis.
async fn page_is_audited_as_api(app: &TestApp, user: &TestUser, s: &WebSession, page: &str, api: &str) -> EventData {
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

#[actix_web::test]
async fn every_page_is_audited_as_its_primary_read_like_the_api() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let case = household_and_case(&app, &creator).await;
    let s = web_sign_in(&app, &creator).await;
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
async fn an_out_of_scope_page_is_audited_as_its_refused_primary_read() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let case = household_and_case(&app, &creator).await;
    let other = app.user_in_other_team(Role::Wijkteam);
    let s = web_sign_in(&app, &other).await;
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
async fn a_refused_form_is_audited_as_its_change_with_the_pages_status() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let case = household_and_case(&app, &creator).await;
    let s = web_sign_in(&app, &creator).await;
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
