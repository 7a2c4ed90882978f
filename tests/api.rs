//! The foundation's behaviour through the real HTTP application, on SQLite or PostgreSQL.

mod common;

use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

use common::{TestApp, TestUser};
use eenplan::access::Role;

#[actix_web::test]
async fn login_with_a_wrong_password_is_401_problem_json() {
    let app = TestApp::new().await;
    let user = app.user(Role::Wijkteam);
    let res = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": user.email, "password": "wrong password!"})),
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.content_type(), "application/problem+json");
    assert_eq!(res.body["status"], 401);
    let ok = app.login_response(&user).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert!(ok.body["accessToken"].as_str().unwrap().len() > 20);
    assert!(ok.body["refreshToken"].as_str().unwrap().len() > 20);
    assert_eq!(ok.body["expiresIn"], 900);
}

/// One endpoint: method, path, body, the audit action it records, the roles allowed.
type Endpoint = (Method, String, Option<Value>, &'static str, &'static [Role]);

/// What each role gets from each endpoint of the foundation.
#[actix_web::test]
async fn every_role_against_every_endpoint() {
    let app = TestApp::new().await;
    let target = app.user(Role::Signaller);
    let org = app.municipality_id.clone();
    let team = app.team_id.clone();
    let endpoints: Vec<Endpoint> = vec![
        (Method::GET, "/api/v1/organisations".into(), None, "organisation.list", &[Role::Admin]),
        (
            Method::POST,
            "/api/v1/organisations".into(),
            Some(json!({"name": "@", "kind": "provider"})),
            "organisation.create",
            &[Role::Admin],
        ),
        (Method::GET, format!("/api/v1/organisations/{org}"), None, "organisation.read", &[Role::Admin]),
        (
            Method::PATCH,
            format!("/api/v1/organisations/{org}"),
            Some(json!({"name": "Gemeente Test 2"})),
            "organisation.update",
            &[Role::Admin],
        ),
        (Method::GET, "/api/v1/teams".into(), None, "team.list", &[Role::Admin]),
        (
            Method::POST,
            "/api/v1/teams".into(),
            Some(json!({"organisationId": org, "name": "@", "kind": "municipality"})),
            "team.create",
            &[Role::Admin],
        ),
        (Method::GET, format!("/api/v1/teams/{team}"), None, "team.read", &[Role::Admin]),
        (
            Method::PATCH,
            format!("/api/v1/teams/{team}"),
            Some(json!({"providerMayDirect": true})),
            "team.update",
            &[Role::Admin],
        ),
        (Method::GET, "/api/v1/users".into(), None, "user.list", &[Role::Admin]),
        (
            Method::POST,
            "/api/v1/users".into(),
            Some(
                json!({"email": "@", "displayName": "Nieuw", "organisationId": org, "roles": [{"role": "provider"}], "password": "a long enough password"}),
            ),
            "user.create",
            &[Role::Admin],
        ),
        (Method::GET, format!("/api/v1/users/{}", target.id), None, "user.read", &[Role::Admin]),
        (
            Method::PATCH,
            format!("/api/v1/users/{}", target.id),
            Some(json!({"displayName": "Andere naam"})),
            "user.update",
            &[Role::Admin],
        ),
        (Method::POST, format!("/api/v1/users/{}/deactivate", target.id), None, "user.deactivate", &[Role::Admin]),
        (Method::GET, "/api/v1/audit/events".into(), None, "audit_event.list", &[Role::PrivacyOfficer]),
        (Method::GET, "/api/v1/auth/me".into(), None, "own_account.read", &Role::ALL),
    ];
    let mut n = 0;
    for role in Role::ALL {
        let user = app.user(role);
        let token = app.token(&user).await;
        for (method, path, body, action, allowed) in &endpoints {
            n += 1;
            // Fresh unique names so the admin's creates do not collide.
            let body = body.clone().map(|b| {
                let s = b
                    .to_string()
                    .replace("\"@\"", &format!("\"Nieuw {n}{}\"", if path.contains("users") { "@x.nl" } else { "" }));
                serde_json::from_str::<Value>(&s).unwrap()
            });
            let version = if *method == Method::PATCH {
                app.get(path, &app.token(&app_admin(&app).await).await).await.header("etag").unwrap().to_string()
            } else {
                String::new()
            };
            let headers: Vec<(&str, &str)> =
                if version.is_empty() { vec![] } else { vec![("If-Match", version.as_str())] };
            let res = app.call(method.clone(), path, Some(&token), body, &headers).await;
            let expected = if allowed.contains(&role) {
                if *method == Method::POST && !path.ends_with("/deactivate") {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                }
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(res.status, expected, "{role:?} {method} {path}: {}", res.text);
            if expected == StatusCode::FORBIDDEN {
                assert_eq!(res.content_type(), "application/problem+json");
                let events = app.audit_events();
                let last = events.iter().rev().find(|e| e.data.user_id.as_deref() == Some(&user.id)).unwrap();
                assert_eq!(last.data.outcome, "denied", "{role:?} {path}");
                assert_eq!(last.data.action, *action);
            }
        }
        // Without a token every protected endpoint answers 401 and the denial is audited.
        for (method, path, body, _, _) in &endpoints {
            let before = app.audit_events().len();
            let res = app.call(method.clone(), path, None, body.clone(), &[]).await;
            assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{method} {path}");
            assert_eq!(res.content_type(), "application/problem+json");
            let events = app.audit_events();
            assert_eq!(events.len(), before + 1);
            assert_eq!(events.last().unwrap().data.outcome, "denied");
        }
    }
}

async fn app_admin(app: &TestApp) -> TestUser {
    // One admin per app, found by its email prefix; created on first use.
    static ADMINS: std::sync::Mutex<Vec<(String, TestUser)>> = std::sync::Mutex::new(Vec::new());
    let key = app.data_dir.display().to_string();
    if let Some((_, u)) = ADMINS.lock().unwrap().iter().find(|(k, _)| *k == key) {
        return u.clone();
    }
    let admin = app.user(Role::Admin);
    ADMINS.lock().unwrap().push((key, admin.clone()));
    admin
}

#[actix_web::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = TestApp::new().await;
    let user = app.user(Role::Wijkteam);
    let login = app.login_response(&user).await;
    let access = login.body["accessToken"].as_str().unwrap().to_string();
    let first = login.body["refreshToken"].as_str().unwrap().to_string();
    let rotated = app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refreshToken": first})), &[]).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text);
    let second = rotated.body["refreshToken"].as_str().unwrap().to_string();
    assert_ne!(first, second);
    assert_eq!(app.get("/api/v1/auth/me", &access).await.status, StatusCode::OK);

    // The first token again: the whole family ends, including the newest refresh and access tokens.
    let reuse = app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refreshToken": first})), &[]).await;
    assert_eq!(reuse.status, StatusCode::UNAUTHORIZED);
    let after = app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refreshToken": second})), &[]).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/auth/me", &access).await.status, StatusCode::UNAUTHORIZED);
    assert!(app.audit_events().iter().any(|e| e.data.action == "auth.refresh_reused" && e.data.outcome == "denied"));
}

