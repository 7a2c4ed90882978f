//! Beheer and Mijn account: every role × every /beheer page and form (the admin alone, 403 for everyone else, as
//! the API answers; 404 for what does not exist) and /account for everyone (only their own sign-in history), each
//! view audited; creating and editing through the forms as the API sees it; a stale version shown as a conflict
//! that keeps the input and changes nothing; deactivation ending a live web session at once; the TOTP enrolment's
//! QR code being the `qrcode` rendering of exactly the enrolment URI, and the confirmed factor asked at sign-in.

mod common;

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use common::pages::{WebSession, SESSION_COOKIE};
use common::{TestApp, TestUser};
use eenplan::access::Role;

/// The last audit event of this user since `before`.
fn event_of(app: &TestApp, before: usize, user: &TestUser) -> eenplan::audit::model::StoredEvent {
    let events = app.audit_events();
    events[before..]
        .iter()
        .rev()
        .find(|e| e.data.user_id.as_deref() == Some(user.id.as_str()))
        .cloned()
        .unwrap_or_else(|| panic!("no audit event of {}", user.email))
}

/// The value of an input (`name="…" value="…"`) in a page.
fn value_of(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let rest = &html[at..];
    let v = rest.find("value=\"")? + "value=\"".len();
    Some(rest[v..].split('"').next()?.to_string())
}

/// An admin signed in through the API (its token) and the web (the next step's code: a code is never used twice).
async fn admin(app: &TestApp) -> (TestUser, WebSession, String) {
    let admin = app.user(Role::Admin);
    let token = app.token(&admin).await;
    let web = app.web_sign_in_after_api(&admin).await;
    (admin, web, token)
}

fn count_users(app: &TestApp) -> i64 {
    eenplan::identity::store::count_users(&mut app.conn()).unwrap()
}

// ---- every role × every page and form ----

