//! The web client's session: sign-in (same rules and audit as the API), the cookie's flags, the headers of every
//! page, CSRF on every form, sign-out, the idle and absolute timeouts, and sessions that end when the account or its
//! roles change.

mod common;

use actix_web::http::{Method, StatusCode};
use chrono::Duration;
use diesel::prelude::*;
use serde_json::json;

use common::pages::{form_csrf, set_cookie, set_cookie_line, FORM_COOKIE, SESSION_COOKIE};
use common::TestApp;
use eenplan::access::Role;
use eenplan::db::schema::{sessions, users, web_sessions};

fn location(res: &common::Response) -> &str {
    res.header("location").unwrap_or("")
}

#[actix_web::test]
async fn sign_in_sets_a_host_only_secure_http_only_strict_cookie_and_is_audited() {
    let app = TestApp::new().await;
    let user = app.user(Role::Wijkteam);
    let form = app.web_call(Method::GET, "/aanmelden", &[], None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains("<html lang=\"nl\">") && form.text.contains("Aanmelden bij eenplan"));
    let form_cookie = set_cookie_line(&form, FORM_COOKIE).unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(form_cookie.contains(flag), "{flag} in {form_cookie}");
    }

    let res = app.web_sign_in_response(&user, None).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/");
    let line = set_cookie_line(&res, SESSION_COOKIE).expect("the session cookie");
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(line.contains(flag), "{flag} in {line}");
    }
    // `__Host-`: no Domain, so the cookie stays with this host.
    assert!(!line.to_lowercase().contains("domain="), "{line}");
    let cookie = set_cookie(&res, SESSION_COOKIE).unwrap();
    assert!(cookie.len() >= 40, "a long random secret");
    // The database keeps only its hash.
    let stored: Vec<String> = web_sessions::table.select(web_sessions::token_hash).load(&mut app.conn()).unwrap();
    assert_eq!(stored, vec![eenplan::crypto::sha256_hex(&cookie)]);

    // The same audit event as an API login: the user, the session as its resource.
    let login = app.audit_events().into_iter().rev().find(|e| e.data.action == "auth.login").expect("a login event");
    assert_eq!(login.data.user_id.as_deref(), Some(user.id.as_str()));
    assert_eq!(login.data.outcome, "allowed");
}