#[actix_web::test]
async fn logout_revokes_access_and_refresh_tokens() {
    let app = TestApp::new().await;
    let user = app.user(Role::Teamleider);
    let login = app.login_response(&user).await;
    let access = login.body["accessToken"].as_str().unwrap().to_string();
    let refresh = login.body["refreshToken"].as_str().unwrap().to_string();
    let res = app.call(Method::POST, "/api/v1/auth/logout", Some(&access), None, &[]).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/auth/me", &access).await.status, StatusCode::UNAUTHORIZED);
    let r = app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refreshToken": refresh})), &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_deactivated_users_tokens_stop_working_at_once() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin);
    let admin_token = app.token(&admin).await;
    let user = app.user(Role::Provider);
    let login = app.login_response(&user).await;
    let access = login.body["accessToken"].as_str().unwrap().to_string();
    let refresh = login.body["refreshToken"].as_str().unwrap().to_string();
    assert_eq!(app.get("/api/v1/auth/me", &access).await.status, StatusCode::OK);
    let res = app.post(&format!("/api/v1/users/{}/deactivate", user.id), &admin_token, json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["active"], false);
    assert_eq!(app.get("/api/v1/auth/me", &access).await.status, StatusCode::UNAUTHORIZED);
    let r = app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refreshToken": refresh})), &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login_response(&user).await.status, StatusCode::UNAUTHORIZED);
    // Still there: users are never deleted.
    assert_eq!(app.get(&format!("/api/v1/users/{}", user.id), &admin_token).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn totp_is_required_for_admin_and_cannot_be_replayed() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin);
    let no_code = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": admin.email, "password": admin.password})),
            &[],
        )
        .await;
    assert_eq!(no_code.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_code.body["type"], "urn:eenplan:problem:totp-required");
    let wrong = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": admin.email, "password": admin.password, "totp": "000000"})),
            &[],
        )
        .await;
    // 000000 could be the right code once in a million; accept only the two honest outcomes.
    assert!(wrong.status == StatusCode::UNAUTHORIZED || wrong.status == StatusCode::OK);
    let code = TestApp::totp_now(admin.totp_secret.as_ref().unwrap());
    let body = json!({"email": admin.email, "password": admin.password, "totp": code});
    let ok = app.call(Method::POST, "/api/v1/auth/login", None, Some(body.clone()), &[]).await;
    if wrong.status == StatusCode::UNAUTHORIZED {
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
        let replay = app.call(Method::POST, "/api/v1/auth/login", None, Some(body), &[]).await;
        assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "a used code must not work again");
    }
}

