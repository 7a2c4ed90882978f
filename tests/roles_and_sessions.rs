//! Issue 11, points 1–5 on SQLite and PostgreSQL: sessions follow today's roles, nobody grants themself roles,
//! a person known by BSN goes through the person scope, nobody judges their own break-glass use, and the login
//! throttle checks no more passwords than its limit however many arrive at once.

mod common;

use actix_web::http::{Method, StatusCode};
use diesel::prelude::*;
use serde_json::{json, Value};

use common::{Options, Response, TestApp, TestUser};
use eenplan::access::Role;
use eenplan::db::schema::{break_glass as bg, household_members, user_roles};
use eenplan::households::bsn::synthetic;
use eenplan::identity::model::RoleGrant;
use eenplan::identity::store;

async fn login(app: &TestApp, user: &TestUser) -> Value {
    let res = app.login_response(user).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.body
}

async fn refresh(app: &TestApp, refresh_token: &str) -> Response {
    app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refreshToken": refresh_token})), &[]).await
}

async fn patch_user(app: &TestApp, admin: &str, user_id: &str, body: Value) -> Response {
    let path = format!("/api/v1/users/{user_id}");
    let current = app.get(&path, admin).await;
    assert_eq!(current.status, StatusCode::OK, "{}", current.text);
    let etag = current.header("etag").unwrap().to_string();
    app.call(Method::PATCH, &path, Some(admin), Some(body), &[("If-Match", &etag)]).await
}

fn roles_in_db(app: &TestApp, user_id: &str) -> Vec<String> {
    let mut roles: Vec<String> = user_roles::table
        .filter(user_roles::user_id.eq(user_id))
        .select(user_roles::role)
        .load(&mut app.conn())
        .unwrap();
    roles.sort();
    roles
}

