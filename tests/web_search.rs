//! Zoeken en aanmelden (`/zoeken`, `/zoeken/aanmelden`): a person found by BSN or by name and birth date (POSTs; the
//! BSN in no URL and no audit event), linked to their visible case; a household registered with its members and its
//! case opened in one form, all errors at once; CSRF refused; every role in and out of scope.

mod common;

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use common::web_form::{sign_in, web};
use common::{TestApp, TestUser};
use eenplan::access::Role;
use eenplan::households::bsn::synthetic;

struct World {
    member: TestUser,
    outsider: TestUser,
    lead: TestUser,
    case: String,
    person: String,
    bsn: String,
}

/// A household of the team with a parent (with a BSN) and an open case, opened by `member`.
async fn world(app: &TestApp) -> World {
    let member = app.user(Role::Wijkteam);
    let outsider = app.user_in_other_team(Role::Wijkteam);
    let lead = app.user(Role::Teamleider);
    let mt = app.token(&member).await;
    let h = app
        .post(
            "/api/v1/households",
            &mt,
            json!({"postcode": "2712CD", "houseNumber": 7, "wijk": "Meerzicht", "teamId": app.team_id}),
        )
        .await;
    let household = h.body["id"].as_str().unwrap().to_string();
    let bsn = synthetic(321).expose().to_string();
    let p = app
        .post(&format!("/api/v1/households/{household}/members"), &mt,
            json!({"person": {"name": "Fatima Yilmaz", "birthDate": "1984-05-06", "bsn": bsn}, "relation": "parent", "from": "2015-01-01"}))
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.text);
    let case = app.post("/api/v1/cases", &mt, json!({"householdId": household, "laws": ["Wmo"]})).await;
    assert_eq!(case.status, StatusCode::CREATED, "{}", case.text);
    World {
        member,
        outsider,
        lead,
        case: case.body["id"].as_str().unwrap().to_string(),
        person: p.body["person"]["id"].as_str().unwrap().to_string(),
        bsn,
    }
}

fn households_count(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    use eenplan::db::schema::households;
    let mut conn = app.conn();
    households::table.count().get_result(&mut conn).unwrap()
}

#[actix_web::test]
async fn a_person_is_found_by_bsn_and_linked_to_their_case_and_the_bsn_is_never_logged() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.member).await;
    let form = web(&app, Method::GET, "/zoeken", Some(&cookie), None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("Zoek op BSN") && form.html.contains("method=\"post\" action=\"/zoeken\""));
    let before = app.audit_events().len();
    let res =
        web(&app, Method::POST, "/zoeken", Some(&cookie), Some(&format!("csrf={csrf}&wijze=bsn&bsn={}", w.bsn))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.html);
    assert!(res.html.contains("Fatima Yilmaz"));
    assert!(res.html.contains(&format!("href=\"/dossiers/{}\"", w.case)), "linked to the case");
    let events = app.audit_events();
    let search = events[before..].iter().find(|e| e.data.action == "person.search").expect("the search is audited");
    assert_eq!(search.data.outcome, "allowed");
    assert!(search.data.basis.is_some());
    assert_eq!(search.data.person_ids, vec![w.person.clone()]);
    for e in &events[before..] {
        assert!(!format!("{:?}", e.data).contains(&w.bsn), "no BSN in the audit log");
    }
    // The API gives the same hit and case.
    let token = app.token(&w.member).await;
    let api = app.post("/api/v1/work/person-search", &token, json!({"bsn": w.bsn})).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text);
    assert_eq!(api.body["items"][0]["caseId"], w.case.as_str());
    assert_eq!(api.body["items"][0]["name"], "Fatima Yilmaz");
}