#[actix_web::test]
async fn privacy_officer_without_a_factor_must_enrol_first() {
    let app = TestApp::new().await;
    // Privacy officers are created on the server (the API refuses to grant the role); this one has no factor yet.
    eenplan::identity::store::insert_user(
        &mut app.conn(),
        &eenplan::identity::store::NewUser {
            id: &eenplan::db::new_id(),
            email: "fg@test.eenplan.nl",
            display_name: "FG",
            organisation_id: &app.municipality_id,
            password_hash: &app.state.passwords.hash("a long enough password"),
            totp_secret: None,
        },
        &[eenplan::identity::model::RoleGrant { role: Role::PrivacyOfficer, team_id: None }],
        eenplan::db::now(),
    )
    .unwrap();
    let login = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "fg@test.eenplan.nl", "password": "a long enough password"})),
            &[],
        )
        .await;
    assert_eq!(login.status, StatusCode::OK);
    assert_eq!(login.body["scope"], "totp-enrolment");
    assert!(login.body["refreshToken"].is_null());
    let limited = login.body["accessToken"].as_str().unwrap().to_string();
    assert_eq!(app.get("/api/v1/audit/events", &limited).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/auth/me", &limited).await.status, StatusCode::UNAUTHORIZED);

    let enrol = app.post("/api/v1/auth/totp/enrol", &limited, json!({})).await;
    assert_eq!(enrol.status, StatusCode::OK, "{}", enrol.text);
    let secret = enrol.body["secret"].as_str().unwrap().to_string();
    assert!(enrol.body["otpauthUri"].as_str().unwrap().starts_with("otpauth://totp/"));
    let bad = app.post("/api/v1/auth/totp/confirm", &limited, json!({"code": "abc"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let confirm = app.post("/api/v1/auth/totp/confirm", &limited, json!({"code": TestApp::totp_now(&secret)})).await;
    assert_eq!(confirm.status, StatusCode::NO_CONTENT, "{}", confirm.text);
    let no_code = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "fg@test.eenplan.nl", "password": "a long enough password"})),
            &[],
        )
        .await;
    assert_eq!(no_code.status, StatusCode::UNAUTHORIZED, "once enrolled, a code is required");

    // The confirming code's step is used up; the next step's code is within the allowed drift.
    let next_code = eenplan::auth::model::totp_code_now(&secret, chrono::Utc::now().timestamp() + 30).unwrap();
    let body = json!({"email": "fg@test.eenplan.nl", "password": "a long enough password", "totp": next_code});
    let full = app.call(Method::POST, "/api/v1/auth/login", None, Some(body), &[]).await;
    assert_eq!(full.status, StatusCode::OK, "{}", full.text);
    assert_eq!(full.body["scope"], "full");
    let token = full.body["accessToken"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/audit/events", token).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn failed_logins_lock_the_account_and_are_audited_without_flooding() {
    let app = TestApp::with(common::Options { account_failures: 3, ..Default::default() }).await;
    let user = app.user(Role::Wijkteam);
    let before = app.audit_events().len();
    let wrong = json!({"email": user.email, "password": "not the password"});
    for _ in 0..3 {
        let r = app.call(Method::POST, "/api/v1/auth/login", None, Some(wrong.clone()), &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // Locked now: even the right password is refused until the lock ends.
    let locked = app.login_response(&user).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.content_type(), "application/problem+json");
    assert!(locked.header("retry-after").unwrap().parse::<u64>().unwrap() > 0);
    for _ in 0..5 {
        app.call(Method::POST, "/api/v1/auth/login", None, Some(wrong.clone()), &[]).await;
    }
    let events: Vec<_> = app.audit_events().into_iter().skip(before).collect();
    let actions: Vec<&str> = events.iter().map(|e| e.data.action.as_str()).collect();
    assert_eq!(actions, ["auth.login_failed", "auth.login_locked"], "nine attempts, two events");
    assert!(events.iter().all(|e| e.data.outcome == "denied" && e.data.resource_id.as_deref() == Some(&user.id)));
    assert_eq!(events[1].data.basis_kind().as_deref(), Some("failures:3"));
}

#[actix_web::test]
async fn validation_reports_all_field_errors_at_once_and_changes_nothing() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin);
    let token = app.token(&admin).await;
    let before = app.get("/api/v1/users", &token).await.body["items"].as_array().unwrap().len();
    let res = app
        .post("/api/v1/users", &token, json!({"email": "nope", "roles": [{"role": "wijkteam"}], "password": "short"}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.content_type(), "application/problem+json");
    let fields: Vec<&str> =
        res.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["email", "displayName", "organisationId", "roles[0].teamId", "password"]);
    let refs = app
        .post(
            "/api/v1/users",
            &token,
            json!({"email": "a@b.nl", "displayName": "A", "organisationId": "missing", "roles": [{"role": "wijkteam", "teamId": "missing"}], "password": "long enough password"}),
        )
        .await;
    assert_eq!(refs.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refs.body["errors"].as_array().unwrap().len(), 2, "{}", refs.text);
    assert_eq!(app.get("/api/v1/users", &token).await.body["items"].as_array().unwrap().len(), before);
}