#[actix_web::test]
async fn only_the_admin_reaches_beheer_every_view_is_audited_and_the_pages_answer_as_the_api() {
    let app = TestApp::new().await;
    let subject = app.user(Role::Wijkteam);
    let (org, team) = (app.municipality_id.clone(), app.team_id.clone());
    let pages: Vec<(String, &str, &str)> = vec![
        ("/beheer".into(), "user.list", "/api/v1/users"),
        ("/beheer/organisaties".into(), "organisation.list", "/api/v1/organisations"),
        ("/beheer/organisaties/nieuw".into(), "organisation.list", "/api/v1/organisations"),
        (format!("/beheer/organisaties/{org}"), "organisation.read", "/api/v1/organisations/{org}"),
        ("/beheer/teams".into(), "team.list", "/api/v1/teams"),
        ("/beheer/teams/nieuw".into(), "organisation.list", "/api/v1/organisations"),
        (format!("/beheer/teams/{team}"), "team.read", "/api/v1/teams/{team}"),
        ("/beheer/gebruikers".into(), "user.list", "/api/v1/users"),
        ("/beheer/gebruikers/nieuw".into(), "organisation.list", "/api/v1/organisations"),
        (format!("/beheer/gebruikers/{}", subject.id), "user.read", "/api/v1/users/{user}"),
        (format!("/beheer/gebruikers/{}/deactiveren", subject.id), "user.read", "/api/v1/users/{user}"),
    ];
    for role in Role::ALL {
        let user = app.user(role);
        let token = app.token(&user).await;
        let web = app.web_sign_in_after_api(&user).await;
        for (path, action, api) in &pages {
            let api = api.replace("{org}", &org).replace("{team}", &team).replace("{user}", &subject.id);
            let api_status = app.get(&api, &token).await.status;
            let before = app.audit_events().len();
            let page = web.get(&app, path).await;
            let expected = if role == Role::Admin { StatusCode::OK } else { StatusCode::FORBIDDEN };
            assert_eq!(page.status, expected, "{role:?} {path}: {}", page.body);
            assert_eq!(page.status, api_status, "{role:?} {path}: the page answers as {api} does");
            let event = event_of(&app, before, &user);
            assert_eq!(event.data.action, *action, "{role:?} {path}");
            if role == Role::Admin {
                assert_eq!(event.data.outcome, "allowed", "{role:?} {path}");
                assert!(page.body.contains("aria-current=\"page\"") || page.body.contains("<h1>"));
            } else {
                assert_eq!(event.data.outcome, "denied", "{role:?} {path}");
                assert!(!page.body.contains(&subject.email), "{role:?} {path}: nothing of a user shown");
            }
        }
        // Every form: the admin's change goes through, everyone else's is refused (403) and changes nothing.
        let users_before = count_users(&app);
        let email = format!("formulier-{}@test.eenplan.nl", role.as_str());
        let (org_name, team_name) = (format!("Org {}", role.as_str()), format!("Team {}", role.as_str()));
        let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
            ("/beheer/organisaties".into(), vec![("name", &org_name), ("kind", "provider")]),
            (
                format!("/beheer/organisaties/{org}"),
                vec![("name", "Gemeente Test"), ("kind", "municipality"), ("active", "1"), ("version", "0")],
            ),
            ("/beheer/teams".into(), vec![("organisationId", &org), ("name", &team_name), ("kind", "municipality")]),
            (
                format!("/beheer/teams/{team}"),
                vec![("name", "Wijkteam Centrum"), ("wijk", "Centrum"), ("active", "1"), ("version", "0")],
            ),
            (
                "/beheer/gebruikers".into(),
                vec![
                    ("email", &email),
                    ("displayName", "Nieuw"),
                    ("organisationId", &org),
                    ("role", "signaller"),
                    ("team", ""),
                    ("password", "een-lang-wachtwoord"),
                ],
            ),
            (
                format!("/beheer/gebruikers/{}", subject.id),
                vec![
                    ("email", &subject.email),
                    ("displayName", "Test wijkteam"),
                    ("role", "wijkteam"),
                    ("team", &team),
                    ("version", "0"),
                ],
            ),
        ];
        let acts =
            ["organisation.create", "organisation.update", "team.create", "team.update", "user.create", "user.update"];
        for ((path, fields), act) in forms.iter().zip(acts) {
            let before = app.audit_events().len();
            let done = web.post(&app, path, fields, None).await;
            let event = event_of(&app, before, &user);
            assert_eq!(event.data.action, act, "{role:?} {path}: the form is audited as the API's change");
            if role == Role::Admin {
                // Version 0 is stale: the edit forms answer with the conflict; the new ones are created.
                let expected = if act.ends_with(".create") { StatusCode::SEE_OTHER } else { StatusCode::CONFLICT };
                assert_eq!(done.status, expected, "{role:?} {path}: {}", done.body);
            } else {
                assert_eq!(done.status, StatusCode::FORBIDDEN, "{role:?} {path}");
                assert_eq!(event.data.outcome, "denied", "{role:?} {path}");
            }
        }
        let deactivate = web.post(&app, &format!("/beheer/gebruikers/{}/deactiveren", subject.id), &[], None).await;
        if role == Role::Admin {
            assert_eq!(count_users(&app), users_before + 1, "the admin's new user");
        } else {
            assert_eq!(deactivate.status, StatusCode::FORBIDDEN, "{role:?}");
            assert_eq!(count_users(&app), users_before, "{role:?}: nothing created");
        }
        // Mijn account: every role, its own account only.
        let before = app.audit_events().len();
        let mine = web.get(&app, "/account").await;
        assert_eq!(mine.status, StatusCode::OK, "{role:?}: {}", mine.body);
        assert!(mine.body.contains(&user.email), "{role:?}");
        assert!(!mine.body.contains(&subject.email), "{role:?}: no other account");
        assert!(mine.body.contains("Aangemeld"), "{role:?}: its own sign-in is in its history");
        let event = event_of(&app, before, &user);
        assert_eq!((event.data.action.as_str(), event.data.outcome.as_str()), ("own_account.read", "allowed"));
        assert_eq!(event.data.resource_id.as_deref(), Some(user.id.as_str()));
        let factor = web.get(&app, "/account/tweede-factor").await;
        assert_eq!(factor.status, StatusCode::OK, "{role:?}");
    }
    // The admin's deactivation went through; what does not exist is 404 for the admin.
    let (admin, web, token) = admin(&app).await;
    let missing = "01890000-0000-7000-8000-000000000000";
    for path in [
        format!("/beheer/organisaties/{missing}"),
        format!("/beheer/teams/{missing}"),
        format!("/beheer/gebruikers/{missing}"),
        format!("/beheer/gebruikers/{missing}/deactiveren"),
    ] {
        assert_eq!(web.get(&app, &path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let gone = web.post(&app, &format!("/beheer/gebruikers/{missing}/deactiveren"), &[], None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let shown = app.get(&format!("/api/v1/users/{}", subject.id), &token).await;
    assert_eq!(shown.body["active"], json!(false));
    assert_eq!(web.get(&app, "/beheer").await.status, StatusCode::OK, "{}", admin.email);
}

#[actix_web::test]
async fn a_form_without_the_sessions_csrf_token_changes_nothing() {
    let app = TestApp::new().await;
    let (_, web, token) = admin(&app).await;
    let subject = app.user(Role::Signaller);
    let before = count_users(&app);
    let fields = [
        ("email", "csrf@test.eenplan.nl"),
        ("displayName", "X"),
        ("organisationId", app.municipality_id.as_str()),
        ("role", "signaller"),
        ("team", ""),
        ("password", "een-lang-wachtwoord"),
    ];
    assert_eq!(web.post(&app, "/beheer/gebruikers", &fields, Some("-")).await.status, StatusCode::FORBIDDEN);
    let path = format!("/beheer/gebruikers/{}/deactiveren", subject.id);
    assert_eq!(web.post(&app, &path, &[], Some("vals")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(count_users(&app), before);
    assert_eq!(app.get(&format!("/api/v1/users/{}", subject.id), &token).await.body["active"], json!(true));
}

// ---- create and edit ----

#[actix_web::test]
async fn the_admin_creates_an_organisation_a_team_and_a_user_with_roles_as_the_api_sees_them() {
    let app = TestApp::new().await;
    let (_, web, token) = admin(&app).await;

    let org = web.post(&app, "/beheer/organisaties", &[("name", "Zorg Zuid"), ("kind", "provider")], None).await;
    assert_eq!(org.status, StatusCode::SEE_OTHER, "{}", org.body);
    let location = org.location.unwrap();
    let org_id = location.trim_start_matches("/beheer/organisaties/").split('?').next().unwrap().to_string();
    let api = app.get(&format!("/api/v1/organisations/{org_id}"), &token).await;
    assert_eq!((api.body["name"].as_str(), api.body["kind"].as_str()), (Some("Zorg Zuid"), Some("provider")));
    let shown = web.get(&app, &location).await;
    assert!(shown.body.contains("Aangemaakt."), "{}", shown.body);
    assert_eq!(value_of(&shown.body, "version").as_deref(), Some("1"), "the form carries the API's version");

    let team = web
        .post(
            &app,
            "/beheer/teams",
            &[("organisationId", &app.municipality_id), ("name", "Wijkteam Oost"), ("kind", "wijk"), ("wijk", "Oost")],
            None,
        )
        .await;
    assert_eq!(team.status, StatusCode::SEE_OTHER, "{}", team.body);
    let team_id = team.location.unwrap().trim_start_matches("/beheer/teams/").split('?').next().unwrap().to_string();
    let api = app.get(&format!("/api/v1/teams/{team_id}"), &token).await;
    assert_eq!(api.body["wijk"], json!("Oost"));
    assert_eq!(api.body["providerMayDirect"], json!(false));

    let user = web
        .post(
            &app,
            "/beheer/gebruikers",
            &[
                ("displayName", "Noor Oost"),
                ("email", "Noor.Oost@Test.eenplan.nl"),
                ("organisationId", &app.municipality_id),
                ("role", "wijkteam"),
                ("team", &team_id),
                ("role", ""),
                ("team", ""),
                ("role", "teamleider"),
                ("team", &team_id),
                ("password", "een-lang-wachtwoord"),
            ],
            None,
        )
        .await;
    assert_eq!(user.status, StatusCode::SEE_OTHER, "{}", user.body);
    let user_path = user.location.unwrap().split('?').next().unwrap().to_string();
    let user_id = user_path.trim_start_matches("/beheer/gebruikers/").to_string();
    let api = app.get(&format!("/api/v1/users/{user_id}"), &token).await;
    assert_eq!(api.body["email"], json!("noor.oost@test.eenplan.nl"));
    assert_eq!(
        api.body["roles"],
        json!([{"role": "teamleider", "teamId": team_id}, {"role": "wijkteam", "teamId": team_id}])
    );
    // The new user signs in with the first password.
    let noor = TestUser {
        id: user_id.clone(),
        email: "noor.oost@test.eenplan.nl".into(),
        password: "een-lang-wachtwoord".into(),
        totp_secret: None,
        role: Role::Wijkteam,
    };
    app.web_sign_in(&noor).await;

    // Edit: another name, one role less; the API sees it, its version went up.
    let form = web.get(&app, &user_path).await;
    let version = value_of(&form.body, "version").unwrap();
    assert!(!form.body.contains("een-lang-wachtwoord"), "a password is never shown");
    let saved = web
        .post(
            &app,
            &user_path,
            &[
                ("displayName", "Noor van Oost"),
                ("email", "noor.oost@test.eenplan.nl"),
                ("role", "wijkteam"),
                ("team", &team_id),
                ("role", ""),
                ("team", ""),
                ("version", &version),
            ],
            None,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let api = app.get(&format!("/api/v1/users/{user_id}"), &token).await;
    assert_eq!(api.body["displayName"], json!("Noor van Oost"));
    assert_eq!(api.body["roles"], json!([{"role": "wijkteam", "teamId": team_id}]));
    assert_eq!(api.body["version"].as_i64().unwrap(), version.parse::<i64>().unwrap() + 1);
    let listed = web.get(&app, "/beheer/gebruikers").await;
    assert!(listed.body.contains("Noor van Oost") && listed.body.contains("Wijkteammedewerker (Wijkteam Oost)"));
    assert!(!listed.body.contains("style="));
}

#[actix_web::test]
async fn a_user_form_names_every_error_at_once_keeps_the_input_and_creates_nothing() {
    let app = TestApp::new().await;
    let (admin, web, _) = admin(&app).await;
    let before = count_users(&app);
    let bad = web
        .post(
            &app,
            "/beheer/gebruikers",
            &[
                ("displayName", ""),
                ("email", "geen-adres"),
                ("organisationId", ""),
                ("role", ""),
                ("team", ""),
                ("role", "wijkteam"),
                ("team", ""),
                ("password", "kort"),
            ],
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let html = &bad.body;
    assert!(html.contains("Er zijn 5 fouten in het formulier"), "{html}");
    for link in ["#veld-email", "#veld-displayName", "#veld-organisationId", "#veld-roles-1-teamId", "#veld-password"] {
        assert!(html.contains(&format!("href=\"{link}\"")), "{link} in the summary");
        assert!(html.contains(&format!("id=\"{}\"", &link[1..])), "{link} is a field");
    }
    assert!(html.contains("Kies een team: deze rol hoort bij een team."));
    assert!(html.contains("Een wachtwoord heeft minstens 12 tekens."));
    assert!(html.contains("value=\"geen-adres\""), "what was typed is kept");
    assert!(html.contains("<option value=\"wijkteam\" selected>"), "the role chosen is kept");
    assert!(!html.contains("value=\"kort\""), "a password is not sent back");
    assert_eq!(count_users(&app), before);

    // An email address already taken, and a privileged role, are said at the field, nothing created.
    let taken = web
        .post(
            &app,
            "/beheer/gebruikers",
            &[
                ("displayName", "Dubbel"),
                ("email", &admin.email),
                ("organisationId", &app.municipality_id),
                ("role", "signaller"),
                ("team", ""),
                ("password", "een-lang-wachtwoord"),
            ],
            None,
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    assert!(taken.body.contains("Er is al een gebruiker met dit e-mailadres."));
    let privileged = web
        .post(
            &app,
            "/beheer/gebruikers",
            &[
                ("displayName", "Nog een beheerder"),
                ("email", "beheer2@test.eenplan.nl"),
                ("organisationId", &app.municipality_id),
                ("role", "admin"),
                ("team", ""),
                ("password", "een-lang-wachtwoord"),
            ],
            None,
        )
        .await;
    assert_eq!(privileged.status, StatusCode::FORBIDDEN, "{}", privileged.body);
    assert!(privileged.body.contains("alleen op de server"));
    assert_eq!(count_users(&app), before);
    let form = web.get(&app, "/beheer/gebruikers/nieuw").await;
    assert!(!form.body.contains("<option value=\"admin\""), "the form does not offer what only the server grants");
}

#[actix_web::test]
async fn a_stale_version_shows_the_conflict_keeps_the_input_and_overwrites_nothing() {
    let app = TestApp::new().await;
    let (admin, web, token) = admin(&app).await;
    let subject = app.user(Role::Signaller);
    let path = format!("/beheer/gebruikers/{}", subject.id);
    let form = web.get(&app, &path).await;
    let version = value_of(&form.body, "version").unwrap();

    // Someone else renames the user through the API meanwhile.
    let etag = format!("\"{version}\"");
    let other = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{}", subject.id),
            Some(&token),
            Some(json!({"displayName": "Naam van de ander"})),
            &[("If-Match", etag.as_str())],
        )
        .await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text);

    let before = app.audit_events().len();
    let stale = web
        .post(
            &app,
            &path,
            &[
                ("displayName", "Mijn nieuwe naam"),
                ("email", &subject.email),
                ("role", "signaller"),
                ("team", ""),
                ("version", &version),
            ],
            None,
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let html = &stale.body;
    assert!(html.contains("Iemand anders heeft dit intussen veranderd"));
    assert!(html.contains("value=\"Mijn nieuwe naam\""), "what the admin typed is kept");
    assert!(html.contains("<td>Naam van de ander</td>"), "the current value is shown");
    let next = (version.parse::<i64>().unwrap() + 1).to_string();
    assert_eq!(value_of(html, "version"), Some(next.clone()), "saving again replaces, knowingly, the current version");
    let event = event_of(&app, before, &admin);
    assert_eq!((event.data.action.as_str(), event.data.outcome.as_str()), ("user.update", "failed"));
    let api = app.get(&format!("/api/v1/users/{}", subject.id), &token).await;
    assert_eq!(api.body["displayName"], json!("Naam van de ander"), "nothing overwritten");

    // The same for an organisation and a team: their forms keep the input and change nothing.
    let org_path = format!("/beheer/organisaties/{}", app.provider_org_id);
    let org_stale = web
        .post(&app, &org_path, &[("name", "Mijn naam"), ("kind", "provider"), ("active", "1"), ("version", "7")], None)
        .await;
    assert_eq!(org_stale.status, StatusCode::CONFLICT);
    assert!(org_stale.body.contains("value=\"Mijn naam\"") && org_stale.body.contains("<td>Aanbieder Test</td>"));
    let team_path = format!("/beheer/teams/{}", app.team_id);
    let team_stale = web
        .post(&app, &team_path, &[("name", "Mijn team"), ("wijk", "Centrum"), ("active", "1"), ("version", "7")], None)
        .await;
    assert_eq!(team_stale.status, StatusCode::CONFLICT);
    assert!(team_stale.body.contains("value=\"Mijn team\"") && team_stale.body.contains("<td>Wijkteam Centrum</td>"));
    let org = app.get(&format!("/api/v1/organisations/{}", app.provider_org_id), &token).await;
    assert_eq!(org.body["name"], json!("Aanbieder Test"));
    let team = app.get(&format!("/api/v1/teams/{}", app.team_id), &token).await;
    assert_eq!(team.body["name"], json!("Wijkteam Centrum"));

    // Saving again with the version the conflict gave goes through.
    let again = web
        .post(
            &app,
            &path,
            &[
                ("displayName", "Mijn nieuwe naam"),
                ("email", &subject.email),
                ("role", "signaller"),
                ("team", ""),
                ("version", &next),
            ],
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let api = app.get(&format!("/api/v1/users/{}", subject.id), &token).await;
    assert_eq!(api.body["displayName"], json!("Mijn nieuwe naam"));
}

// ---- deactivation ----

#[actix_web::test]
async fn deactivating_a_user_asks_first_and_ends_their_live_web_session_at_once() {
    let app = TestApp::new().await;
    let (admin, web, _) = admin(&app).await;
    let subject = app.user(Role::Wijkteam);
    let theirs = app.web_sign_in(&subject).await;
    assert_eq!(theirs.get(&app, "/account").await.status, StatusCode::OK, "their session is live");

    let confirm = web.get(&app, &format!("/beheer/gebruikers/{}/deactiveren", subject.id)).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("De gebruiker wordt meteen afgemeld"));
    assert!(confirm.body.contains(&format!("action=\"/beheer/gebruikers/{}/deactiveren\"", subject.id)));
    // Looking at the confirmation changes nothing.
    assert_eq!(theirs.get(&app, "/account").await.status, StatusCode::OK);

    let before = app.audit_events().len();
    let done = web.post(&app, &format!("/beheer/gebruikers/{}/deactiveren", subject.id), &[], None).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let event = event_of(&app, before, &admin);
    assert_eq!((event.data.action.as_str(), event.data.outcome.as_str()), ("user.deactivate", "allowed"));
    let after = theirs.get(&app, "/account").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "the session ended at once");
    assert_eq!(after.location.as_deref(), Some("/aanmelden?verlopen=1&terug=%2Faccount"), "to sign in, and back");
    let again = app.web_sign_in_response(&subject, None).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "and signing in no longer works");
    let shown = web.get(&app, done.location.as_deref().unwrap()).await;
    assert!(shown.body.contains("Alle sessies van deze gebruiker zijn beëindigd."));
    assert!(shown.body.contains("Deze gebruiker is gedeactiveerd"));
    assert!(!shown.body.contains("Gebruiker deactiveren</a>"), "no second deactivation offered");

    // Nobody deactivates their own account: the page says so, nothing changes.
    let own = web.post(&app, &format!("/beheer/gebruikers/{}/deactiveren", admin.id), &[], None).await;
    assert_eq!(own.status, StatusCode::CONFLICT);
    assert!(own.body.contains("U kunt uw eigen account niet deactiveren"));
    assert_eq!(web.get(&app, "/beheer").await.status, StatusCode::OK);
}

// ---- Mijn account ----

#[actix_web::test]
async fn the_sign_in_history_shows_only_the_callers_own_sign_ins_failures_and_sign_outs() {
    let app = TestApp::new().await;
    let me = app.user(Role::Wijkteam);
    let other = app.user(Role::Wijkteam);
    // A wrong password for me, then for the other; the other signs in and out.
    let wrong = TestUser { password: "fout-wachtwoord-123".into(), ..me.clone() };
    assert_eq!(app.web_sign_in_response(&wrong, None).await.status, StatusCode::UNAUTHORIZED);
    let wrong_other = TestUser { password: "fout-wachtwoord-123".into(), ..other.clone() };
    assert_eq!(app.web_sign_in_response(&wrong_other, None).await.status, StatusCode::UNAUTHORIZED);
    let theirs = app.web_sign_in(&other).await;
    assert_eq!(theirs.post(&app, "/afmelden", &[], None).await.status, StatusCode::SEE_OTHER);
    let first = app.web_sign_in(&me).await;
    assert_eq!(first.post(&app, "/afmelden", &[], None).await.status, StatusCode::SEE_OTHER);
    let web = app.web_sign_in(&me).await;

    let token = app.token(&me).await;
    let before = app.audit_events().len();
    let api = app.get("/api/v1/auth/me/sign-ins", &token).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text);
    let kinds: Vec<&str> = api.body["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    // Newest first: the API sign-in, the web sign-in, the sign-out, the first sign-in, the failure.
    assert_eq!(kinds, ["signed_in", "signed_in", "signed_out", "signed_in", "failed"]);
    assert_eq!(api.body["items"][4]["outcome"], json!("denied"));
    assert_eq!(api.body["items"][1]["clientAddress"], json!("192.0.2.20"), "from where, as the log keeps it");
    let event = event_of(&app, before, &me);
    assert_eq!((event.data.action.as_str(), event.data.outcome.as_str()), ("own_account.read", "allowed"));
    assert_eq!(event.data.resource_id.as_deref(), Some(me.id.as_str()));

    // Paged as the API pages: two at a time, the cursor leads on, and no page holds the other's events.
    let page1 = app.get("/api/v1/auth/me/sign-ins?limit=2", &token).await;
    assert_eq!(page1.body["items"].as_array().unwrap().len(), 2);
    let next = page1.body["next"].as_str().unwrap().to_string();
    let page2 = app.get(&format!("/api/v1/auth/me/sign-ins?limit=2&after={next}"), &token).await;
    assert_eq!(page2.body["items"][0]["kind"], json!("signed_out"));
    let bad = app.get("/api/v1/auth/me/sign-ins?after=geen-cursor", &token).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let other_token = app.token(&other).await;
    let theirs = app.get("/api/v1/auth/me/sign-ins", &other_token).await;
    let their_kinds: Vec<&str> =
        theirs.body["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(their_kinds, ["signed_in", "signed_out", "signed_in", "failed"], "the other's own, not mine");

    let page = web.get(&app, "/account").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.body;
    assert!(html.contains("<h1>Mijn account</h1>"));
    assert!(html.contains("Wijkteammedewerker in Wijkteam Centrum"), "{html}");
    assert!(html.contains("Gemeente Test"));
    assert!(html.contains("Mislukte poging (verkeerd wachtwoord of code)") && html.contains("Geweigerd"));
    assert!(html.contains("Afgemeld") && html.contains("192.0.2.20"));
    assert_eq!(html.matches("<td>Aangemeld</td>").count(), 3, "mine only: {html}");
    assert!(!html.contains(&other.email));
}

/// The `d` of the SVG path in a page or a rendering.
fn svg_path(svg: &str) -> String {
    let at = svg.find(" d=\"").expect("a path") + 4;
    svg[at..].split('"').next().unwrap().to_string()
}

#[actix_web::test]
async fn enrolling_totp_shows_the_qr_code_of_exactly_the_enrolment_uri_and_the_code_confirms_it() {
    let app = TestApp::new().await;
    let me = app.user(Role::Wijkteam);
    let web = app.web_sign_in(&me).await;
    let start = web.get(&app, "/account/tweede-factor").await;
    assert_eq!(start.status, StatusCode::OK);
    assert!(start.body.contains("Begin met instellen"));
    assert!(!start.body.contains("<svg"));

    let before = app.audit_events().len();
    let begun = web.post(&app, "/account/tweede-factor/starten", &[], None).await;
    assert_eq!(begun.status, StatusCode::SEE_OTHER, "{}", begun.body);
    assert_eq!(begun.location.as_deref(), Some("/account/tweede-factor"));
    let event = event_of(&app, before, &me);
    assert_eq!((event.data.action.as_str(), event.data.outcome.as_str()), ("own_account.enrol_totp", "allowed"));

    let shown = web.get(&app, "/account/tweede-factor").await;
    let html = &shown.body;
    assert!(html.contains("Stap 1: scan de QR-code") && html.contains("Stap 2: vul de code uit de app in"));
    let at = html.find("<code id=\"sleutel\">").unwrap() + "<code id=\"sleutel\">".len();
    let secret: String = html[at..].split('<').next().unwrap().replace(' ', "");
    assert_eq!(secret.len(), 32, "the secret for manual entry: {secret}");
    let uri = eenplan::auth::model::otpauth_uri(&me.email, &secret);
    let svg_at = html.find("<svg").expect("the QR code inline");
    let svg = &html[svg_at..html[svg_at..].find("</svg>").unwrap() + svg_at];
    assert!(!svg.contains("style="), "no inline style (the CSP forbids it)");
    assert!(svg.contains("role=\"img\" aria-label="));
    let expected = qrcode::QrCode::new(uri.as_bytes())
        .unwrap()
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    assert_eq!(svg_path(svg), svg_path(&expected), "the QR code is the rendering of exactly the enrolment URI");
    // Another URI draws another code: the comparison means something.
    let other = qrcode::QrCode::new(uri.replace("issuer=eenplan", "issuer=x").as_bytes())
        .unwrap()
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    assert_ne!(svg_path(svg), svg_path(&other));

    // A wrong code: said at the field, the QR code still there, nothing enrolled.
    let wrong = web.post(&app, "/account/tweede-factor/bevestigen", &[("code", "000000")], None).await;
    let wrong =
        if wrong.status == StatusCode::SEE_OTHER { panic!("000000 happened to be the code; run again") } else { wrong };
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.body);
    assert!(wrong.body.contains("href=\"#veld-code\"") && wrong.body.contains("Deze code klopt niet"));
    assert!(wrong.body.contains("<svg") && wrong.body.contains("value=\"000000\""));
    let token = app.token(&me).await;
    assert_eq!(app.get("/api/v1/auth/me", &token).await.body["totpEnrolled"], json!(false));

    let code = TestApp::totp_now(&secret);
    let confirmed = web.post(&app, "/account/tweede-factor/bevestigen", &[("code", &code)], None).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER, "{}", confirmed.body);
    let done = web.get(&app, confirmed.location.as_deref().unwrap()).await;
    assert!(done.body.contains("Uw tweede factor is ingesteld."));
    assert!(!done.body.contains("<svg") && !done.body.contains(&secret), "the secret is not shown again");
    assert_eq!(app.get("/api/v1/auth/me", &token).await.body["totpEnrolled"], json!(true));
    // From now on signing in asks for the code.
    let asked = app.web_sign_in_response(&me, None).await;
    assert_eq!(asked.status, StatusCode::UNAUTHORIZED);
    assert!(asked.text.contains("name=\"totp\""));
    let with_code = TestUser { totp_secret: Some(secret.clone()), ..me.clone() };
    let next = eenplan::auth::model::totp_code_now(&secret, chrono::Utc::now().timestamp() + 30).unwrap();
    assert_eq!(app.web_sign_in_response(&with_code, Some(&next)).await.status, StatusCode::SEE_OTHER);
    // Starting again now is refused: a factor is active.
    assert_eq!(web.post(&app, "/account/tweede-factor/starten", &[], None).await.status, StatusCode::CONFLICT);
}

#[actix_web::test]
async fn the_admins_own_factor_page_says_it_is_enrolled_and_a_session_cookie_of_another_user_shows_their_own() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin);
    let web = app.web_sign_in(&admin).await;
    let page = web.get(&app, "/account/tweede-factor").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("U heeft een tweede factor ingesteld."));
    assert!(!page.body.contains(admin.totp_secret.as_deref().unwrap()), "an active secret is never shown");
    // Without a session: to the sign-in page.
    let anonymous = app.web_call(Method::GET, "/account", &[], None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    let ended = app.web_call(Method::GET, "/beheer", &[(SESSION_COOKIE, "onbekend")], None).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    let _: &WebSession = &web;
}
