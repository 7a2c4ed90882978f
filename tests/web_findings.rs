//! Meldingen and Controles, the privacy officer's screens for suspicious access and log reviews: a scan of a period
//! from the page finds what the API finds, a finding is taken on, judged and closed through forms (every refusal
//! shown with its field), a review is recorded and the warning goes away; every other role is refused each page.
//! On SQLite and PostgreSQL.

mod common;

use actix_web::http::StatusCode;

use common::TestApp;
use eenplan::access::Role;
use eenplan::audit::model::{Basis, EventData};

/// One household read by `user` at 05:30 Dutch time on 10 November 2026 (CET), through the audit writer.
fn night_read(app: &TestApp, user: &common::TestUser) {
    let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 10).unwrap().and_hms_opt(4, 30, 0).unwrap();
    let data = EventData {
        event_id: eenplan::db::new_id(),
        occurred_at: at,
        user_id: Some(user.id.clone()),
        user_name: Some("Test wijkteam".into()),
        role: Some("wijkteam".into()),
        action: "household.read".into(),
        resource_type: "household".into(),
        household_id: Some(eenplan::db::new_id()),
        basis: Some(Basis::TeamMember(app.team_id.clone())),
        outcome: "allowed".into(),
        ..Default::default()
    };
    app.state.audit.write_with(&mut app.conn(), |_| Ok(((), data))).unwrap();
}

#[actix_web::test]
async fn a_finding_is_scanned_taken_on_judged_and_closed_from_the_pages() {
    let app = TestApp::new().await;
    let night = app.user(Role::Wijkteam);
    night_read(&app, &night);
    let officer = app.user(Role::PrivacyOfficer);
    let token = app.token(&officer).await;
    let web = app.web_sign_in_after_api(&officer).await;

    let empty = web.get(&app, "/inzage/meldingen").await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert!(empty.body.contains("Geen meldingen"));
    let bad = web.post(&app, "/inzage/meldingen/scan", &[("van", "10-11-2026"), ("tot", "morgen")], None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Vul een geldige datum in"), "{}", bad.body);
    let scanned = web.post(&app, "/inzage/meldingen/scan", &[("van", "10-11-2026"), ("tot", "10-11-2026")], None).await;
    assert_eq!(scanned.status, StatusCode::SEE_OTHER, "{}", scanned.body);
    let list = web.get(&app, "/inzage/meldingen?status=open").await;
    assert!(
        list.body.contains("Buiten kantoortijd")
            && list.body.contains("1 keer persoonsgegevens bekeken buiten kantoortijd"),
        "{}",
        list.body
    );
    let api = app.get("/api/v1/audit/findings?status=open", &token).await;
    let id = api.body["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(api.body["items"].as_array().unwrap().len(), 1, "{}", api.text);
    assert!(list.body.contains(&format!("href=\"/inzage/meldingen/{id}\"")));

    let page = web.get(&app, &format!("/inzage/meldingen/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Gegevens van het gezin bekeken"), "the event in words: {}", page.body);
    let taken = web.post(&app, &format!("/inzage/meldingen/{id}/oppakken"), &[], None).await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER);
    let no_note = web
        .post(
            &app,
            &format!("/inzage/meldingen/{id}/beoordelen"),
            &[("judgement", "not_justified"), ("note", "")],
            None,
        )
        .await;
    assert_eq!(no_note.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_note.body.contains("Schrijf op waarom."), "{}", no_note.body);
    let judged = web
        .post(
            &app,
            &format!("/inzage/meldingen/{id}/beoordelen"),
            &[("judgement", "justified"), ("note", "Nachtdienst crisisteam.")],
            None,
        )
        .await;
    assert_eq!(judged.status, StatusCode::SEE_OTHER, "{}", judged.body);
    let closed = web.post(&app, &format!("/inzage/meldingen/{id}/afsluiten"), &[], None).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let after = app.get(&format!("/api/v1/audit/findings/{id}"), &token).await;
    assert_eq!((after.body["status"].as_str(), after.body["judgement"].as_str()), (Some("closed"), Some("justified")));
    assert_eq!(after.body["assignedTo"], officer.id.as_str());
    let page = web.get(&app, &format!("/inzage/meldingen/{id}")).await;
    assert!(
        page.body.contains("Afgesloten") && page.body.contains("Terecht: Nachtdienst crisisteam."),
        "{}",
        page.body
    );
    assert!(!page.body.contains("/afsluiten\""), "a closed finding offers no more steps");
}

#[actix_web::test]
async fn a_review_is_recorded_from_the_page_and_the_warning_goes() {
    let app = TestApp::new().await;
    let officer = app.user(Role::PrivacyOfficer);
    let _ = app.token(&officer).await;
    let web = app.web_sign_in_after_api(&officer).await;
    let start = web.get(&app, "/inzage").await;
    assert!(start.body.contains("geen controle van het logboek vastgelegd"), "{}", start.body);
    let page = web.get(&app, "/inzage/controles").await;
    assert!(page.body.contains("Er is langer dan 30 dagen geen controle vastgelegd."));
    let empty = web.post(&app, "/inzage/controles", &[], None).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Er zijn 6 fouten in het formulier"), "{}", empty.body);
    let today = eenplan::calendar::local(chrono::Utc::now()).date().format("%d-%m-%Y").to_string();
    let fields = [
        ("van", "01-11-2026"),
        ("tot", today.as_str()),
        ("method", "Meldingen doorgelopen"),
        ("sample", "Alle meldingen van november"),
        ("findings", "Niets onterechts"),
        ("followUp", "Geen"),
    ];
    let done = web.post(&app, "/inzage/controles", &fields, None).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = web.get(&app, "/inzage/controles?gedaan=1").await;
    assert!(!page.body.contains("geen controle vastgelegd"));
    assert!(page.body.contains("Alle meldingen van november") && page.body.contains("De controle is vastgelegd."));
    assert!(!web.get(&app, "/inzage").await.body.contains("geen controle van het logboek vastgelegd"));
}

#[actix_web::test]
async fn only_the_privacy_officer_opens_meldingen_and_controles() {
    let app = TestApp::new().await;
    let id = eenplan::db::new_id();
    for role in Role::ALL.into_iter().filter(|r| *r != Role::PrivacyOfficer) {
        let user = app.user(role);
        let _ = app.token(&user).await;
        let web = app.web_sign_in_after_api(&user).await;
        for path in ["/inzage/meldingen".to_string(), format!("/inzage/meldingen/{id}"), "/inzage/controles".into()] {
            assert_eq!(web.get(&app, &path).await.status, StatusCode::FORBIDDEN, "{role:?} {path}");
        }
        for path in [
            "/inzage/meldingen/scan".to_string(),
            format!("/inzage/meldingen/{id}/afsluiten"),
            "/inzage/controles".into(),
        ] {
            assert_eq!(web.post(&app, &path, &[], None).await.status, StatusCode::FORBIDDEN, "{role:?} POST {path}");
        }
    }
}
