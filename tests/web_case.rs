//! The web client's Huishouden (case page) and Noodtoegang (break-glass) screens, in-process: what each role sees
//! (the API's scope: 404 out of scope), the audit event of every page view, the forms (validation all at once,
//! nothing changed; CSRF refused), on SQLite and PostgreSQL.

mod common;

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use common::pages::{WebSession, SESSION_COOKIE};
use common::world::household_case_and_person;
use common::{TestApp, TestUser};
use eenplan::access::Role;
use eenplan::audit::model::{Basis, EventData};

/// A web answer as these tests read it: status, where it sends the browser (empty: nowhere), the HTML.
struct Html {
    status: StatusCode,
    location: String,
    text: String,
}

/// A request of the session's user; `form` as sent (urlencoded, with or without a CSRF token).
async fn request(app: &TestApp, b: &WebSession, method: Method, path: &str, form: Option<&str>) -> Html {
    let res = app.web_call_encoded(method, path, &[(SESSION_COOKIE, &b.cookie)], form).await;
    Html { status: res.status, location: res.header("location").unwrap_or("").to_string(), text: res.text }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Signs in with the next step's TOTP code: the API's sign-in of the same user may have used this step's.
async fn sign_in(app: &TestApp, user: &TestUser) -> WebSession {
    app.web_sign_in_after_api(user).await
}

async fn get(app: &TestApp, b: &WebSession, path: &str) -> Html {
    request(app, b, Method::GET, path, None).await
}

/// POSTs a form with the session's CSRF token prepended.
async fn post(app: &TestApp, b: &WebSession, path: &str, body: &str) -> Html {
    let body = format!("csrf={}&{body}", enc(&b.csrf));
    request(app, b, Method::POST, path, Some(&body)).await
}

async fn post_raw(app: &TestApp, b: &WebSession, path: &str, body: &str) -> Html {
    request(app, b, Method::POST, path, Some(body)).await
}

async fn household_and_case(app: &TestApp, creator: &TestUser) -> (String, String) {
    let (household, case, _) = household_case_and_person(app, creator).await;
    (household, case)
}

fn last_event_of(app: &TestApp, user: &TestUser) -> EventData {
    app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(&user.id)).unwrap().data
}

async fn case_state(app: &TestApp, user: &TestUser, case: &str) -> String {
    let res = app.get(&format!("/api/v1/cases/{case}"), &app.token(user).await).await;
    res.body["state"].as_str().unwrap_or_default().to_string()
}