#[actix_web::test]
async fn malformed_requests_get_problem_json() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin);
    let token = app.token(&admin).await;
    let unknown = app.post("/api/v1/organisations", &token, json!({"name": "X", "kind": "provider", "bsn": "1"})).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.content_type(), "application/problem+json");

    let app_svc = actix_web::test::init_service(eenplan::build_app(app.state.clone())).await;
    let req = actix_web::test::TestRequest::post()
        .uri("/api/v1/organisations")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "application/json"))
        .set_payload("{not json")
        .to_request();
    let res = actix_web::test::call_service(&app_svc, req).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json");

    let big = format!("{{\"name\": \"{}\", \"kind\": \"provider\"}}", "x".repeat(100_000));
    let req = actix_web::test::TestRequest::post()
        .uri("/api/v1/organisations")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(big)
        .to_request();
    let res = actix_web::test::call_service(&app_svc, req).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json");

    let req = actix_web::test::TestRequest::post()
        .uri("/api/v1/organisations")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "text/plain"))
        .set_payload("name=x")
        .to_request();
    let res = actix_web::test::call_service(&app_svc, req).await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let missing = app.get("/api/v1/nothing-here", &token).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.content_type(), "application/problem+json");
    let method = app.call(Method::DELETE, "/api/v1/users", Some(&token), None, &[]).await;
    assert_eq!(method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(method.content_type(), "application/problem+json");
    assert_eq!(method.body["status"], 405);
}

#[actix_web::test]
async fn responses_carry_the_conventional_headers() {
    let app = TestApp::new().await;
    for path in ["/health/live", "/api/v1/openapi.json", "/api/v1/users"] {
        let res = app.call(Method::GET, path, None, None, &[]).await;
        assert_eq!(res.header("api-version"), Some("1"), "{path}");
        assert!(res.header("x-request-id").unwrap().len() >= 32, "{path}");
        assert_eq!(res.header("cache-control"), Some("no-store"), "{path}");
        assert_eq!(res.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(res.header("x-frame-options"), Some("DENY"), "{path}");
    }
}

#[actix_web::test]
async fn updates_need_the_current_version() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin);
    let token = app.token(&admin).await;
    let path = format!("/api/v1/organisations/{}", app.municipality_id);
    let current = app.get(&path, &token).await;
    let etag = current.header("etag").unwrap().to_string();
    let missing = app.call(Method::PATCH, &path, Some(&token), Some(json!({"name": "A"})), &[]).await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
    let garbage = app.call(Method::PATCH, &path, Some(&token), Some(json!({"name": "A"})), &[("If-Match", "*")]).await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    let first = app.call(Method::PATCH, &path, Some(&token), Some(json!({"name": "A"})), &[("If-Match", &etag)]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let stale = app.call(Method::PATCH, &path, Some(&token), Some(json!({"name": "B"})), &[("If-Match", &etag)]).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.header("etag"), first.header("etag"));
    assert_eq!(app.get(&path, &token).await.body["name"], "A");
}

#[actix_web::test]
async fn privacy_officer_reads_the_log_filtered_and_paged_and_that_is_audited() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin);
    let admin_token = app.token(&admin).await;
    for _ in 0..3 {
        app.get("/api/v1/users", &admin_token).await;
    }
    let officer = app.user(Role::PrivacyOfficer);
    let token = app.token(&officer).await;
    let page1 = app.get(&format!("/api/v1/audit/events?userId={}&action=user.list&limit=2", admin.id), &token).await;
    assert_eq!(page1.status, StatusCode::OK, "{}", page1.text);
    let items = page1.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|e| e["userId"] == admin.id.as_str() && e["action"] == "user.list"));
    let next = page1.body["next"].as_str().unwrap();
    let page2 = app
        .get(&format!("/api/v1/audit/events?userId={}&action=user.list&limit=2&after={next}", admin.id), &token)
        .await;
    assert_eq!(page2.body["items"].as_array().unwrap().len(), 1);
    assert!(page2.body["next"].is_null());
    let from = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let future = app.get(&format!("/api/v1/audit/events?from={from}"), &token).await;
    assert_eq!(future.body["items"].as_array().unwrap().len(), 0, "{}", future.text);
    let reads = app.audit_events().into_iter().filter(|e| e.data.action == "audit_event.list").count();
    assert_eq!(reads, 3, "every read of the log is itself audited");
}

#[actix_web::test]
async fn audit_reason_header_is_kept_without_digit_runs() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin);
    let token = app.token(&admin).await;
    app.call(Method::GET, "/api/v1/users", Some(&token), None, &[("X-Audit-Reason", "controle dossier 123456782")])
        .await;
    let last = app.audit_events().into_iter().rev().find(|e| e.data.action == "user.list").unwrap();
    assert_eq!(last.data.reason.as_deref(), Some("controle dossier [removed]"));
}