#[actix_web::test]
async fn wrong_credentials_and_a_missing_code_are_explained_in_dutch_and_start_no_session() {
    let app = TestApp::new().await;
    let mut user = app.user(Role::Wijkteam);
    user.password = "niet het wachtwoord".into();
    let res = app.web_sign_in_response(&user, None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(res.text.contains("klopt niet"), "{}", res.text);
    assert!(res.text.contains(&user.email), "the address is kept");
    assert!(!res.text.contains("niet het wachtwoord"), "the password is never echoed");
    assert!(set_cookie(&res, SESSION_COOKIE).is_none());
    let failed = app.audit_events().into_iter().rev().find(|e| e.data.action == "auth.login_failed").unwrap();
    assert_eq!(failed.data.outcome, "denied");

    // An account with a second factor: the code is asked for, then accepted.
    let mut officer = app.user(Role::Wijkteam);
    let secret = eenplan::auth::model::new_totp_secret();
    diesel::update(users::table.filter(users::id.eq(&officer.id)))
        .set(users::totp_secret.eq(&secret))
        .execute(&mut app.conn())
        .unwrap();
    officer.totp_secret = Some(secret);
    let res = app.web_sign_in_response(&officer, Some("")).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(res.text.contains("code van zes cijfers"), "{}", res.text);
    let session = app.web_sign_in(&officer).await;
    assert_eq!(app.page(&session, "/").await.status, StatusCode::OK);

    let none: i64 = web_sessions::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(none, 1, "only the successful sign-in made a session");
}

#[actix_web::test]
async fn the_sign_in_form_needs_its_own_cookie_so_no_other_site_can_sign_someone_in() {
    let app = TestApp::new().await;
    let user = app.user(Role::Wijkteam);
    let form = app.web_call(Method::GET, "/aanmelden", &[], None).await;
    let token = form_csrf(&form.text).unwrap();
    let fields = [("csrf", token.as_str()), ("email", user.email.as_str()), ("password", user.password.as_str())];
    // Without the cookie, or with another one: 403, no session.
    for cookies in [vec![], vec![(FORM_COOKIE, "iets-anders")]] {
        let res = app.web_call(Method::POST, "/aanmelden", &cookies, Some(&fields)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert!(res.text.contains("Formulier verlopen"), "{}", res.text);
        assert!(set_cookie(&res, SESSION_COOKIE).is_none());
    }
    let count: i64 = sessions::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(count, 0);
}

#[actix_web::test]
async fn every_page_carries_the_security_headers() {
    let app = TestApp::new().await;
    let session = app.web_sign_in(&app.user(Role::Wijkteam)).await;
    for res in [
        app.page(&session, "/").await,
        app.web_call(Method::GET, "/aanmelden", &[], None).await,
        app.page(&session, "/bestaat-niet").await,
    ] {
        let csp = res.header("content-security-policy").unwrap_or_default().to_string();
        for part in ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"] {
            assert!(csp.contains(part), "{part} in {csp}");
        }
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
        assert_eq!(res.header("cache-control"), Some("no-store"));
        assert_eq!(res.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
        assert!(res.content_type().starts_with("text/html"), "{}", res.content_type());
    }
    // A page that does not exist is a Dutch page, not a problem document.
    let missing = app.page(&session, "/bestaat-niet").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text.contains("Pagina niet gevonden"));
    // The stylesheet is no personal data and may be cached; the API stays problem+json.
    let css = app.web_call(Method::GET, "/assets/eenplan.css", &[], None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header("cache-control").unwrap().contains("max-age"));
    assert!(css.text.contains("--eenplan-color-primary"), "design tokens as custom properties");
    let api = app.web_call(Method::GET, "/api/v1/bestaat-niet", &[], None).await;
    assert!(api.content_type().starts_with("application/problem+json"));
}

#[actix_web::test]
async fn a_form_without_the_sessions_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let session = app.web_sign_in(&app.user(Role::Wijkteam)).await;
    let cookie = [(SESSION_COOKIE, session.cookie.as_str())];
    for fields in [vec![], vec![("csrf", "0".repeat(64))], vec![("csrf", session.csrf[..63].to_string())]] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = app.web_call(Method::POST, "/afmelden", &cookie, Some(&fields)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{fields:?}");
        assert!(res.text.contains("Er is niets veranderd"));
    }
    // Another session's token does not fit this one.
    let other = app.web_sign_in(&app.user(Role::Wijkteam)).await;
    let res = app.web_call(Method::POST, "/afmelden", &cookie, Some(&[("csrf", other.csrf.as_str())])).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Still signed in: the sign-out did not happen.
    assert_eq!(app.page(&session, "/").await.status, StatusCode::OK);
    let revoked: i64 =
        sessions::table.filter(sessions::revoked_at.is_not_null()).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(revoked, 0);
}

#[actix_web::test]
async fn sign_out_ends_the_session_at_once() {
    let app = TestApp::new().await;
    let session = app.web_sign_in(&app.user(Role::Wijkteam)).await;
    assert_eq!(app.page(&session, "/").await.status, StatusCode::OK);
    let res = app.submit(&session, "/afmelden", &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/aanmelden");
    let removal = set_cookie_line(&res, SESSION_COOKIE).unwrap();
    assert!(removal.contains("Max-Age=0"), "{removal}");
    // The old cookie, kept by someone, opens nothing.
    let after = app.page(&session, "/").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&after), "/aanmelden?verlopen=1");
    let reason: Option<String> = sessions::table.select(sessions::revoked_reason).first(&mut app.conn()).unwrap();
    assert_eq!(reason.as_deref(), Some("logout"));
}