#[actix_web::test]
async fn the_case_page_shows_phase_household_professionals_and_regisseur() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case) = household_and_case(&app, &creator).await;
    let b = sign_in(&app, &creator).await;
    let page = get(&app, &b, &format!("/dossiers/{case}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let t = &page.text;
    assert!(t.contains("<h1>Huishouden 2711AB 12</h1>"), "{t}");
    assert!(t.contains("Aangemeld</span> <span class=\"phase-bar__marker\">(huidige fase)"), "the phase in words");
    assert!(t.contains("Naar fase: Kennismaking"), "the allowed next step");
    assert!(t.contains("Sanne de Vries") && t.contains("Ouder"), "the composition");
    assert!(t.contains("Samenstelling door de tijd"), "over time");
    assert!(t.contains("Test wijkteam") && t.contains("Ja: eigen wijkteam"), "the professionals and the basis");
    assert!(t.contains("Dit dossier heeft nog geen regisseur."));
    assert!(t.contains("Dossier aangemeld."), "the timeline");
    assert!(t.contains("aria-current=\"page\">Huishouden"), "the case's sub-navigation");
    assert!(!t.contains("Noodtoegang is open"), "no banner without break-glass");

    // The view is audited as the read of the case, with the involvement it rests on.
    let e = last_event_of(&app, &creator);
    assert_eq!(e.case_id.as_deref(), Some(case.as_str()));
    assert_eq!(e.outcome, "allowed");
    assert!(matches!(e.basis, Some(Basis::Involvement(_))), "{:?}", e.basis);
    assert!(!e.person_ids.is_empty(), "the members shown are named");
}

#[actix_web::test]
async fn every_role_sees_the_case_page_as_the_api_allows() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case) = household_and_case(&app, &creator).await;
    // (who, status of the case page, what the page must and must not show)
    let mut table: Vec<(TestUser, StatusCode, &str)> = vec![
        (creator.clone(), StatusCode::OK, "content"),
        (app.user(Role::Wijkteam), StatusCode::NOT_FOUND, ""),
        (app.user(Role::Teamleider), StatusCode::OK, "summary"),
        (app.user_in_other_team(Role::Teamleider), StatusCode::NOT_FOUND, ""),
        (app.user_in_other_team(Role::Wijkteam), StatusCode::NOT_FOUND, ""),
        (app.user(Role::Provider), StatusCode::NOT_FOUND, ""),
        // A procescoördinator reads the cases they adopted (an escalation); this one adopted none.
        (app.user(Role::Procescoordinator), StatusCode::NOT_FOUND, ""),
    ];
    for role in [Role::Signaller, Role::Matchregisseur, Role::PrivacyOfficer, Role::Admin] {
        table.push((app.user(role), StatusCode::FORBIDDEN, ""));
    }
    for (user, status, view) in table {
        let token = app.token(&user).await;
        let b = sign_in(&app, &user).await;
        let page = get(&app, &b, &format!("/dossiers/{case}")).await;
        assert_eq!(page.status, status, "{:?} case page", user.role);
        // The page view's own event (before the API's read below).
        let e = last_event_of(&app, &user);
        assert_eq!(e.http_status, Some(status.as_u16() as i32), "{:?}", user.role);
        let api = app.get(&format!("/api/v1/cases/{case}"), &token).await;
        assert_eq!(api.status, status, "{:?}: the page answers as the API", user.role);
        match view {
            "content" => assert!(page.text.contains("Sanne de Vries")),
            "summary" => {
                assert!(page.text.contains("samenvatting"), "{}", page.text);
                assert!(!page.text.contains("Sanne de Vries"), "a summary shows no names");
                assert!(!page.text.contains("2711AB"), "nor the address");
                assert!(matches!(e.basis, Some(Basis::TeamLead(_))), "{:?}", e.basis);
                // The page's counts are the API's (the page counts the involvements it lists).
                let counts = format!(
                    "{} hulpverlener uit {} organisatie",
                    api.body["involvedProfessionals"].as_i64().unwrap(),
                    api.body["involvedOrganisations"].as_i64().unwrap()
                );
                assert!(page.text.contains(&counts), "{counts}: {}", page.text);
            }
            _ => {
                assert!(!page.text.contains("Sanne de Vries"));
                assert_eq!(e.outcome, "denied", "{:?}", user.role);
            }
        }
        if status == StatusCode::OK {
            assert_eq!(e.case_id.as_deref(), Some(case.as_str()), "{:?}", user.role);
            assert_eq!(e.outcome, "allowed", "{:?}", user.role);
            assert!(e.basis.is_some());
        }
        // The dialog of break-glass: for the wijkteam role alone (as the API), whatever the case.
        let dialog = get(&app, &b, &format!("/dossiers/{case}/noodtoegang")).await;
        let expected = if user.role == Role::Wijkteam { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(dialog.status, expected, "{:?} break-glass dialog", user.role);
        // The forms answer as the API's acts: out of scope 404, seen but not theirs to change 403; nothing changes.
        if user.id != creator.id {
            let step = post(&app, &b, &format!("/dossiers/{case}/fase"), "version=1&state=intake").await;
            let expected = match status {
                StatusCode::OK => StatusCode::FORBIDDEN,
                other => other,
            };
            assert_eq!(step.status, expected, "{:?} next step", user.role);
            let proposal = post(&app, &b, &format!("/dossiers/{case}/regisseur/accepteren"), "").await;
            assert!(matches!(proposal.status.as_u16(), 403 | 404), "{:?} accept: {}", user.role, proposal.status);
            assert_eq!(case_state(&app, &creator, &case).await, "registered");
        }
        if user.role != Role::Wijkteam {
            let open = post(&app, &b, &format!("/dossiers/{case}/noodtoegang"), "reason=other&justification=x").await;
            assert_eq!(open.status, StatusCode::FORBIDDEN, "{:?} opens break-glass", user.role);
        }
        // Out of scope: the 404 offers break-glass only to those who may open it.
        if status == StatusCode::NOT_FOUND {
            assert_eq!(
                page.text.contains("/noodtoegang"),
                user.role == Role::Wijkteam,
                "{:?}: the offer of break-glass",
                user.role
            );
        }
    }
    // An unknown case is the same 404 as one out of scope.
    let b = sign_in(&app, &creator).await;
    let unknown = get(&app, &b, "/dossiers/01900000-0000-7000-8000-000000000000").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn moving_the_case_along_and_closing_it_needs_a_reason() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case) = household_and_case(&app, &creator).await;
    let b = sign_in(&app, &creator).await;
    let path = format!("/dossiers/{case}/fase");

    let res = post(&app, &b, &path, "version=1&state=intake").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
    assert_eq!(res.location, format!("/dossiers/{case}?gedaan=fase"));
    assert_eq!(case_state(&app, &creator, &case).await, "intake");
    let page = get(&app, &b, &res.location).await;
    assert!(page.text.contains("De fase van het dossier is veranderd."));
    assert!(page.text.contains("Kennismaking</span> <span class=\"phase-bar__marker\">(huidige fase)"));

    // Closing without a reason: the page again with the error at the top and at the field; nothing changed.
    let res = post(&app, &b, &path, "version=2&state=closed&close_reason=").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.text.contains("error-summary") && res.text.contains("href=\"#veld-closeReason\""), "{}", res.text);
    assert!(res.text.contains("Kies waarom het dossier wordt afgesloten."));
    assert_eq!(case_state(&app, &creator, &case).await, "intake");

    // A stale version is explained; nothing changed.
    let res = post(&app, &b, &path, "version=1&state=planning").await;
    assert_eq!(res.status, StatusCode::PRECONDITION_FAILED, "{}", res.text);
    assert!(res.text.contains("Iemand anders heeft dit dossier intussen veranderd"));
    assert_eq!(case_state(&app, &creator, &case).await, "intake");

    // A wrong or missing CSRF token: 403, nothing changed.
    let res = post_raw(&app, &b, &path, "csrf=wrong&version=2&state=planning").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = post_raw(&app, &b, &path, "version=2&state=planning").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(case_state(&app, &creator, &case).await, "intake");

    let res = post(&app, &b, &path, "version=2&state=closed&close_reason=goal_reached").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
    assert_eq!(case_state(&app, &creator, &case).await, "closed");
    let page = get(&app, &b, &format!("/dossiers/{case}")).await;
    assert!(page.text.contains("Reden van afsluiten: Het doel is bereikt."));
    assert!(!page.text.contains("name=\"state\""), "a closed case offers no next step");
}