#[actix_web::test]
async fn verify_detects_an_altered_and_a_deleted_row() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin);
    let token = app.token(&admin).await;
    for _ in 0..4 {
        app.get("/api/v1/organisations", &token).await;
    }
    let report = eenplan::audit::service::verify(&mut app.conn()).unwrap();
    assert!(report.first_break.is_none(), "{:?}", report.first_break);
    assert!(report.events >= 5);

    // The table refuses changes while its triggers stand.
    let mut conn = app.conn();
    use diesel::connection::SimpleConnection;
    assert!(conn.batch_execute("UPDATE audit_events SET action = 'x'").is_err());
    assert!(conn.batch_execute("DELETE FROM audit_events").is_err());

    let events = app.audit_events();
    let altered = &events[2];
    app.backend_sql(
        "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;",
        "ALTER TABLE audit_events DISABLE TRIGGER USER;",
    );
    app.backend_sql(
        &format!("UPDATE audit_events SET user_name = 'someone else' WHERE event_id = '{}'", altered.data.event_id),
        &format!("UPDATE audit_events SET user_name = 'someone else' WHERE event_id = '{}'", altered.data.event_id),
    );
    let b = eenplan::audit::service::verify(&mut app.conn()).unwrap().first_break.expect("alteration detected");
    assert_eq!(b.event_id, altered.data.event_id);

    // Put it back, then remove another row instead.
    let original = altered.data.user_name.clone().unwrap();
    let sql = format!("UPDATE audit_events SET user_name = '{original}' WHERE event_id = '{}'", altered.data.event_id);
    app.backend_sql(&sql, &sql);
    assert!(eenplan::audit::service::verify(&mut app.conn()).unwrap().first_break.is_none());
    let sql = format!("DELETE FROM audit_events WHERE event_id = '{}'", events[3].data.event_id);
    app.backend_sql(&sql, &sql);
    let b = eenplan::audit::service::verify(&mut app.conn()).unwrap().first_break.expect("deletion detected");
    assert_eq!(b.event_id, events[4].data.event_id);
}

#[actix_web::test]
async fn a_failing_audit_write_yields_503_and_no_data() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin);
    let token = app.token(&admin).await;
    app.backend_sql(
        "CREATE TRIGGER audit_broken BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
        "CREATE FUNCTION audit_broken() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
         CREATE TRIGGER audit_broken BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_broken();",
    );
    let read = app.get("/api/v1/users", &token).await;
    assert_eq!(read.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(read.content_type(), "application/problem+json");
    assert!(!read.text.contains(&admin.email), "no data may be served");
    assert!(!read.text.contains("disk full"), "no internal text");

    let write = app.post("/api/v1/organisations", &token, json!({"name": "Nooit", "kind": "other"})).await;
    assert_eq!(write.status, StatusCode::SERVICE_UNAVAILABLE);
    app.backend_sql("DROP TRIGGER audit_broken;", "DROP TRIGGER audit_broken ON audit_events;");
    let orgs = app.get("/api/v1/organisations", &token).await;
    assert_eq!(orgs.status, StatusCode::OK);
    assert!(!orgs.text.contains("Nooit"), "a change whose audit event failed must not be kept");
}

#[actix_web::test]
async fn health_and_openapi() {
    let app = TestApp::new().await;
    assert_eq!(app.call(Method::GET, "/health/live", None, None, &[]).await.status, StatusCode::OK);
    let ready = app.call(Method::GET, "/health/ready", None, None, &[]).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.text);
    let doc = app.call(Method::GET, "/api/v1/openapi.json", None, None, &[]).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in ["/api/v1/auth/login", "/api/v1/users/{id}/deactivate", "/api/v1/audit/events", "/health/ready"] {
        assert!(doc.body["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
}

#[test]
fn openapi_snapshot_matches_docs() {
    let generated = eenplan::openapi::document();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json");
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(path, &generated).unwrap();
    }
    let stored = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        stored == generated,
        "docs/openapi.json is out of date: run UPDATE_OPENAPI=1 cargo test --test api openapi"
    );
}

