//! Registering a household with its members and its case in one act (`POST /api/v1/registrations`, and the web
//! client's form `/zoeken/aanmelden`, which calls the same use case): all of it is stored or none of it, every error
//! at once, one audit event. On SQLite, and on PostgreSQL when EENPLAN_TEST_DATABASE_URL is set.

mod common;

use actix_web::http::StatusCode;
use diesel::prelude::*;
use serde_json::{json, Value};

use common::TestApp;
use eenplan::access::Role;
use eenplan::db::schema::{cases, household_members, households, persons};
use eenplan::households::bsn::synthetic;

/// Households, members, persons and cases stored.
fn counts(app: &TestApp) -> [i64; 4] {
    let c = &mut app.conn();
    [
        households::table.count().get_result(c).unwrap(),
        household_members::table.count().get_result(c).unwrap(),
        persons::table.count().get_result(c).unwrap(),
        cases::table.count().get_result(c).unwrap(),
    ]
}

fn member(name: &str, birth: &str, bsn: Option<&str>, relation: &str) -> Value {
    let mut person = json!({"name": name, "birthDate": birth});
    if let Some(b) = bsn {
        person["bsn"] = json!(b);
    }
    json!({"person": person, "relation": relation, "custody": relation == "parent", "from": "2026-01-01"})
}

fn registration(team: &str, members: Vec<Value>) -> Value {
    json!({
        "household": {"postcode": "2711AB", "houseNumber": 7, "wijk": "Rokkeveen", "teamId": team},
        "members": members,
        "laws": ["Jeugdwet"],
    })
}