#[actix_web::test]
async fn a_regisseur_is_proposed_accepted_and_hands_over() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case) = household_and_case(&app, &creator).await;
    let lead = app.user(Role::Teamleider);
    let lb = sign_in(&app, &lead).await;
    let page = get(&app, &lb, &format!("/dossiers/{case}")).await;
    assert!(page.text.contains("Regisseur voorstellen"), "{}", page.text);
    assert!(page.text.contains(&format!("value=\"{}\"", creator.id)), "the involved team member is a candidate");

    // All errors at once, the input kept; nothing proposed.
    let long = "x".repeat(501);
    let res = post(&app, &lb, &format!("/dossiers/{case}/regisseur"), &format!("user_id=&reason={long}")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.text.contains("href=\"#veld-userId\"") && res.text.contains("href=\"#veld-reason\""));
    assert!(res.text.contains(&long), "the text typed is kept");
    let history = app.get(&format!("/api/v1/cases/{case}/regisseur"), &app.token(&lead).await).await;
    assert_eq!(history.body.as_array().unwrap().len(), 0);

    let res = post(
        &app,
        &lb,
        &format!("/dossiers/{case}/regisseur"),
        &format!("user_id={}&reason=Kent+het+gezin", creator.id),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);

    // The proposed professional answers on the case page.
    let b = sign_in(&app, &creator).await;
    let page = get(&app, &b, &format!("/dossiers/{case}")).await;
    assert!(page.text.contains("Voorstel accepteren"), "{}", page.text);
    let res = post(&app, &b, &format!("/dossiers/{case}/regisseur/accepteren"), "").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
    let page = get(&app, &b, &res.location).await;
    assert!(page.text.contains("De regisseur is <strong>Test wijkteam (u)</strong>."), "{}", page.text);
    assert!(page.text.contains("Regisseur nu") && page.text.contains("is regisseur geworden."));
    let history = app.get(&format!("/api/v1/cases/{case}/regisseur"), &app.token(&creator).await).await;
    assert_eq!(history.body[0]["status"], "active");

    // Without the CSRF token nothing is answered.
    let res = post_raw(&app, &b, &format!("/dossiers/{case}/regisseur/afwijzen"), "").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn break_glass_opens_a_window_that_every_case_page_shows() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case) = household_and_case(&app, &creator).await;
    let outsider = app.user_in_other_team(Role::Wijkteam);
    let b = sign_in(&app, &outsider).await;
    let page = get(&app, &b, &format!("/dossiers/{case}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.text.contains(&format!("/dossiers/{case}/noodtoegang")));

    let dialog = get(&app, &b, &format!("/dossiers/{case}/noodtoegang")).await;
    assert_eq!(dialog.status, StatusCode::OK);
    assert!(dialog.text.contains("wordt vastgelegd en beoordeeld") && dialog.text.contains("4 uur"), "{}", dialog.text);
    let path = format!("/dossiers/{case}/noodtoegang");

    // Every error at once, the text kept; no window opened.
    let res = post(&app, &b, &path, "justification=acuut").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.text.contains("href=\"#veld-reason\"") && res.text.contains("href=\"#veld-justification\""));
    assert!(res.text.contains(">acuut</textarea>"));
    // Without the CSRF token: 403.
    let justification = "Buren melden geschreeuw en een huilend kind; niemand doet open.";
    let body = format!("reason=acute_danger_child&justification={}", enc(justification));
    let res = post_raw(&app, &b, &path, &body).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let token = app.token(&outsider).await;
    let mine = app.get(&format!("/api/v1/break-glass/mine?caseId={case}"), &token).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    assert_eq!(mine.body.as_array().unwrap().len(), 0, "nothing opened");

    let res = post(&app, &b, &path, &body).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
    assert_eq!(res.location, format!("/dossiers/{case}?gedaan=noodtoegang"));
    let mine = app.get(&format!("/api/v1/break-glass/mine?caseId={case}"), &token).await;
    assert_eq!(mine.body.as_array().unwrap().len(), 1);
    assert_eq!(mine.body[0]["reason"], "acute_danger_child");
    let read = last_event_of(&app, &outsider);
    assert_eq!((read.action.as_str(), read.outcome.as_str()), ("own_account.read", "allowed"));
    assert!(read.basis.is_some());

    let page = get(&app, &b, &res.location).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("Noodtoegang is open.") && page.text.contains("nog 4 uur"), "{}", page.text);
    assert!(page.text.contains("alleen lezen") && page.text.contains("Sanne de Vries"));
    assert!(!page.text.contains("name=\"state\""), "a break-glass reader changes nothing");
    let e = last_event_of(&app, &outsider);
    assert!(matches!(e.basis, Some(Basis::BreakGlass(_))), "{:?}", e.basis);
    assert!(e.flagged);
    assert_eq!(e.case_id.as_deref(), Some(case.as_str()));

    // The window is the user's own: nobody else's case pages show it, and another case shows none.
    let cb = sign_in(&app, &creator).await;
    let theirs = get(&app, &cb, &format!("/dossiers/{case}")).await;
    assert!(!theirs.text.contains("Noodtoegang is open."));
    let all = app.get("/api/v1/break-glass/mine", &app.token(&creator).await).await;
    assert_eq!(all.body.as_array().unwrap().len(), 0);

    // Who already sees the case needs none: to the case page, nothing opened.
    let res = post(&app, &cb, &path, &body).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/api/v1/break-glass/mine", &app.token(&creator).await).await.body.as_array().unwrap().len(), 0);
}