#[actix_web::test]
async fn a_role_that_needs_a_second_factor_needs_a_session_that_confirmed_one() {
    let app = TestApp::new().await;
    let user = app.user(Role::Wijkteam);
    let tokens = login(&app, &user).await;
    let (access, refresh_token) = (tokens["accessToken"].as_str().unwrap(), tokens["refreshToken"].as_str().unwrap());
    assert_eq!(app.get("/api/v1/auth/me", access).await.status, StatusCode::OK);

    // The privacy officer's role arrives by a path other than the API (the command line, an older grant):
    // the session signed in without a factor may do nothing but enrol one, and cannot be refreshed into more.
    let grants = [
        RoleGrant { role: Role::Wijkteam, team_id: Some(app.team_id.clone()) },
        RoleGrant { role: Role::PrivacyOfficer, team_id: None },
    ];
    store::replace_roles(&mut app.conn(), &user.id, &grants).unwrap();
    let log = app.get("/api/v1/audit/events", access).await;
    assert_eq!(log.status, StatusCode::UNAUTHORIZED, "{}", log.text);
    assert_eq!(app.get("/api/v1/auth/me", access).await.status, StatusCode::UNAUTHORIZED);
    let enrol = app.post("/api/v1/auth/totp/enrol", access, json!({})).await;
    assert_eq!(enrol.status, StatusCode::OK, "only enrolling remains: {}", enrol.text);
    let refreshed = refresh(&app, refresh_token).await;
    assert_eq!(refreshed.status, StatusCode::UNAUTHORIZED, "{}", refreshed.text);

    // A user who has a factor but signed in without it (before the role came) must sign in again.
    let other = app.user(Role::Wijkteam);
    let other_token = app.token(&other).await;
    let secret = eenplan::auth::model::new_totp_secret();
    diesel::update(eenplan::db::schema::users::table.find(&other.id))
        .set(eenplan::db::schema::users::totp_secret.eq(&secret))
        .execute(&mut app.conn())
        .unwrap();
    store::replace_roles(&mut app.conn(), &other.id, &[RoleGrant { role: Role::PrivacyOfficer, team_id: None }])
        .unwrap();
    let res = app.get("/api/v1/audit/events", &other_token).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.text);
    let res = app.post("/api/v1/auth/totp/enrol", &other_token, json!({})).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.text);
    let with_factor = TestUser { totp_secret: Some(secret), ..other };
    let fresh = login(&app, &with_factor).await;
    let fresh_access = fresh["accessToken"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/audit/events", fresh_access).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_role_change_ends_the_sessions_it_affects() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin);
    let at = app.token(&admin).await;
    let user = app.user(Role::Wijkteam);
    let bystander = app.user(Role::Wijkteam);
    let bt = app.token(&bystander).await;
    let tokens = login(&app, &user).await;
    let (access, refresh_token) = (tokens["accessToken"].as_str().unwrap(), tokens["refreshToken"].as_str().unwrap());

    // Sending the same roles back changes nothing and ends nothing.
    let same = json!({"roles": [{"role": "wijkteam", "teamId": app.team_id}]});
    assert_eq!(patch_user(&app, &at, &user.id, same).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/auth/me", access).await.status, StatusCode::OK);

    let changed = json!({"roles": [{"role": "teamleider", "teamId": app.team_id}]});
    let res = patch_user(&app, &at, &user.id, changed).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(app.get("/api/v1/auth/me", access).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(&app, refresh_token).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/auth/me", &bt).await.status, StatusCode::OK, "other users keep their sessions");
    // Signing in again gives a session under the new role.
    let again = login(&app, &user).await;
    let me = app.get("/api/v1/auth/me", again["accessToken"].as_str().unwrap()).await;
    assert_eq!(me.body["roles"][0]["role"], "teamleider", "{}", me.text);
}

#[actix_web::test]
async fn nobody_grants_themself_roles_and_privileged_roles_are_not_granted_from_the_api() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin);
    let at = app.token(&admin).await;
    let user = app.user(Role::Wijkteam);
    let wijkteam = json!({"role": "wijkteam", "teamId": app.team_id});

    // An admin changing their own roles: refused, whatever the roles.
    for roles in [json!([{"role": "teamleider", "teamId": app.team_id}]), json!([{"role": "privacy_officer"}])] {
        let res = patch_user(&app, &at, &admin.id, json!({ "roles": roles })).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
        assert!(res.body["detail"].as_str().unwrap().contains("own roles"), "{}", res.text);
    }
    // Combining admin or privacy_officer with a professional's role: refused at grant time, all errors at once.
    let mixed = patch_user(&app, &at, &admin.id, json!({"roles": [{"role": "admin"}, wijkteam]})).await;
    assert_eq!(mixed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", mixed.text);
    assert_eq!(mixed.body["errors"][0]["field"], "roles[0].role");
    let mixed = patch_user(&app, &at, &user.id, json!({"roles": [wijkteam, {"role": "privacy_officer"}]})).await;
    assert_eq!(mixed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", mixed.text);
    assert_eq!(mixed.body["errors"][0]["field"], "roles[1].role");
    assert_eq!(roles_in_db(&app, &admin.id), vec!["admin"]);

    // Granting or withdrawing admin or privacy_officer for someone else: refused from the API.
    for roles in [json!([{"role": "privacy_officer"}]), json!([{"role": "admin"}])] {
        let res = patch_user(&app, &at, &user.id, json!({ "roles": roles })).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    }
    let officer = app.user(Role::PrivacyOfficer);
    let demote = patch_user(&app, &at, &officer.id, json!({"roles": [wijkteam]})).await;
    assert_eq!(demote.status, StatusCode::FORBIDDEN, "{}", demote.text);
    let created = app
        .post(
            "/api/v1/users",
            &at,
            json!({"email": "nieuw-fg@test.eenplan.nl", "displayName": "Nieuwe FG", "password": "een lang wachtwoord 2026",
                   "organisationId": app.municipality_id, "roles": [{"role": "privacy_officer"}]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::FORBIDDEN, "{}", created.text);
    assert_eq!(roles_in_db(&app, &user.id), vec!["wijkteam"]);
    assert_eq!(roles_in_db(&app, &officer.id), vec!["privacy_officer"]);
    let users: i64 = eenplan::db::schema::users::table
        .filter(eenplan::db::schema::users::email.eq("nieuw-fg@test.eenplan.nl"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(users, 0);
    // Every refusal is audited as denied.
    let denied = app
        .audit_events()
        .into_iter()
        .filter(|e| e.data.user_id.as_deref() == Some(admin.id.as_str()) && e.data.outcome == "denied")
        .count();
    assert_eq!(denied, 6, "two own-role changes, two grants, a demotion and a creation");
    // An ordinary role for someone else is still the admin's job.
    let ok = patch_user(&app, &at, &user.id, json!({"roles": [{"role": "teamleider", "teamId": app.team_id}]})).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
}

/// A household of the app's team with one child; its id and the member's token.
async fn household_with_child(app: &TestApp, member: &TestUser, bsn: &str, postcode: &str) -> String {
    let mt = app.token(member).await;
    let team = member_team(app, member);
    let h = app
        .post(
            "/api/v1/households",
            &mt,
            json!({"postcode": postcode, "houseNumber": 5, "wijk": "Oost", "teamId": team}),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    let household = h.body["id"].as_str().unwrap().to_string();
    let m = app
        .post(
            &format!("/api/v1/households/{household}/members"),
            &mt,
            json!({"person": {"name": "Sanne Opgeslagen", "birthDate": "2015-03-03", "bsn": bsn}, "relation": "child", "from": "2015-03-03"}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.text);
    household
}

fn member_team(app: &TestApp, user: &TestUser) -> String {
    store::roles_of(&mut app.conn(), &user.id).unwrap()[0].team_id.clone().unwrap()
}

fn open_memberships(app: &TestApp, household: &str) -> i64 {
    household_members::table
        .filter(household_members::household_id.eq(household))
        .filter(household_members::until_date.is_null())
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_person_known_by_bsn_goes_through_the_person_scope() {
    let app = TestApp::new().await;
    let theirs = app.user_in_other_team(Role::Wijkteam);
    let bsn = synthetic(71).expose().to_string();
    let their_household = household_with_child(&app, &theirs, &bsn, "2711AA").await;

    let mine = app.user(Role::Wijkteam);
    let mt = app.token(&mine).await;
    let h = app
        .post(
            "/api/v1/households",
            &mt,
            json!({"postcode": "2712BB", "houseNumber": 8, "wijk": "West", "teamId": app.team_id}),
        )
        .await;
    let my_household = h.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/households/{my_household}/members");
    // With the right birth date, with a wrong one, and with another name: the same 404, nothing revealed or moved.
    for (name, birth) in [("Iemand", "2015-03-03"), ("Iemand", "2016-01-01"), ("Sanne Opgeslagen", "2015-03-03")] {
        let res = app
            .post(
                &path,
                &mt,
                json!({"person": {"name": name, "birthDate": birth, "bsn": bsn}, "relation": "child", "from": "2024-05-01"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
        assert!(!res.text.contains("Sanne"), "the stored name never reaches the caller: {}", res.text);
    }
    assert_eq!(open_memberships(&app, &their_household), 1, "the child still lives in the other household");
    assert_eq!(open_memberships(&app, &my_household), 0);
    let refused = app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(mine.id.as_str()));
    assert_eq!(refused.unwrap().data.outcome, "denied");

    // The other team itself can still move the child between households it works with.
    let tt = app.token(&theirs).await;
    let team = member_team(&app, &theirs);
    let second = app
        .post(
            "/api/v1/households",
            &tt,
            json!({"postcode": "2713CC", "houseNumber": 1, "wijk": "Oost", "teamId": team}),
        )
        .await;
    let second = second.body["id"].as_str().unwrap().to_string();
    let moved = app
        .post(
            &format!("/api/v1/households/{second}/members"),
            &tt,
            json!({"person": {"name": "Sanne", "birthDate": "2015-03-03", "bsn": bsn}, "relation": "child", "from": "2024-05-01"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::CREATED, "{}", moved.text);
    assert_eq!((open_memberships(&app, &their_household), open_memberships(&app, &second)), (0, 1));
}

#[actix_web::test]
async fn a_move_never_ends_a_membership_the_caller_has_no_basis_for() {
    let app = TestApp::new().await;
    // A person the caller sees through a past household of their own team, now living with another team.
    let mine = app.user(Role::Wijkteam);
    let mt = app.token(&mine).await;
    let bsn = synthetic(72).expose().to_string();
    let old = app
        .post(
            "/api/v1/households",
            &mt,
            json!({"postcode": "2714DD", "houseNumber": 2, "wijk": "West", "teamId": app.team_id}),
        )
        .await;
    let old = old.body["id"].as_str().unwrap().to_string();
    let joined = app
        .post(
            &format!("/api/v1/households/{old}/members"),
            &mt,
            json!({"person": {"name": "Tim", "birthDate": "2014-04-04", "bsn": bsn}, "relation": "child", "from": "2014-04-04", "until": "2020-01-01"}),
        )
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.text);
    let person = joined.body["person"]["id"].as_str().unwrap().to_string();
    let theirs = app.user_in_other_team(Role::Wijkteam);
    let tt = app.token(&theirs).await;
    let team = member_team(&app, &theirs);
    let their_household = app
        .post(
            "/api/v1/households",
            &tt,
            json!({"postcode": "2715EE", "houseNumber": 9, "wijk": "Oost", "teamId": team}),
        )
        .await;
    let their_household = their_household.body["id"].as_str().unwrap().to_string();
    let res = app
        .post(
            &format!("/api/v1/households/{their_household}/members"),
            &tt,
            json!({"person": {"name": "Tim", "birthDate": "2014-04-04", "bsn": bsn}, "relation": "child", "from": "2020-01-01"}),
        )
        .await;
    // The other team sees Tim through no household of theirs: by BSN he is out of their reach.
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    diesel::insert_into(household_members::table)
        .values((
            household_members::id.eq(eenplan::db::new_id()),
            household_members::household_id.eq(&their_household),
            household_members::person_id.eq(&person),
            household_members::relation.eq("child"),
            household_members::custody.eq(false),
            household_members::from_date.eq(chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()),
            household_members::created_at.eq(eenplan::db::now()),
        ))
        .execute(&mut app.conn())
        .unwrap();

    // My team sees Tim (his past household is ours), but his household today is not ours to end.
    let new = app
        .post(
            "/api/v1/households",
            &mt,
            json!({"postcode": "2716FF", "houseNumber": 4, "wijk": "West", "teamId": app.team_id}),
        )
        .await;
    let new = new.body["id"].as_str().unwrap().to_string();
    for body in [
        json!({"personId": person, "relation": "child", "from": "2025-01-01"}),
        json!({"person": {"name": "Tim", "birthDate": "2014-04-04", "bsn": bsn}, "relation": "child", "from": "2025-01-01"}),
    ] {
        let res = app.post(&format!("/api/v1/households/{new}/members"), &mt, body).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    }
    assert_eq!(open_memberships(&app, &their_household), 1);
    assert_eq!(open_memberships(&app, &new), 0);
}

#[actix_web::test]
async fn nobody_judges_their_own_break_glass_use() {
    let app = TestApp::new().await;
    let member = app.user(Role::Wijkteam);
    let mt = app.token(&member).await;
    let bsn = synthetic(73).expose().to_string();
    let household = household_with_child(&app, &member, &bsn, "2717GG").await;
    let case = app.post("/api/v1/cases", &mt, json!({"householdId": household, "laws": ["Jeugdwet"]})).await;
    let case = case.body["id"].as_str().unwrap().to_string();

    // A user who holds both roles from before the rule (granting them together is refused now).
    let both = app.user(Role::PrivacyOfficer);
    let grants = [
        RoleGrant { role: Role::Wijkteam, team_id: Some(app.team_id.clone()) },
        RoleGrant { role: Role::PrivacyOfficer, team_id: None },
    ];
    store::replace_roles(&mut app.conn(), &both.id, &grants).unwrap();
    let bt = app.token(&both).await;
    let opened = app
        .post(
            "/api/v1/break-glass",
            &bt,
            json!({"caseId": case, "reason": "acute_danger_child", "justification": "De school meldt dat het kind niet naar huis durft en de moeder is onbereikbaar."}),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text);
    let id = opened.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/break-glass/{id}/review");
    let own = app.post(&path, &bt, json!({"judgement": "justified"})).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.text);
    let reviewed: Option<chrono::NaiveDateTime> =
        bg::table.find(&id).select(bg::reviewed_at).first(&mut app.conn()).unwrap();
    assert_eq!(reviewed, None, "the refusal recorded no judgement");
    let last = app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(both.id.as_str()));
    assert_eq!(last.unwrap().data.outcome, "denied");

    let officer = app.user(Role::PrivacyOfficer);
    let judged = app.post(&path, &app.token(&officer).await, json!({"judgement": "justified"})).await;
    assert_eq!(judged.status, StatusCode::OK, "{}", judged.text);
    assert_eq!(judged.body["reviewedBy"], officer.id.as_str());
}

/// Sends the bodies all at once and counts the answers by status.
async fn concurrent_logins(app: &TestApp, bodies: Vec<Value>) -> (usize, usize) {
    let calls = bodies.into_iter().map(|b| app.call(Method::POST, "/api/v1/auth/login", None, Some(b), &[]));
    let answers = futures_util::future::join_all(calls).await;
    let unauthorized = answers.iter().filter(|r| r.status == StatusCode::UNAUTHORIZED).count();
    let locked = answers.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(unauthorized + locked, answers.len(), "every answer is 401 or 429");
    (unauthorized, locked)
}

#[actix_web::test]
async fn concurrent_wrong_passwords_get_no_more_checks_than_the_limit() {
    let app = TestApp::with(Options { account_failures: 5, address_failures: 20, ..Default::default() }).await;
    let user = app.user(Role::Wijkteam);
    let wrong = json!({"email": user.email, "password": "niet het goede wachtwoord"});
    let (checked, locked) = concurrent_logins(&app, vec![wrong; 40]).await;
    assert_eq!((checked, locked), (5, 35), "one account: five passwords checked, then locked");

    // One address, many accounts (15 more failures reach the address limit of 20).
    let bodies = (0..60)
        .map(|i| json!({"email": format!("onbekend-{i}@test.eenplan.nl"), "password": "niet het goede wachtwoord"}))
        .collect();
    let (checked, locked) = concurrent_logins(&app, bodies).await;
    assert_eq!((checked, locked), (15, 45), "one address: twenty failures in all, then locked");
}

#[actix_web::test]
async fn a_correct_password_is_not_counted_as_a_failure() {
    let app = TestApp::with(Options { account_failures: 3, address_failures: 3, ..Default::default() }).await;
    let user = app.user(Role::Wijkteam);
    for _ in 0..5 {
        let res = app.login_response(&user).await;
        assert_eq!(res.status, StatusCode::OK, "successes never lock: {}", res.text);
    }
    let officer = app.user(Role::PrivacyOfficer);
    for _ in 0..5 {
        let bare = json!({"email": officer.email, "password": officer.password});
        let res = app.call(Method::POST, "/api/v1/auth/login", None, Some(bare), &[]).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        assert_eq!(res.body["type"], "urn:eenplan:problem:totp-required", "{}", res.text);
    }
    let wrong = json!({"email": user.email, "password": "niet het goede wachtwoord"});
    let (checked, locked) = concurrent_logins(&app, vec![wrong; 6]).await;
    assert_eq!((checked, locked), (3, 3));
}
