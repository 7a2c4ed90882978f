//! Where the web client sends people: the links in the notification emails (taken from the mail a real SMTP server
//! on loopback received) open their page after sign-in and return there; a user who may not see it gets 404 (403
//! for a role that has no such page at all, as the API); the header shows each role what it may open; a role
//! without Mijn werk starts at its own page; error pages say nothing of what was asked for.

mod common;

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use common::pages::{form_csrf, set_cookie, WebSession, FORM_COOKIE, SESSION_COOKIE};
use common::smtp::{app_with_smtp, delivered, free_port, smtp_available, SmtpServer};
use common::{TestApp, TestUser};
use eenplan::access::Role;
use eenplan::households::bsn::synthetic;
use eenplan::notify::service::deliver_due;

const BASE: &str = "https://eenplan.test";

/// Follows a link as a browser that is not signed in: to the sign-in page, which returns to the link's page after
/// signing in. Returns the session and the page's status.
async fn follow_signed_out(app: &TestApp, path: &str, user: &TestUser) -> (WebSession, StatusCode, String) {
    let first = app.web_call(Method::GET, path, &[], None).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{path} without a session");
    let to_sign_in = first.header("location").unwrap().to_string();
    assert!(to_sign_in.starts_with("/aanmelden?terug="), "{to_sign_in}");
    let form = app.web_call(Method::GET, &to_sign_in, &[], None).await;
    assert_eq!(form.status, StatusCode::OK);
    let token = set_cookie(&form, FORM_COOKIE).unwrap();
    assert_eq!(form_csrf(&form.text).as_deref(), Some(token.as_str()));
    assert!(form.text.contains(&format!("name=\"terug\" value=\"{path}\"")), "the form keeps where to return");
    let code = user
        .totp_secret
        .as_deref()
        .map(|s| eenplan::auth::model::totp_code_now(s, chrono::Utc::now().timestamp() + 30).unwrap());
    let mut fields = vec![("csrf", token.as_str()), ("email", &user.email), ("password", &user.password)];
    if let Some(c) = &code {
        fields.push(("totp", c));
    }
    fields.push(("terug", path));
    let signed_in = app.web_call(Method::POST, "/aanmelden", &[(FORM_COOKIE, &token)], Some(&fields)).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.text);
    assert_eq!(signed_in.header("location"), Some(path), "after sign-in, back to the link's page");
    let cookie = set_cookie(&signed_in, SESSION_COOKIE).unwrap();
    let session = WebSession { csrf: eenplan::auth::model::csrf_token(&cookie), cookie };
    let page = session.get(app, path).await;
    (session, page.status, page.body)
}

fn link_in(text: &str) -> String {
    let line = text.lines().find(|l| l.starts_with(BASE)).unwrap_or_else(|| panic!("no link in:\n{text}"));
    line.trim()[BASE.len()..].to_string()
}