#[actix_web::test]
async fn a_provider_sees_what_the_consent_covers_and_nothing_more() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case, person) = household_case_and_person(&app, &creator).await;
    let provider = app.user(Role::Provider);
    let lead = app.user(Role::Teamleider);
    let res = app
        .post(
            &format!("/api/v1/cases/{case}/involvements"),
            &app.token(&lead).await,
            json!({"userId": provider.id, "roleInCase": "schuldhulp"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    // Involved without a consent: nothing of the case (404), and the team sees there is no basis to share.
    let pb = sign_in(&app, &provider).await;
    assert_eq!(get(&app, &pb, &format!("/dossiers/{case}")).await.status, StatusCode::NOT_FOUND);
    let b = sign_in(&app, &creator).await;
    let page = get(&app, &b, &format!("/dossiers/{case}")).await;
    assert!(page.text.contains("Nee: geen toestemming"), "{}", page.text);

    let today = chrono::Utc::now().date_naive();
    let res = app
        .post(
            "/api/v1/consents",
            &app.token(&creator).await,
            json!({"caseId": case, "personId": person, "kind": "consent",
                   "givenBy": [{"personId": person, "capacity": "self"}],
                   "recipientOrganisationIds": [app.provider_org_id], "categories": ["basic"], "purpose": "Afstemmen",
                   "validFrom": today.to_string(), "validUntil": (today + chrono::Duration::days(90)).to_string()}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let page = get(&app, &b, &format!("/dossiers/{case}")).await;
    assert!(page.text.contains("Ja: toestemming"), "{}", page.text);

    let page = get(&app, &pb, &format!("/dossiers/{case}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let t = &page.text;
    assert!(t.contains("Basisgegevens en contacten"), "what the consent covers: {t}");
    assert!(t.contains("Sanne de Vries"), "the covered member's contact details");
    assert!(!t.contains("Samenstelling door de tijd"), "no composition history");
    assert!(!t.contains("Regisseur"), "no regisseur history");
    assert!(!t.contains("name=\"state\""), "no next steps");
    assert!(!t.contains("Jeugdwet"), "the laws are left out, as in the API");
    let e = last_event_of(&app, &provider);
    assert!(matches!(e.basis, Some(Basis::Consent(_))), "{:?}", e.basis);
    assert_eq!((e.outcome.as_str(), e.case_id.as_deref()), ("allowed", Some(case.as_str())));
}
