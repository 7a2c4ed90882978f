//! The web client from a test: signing in through the form, and pages and forms with the session's cookie.

use actix_web::http::{Method, StatusCode};
use actix_web::test::{self, TestRequest};

use super::{Response, TestApp, TestUser};

/// A signed-in web session: the cookie's value and the CSRF token its forms carry.
#[derive(Clone, Debug)]
pub struct WebSession {
    pub cookie: String,
    pub csrf: String,
}

pub const SESSION_COOKIE: &str = "__Host-eenplan";
pub const FORM_COOKIE: &str = "__Host-eenplan-aanmelden";

/// A cookie's value from a response's `Set-Cookie` headers.
pub fn set_cookie(res: &Response, name: &str) -> Option<String> {
    set_cookie_line(res, name).map(|line| line[name.len() + 1..].split(';').next().unwrap_or("").to_string())
}

/// The whole `Set-Cookie` line of a cookie (its attributes included).
pub fn set_cookie_line(res: &Response, name: &str) -> Option<String> {
    res.headers
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

/// The value of the first `name="csrf" value="…"` in a page.
pub fn form_csrf(html: &str) -> Option<String> {
    let at = html.find(r#"name="csrf" value=""#)? + r#"name="csrf" value=""#.len();
    Some(html[at..].split('"').next()?.to_string())
}

impl TestApp {
    /// A request to the web client: cookies, and an urlencoded form for a POST.
    pub async fn web_call(
        &self,
        method: Method,
        path: &str,
        cookies: &[(&str, &str)],
        form: Option<&[(&str, &str)]>,
    ) -> Response {
        let body = form.map(|fields| serde_urlencoded::to_string(fields).unwrap());
        self.web_call_encoded(method, path, cookies, body.as_deref()).await
    }

    /// As `web_call`, with the form's body as sent (already urlencoded).
    pub async fn web_call_encoded(
        &self,
        method: Method,
        path: &str,
        cookies: &[(&str, &str)],
        body: Option<&str>,
    ) -> Response {
        let app = test::init_service(eenplan::build_app(self.state.clone())).await;
        let mut req = TestRequest::default().method(method).uri(path).peer_addr("192.0.2.20:40000".parse().unwrap());
        if !cookies.is_empty() {
            let header = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            req = req.insert_header(("Cookie", header));
        }
        if let Some(body) = body {
            req =
                req.insert_header(("Content-Type", "application/x-www-form-urlencoded")).set_payload(body.to_string());
        }
        let res = test::call_service(&app, req.to_request()).await;
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = test::read_body(res).await;
        let text = String::from_utf8_lossy(&bytes).to_string();
        Response { status, headers, body: serde_json::Value::Null, text }
    }

    /// Posts the sign-in form as a browser would (its CSRF cookie and field); the response as it comes.
    pub async fn web_sign_in_response(&self, user: &TestUser, code: Option<&str>) -> Response {
        let form = self.web_call(Method::GET, "/aanmelden", &[], None).await;
        let token = set_cookie(&form, FORM_COOKIE).expect("the sign-in form sets its cookie");
        assert_eq!(form_csrf(&form.text).as_deref(), Some(token.as_str()), "the form repeats its cookie");
        let mut fields =
            vec![("csrf", token.as_str()), ("email", user.email.as_str()), ("password", user.password.as_str())];
        let totp = code.map(str::to_string).or_else(|| user.totp_secret.as_deref().map(TestApp::totp_now));
        if let Some(t) = &totp {
            fields.push(("totp", t.as_str()));
        }
        self.web_call(Method::POST, "/aanmelden", &[(FORM_COOKIE, &token)], Some(&fields)).await
    }

    /// Signs in to the web client.
    pub async fn web_sign_in(&self, user: &TestUser) -> WebSession {
        signed_in(user, self.web_sign_in_response(user, None).await)
    }

    /// A page, as the session's user.
    pub async fn page(&self, session: &WebSession, path: &str) -> Response {
        self.web_call(Method::GET, path, &[(SESSION_COOKIE, &session.cookie)], None).await
    }

    /// A form of the session's user, with its CSRF token.
    pub async fn submit(&self, session: &WebSession, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all = vec![("csrf", session.csrf.as_str())];
        all.extend_from_slice(fields);
        self.web_call(Method::POST, path, &[(SESSION_COOKIE, &session.cookie)], Some(&all)).await
    }
}

/// A page's answer as the screens' tests read it: its status, where it sends the browser, its HTML.
pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl From<Response> for Answer {
    fn from(res: Response) -> Answer {
        let location = res.header("location").map(str::to_string);
        Answer { status: res.status, location, body: res.text }
    }
}

impl WebSession {
    /// A page, as this session's user.
    pub async fn get(&self, app: &TestApp, path: &str) -> Answer {
        app.web_call(Method::GET, path, &[(SESSION_COOKIE, &self.cookie)], None).await.into()
    }

    /// A form POST: `csrf` None sends the session's own token, `Some("-")` none at all, any other that one.
    pub async fn post(&self, app: &TestApp, path: &str, fields: &[(&str, &str)], csrf: Option<&str>) -> Answer {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        match csrf {
            None => all.push(("csrf", &self.csrf)),
            Some("-") => {}
            Some(token) => all.push(("csrf", token)),
        }
        app.web_call(Method::POST, path, &[(SESSION_COOKIE, &self.cookie)], Some(&all)).await.into()
    }
}

impl TestApp {
    /// Signs in to the web client with the next step's TOTP code, for a user whose API sign-in may have used this
    /// step's (a code is never accepted twice).
    pub async fn web_sign_in_after_api(&self, user: &TestUser) -> WebSession {
        let code = user
            .totp_secret
            .as_deref()
            .map(|secret| eenplan::auth::model::totp_code_now(secret, chrono::Utc::now().timestamp() + 30).unwrap());
        signed_in(user, self.web_sign_in_response(user, code.as_deref()).await)
    }
}

/// The session a successful sign-in answer starts.
fn signed_in(user: &TestUser, res: Response) -> WebSession {
    assert_eq!(res.status, StatusCode::SEE_OTHER, "web sign-in of {}: {}", user.email, res.text);
    let cookie = set_cookie(&res, SESSION_COOKIE).expect("a session cookie");
    WebSession { csrf: eenplan::auth::model::csrf_token(&cookie), cookie }
}