/// A wijkteam member of another team registers Ruben Kok with this BSN.
async fn registered_elsewhere(app: &TestApp, bsn: &str) {
    let elsewhere = app.user_in_other_team(Role::Wijkteam);
    let t = app.token(&elsewhere).await;
    let me = app.get("/api/v1/auth/me", &t).await;
    let team = me.body["roles"][0]["teamId"].as_str().unwrap().to_string();
    let body = registration(&team, vec![member("Ruben Kok", "1979-05-05", Some(bsn), "parent")]);
    let first = app.post("/api/v1/registrations", &t, body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
}

fn fields(res: &common::Response) -> Vec<String> {
    res.body["errors"]
        .as_array()
        .map(|e| e.iter().map(|x| x["field"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[actix_web::test]
async fn a_registration_stores_household_members_and_case_as_one_audited_act() {
    let app = TestApp::new().await;
    let worker = app.user(Role::Wijkteam);
    let t = app.token(&worker).await;
    let body = registration(
        &app.team_id,
        vec![
            member("Sanne de Vries", "1986-04-02", Some(synthetic(10).expose()), "parent"),
            member("Mees de Vries", "2016-09-12", None, "child"),
        ],
    );
    let res = app.post("/api/v1/registrations", &t, body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(counts(&app), [1, 2, 2, 1]);
    let (household, case) = (res.body["household"]["id"].as_str().unwrap(), res.body["case"]["id"].as_str().unwrap());
    assert_eq!(res.body["members"].as_array().unwrap().len(), 2);
    assert_eq!(res.body["case"]["state"], "registered");

    // The caller is involved: the case and its household read as content.
    let read = app.get(&format!("/api/v1/cases/{case}"), &t).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    let members = app.get(&format!("/api/v1/households/{household}/members"), &t).await;
    assert_eq!(members.body.as_array().unwrap().len(), 2, "{}", members.text);

    // One event for the act, naming the case, the household and both persons; no event per part.
    let events: Vec<_> =
        app.audit_events().into_iter().filter(|e| e.data.user_id.as_deref() == Some(&worker.id)).collect();
    let acts: Vec<&str> = events.iter().map(|e| e.data.action.as_str()).collect();
    assert_eq!(acts.iter().filter(|a| **a == "case.register").count(), 1, "{acts:?}");
    assert!(!acts.contains(&"household.create") && !acts.contains(&"case.create"), "{acts:?}");
    let e = &events.iter().find(|e| e.data.action == "case.register").unwrap().data;
    assert_eq!((e.outcome.as_str(), e.http_status), ("allowed", Some(201)));
    assert_eq!(e.case_id.as_deref(), Some(case));
    assert_eq!(e.household_id.as_deref(), Some(household));
    assert_eq!(e.person_ids.len(), 2);
    assert!(e.basis.is_some());
}

#[actix_web::test]
async fn every_error_is_reported_at_once_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let worker = app.user(Role::Wijkteam);
    let t = app.token(&worker).await;
    let twice = synthetic(11);
    let body = json!({
        "household": {"postcode": "12", "houseNumber": 7, "wijk": "", "teamId": app.team_id},
        "members": [
            member("Sanne de Vries", "1986-04-02", Some(twice.expose()), "parent"),
            member("", "2016-09-12", Some("123456789"), "child"),
            member("Jet de Vries", "2017-01-01", Some(twice.expose()), "child"),
        ],
        "laws": [],
    });
    let res = app.post("/api/v1/registrations", &t, body).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert_eq!(
        fields(&res),
        [
            "household.postcode",
            "household.wijk",
            "laws",
            "members[1].person.name",
            "members[1].person.bsn",
            "members[2].person.bsn",
        ],
        "{}",
        res.text
    );
    assert_eq!(counts(&app), [0, 0, 0, 0]);

    let none = app.post("/api/v1/registrations", &t, json!({})).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&none), ["household", "laws", "members"], "{}", none.text);
    // A team the caller does not work in is a field error, like for a household on its own.
    let other = app.new_team(false);
    let res = app
        .post("/api/v1/registrations", &t, registration(&other, vec![member("A B", "1990-01-01", None, "parent")]))
        .await;
    assert_eq!(fields(&res), ["household.teamId"], "{}", res.text);
    assert_eq!(counts(&app), [0, 0, 0, 0]);
}

#[actix_web::test]
async fn a_member_refused_late_leaves_nothing_behind() {
    let app = TestApp::new().await;
    // Someone in another team registers a person with this BSN first.
    let known = synthetic(12);
    registered_elsewhere(&app, known.expose()).await;
    let before = counts(&app);

    // Valid on its face; only inside the transaction does the second member turn out to be someone this worker
    // has no basis for. The first member, the household and the case are rolled back with it.
    let worker = app.user(Role::Wijkteam);
    let t = app.token(&worker).await;
    let res = app
        .post(
            "/api/v1/registrations",
            &t,
            registration(
                &app.team_id,
                vec![
                    member("Sanne de Vries", "1986-04-02", Some(synthetic(13).expose()), "parent"),
                    member("Ruben Kok", "1979-05-05", Some(known.expose()), "parent"),
                ],
            ),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert_eq!(fields(&res), ["members[1].person.bsn"], "{}", res.text);
    assert!(!res.text.contains("Ruben"), "the stored name is never shown: {}", res.text);
    assert_eq!(counts(&app), before, "nothing of the registration is stored");
    // Audited as the refused registration: denied, as the 404 of adding that person alone would be.
    let e = app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(&worker.id)).unwrap().data;
    assert_eq!((e.action.as_str(), e.outcome.as_str(), e.http_status), ("case.register", "denied", Some(422)));
    let mine = app.get("/api/v1/cases", &t).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 0);
}

#[actix_web::test]
async fn only_roles_that_may_create_households_and_open_cases_may_register() {
    let app = TestApp::new().await;
    for role in Role::ALL {
        let user = app.user(role);
        let t = app.token(&user).await;
        let before = counts(&app);
        let res = app
            .post(
                "/api/v1/registrations",
                &t,
                registration(&app.team_id, vec![member("Lotte Bos", "1990-02-02", None, "parent")]),
            )
            .await;
        let expected = match role {
            Role::Wijkteam | Role::Teamleider => StatusCode::CREATED,
            _ => StatusCode::FORBIDDEN,
        };
        assert_eq!(res.status, expected, "{role:?}: {}", res.text);
        if expected == StatusCode::CREATED {
            assert_eq!(counts(&app)[0], before[0] + 1, "{role:?}");
        } else {
            assert_eq!(counts(&app), before, "{role:?}: nothing stored");
            let e = app
                .audit_events()
                .into_iter()
                .rev()
                .find(|e| e.data.user_id.as_deref() == Some(&user.id))
                .unwrap()
                .data;
            assert_eq!((e.action.as_str(), e.outcome.as_str()), ("case.register", "denied"), "{role:?}");
        }
    }
    // A wijkteam member of another team registers only for their own team: this team is a field error.
    let outsider = app.user_in_other_team(Role::Wijkteam);
    let res = app
        .post(
            "/api/v1/registrations",
            &app.token(&outsider).await,
            registration(&app.team_id, vec![member("Lotte Bos", "1990-02-02", None, "parent")]),
        )
        .await;
    assert_eq!(fields(&res), ["household.teamId"], "{}", res.text);
}

#[actix_web::test]
async fn the_web_form_registers_through_the_same_act_and_keeps_the_form_on_a_late_refusal() {
    let app = TestApp::new().await;
    let known = synthetic(14);
    registered_elsewhere(&app, known.expose()).await;
    let before = counts(&app);

    let worker = app.user(Role::Wijkteam);
    let session = app.web_sign_in(&worker).await;
    let form = |second_bsn: &str| {
        vec![
            ("rijen".to_string(), "3".to_string()),
            ("postcode".into(), "2711 ab".into()),
            ("houseNumber".into(), "9".into()),
            ("wijk".into(), "Rokkeveen".into()),
            ("teamId".into(), app.team_id.clone()),
            ("laws".into(), "Wmo".into()),
            // The first row is left empty: the errors name the rows as the user sees them.
            ("members[0].name".into(), String::new()),
            ("members[1].name".into(), "Sanne de Vries".into()),
            ("members[1].birthDate".into(), "02-04-1986".into()),
            ("members[1].relation".into(), "parent".into()),
            ("members[2].name".into(), "Ruben Kok".into()),
            ("members[2].birthDate".into(), "05-05-1979".into()),
            ("members[2].bsn".into(), second_bsn.to_string()),
            ("members[2].relation".into(), "parent".into()),
            ("actie".into(), "aanmelden".into()),
        ]
    };
    let refused = form(known.expose());
    let refused: Vec<(&str, &str)> = refused.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = app.submit(&session, "/zoeken/aanmelden", &refused).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.text.contains("href=\"#veld-members-2-person-bsn\""), "the summary links to row 3's BSN: {}", res.text);
    assert!(res.text.contains("value=\"Sanne de Vries\""), "what was typed is kept");
    assert_eq!(counts(&app), before, "nothing stored");
    let e = app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(&worker.id)).unwrap().data;
    assert_eq!((e.action.as_str(), e.outcome.as_str(), e.http_status), ("case.register", "denied", Some(422)));

    let fresh = synthetic(15);
    let accepted = form(fresh.expose());
    let accepted: Vec<(&str, &str)> = accepted.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = app.submit(&session, "/zoeken/aanmelden", &accepted).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
    let after = counts(&app);
    assert_eq!([after[0] - before[0], after[1] - before[1], after[3] - before[3]], [1, 2, 1]);
    let e = app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(&worker.id)).unwrap().data;
    assert_eq!((e.action.as_str(), e.http_status), ("case.register", Some(201)));
    let case = e.case_id.unwrap();
    assert_eq!(res.header("location"), Some(format!("/dossiers/{case}").as_str()));
}