#[actix_web::test]
async fn a_session_ends_after_the_idle_timeout_and_after_the_absolute_timeout() {
    let app = TestApp::new().await;
    let user = app.user(Role::Wijkteam);
    let idle = app.web_sign_in(&user).await;
    let used = app.web_sign_in(&user).await;
    let old = app.web_sign_in(&user).await;
    let hash = |s: &common::pages::WebSession| eenplan::crypto::sha256_hex(&s.cookie);
    let t = eenplan::db::now();
    let mut conn = app.conn();
    // Unused for 16 minutes (the default idle timeout is 15), used 14 minutes ago.
    for (session, minutes) in [(&idle, 16), (&used, 14)] {
        diesel::update(web_sessions::table.filter(web_sessions::token_hash.eq(hash(session))))
            .set(web_sessions::last_seen_at.eq(t - Duration::minutes(minutes)))
            .execute(&mut conn)
            .unwrap();
    }
    // Busy all along, but signed in longer ago than the absolute timeout allows.
    let old_session: String = web_sessions::table
        .filter(web_sessions::token_hash.eq(hash(&old)))
        .select(web_sessions::session_id)
        .first(&mut conn)
        .unwrap();
    diesel::update(sessions::table.filter(sessions::id.eq(&old_session)))
        .set(sessions::expires_at.eq(t - Duration::seconds(1)))
        .execute(&mut conn)
        .unwrap();

    let res = app.page(&idle, "/").await;
    assert_eq!((res.status, location(&res)), (StatusCode::SEE_OTHER, "/aanmelden?verlopen=1"));
    let res = app.page(&old, "/").await;
    assert_eq!((res.status, location(&res)), (StatusCode::SEE_OTHER, "/aanmelden?verlopen=1"));
    assert_eq!(app.page(&used, "/").await.status, StatusCode::OK);
    // Using it moved its idle clock on.
    let seen: chrono::NaiveDateTime = web_sessions::table
        .filter(web_sessions::token_hash.eq(hash(&used)))
        .select(web_sessions::last_seen_at)
        .first(&mut conn)
        .unwrap();
    assert!(seen > t - Duration::minutes(1), "last seen {seen}, now {t}");

    // The sign-in page says why it is shown.
    let form = app.web_call(Method::GET, "/aanmelden?verlopen=1", &[], None).await;
    assert!(form.text.contains("U bent afgemeld"));
    // And the absolute timeout is what a web session is given at sign-in (10 hours by default).
    let expires: chrono::NaiveDateTime =
        sessions::table.filter(sessions::id.ne(&old_session)).select(sessions::expires_at).first(&mut conn).unwrap();
    let hours = (expires - t).num_minutes() as f64 / 60.0;
    assert!((9.9..=10.0).contains(&hours), "{hours} hours");
}

#[actix_web::test]
async fn deactivating_an_account_or_changing_its_roles_ends_its_web_sessions() {
    let app = TestApp::new().await;
    let admin = app.token(&app.user(Role::Admin)).await;
    let leaving = app.user(Role::Wijkteam);
    let moving = app.user(Role::Wijkteam);
    let a = app.web_sign_in(&leaving).await;
    let b = app.web_sign_in(&moving).await;
    assert_eq!(app.page(&a, "/").await.status, StatusCode::OK);
    assert_eq!(app.page(&b, "/").await.status, StatusCode::OK);

    let res = app.post(&format!("/api/v1/users/{}/deactivate", leaving.id), &admin, json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(app.page(&a, "/").await.status, StatusCode::SEE_OTHER);

    let user = app.get(&format!("/api/v1/users/{}", moving.id), &admin).await;
    let etag = user.header("etag").unwrap().to_string();
    let change = json!({"roles": [{"role": "teamleider", "teamId": app.team_id}]});
    let res = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{}", moving.id),
            Some(&admin),
            Some(change),
            &[("If-Match", &etag)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(app.page(&b, "/").await.status, StatusCode::SEE_OTHER, "the new role needs a new sign-in");
}

#[actix_web::test]
async fn every_page_view_is_audited_with_who_viewed_it() {
    let app = TestApp::new().await;
    let user = app.user(Role::Wijkteam);
    let session = app.web_sign_in(&user).await;
    let before = app.audit_events().len();
    assert_eq!(app.page(&session, "/").await.status, StatusCode::OK);
    let events = app.audit_events();
    assert_eq!(events.len(), before + 1, "one event for the page view");
    let view = events.last().unwrap();
    assert_eq!(view.data.user_id.as_deref(), Some(user.id.as_str()));
    assert_eq!(view.data.action, "case.list", "the same event as the API's list of cases");
    assert_eq!(view.data.outcome, "allowed");
}
