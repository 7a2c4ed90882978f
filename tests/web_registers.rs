//! The registers' screens: Extra bescherming (privacy officer) and Eigen huishouden (administrator) call the same
//! service functions as the API — what the page records is what the API lists, each page view audited like the
//! API's read — and every other role is refused each page and each form. On SQLite and PostgreSQL.

mod common;

use actix_web::http::StatusCode;

use common::world::household_case_and_person;
use common::TestApp;
use eenplan::access::Role;

#[actix_web::test]
async fn each_register_page_for_its_keeper_alone_and_the_same_as_the_api() {
    let app = TestApp::new().await;
    let member = app.user(Role::Wijkteam);
    let (_, _, person) = household_case_and_person(&app, &member).await;
    for role in Role::ALL {
        let user = app.user(role);
        let _ = app.token(&user).await;
        let web = app.web_sign_in_after_api(&user).await;
        let officer = role == Role::PrivacyOfficer;
        let admin = role == Role::Admin;
        let status = |ok: bool| if ok { StatusCode::OK } else { StatusCode::FORBIDDEN };
        for (path, ok) in [
            ("/inzage/bescherming".to_string(), officer),
            (format!("/inzage/personen/{person}/bescherming"), officer),
            (format!("/beheer/gebruikers/{}/eigen-huishouden", member.id), admin),
        ] {
            let page = web.get(&app, &path).await;
            assert_eq!(page.status, status(ok), "{role:?} {path}");
            assert_eq!(page.body.contains("Sanne de Vries"), ok && path.contains("personen"), "{role:?} {path}");
            let e = app.audit_events().pop().unwrap().data;
            assert_eq!(e.user_id.as_deref(), Some(user.id.as_str()), "{role:?} {path}: the view is audited");
            assert_eq!(e.outcome, if ok { "allowed" } else { "denied" }, "{role:?} {path}");
        }
        let protect =
            web.post(&app, &format!("/inzage/personen/{person}/bescherming"), &[("reden", "colleague")], None).await;
        assert_eq!(protect.status, if officer { StatusCode::SEE_OTHER } else { StatusCode::FORBIDDEN }, "{role:?}");
        let link = web
            .post(
                &app,
                &format!("/beheer/gebruikers/{}/eigen-huishouden", member.id),
                &[("achternaam", "Jansen")],
                None,
            )
            .await;
        assert_eq!(link.status, if admin { StatusCode::SEE_OTHER } else { StatusCode::FORBIDDEN }, "{role:?}");
    }

    // What the pages recorded is the API's, and the pages show it.
    let officer = app.token(&app.user(Role::PrivacyOfficer)).await;
    let theirs = app.get(&format!("/api/v1/audit/persons/{person}/protections"), &officer).await;
    let items = theirs.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", theirs.text);
    assert_eq!((items[0]["reason"].as_str(), items[0]["endedAt"].is_null()), (Some("colleague"), true));
    let admin = app.user(Role::Admin);
    let links = app.get(&format!("/api/v1/users/{}/own-households", member.id), &app.token(&admin).await).await;
    let items = links.body["items"].as_array().unwrap();
    assert_eq!((items.len(), items[0]["surname"].as_str()), (1, Some("Jansen")), "{}", links.text);
    let web = app.web_sign_in_after_api(&admin).await;
    let page = web.get(&app, &format!("/beheer/gebruikers/{}/eigen-huishouden", member.id)).await;
    assert!(page.body.contains("<td>Jansen</td>"), "{}", page.body);
}

/// A house number that is not a number is reported with every other field, and nothing is recorded.
#[actix_web::test]
async fn the_own_household_form_reports_every_error_at_once() {
    let app = TestApp::new().await;
    let member = app.user(Role::Wijkteam);
    let admin = app.user(Role::Admin);
    let _ = app.token(&admin).await;
    let web = app.web_sign_in_after_api(&admin).await;
    let path = format!("/beheer/gebruikers/{}/eigen-huishouden", member.id);
    let page = web.post(&app, &path, &[("postcode", "12"), ("huisnummer", "drie"), ("achternaam", "")], None).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Vul een postcode in zoals 2711 AB."), "{}", page.body);
    assert!(page.body.contains("Vul een huisnummer in (alleen cijfers)."), "{}", page.body);
    assert!(page.body.contains("value=\"drie\""), "the input kept");
    let links = app.get(&format!("/api/v1/users/{}/own-households", member.id), &app.token(&admin).await).await;
    assert!(links.body["items"].as_array().unwrap().is_empty(), "{}", links.text);
}