#[actix_web::test]
async fn every_email_link_opens_its_page_after_sign_in_and_is_404_to_others() {
    if !smtp_available() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("eenplan-mail-{}", eenplan::db::new_id()));
    let server = SmtpServer::start(free_port(), &dir);
    let app = app_with_smtp(server.port).await;

    // A case whose teamleider proposes its creator as regisseur.
    let wijkteam = app.user(Role::Wijkteam);
    let t = app.token(&wijkteam).await;
    let h = app
        .post(
            "/api/v1/households",
            &t,
            json!({"postcode": "2719XY", "houseNumber": 7, "wijk": "Noord", "teamId": app.team_id}),
        )
        .await;
    let household = h.body["id"].as_str().unwrap().to_string();
    for (name, birth, n) in [("Sofie Bakker", "2013-04-05", 80), ("Daan Bakker", "2016-09-10", 81)] {
        let r = app
            .post(
                &format!("/api/v1/households/{household}/members"),
                &t,
                json!({"person": {"name": name, "birthDate": birth, "bsn": synthetic(n).expose()}, "relation": "child", "from": birth}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let case = app.post("/api/v1/cases", &t, json!({"householdId": household, "laws": ["Jeugdwet"]})).await;
    let case_id = case.body["id"].as_str().unwrap().to_string();
    let lead = app.user(Role::Teamleider);
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/cases/{case_id}/regisseur"),
            Some(&app.token(&lead).await),
            Some(json!({"userId": wijkteam.id})),
            &[],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    // An address match between two signallers; a matchregisseur follows it.
    let school = app.user_in(Role::Signaller, &app.organisation("Basisschool De Linde", "other"));
    let jgz = app.user_in(Role::Signaller, &app.organisation("Jeugdgezondheidszorg", "provider"));
    let matchregisseur = app.user(Role::Matchregisseur);
    for (who, birth, n) in [(&school, "2013-04-05", 80), (&jgz, "2016-09-10", 81)] {
        let r = app
            .post(
                "/api/v1/signals",
                &app.token(who).await,
                json!({"subject": {"bsn": synthetic(n).expose(), "birthDate": birth}, "contact": {"phone": "079 123 45 67"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    // A break-glass use by a wijkteam member of another team: the privacy officer is told.
    let officer = app.user(Role::PrivacyOfficer);
    let outsider = app.user_in_other_team(Role::Wijkteam);
    let bg = app
        .post(
            "/api/v1/break-glass",
            &app.token(&outsider).await,
            json!({"caseId": case_id, "reason": "acute_danger_child",
                   "justification": "De school meldt dat het kind vandaag niet naar huis durft te gaan."}),
        )
        .await;
    assert_eq!(bg.status, StatusCode::CREATED, "{}", bg.text);

    let report = deliver_due(&app.state).await.unwrap();
    assert_eq!(report.failed, 0, "{report:?}");
    let mail = delivered(&dir);
    let to = |u: &TestUser| mail.iter().find(|m| m.to == u.email).unwrap_or_else(|| panic!("no mail to {}", u.email));

    // Proposed as regisseur → the case page, where the proposal is answered.
    let path = link_in(&to(&wijkteam).text);
    assert_eq!(path, format!("/dossiers/{case_id}"));
    let (_, status, body) = follow_signed_out(&app, &path, &wijkteam).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Voorstel accepteren"), "{body}");
    let stranger = app.web_sign_in(&app.user_in_other_team(Role::Wijkteam)).await;
    assert_eq!(stranger.get(&app, &path).await.status, StatusCode::NOT_FOUND, "another team's member");

    // A match → the match page, for each signaller in it and the matchregisseur; 404 to a signaller not in it.
    let match_path = link_in(&to(&school).text);
    assert!(match_path.starts_with("/matches/"), "{match_path}");
    assert_eq!(link_in(&to(&jgz).text), match_path);
    assert_eq!(link_in(&to(&matchregisseur).text), match_path);
    for who in [&school, &matchregisseur] {
        let (_, status, body) = follow_signed_out(&app, &match_path, who).await;
        assert_eq!(status, StatusCode::OK, "{} on {match_path}: {body}", who.email);
        assert!(!body.contains("Sofie") && !body.contains("Daan"), "a match page never names the person");
    }
    let other_signaller = app.user_in(Role::Signaller, &app.organisation("Huisartsenpraktijk", "other"));
    let other = app.web_sign_in(&other_signaller).await;
    assert_eq!(other.get(&app, &match_path).await.status, StatusCode::NOT_FOUND, "a signaller not in the match");

    // Break-glass used → the use to judge, for the privacy officer; a wijkteam member has no such page (403, as the
    // API), and an id that is no use is 404.
    let bg_path = link_in(&to(&officer).text);
    assert_eq!(bg_path, format!("/noodtoegang/{}", bg.body["id"].as_str().unwrap()));
    let (officer_session, status, body) = follow_signed_out(&app, &bg_path, &officer).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Was de noodtoegang terecht?"), "{body}");
    assert!(!body.contains("Sofie") && !body.contains("2719"), "the use, not the family");
    assert_eq!(stranger.get(&app, &bg_path).await.status, StatusCode::FORBIDDEN);
    let unknown = format!("/noodtoegang/{}", eenplan::db::new_id());
    assert_eq!(officer_session.get(&app, &unknown).await.status, StatusCode::NOT_FOUND);

    // Every email link is ids only: nothing in a path but the page's words and uuids.
    for m in &mail {
        let path = link_in(&m.text);
        assert!(
            path.split('/')
                .all(|seg| seg.is_empty() || ["dossiers", "matches", "noodtoegang"].contains(&seg) || uuid_like(seg)),
            "{path}"
        );
    }
    server.stop();
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

#[actix_web::test]
async fn a_break_glass_use_is_judged_on_its_page_all_errors_at_once_and_audited() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case, _) = common::world::household_case_and_person(&app, &creator).await;
    let outsider = app.user_in_other_team(Role::Wijkteam);
    let bg = app
        .post(
            "/api/v1/break-glass",
            &app.token(&outsider).await,
            json!({"caseId": case, "reason": "acute_danger_child",
                   "justification": "De school meldt dat het kind vandaag niet naar huis durft te gaan."}),
        )
        .await;
    assert_eq!(bg.status, StatusCode::CREATED, "{}", bg.text);
    let id = bg.body["id"].as_str().unwrap().to_string();
    let officer = app.user(Role::PrivacyOfficer);
    let officer_token = app.token(&officer).await;
    let s = app.web_sign_in_after_api(&officer).await;

    let list = s.get(&app, "/noodtoegang").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&format!("href=\"/noodtoegang/{id}\"")), "{}", list.body);
    assert!(list.body.contains("Nog te beoordelen (1)"));

    // Not justified without a note: the error at the note, the choice kept, nothing judged.
    let res = s
        .post(&app, &format!("/noodtoegang/{id}/beoordelen"), &[("judgement", "not_justified"), ("note", "")], None)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("href=\"#veld-note\""), "{}", res.body);
    assert!(res.body.contains("value=\"not_justified\" id=\"veld-judgement-not_justified\" checked"));
    let api = app.get(&format!("/api/v1/break-glass/{id}"), &officer_token).await;
    assert_eq!(api.status, StatusCode::OK);
    assert!(api.body["reviewedAt"].is_null(), "{}", api.text);
    // No CSRF token: refused, nothing judged.
    let res = s.post(&app, &format!("/noodtoegang/{id}/beoordelen"), &[("judgement", "justified")], Some("-")).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    let res =
        s.post(&app, &format!("/noodtoegang/{id}/beoordelen"), &[("judgement", "justified"), ("note", "")], None).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = s.get(&app, res.location.as_deref().unwrap()).await;
    assert!(page.body.contains("Uw oordeel is vastgelegd.") && page.body.contains("Terecht"), "{}", page.body);
    assert!(!page.body.contains("Was de noodtoegang terecht?"), "judged once");
    let api = app.get(&format!("/api/v1/break-glass/{id}"), &officer_token).await;
    assert_eq!(api.body["judgement"], "justified");

    // The views and the judgement are in the audit log as the API's acts, with the case they concern.
    let events = app.audit_events();
    let acts: Vec<(&str, &str)> = events
        .iter()
        .map(|e| &e.data)
        .filter(|e| e.user_id.as_deref() == Some(officer.id.as_str()) && e.resource_id.as_deref() == Some(id.as_str()))
        .map(|e| (e.action.as_str(), e.outcome.as_str()))
        .collect();
    assert!(acts.contains(&("break_glass.list", "allowed")), "{acts:?}");
    assert!(acts.contains(&("break_glass.update", "allowed")), "{acts:?}");

    // Every other role: 403 on the list and the use (the API's answer), nothing shown.
    for role in Role::ALL.into_iter().filter(|r| *r != Role::PrivacyOfficer) {
        let u = app.user(role);
        let w = app.web_sign_in(&u).await;
        for path in ["/noodtoegang".to_string(), format!("/noodtoegang/{id}")] {
            let a = w.get(&app, &path).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{role:?} on {path}");
            assert!(!a.body.contains("niet naar huis"), "{role:?}");
        }
        let a = w.post(&app, &format!("/noodtoegang/{id}/beoordelen"), &[("judgement", "justified")], None).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{role:?}");
    }
}

/// Each nav link of a role opens for it; every header page it is not shown is refused to it (or, for `/`, sends it
/// to its own start page): the header is what the role may do.
#[actix_web::test]
async fn the_header_of_each_role_is_what_it_may_open() {
    let app = TestApp::new().await;
    let all = [
        "/",
        "/team",
        "/acties",
        "/zoeken",
        "/signalen",
        "/matches",
        "/noodtoegang",
        "/procescoordinatie",
        "/beheer",
        "/account",
    ];
    for role in Role::ALL {
        let u = app.user(role);
        let s = app.web_sign_in(&u).await;
        let start = s.get(&app, "/").await;
        let home = match start.status {
            StatusCode::OK => "/".to_string(),
            StatusCode::SEE_OTHER => start.location.clone().unwrap(),
            other => panic!("{role:?} on /: {other}"),
        };
        let page = s.get(&app, &home).await;
        assert_eq!(page.status, StatusCode::OK, "{role:?} start page {home}: {}", page.body);
        let nav = page.body.split("aria-label=\"Hoofdmenu\"").nth(1).unwrap().split("</nav>").next().unwrap();
        let shown: Vec<&str> = all.iter().copied().filter(|p| nav.contains(&format!("href=\"{p}\""))).collect();
        assert!(page.body.contains("href=\"/account\""), "{role:?}: Mijn account in the header");
        for path in all {
            let a = s.get(&app, path).await;
            if shown.contains(&path) || path == "/account" {
                assert_eq!(a.status, StatusCode::OK, "{role:?} sees {path} in the header and may open it");
            } else if path == "/" {
                assert_eq!(a.status, StatusCode::SEE_OTHER, "{role:?}: / leads to its start page");
            } else {
                assert!(
                    [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&a.status),
                    "{role:?} is not shown {path}, and may not open it: {}",
                    a.status
                );
            }
        }
    }
}

#[actix_web::test]
async fn a_return_path_is_only_ever_one_of_our_pages() {
    let app = TestApp::new().await;
    for evil in
        ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/aanmelden", "/a b", "/%0d%0aSet-Cookie:x"]
    {
        let form = app.web_call(Method::GET, &format!("/aanmelden?terug={}", urlencode(evil)), &[], None).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(!form.text.contains("name=\"terug\""), "{evil} is not kept");
    }
    // A POST with a bad return path signs in to Mijn werk.
    let u = app.user(Role::Wijkteam);
    let form = app.web_call(Method::GET, "/aanmelden", &[], None).await;
    let token = set_cookie(&form, FORM_COOKIE).unwrap();
    let fields =
        [("csrf", token.as_str()), ("email", &u.email), ("password", &u.password), ("terug", "//evil.example/")];
    let res = app.web_call(Method::POST, "/aanmelden", &[(FORM_COOKIE, &token)], Some(&fields)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), Some("/"));
    // A form sent after the session ended does not come back to: it goes to the sign-in page plainly.
    let path = format!("/dossiers/{}/fase", eenplan::db::new_id());
    let res = app.web_call(Method::POST, &path, &[(SESSION_COOKIE, "gone")], Some(&[("csrf", "x")])).await;
    assert!(
        res.status == StatusCode::FORBIDDEN
            || (res.status == StatusCode::SEE_OTHER && !res.header("location").unwrap().contains("terug")),
        "{} {:?}",
        res.status,
        res.header("location")
    );
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).unwrap()[2..].to_string()
}

#[actix_web::test]
async fn error_pages_say_nothing_of_what_was_asked() {
    let app = TestApp::new().await;
    let u = app.user(Role::Wijkteam);
    let s = app.web_sign_in(&u).await;
    let secret_id = eenplan::db::new_id();
    let a = s.get(&app, &format!("/dossiers/{secret_id}/plan")).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(!a.body.contains(&secret_id), "the id asked for is not repeated");
    assert!(a.body.contains("<h1>"), "a page in the client's style");
    let a = s.get(&app, "/nergens").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.body.contains("Pagina niet gevonden"));
    let a = s.get(&app, "/beheer").await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.body.contains("Niet toegestaan"));
}