#[actix_web::test]
async fn a_person_is_found_by_name_and_birth_date_and_errors_come_all_at_once() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.member).await;
    let res = web(
        &app,
        Method::POST,
        "/zoeken",
        Some(&cookie),
        Some(&format!("csrf={csrf}&wijze=naam&name=yilmaz&birthDate=06-05-1984")),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.html);
    assert!(res.html.contains("Fatima Yilmaz") && res.html.contains(&format!("/dossiers/{}", w.case)));
    // Both fields missing: both errors, linked to their fields, the input kept.
    let res = web(
        &app,
        Method::POST,
        "/zoeken",
        Some(&cookie),
        Some(&format!("csrf={csrf}&wijze=naam&name=&birthDate=31-02-1984")),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.html.contains("zijn 2 fouten"), "{}", res.html);
    assert!(res.html.contains("href=\"#veld-name\"") && res.html.contains("href=\"#veld-birthDate\""));
    assert!(res.html.contains("value=\"31-02-1984\""), "input kept");
    // A BSN that fails the elfproef.
    let res =
        web(&app, Method::POST, "/zoeken", Some(&cookie), Some(&format!("csrf={csrf}&wijze=bsn&bsn=123456788"))).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.html.contains("Dit is geen geldig BSN."), "{}", res.html);
}

#[actix_web::test]
async fn every_role_searches_only_in_its_scope() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let provider = app.user(Role::Provider);
    let signaller = app.user(Role::Signaller);
    let privacy = app.user(Role::PrivacyOfficer);
    let admin = app.user(Role::Admin);
    // (user, status, found, linked to the case)
    let table: Vec<(&TestUser, StatusCode, bool, bool)> = vec![
        (&w.member, StatusCode::OK, true, true),
        (&w.outsider, StatusCode::OK, false, false),
        // The teamleider sees the case's summary, not the person (persons are seen with the household's content).
        (&w.lead, StatusCode::OK, false, false),
        (&provider, StatusCode::FORBIDDEN, false, false),
        (&signaller, StatusCode::FORBIDDEN, false, false),
        (&privacy, StatusCode::FORBIDDEN, false, false),
        (&admin, StatusCode::FORBIDDEN, false, false),
    ];
    for (user, status, found, linked) in table {
        let (cookie, csrf) = sign_in(&app, user).await;
        let before = app.audit_events().len();
        let res =
            web(&app, Method::POST, "/zoeken", Some(&cookie), Some(&format!("csrf={csrf}&wijze=bsn&bsn={}", w.bsn)))
                .await;
        assert_eq!(res.status, status, "{:?}", user.role);
        assert_eq!(res.html.contains("Fatima Yilmaz"), found, "{:?}", user.role);
        assert_eq!(res.html.contains(&format!("/dossiers/{}", w.case)), linked, "{:?}", user.role);
        let events = app.audit_events();
        let e = events[before..].iter().find(|e| e.data.action == "person.search").expect("audited");
        assert_eq!(e.data.outcome, if status == StatusCode::OK { "allowed" } else { "denied" });
        assert!(!format!("{:?}", e.data).contains(&w.bsn));
    }
}

fn registration(csrf: &str, extra: &str) -> String {
    format!(
        "csrf={csrf}&rijen=3&postcode=2711+AB&houseNumber=12&houseNumberAddition=&wijk=Meerzicht\
         &members%5B0%5D.name=Anna+de+Vries&members%5B0%5D.birthDate=01-02-1988&members%5B0%5D.bsn=\
         &members%5B0%5D.relation=parent&members%5B0%5D.custody=ja\
         &members%5B1%5D.name=Noor+de+Vries&members%5B1%5D.birthDate=2016-03-04&members%5B1%5D.bsn=&members%5B1%5D.relation=child\
         &members%5B2%5D.name=&members%5B2%5D.birthDate=&members%5B2%5D.bsn=&members%5B2%5D.relation=\
         &laws=Jeugdwet{extra}"
    )
}