#[actix_web::test]
async fn demo_accounts_all_log_in() {
    let app = TestApp::new().await;
    // The demo seeds only an empty database; TestApp's fixtures are organisations, not users.
    let accounts = eenplan::demo::seed(&app.state, Some("demo-wachtwoord-123")).unwrap().expect("seeded");
    assert_eq!(accounts.len(), 9, "one per role and a second wijkteam member");
    assert!(eenplan::demo::seed(&app.state, None).unwrap().is_none(), "seeding twice changes nothing");
    let path = eenplan::demo::write_accounts(&app.state, &accounts).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let file: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut signaller_token = None;
    for (entry, role) in file.iter().zip(Role::ALL) {
        assert_eq!(entry["email"], format!("{}@demo.eenplan.nl", role.as_str()));
        assert_eq!(entry["role"], role.as_str());
        assert_eq!(entry["password"], "demo-wachtwoord-123");
        assert_eq!(entry["totpSecret"].is_string(), role.requires_totp(), "{role:?}");
        let user = TestUser {
            id: String::new(),
            email: entry["email"].as_str().unwrap().into(),
            password: "demo-wachtwoord-123".into(),
            totp_secret: entry["totpSecret"].as_str().map(str::to_string),
            role,
        };
        let res = app.login_response(&user).await;
        assert_eq!(res.status, StatusCode::OK, "{role:?}: {}", res.text);
        assert_eq!(res.body["scope"], "full");
        let token = res.body["accessToken"].as_str().unwrap();
        // The demo's cases: the wijkteam member is involved in the five of the first wijk, the teamleider leads it.
        if matches!(role, Role::Wijkteam | Role::Teamleider) {
            let cases = app.get("/api/v1/cases", token).await;
            let items = cases.body["items"].as_array().unwrap();
            assert_eq!(items.len(), 5, "{role:?}: {}", cases.text);
            let states: Vec<&str> = items.iter().map(|c| c["state"].as_str().unwrap()).collect();
            for s in ["registered", "intake", "active", "evaluating", "closed"] {
                assert!(states.contains(&s), "{role:?} {states:?}");
            }
            let active = items.iter().find(|c| c["state"] == "active").unwrap()["id"].as_str().unwrap();
            let one = app.get(&format!("/api/v1/cases/{active}"), token).await;
            let view = if role == Role::Wijkteam { "content" } else { "summary" };
            assert_eq!(one.body["view"], view);
            assert_eq!(one.body["involvedOrganisations"], 2, "{}", one.text);
            if role == Role::Wijkteam {
                // A blended family: four live there now, the eldest moved out; synthetic BSNs in full for the
                // involved wijkteam member.
                let household = one.body["householdId"].as_str().unwrap();
                let h = app.get(&format!("/api/v1/households/{household}"), token).await;
                assert_eq!(h.body["memberCount"], 4, "{}", h.text);
                for m in h.body["members"].as_array().unwrap() {
                    assert!(m["person"]["bsn"].as_str().unwrap().starts_with("99999"), "{m}");
                }
                let all = app.get(&format!("/api/v1/households/{household}/members"), token).await;
                assert_eq!(all.body.as_array().unwrap().len(), 5);
                // The handover to the colleague waits on the evaluating case; the colleague accepts it.
                let evaluating = items.iter().find(|c| c["state"] == "evaluating").unwrap()["id"].as_str().unwrap();
                let history = app.get(&format!("/api/v1/cases/{evaluating}/regisseur"), token).await;
                let statuses: Vec<&str> =
                    history.body.as_array().unwrap().iter().map(|a| a["status"].as_str().unwrap()).collect();
                assert_eq!(statuses, ["active", "proposed"]);
                let colleague = TestUser {
                    id: String::new(),
                    email: "wijkteam.collega@demo.eenplan.nl".into(),
                    password: "demo-wachtwoord-123".into(),
                    totp_secret: None,
                    role: Role::Wijkteam,
                };
                // The active case's plan: superseded, current and a draft; done, running and overdue actions;
                // assessments at the start and midway; an evaluation that adjusted the plan.
                let plans = app.get(&format!("/api/v1/cases/{active}/plans"), token).await;
                let statuses: Vec<&str> =
                    plans.body.as_array().unwrap().iter().map(|v| v["status"].as_str().unwrap()).collect();
                assert_eq!(statuses, ["superseded", "agreed", "draft"]);
                let current = app.get(&format!("/api/v1/cases/{active}/plans/current"), token).await;
                let progress = current.body["progress"].as_array().unwrap();
                assert!(progress.iter().any(|p| p["status"] == "done"));
                assert!(progress.iter().any(|p| p["overdue"] == true));
                let assessments = app.get(&format!("/api/v1/cases/{active}/assessments"), token).await;
                assert_eq!(assessments.body.as_array().unwrap().len(), 6);
                let evaluations = app.get(&format!("/api/v1/cases/{active}/evaluations"), token).await;
                assert_eq!(evaluations.body["items"][0]["decision"], "adjust");
                let doc = app.get(&format!("/api/v1/cases/{active}/plans/current/document"), token).await;
                assert!(doc.text.contains("Weer grip op geld"));
                // The involved provider sees, by the family's consent, their own action and the goal it serves.
                let provider = TestUser {
                    id: String::new(),
                    email: "provider@demo.eenplan.nl".into(),
                    password: "demo-wachtwoord-123".into(),
                    totp_secret: None,
                    role: Role::Provider,
                };
                let pt = app.login_response(&provider).await.body["accessToken"].as_str().unwrap().to_string();
                let seen = app.get(&format!("/api/v1/cases/{active}/plans/current"), &pt).await;
                assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
                assert_eq!(seen.body["content"]["actions"].as_array().unwrap().len(), 1);
                assert_eq!(seen.body["content"]["goals"][0]["id"], "g-school");
                let consents = app.get(&format!("/api/v1/consents?caseId={active}"), token).await;
                assert_eq!(consents.body.as_array().unwrap().len(), 2);
                let ct = app.login_response(&colleague).await.body["accessToken"].as_str().unwrap().to_string();
                let accepted = app.post(&format!("/api/v1/cases/{evaluating}/regisseur/accept"), &ct, json!({})).await;
                assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
            }
        }
        // Signals: the matchregisseur follows a person, an address and a parent match, one of them overdue; the
        // demo signaller is in the parent match, and signalling Milan makes an address match with his half-sister.
        if role == Role::Matchregisseur {
            let all = app.get("/api/v1/matches", token).await;
            let mut kinds: Vec<&str> =
                all.body["items"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
            kinds.sort();
            assert_eq!(kinds, ["address", "parent", "person"], "{}", all.text);
            let overdue = app.get("/api/v1/matches?overdue=true", token).await;
            assert_eq!(overdue.body["items"].as_array().unwrap().len(), 1, "{}", overdue.text);
            assert_eq!(overdue.body["items"][0]["kind"], "person");
        }
        // Procescoördinatie: one escalation closed with its outcome (perspective regained, fewer organisations and
        // professionals at closing than at adoption, the adoption's access ended), one open at level 2 to adopt.
        if role == Role::Procescoordinator {
            let closed = app.get("/api/v1/escalations?status=closed", token).await;
            let closed = closed.body.as_array().unwrap();
            assert_eq!(closed.len(), 1, "{closed:?}");
            let one = app.get(&format!("/api/v1/escalations/{}", closed[0]["id"].as_str().unwrap()), token).await;
            let e = &one.body;
            assert_eq!(e["perspectiveRegained"], true, "{}", one.text);
            assert_eq!((e["trigger"].as_str(), e["triggerCode"].as_str()), (Some("rule"), Some("many_hands")));
            let counts = |what: &str| (e[format!("{what}AtAdoption")].as_i64(), e[format!("{what}AtClose")].as_i64());
            assert_eq!(counts("organisations"), (Some(5), Some(3)), "{}", one.text);
            assert_eq!(counts("professionals"), (Some(5), Some(3)), "{}", one.text);
            assert!(!e["outcomeNote"].as_str().unwrap().is_empty());
            let kinds: Vec<&str> = e["steps"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
            assert_eq!(kinds, ["raised", "risen", "adopted", "convened", "agreement", "agreement", "closed"]);
            let me = app.get("/api/v1/auth/me", token).await.body["id"].as_str().unwrap().to_string();
            assert_eq!(e["adoptedBy"], me.as_str());
            let case = e["caseId"].as_str().unwrap();
            let gone = app.get(&format!("/api/v1/cases/{case}"), token).await;
            assert_eq!(gone.status, StatusCode::NOT_FOUND, "closing ended the adoption's access: {}", gone.text);
            {
                use diesel::prelude::*;
                use eenplan::db::schema::involvements as inv;
                let until: Vec<Option<chrono::NaiveDateTime>> = inv::table
                    .filter(inv::case_id.eq(case))
                    .filter(inv::kind.eq("procescoordinator"))
                    .select(inv::valid_until)
                    .load(&mut app.conn())
                    .unwrap();
                assert_eq!(until.len(), 1);
                assert_eq!(
                    until[0].map(|u| u.and_utc()),
                    e["closedAt"].as_str().map(|s| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap())
                );
            }
            let open = app.get("/api/v1/escalations?status=open", token).await;
            let open = open.body.as_array().unwrap();
            assert_eq!(open.len(), 1, "{open:?}");
            assert_eq!(open[0]["level"], 2);
            assert!(open[0]["adoptedBy"].is_null());
            let today = chrono::Utc::now().date_naive().to_string();
            assert!(open[0]["respondBy"].as_str().unwrap() > today.as_str(), "{}", open[0]);
            let queue = app.get("/api/v1/escalations/queue?level=2", token).await;
            let queued: Vec<&str> =
                queue.body["cases"].as_array().unwrap().iter().map(|c| c["caseId"].as_str().unwrap()).collect();
            assert_eq!(queued, [open[0]["caseId"].as_str().unwrap()], "{}", queue.text);
        }
        if role == Role::Signaller {
            let own = app.get("/api/v1/signals", token).await;
            assert_eq!(own.body["items"].as_array().unwrap().len(), 1, "{}", own.text);
            assert_eq!(own.body["items"][0]["matches"][0]["kind"], "parent");
            signaller_token = Some(token.to_string());
        }
    }
    let token = signaller_token.expect("the signaller logged in");
    let token = token.as_str();
    // Milan Verhoef: the fifth resident of the first wijk's third household (bsn::synthetic(4 * 5 + 4)).
    let milan = json!({"subject": {"bsn": eenplan::households::bsn::synthetic(24).expose(), "birthDate": "2020-05-29"},
                           "contact": {"phone": "079 346 00 33"}});
    let made = app.post("/api/v1/signals", token, milan).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    assert_eq!(made.body["subjectName"], "Milan Verhoef");
    assert_eq!(made.body["matches"][0]["kind"], "address", "{}", made.text);

    use diesel::prelude::*;
    use eenplan::db::schema::signals;
    let archived: i64 =
        signals::table.filter(signals::status.eq("archived")).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(archived, 1, "one archived signal");
}

#[actix_web::test]
async fn external_identity_provider_tokens_map_to_active_users() {
    let public =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/idp-test-rsa.pub.pem")).unwrap();
    let private = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/idp-test-rsa.pem")).unwrap();
    let app = TestApp::with(common::Options {
        external_idp: Some(eenplan::config::ExternalIdpConfig {
            issuer: "https://idp.gemeente.test".into(),
            audience: "eenplan".into(),
            algorithm: jsonwebtoken::Algorithm::RS256,
            public_key_pem: public,
        }),
        ..Default::default()
    })
    .await;
    let user = app.user(Role::Wijkteam);
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(&private).unwrap();
    let sign = |claims: Value| {
        jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256), &claims, &key).unwrap()
    };
    let exp = chrono::Utc::now().timestamp() + 300;
    let good = sign(
        json!({"iss": "https://idp.gemeente.test", "aud": "eenplan", "sub": "x1", "email": user.email, "exp": exp}),
    );
    let me = app.get("/api/v1/auth/me", &good).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(me.body["id"], user.id.as_str());
    let stranger = sign(
        json!({"iss": "https://idp.gemeente.test", "aud": "eenplan", "sub": "x2", "email": "nobody@x.nl", "exp": exp}),
    );
    assert_eq!(app.get("/api/v1/auth/me", &stranger).await.status, StatusCode::UNAUTHORIZED);
    let wrong_issuer =
        sign(json!({"iss": "https://evil.test", "aud": "eenplan", "sub": "x1", "email": user.email, "exp": exp}));
    assert_eq!(app.get("/api/v1/auth/me", &wrong_issuer).await.status, StatusCode::UNAUTHORIZED);
    let wrong_audience =
        sign(json!({"iss": "https://idp.gemeente.test", "aud": "other", "sub": "x1", "email": user.email, "exp": exp}));
    assert_eq!(app.get("/api/v1/auth/me", &wrong_audience).await.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn concurrent_requests_are_all_audited_in_one_intact_chain() {
    let app = TestApp::new().await;
    let user = app.user(Role::Wijkteam);
    let token = app.token(&user).await;
    let before = app.audit_events().len();
    let svc = actix_web::test::init_service(eenplan::build_app(app.state.clone())).await;
    let requests = (0..40).map(|_| {
        let req = actix_web::test::TestRequest::get()
            .uri("/api/v1/auth/me")
            .insert_header(("Authorization", format!("Bearer {token}")))
            .to_request();
        actix_web::test::call_service(&svc, req)
    });
    let responses = futures_util::future::join_all(requests).await;
    assert!(responses.iter().all(|r| r.status() == StatusCode::OK));
    let events = app.audit_events();
    assert_eq!(events.len() - before, 40, "one committed event per request");
    let report = eenplan::audit::service::verify(&mut app.conn()).unwrap();
    assert!(report.first_break.is_none(), "{:?}", report.first_break);
}

#[actix_web::test]
async fn a_password_change_ends_existing_sessions_and_duplicates_conflict() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin);
    let admin_token = app.token(&admin).await;
    let user = app.user(Role::Wijkteam);
    let user_token = app.token(&user).await;
    let path = format!("/api/v1/users/{}", user.id);
    let etag = app.get(&path, &admin_token).await.header("etag").unwrap().to_string();
    let changed = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin_token),
            Some(json!({"password": "a brand new password"})),
            &[("If-Match", &etag)],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    assert_eq!(app.get("/api/v1/auth/me", &user_token).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login_response(&user).await.status, StatusCode::UNAUTHORIZED, "the old password is gone");

    let org = json!({"name": "Gemeente Test", "kind": "municipality"});
    let dup = app.post("/api/v1/organisations", &admin_token, org).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.content_type(), "application/problem+json");
    let dup_user = app
        .post(
            "/api/v1/users",
            &admin_token,
            json!({"email": user.email.to_uppercase(), "displayName": "X", "organisationId": app.municipality_id,
                   "roles": [{"role": "provider"}], "password": "a long enough password"}),
        )
        .await;
    assert_eq!(dup_user.status, StatusCode::CONFLICT, "emails are compared case-insensitively");
}
