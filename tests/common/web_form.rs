//! Form-post web helpers shared by web_work.rs and web_search.rs: one request per service, the Set-Cookie
//! headers kept at the end of the body so a test can read a cookie from the page it already holds.

use actix_web::http::{Method, StatusCode};
use actix_web::test::{self, TestRequest};

use super::{TestApp, TestUser};

/// A web response: status, Location, body.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub html: String,
}

pub async fn web(app: &TestApp, method: Method, path: &str, cookie: Option<&str>, form: Option<&str>) -> Page {
    let service = test::init_service(eenplan::build_app(app.state.clone())).await;
    let mut req = TestRequest::default().method(method).uri(path).peer_addr("192.0.2.10:40000".parse().unwrap());
    if let Some(c) = cookie {
        req = req.insert_header(("Cookie", c.to_string()));
    }
    if let Some(f) = form {
        req = req.insert_header(("Content-Type", "application/x-www-form-urlencoded")).set_payload(f.to_string());
    }
    let res = test::call_service(&service, req.to_request()).await;
    let status = res.status();
    let location = res.headers().get("location").and_then(|v| v.to_str().ok()).map(String::from);
    let set_cookie: Vec<String> =
        res.headers().get_all("set-cookie").filter_map(|v| v.to_str().ok()).map(String::from).collect();
    let html = String::from_utf8_lossy(&test::read_body(res).await).to_string();
    Page { status, location, html: format!("{html}\n<!--set-cookie:{}-->", set_cookie.join("|")) }
}

pub fn cookie_value(page: &Page, name: &str) -> String {
    let marker = page.html.rsplit("<!--set-cookie:").next().unwrap();
    marker
        .split('|')
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_string())
        .unwrap_or_else(|| panic!("no cookie {name}"))
}

pub fn form_csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

/// Signs in to the web client: the session cookie header value, and the session's CSRF token.
pub async fn sign_in(app: &TestApp, user: &TestUser) -> (String, String) {
    let form = web(app, Method::GET, "/aanmelden", None, None).await;
    let login_cookie = cookie_value(&form, "__Host-eenplan-aanmelden");
    let csrf = form_csrf(&form.html);
    let mut body = format!("email={}&password={}&csrf={}", urlencoding(&user.email), urlencoding(&user.password), csrf);
    if let Some(secret) = &user.totp_secret {
        body.push_str(&format!("&totp={}", TestApp::totp_now(secret)));
    }
    let res =
        web(app, Method::POST, "/aanmelden", Some(&format!("__Host-eenplan-aanmelden={login_cookie}")), Some(&body))
            .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let session = cookie_value(&res, "__Host-eenplan");
    (format!("__Host-eenplan={session}"), eenplan::auth::model::csrf_token(&session))
}

pub fn urlencoding(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