/// An admin (a role that needs a second factor) without one signs in to a session that can only enrol it: every
/// other page sends them to the enrolment, the header offers nothing; once enrolled they sign in with the code.
#[actix_web::test]
async fn an_admin_without_a_second_factor_enrols_it_before_anything_else() {
    let app = TestApp::new().await;
    let mut admin = app.user(Role::Wijkteam);
    eenplan::identity::store::replace_roles(
        &mut app.conn(),
        &admin.id,
        &[eenplan::identity::model::RoleGrant { role: Role::Admin, team_id: None }],
    )
    .unwrap();
    admin.role = Role::Admin;

    let res = app.web_sign_in_response(&admin, None).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
    assert_eq!(res.header("location"), Some("/account/tweede-factor"));
    let cookie = set_cookie(&res, SESSION_COOKIE).unwrap();
    let s = WebSession { csrf: eenplan::auth::model::csrf_token(&cookie), cookie };

    let page = s.get(&app, "/account/tweede-factor").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains("href=\"/beheer\""), "the header offers nothing else yet");
    for path in ["/", "/beheer", "/beheer/gebruikers", "/account"] {
        let a = s.get(&app, path).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(a.location.as_deref(), Some("/account/tweede-factor"), "{path}: the enrolment first");
    }
    let a = s.post(&app, "/beheer/gebruikers/nieuw", &[("email", "x@test.eenplan.nl")], None).await;
    assert!(
        !a.status.is_success() && a.location.as_deref() != Some("/beheer/gebruikers"),
        "no form either: {}",
        a.status
    );
    let api = app.login_response(&admin).await;
    let limited = api.body["accessToken"].as_str().unwrap().to_string();
    assert_eq!(app.get("/api/v1/users", &limited).await.status, StatusCode::UNAUTHORIZED, "nor the API");

    let begun = s.post(&app, "/account/tweede-factor/starten", &[], None).await;
    assert_eq!(begun.status, StatusCode::SEE_OTHER, "{}", begun.body);
    let shown = s.get(&app, "/account/tweede-factor").await;
    let at = shown.body.find("<code id=\"sleutel\">").unwrap() + "<code id=\"sleutel\">".len();
    let secret: String = shown.body[at..].split('<').next().unwrap().replace(' ', "");
    let code = TestApp::totp_now(&secret);
    let done = s.post(&app, "/account/tweede-factor/bevestigen", &[("code", &code)], None).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/aanmelden?ingesteld=1"));
    let notice = app.web_call(Method::GET, "/aanmelden?ingesteld=1", &[], None).await;
    assert!(notice.text.contains("Uw tweede factor is ingesteld"));
    assert_eq!(s.get(&app, "/account/tweede-factor").await.status, StatusCode::SEE_OTHER, "the limited session ended");

    // With the code: the whole of Beheer.
    admin.totp_secret = Some(secret.clone());
    let next = eenplan::auth::model::totp_code_now(&secret, chrono::Utc::now().timestamp() + 30).unwrap();
    let res = app.web_sign_in_response(&admin, Some(&next)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let cookie = set_cookie(&res, SESSION_COOKIE).unwrap();
    let full = WebSession { csrf: eenplan::auth::model::csrf_token(&cookie), cookie };
    assert_eq!(full.get(&app, "/beheer").await.status, StatusCode::OK);
}