#[actix_web::test]
async fn a_household_is_registered_with_its_members_and_its_case_opened_in_one_form() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.member).await;
    let form = web(&app, Method::GET, "/zoeken/aanmelden", Some(&cookie), None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("members[1].name") && !form.html.contains("members[2].name"), "two rows to start");
    // "Persoon toevoegen" adds a row and keeps what was typed.
    let more = web(
        &app,
        Method::POST,
        "/zoeken/aanmelden",
        Some(&cookie),
        Some(&format!("csrf={csrf}&rijen=2&postcode=2711AB&members%5B0%5D.name=Anna&actie=persoon-toevoegen")),
    )
    .await;
    assert_eq!(more.status, StatusCode::OK, "{}", more.html);
    assert!(
        more.html.contains("members[2].name")
            && more.html.contains("value=\"Anna\"")
            && more.html.contains("value=\"2711AB\"")
    );

    let before = households_count(&app);
    let res =
        web(&app, Method::POST, "/zoeken/aanmelden", Some(&cookie), Some(&registration(&csrf, "&actie=aanmelden")))
            .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let location = res.location.unwrap();
    let case_id = location.strip_prefix("/dossiers/").expect("to the case page").to_string();
    assert_eq!(households_count(&app), before + 1);
    // Checked through the API: the case is open, the user involved, the household has its two members.
    let token = app.token(&w.member).await;
    let case = app.get(&format!("/api/v1/cases/{case_id}"), &token).await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.text);
    assert_eq!(case.body["state"], "registered");
    assert_eq!(case.body["laws"], json!(["Jeugdwet"]));
    let household =
        app.get(&format!("/api/v1/households/{}", case.body["householdId"].as_str().unwrap()), &token).await;
    let names: Vec<&str> =
        household.body["members"].as_array().unwrap().iter().map(|m| m["person"]["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"Anna de Vries") && names.contains(&"Noor de Vries"));
    assert_eq!(household.body["address"]["postcode"], "2711AB");
}

#[actix_web::test]
async fn registration_errors_come_all_at_once_keep_the_input_and_change_nothing() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.member).await;
    let before = households_count(&app);
    let body = format!(
        "csrf={csrf}&rijen=2&postcode=12&houseNumber=&wijk=Meerzicht\
         &members%5B0%5D.name=&members%5B0%5D.birthDate=32-01-2000&members%5B0%5D.bsn=123&members%5B0%5D.relation=\
         &members%5B1%5D.name=&members%5B1%5D.birthDate=&members%5B1%5D.bsn=&members%5B1%5D.relation=&actie=aanmelden"
    );
    let res = web(&app, Method::POST, "/zoeken/aanmelden", Some(&cookie), Some(&body)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.html);
    for id in [
        "veld-postcode",
        "veld-houseNumber",
        "veld-laws",
        "veld-members-0-person-name",
        "veld-members-0-person-birthDate",
        "veld-members-0-person-bsn",
        "veld-members-0-relation",
    ] {
        assert!(res.html.contains(&format!("href=\"#{id}\"")), "{id} in the summary: {}", res.html);
        assert!(res.html.contains(&format!("id=\"{id}\"")), "{id} on the page");
    }
    assert!(res.html.contains("zijn 7 fouten"), "{}", res.html);
    assert!(res.html.contains("value=\"32-01-2000\"") && res.html.contains("value=\"12\""), "input kept");
    assert_eq!(households_count(&app), before, "nothing changed");
    // No member at all.
    let res = web(
        &app,
        Method::POST,
        "/zoeken/aanmelden",
        Some(&cookie),
        Some(&format!("csrf={csrf}&rijen=1&postcode=2711AB&houseNumber=3&wijk=M&laws=Wmo&actie=aanmelden")),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.html.contains("href=\"#veld-members\""));
    assert_eq!(households_count(&app), before);
}

#[actix_web::test]
async fn a_wrong_or_missing_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.member).await;
    let before = households_count(&app);
    let events = app.audit_events().len();
    for token in ["", "wrong"] {
        let body = registration(token, "&actie=aanmelden");
        let res = web(&app, Method::POST, "/zoeken/aanmelden", Some(&cookie), Some(&body)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let res =
            web(&app, Method::POST, "/zoeken", Some(&cookie), Some(&format!("csrf={token}&wijze=bsn&bsn={}", w.bsn)))
                .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert!(!res.html.contains("Fatima"));
    }
    assert_eq!(households_count(&app), before);
    assert!(app.audit_events()[events..]
        .iter()
        .all(|e| e.data.action != "person.search" && e.data.action != "household.create"));
    // Another session's token is no token for this one.
    let (_, other_csrf) = sign_in(&app, &w.outsider).await;
    assert_ne!(other_csrf, csrf);
    let res = web(
        &app,
        Method::POST,
        "/zoeken/aanmelden",
        Some(&cookie),
        Some(&registration(&other_csrf, "&actie=aanmelden")),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(households_count(&app), before);
}
