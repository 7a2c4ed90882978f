//! What every page shares: the signed-in context (`Page`), the frame around the content (`Layout`), forms that
//! carry their CSRF token (`Form`), and errors shown as a page in Dutch (`PageError`).

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::dutch;
use crate::access::{Action, Principal, Resource, Role};
use crate::audit::AuditRecord;
use crate::auth::model::csrf_token;
use crate::auth::principal::{web_cookie, WebEnrolling, WebPrincipal, ENROL_FIRST, NOT_SIGNED_IN};
use crate::breakglass::service::BreakGlass;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::{AppState, Ctx};

/// Where a session limited to enrolling a second factor is sent.
pub const ENROL_PAGE: &str = "/account/tweede-factor";

/// Most a form may send.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// A signed-in page request: the use-case context the services take, and the session's CSRF token.
pub struct Page {
    pub ctx: Ctx,
    pub csrf: String,
    /// The session may only enrol a second factor (`EnrolPage`): the header offers nothing else.
    pub enrolment_only: bool,
}

/// Where a page request without a usable session goes: the sign-in page (and back, for a GET), or the enrolment
/// of the second factor for a session limited to that.
fn refused(req: &HttpRequest, e: AppError) -> actix_web::Error {
    match e {
        AppError::Unauthorized(ENROL_FIRST) => PageError(AppError::Unauthorized(ENROL_FIRST)).into(),
        // A page asked for without a (live) session: after sign-in, back to it (GET only: a form's answer cannot
        // be asked for again).
        AppError::Unauthorized(why) if req.method() == actix_web::http::Method::GET => {
            SignInFirst { expired: why != NOT_SIGNED_IN, return_to: return_path(req) }.into()
        }
        other => PageError(other).into(),
    }
}

fn page_of(req: &HttpRequest, web: WebPrincipal, enrolment_only: bool) -> Result<Page, actix_web::Error> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| PageError(AppError::internal("application state missing")))?;
    let audit = req.extensions().get::<AuditRecord>().cloned().unwrap_or_default();
    Ok(Page { ctx: Ctx::new(state, web.principal, audit), csrf: web.csrf, enrolment_only })
}

impl FromRequest for Page {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let principal = WebPrincipal::from_request(&req, payload);
        Box::pin(async move {
            let web = principal.await.map_err(|e| refused(&req, e))?;
            page_of(&req, web, false)
        })
    }
}

/// A page of the second factor's enrolment: it also serves a session limited to enrolling one.
pub struct EnrolPage(pub Page);

impl FromRequest for EnrolPage {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let principal = WebEnrolling::from_request(&req, payload);
        Box::pin(async move {
            let WebEnrolling(web, enrolment_only) = principal.await.map_err(|e| refused(&req, e))?;
            Ok(EnrolPage(page_of(&req, web, enrolment_only)?))
        })
    }
}

impl Page {
    pub fn principal(&self) -> &Principal {
        &self.ctx.principal
    }

    /// Runs the page's primary act (the read it shows, or the change its form makes) and keeps it as what the
    /// request's audit event names, allowed or not: the reads that fill in the rest of the page add the persons
    /// they show and may deny, but never rename it (`AuditRecord::keep_act`).
    pub async fn act<T>(&self, primary: impl std::future::Future<Output = AppResult<T>>) -> AppResult<T> {
        let outcome = primary.await;
        self.ctx.audit.keep_act();
        outcome
    }

    /// The frame of a page with this title, for the signed-in user.
    /// `section` is the navigation item the page belongs to (`work`, `search`, or `""`).
    pub fn layout(&self, title: impl Into<String>, section: &'static str) -> Layout {
        Layout {
            title: title.into(),
            user: Some(self.ctx.principal.display_name.clone()),
            csrf: self.csrf.clone(),
            section,
            nav: if self.enrolment_only { Vec::new() } else { nav_for(&self.ctx.state.access, &self.ctx.principal) },
            notice: None,
            break_glass: None,
        }
    }

    /// The signed-in user's start page (`/` for those with Mijn werk).
    pub fn home(&self) -> &'static str {
        home_of(&nav_for(&self.ctx.state.access, &self.ctx.principal))
    }
}

/// An item of the header's navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavItem {
    /// The section key pages pass to `Page::layout`.
    pub key: &'static str,
    pub href: &'static str,
    pub label: &'static str,
}

/// What a navigation item's page needs: the policy's permission for its primary act, or a role whose own view it is.
enum Needs {
    Permit(Resource, Action),
    Role(Role),
}

/// Every page the header can link to, in the header's order. "Mijn account" is in the user's corner of the header.
const NAV: [(NavItem, Needs); 12] = [
    (NavItem { key: "work", href: "/", label: "Mijn werk" }, Needs::Permit(Resource::Case, Action::List)),
    (NavItem { key: "team", href: "/team", label: "Team" }, Needs::Role(Role::Teamleider)),
    (
        NavItem { key: "stuck", href: "/procescoordinatie", label: "Vastgelopen" },
        Needs::Permit(Resource::Escalation, Action::List),
    ),
    (
        NavItem { key: "escalations", href: "/escalaties", label: "Escalaties" },
        Needs::Permit(Resource::Escalation, Action::Update),
    ),
    (NavItem { key: "actions", href: "/acties", label: "Mijn acties" }, Needs::Permit(Resource::Plan, Action::Read)),
    (
        NavItem { key: "search", href: "/zoeken", label: "Zoeken en aanmelden" },
        Needs::Permit(Resource::Person, Action::Search),
    ),
    (NavItem { key: "signals", href: "/signalen", label: "Signalen" }, Needs::Permit(Resource::Signal, Action::Create)),
    (NavItem { key: "matches", href: "/matches", label: "Matches" }, Needs::Permit(Resource::Match, Action::List)),
    (
        NavItem { key: "break_glass", href: "/noodtoegang", label: "Noodtoegang" },
        Needs::Permit(Resource::BreakGlass, Action::List),
    ),
    (NavItem { key: "privacy", href: "/inzage", label: "Inzage" }, Needs::Permit(Resource::AuditEvent, Action::Search)),
    (NavItem { key: "admin", href: "/beheer", label: "Beheer" }, Needs::Permit(Resource::User, Action::List)),
    (
        NavItem { key: "account", href: "/account", label: "Mijn account" },
        Needs::Permit(Resource::OwnAccount, Action::Read),
    ),
];

/// The header for this user: the items whose page one of their roles may open (the policy decides, as it does for
/// the page itself), so the header never offers what the page would refuse.
pub fn nav_for(access: &crate::access::Access, principal: &Principal) -> Vec<NavItem> {
    NAV.iter()
        .filter(|(_, needs)| {
            principal.roles().any(|role| match needs {
                Needs::Permit(resource, action) => access.permits(role, *resource, *action),
                Needs::Role(r) => role == *r,
            })
        })
        .map(|(item, _)| *item)
        .collect()
}

/// The start page: the first item of the header (Mijn account for a role with nothing else yet).
pub fn home_of(nav: &[NavItem]) -> &'static str {
    nav.first().map(|i| i.href).unwrap_or("/account")
}

/// The frame around every page: title, who is signed in, the navigation, a notice after a change.
pub struct Layout {
    pub title: String,
    pub user: Option<String>,
    pub csrf: String,
    /// The navigation item to mark as current (a `NavItem::key`) or empty.
    pub section: &'static str,
    /// The header's items for this user (empty before sign-in).
    pub nav: Vec<NavItem>,
    /// A short confirmation after a change ("Opgeslagen"), from a fixed list: never text a user typed.
    pub notice: Option<&'static str>,
    /// On every page of a case the user reads under break-glass: until when, and how long is left.
    pub break_glass: Option<String>,
}

impl Layout {
    /// The frame of a page shown before sign-in (or to someone whose session has ended).
    pub fn public(title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            user: None,
            csrf: String::new(),
            section: "",
            nav: Vec::new(),
            notice: None,
            break_glass: None,
        }
    }

    pub fn with_notice(mut self, notice: Option<&'static str>) -> Layout {
        self.notice = notice;
        self
    }
}

impl Page {
    /// The frame of one of a case's pages: as `layout` (section `work`), with the break-glass banner while the user
    /// reads this case under break-glass: until when, and how long is left (the caller's own open window, as
    /// `GET /api/v1/break-glass/mine?caseId=` lists it; it records nothing of its own in the page's audit event).
    pub async fn case_layout(&self, title: impl Into<String>, case_id: &str) -> Result<Layout, PageError> {
        let window = crate::breakglass::service::window_on(&self.ctx, case_id.to_string()).await?;
        Ok(self.case_layout_with(title, window.as_ref()))
    }

    /// As `case_layout`, with the window already read.
    pub fn case_layout_with(&self, title: impl Into<String>, window: Option<&BreakGlass>) -> Layout {
        let mut layout = self.layout(title, "work");
        if let Some(window) = window {
            layout.break_glass = Some(super::break_glass::banner_text(window.expires_at, chrono::Utc::now()));
        }
        layout
    }
}

/// The sub-navigation of a case's pages: which case, and which of its pages is shown
/// (`huishouden`, `plan`, `zrm`, `evaluaties`, `toestemming`).
pub struct CaseFrame {
    pub id: String,
    pub current: &'static str,
}

impl CaseFrame {
    pub fn new(id: &str, current: &'static str) -> CaseFrame {
        CaseFrame { id: id.to_string(), current }
    }
}

pub type PageResult = Result<HttpResponse, PageError>;

/// A page's HTML with the status given.
pub fn render_with(status: StatusCode, template: &impl Template) -> PageResult {
    let html = template.render().map_err(AppError::internal)?;
    Ok(HttpResponse::build(status).insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8")).body(html))
}

pub fn render(template: &impl Template) -> PageResult {
    render_with(StatusCode::OK, template)
}

/// After a change: to the page that shows it (POST-redirect-GET).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish()
}

/// An error, shown as a page in Dutch. A request without a (live) session goes to the sign-in page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

/// The page to return to after signing in: the request's path and query, if it is one of ours to return to.
fn return_path(req: &HttpRequest) -> Option<String> {
    let uri = req.uri();
    let path = uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
    safe_return_path(path).map(str::to_string)
}

/// A return path is a local path (never another origin, `//host` or `/\host`), without the sign-in page itself,
/// of ids and plain characters only, and short.
pub fn safe_return_path(path: &str) -> Option<&str> {
    let plain = path.len() <= 300
        && path.starts_with('/')
        && !path.starts_with("//")
        && path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-_.?=&%".contains(&b))
        && !path.starts_with("/aanmelden")
        && !path.starts_with("/afmelden")
        && path != "/";
    plain.then_some(path)
}

/// Sign in first, then back to the page asked for (`/aanmelden?terug=…`).
#[derive(Debug)]
pub struct SignInFirst {
    pub expired: bool,
    pub return_to: Option<String>,
}

impl SignInFirst {
    pub fn location(&self) -> String {
        let mut query: Vec<(&str, &str)> = Vec::new();
        if self.expired {
            query.push(("verlopen", "1"));
        }
        if let Some(path) = &self.return_to {
            query.push(("terug", path));
        }
        if query.is_empty() {
            return "/aanmelden".to_string();
        }
        format!("/aanmelden?{}", serde_urlencoded::to_string(query).unwrap_or_default())
    }
}

impl std::fmt::Display for SignInFirst {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("sign in first")
    }
}

impl ResponseError for SignInFirst {
    fn status_code(&self) -> StatusCode {
        StatusCode::SEE_OTHER
    }

    fn error_response(&self) -> HttpResponse {
        see_other(&self.location())
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    explanation: String,
    fields: Vec<dutch::FieldMessage>,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            AppError::Unauthorized(_) => StatusCode::SEE_OTHER,
            other => other.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self.0 {
            AppError::Unauthorized(NOT_SIGNED_IN) => return see_other("/aanmelden"),
            AppError::Unauthorized(ENROL_FIRST) => return see_other(ENROL_PAGE),
            AppError::Unauthorized(_) => return see_other("/aanmelden?verlopen=1"),
            _ => {}
        }
        if let AppError::Internal(msg) = &self.0 {
            tracing::error!(error = %msg, "internal error");
        }
        let (heading, explanation) = dutch::error_text(&self.0);
        let fields = match &self.0 {
            AppError::Validation(errors) => dutch::field_messages(errors, &[]),
            _ => Vec::new(),
        };
        let page = ErrorPage { layout: Layout::public(heading), heading, explanation, fields };
        let html = page.render().unwrap_or_else(|_| heading.to_string());
        HttpResponse::build(self.status_code())
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .body(html)
    }
}

/// A submitted form, accepted only with the session's CSRF token (403 without it, nothing changed). Every value is
/// held to the same character rules as the JSON API's strings; a form that breaks them is refused with the fields
/// named (422), so no control character reaches a service.
pub struct Form<T>(pub T);

impl<T> Form<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// The fields of a form body, before its type reads them.
pub fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The form's CSRF field, checked in constant time against the one expected.
pub fn csrf_matches(fields: &[(String, String)], expected: &str) -> bool {
    let given = fields.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or_default();
    !expected.is_empty()
        && given.len() == expected.len()
        && given.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

fn forbidden_characters(fields: &[(String, String)]) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = fields
        .iter()
        .filter(|(k, v)| crate::input::has_forbidden_char(k) || crate::input::has_forbidden_char(v))
        .map(|(k, _)| {
            FieldError::new(k.chars().filter(|c| !c.is_control()).collect::<String>(), crate::input::FORBIDDEN_CHAR)
        })
        .collect();
    errors.dedup();
    errors
}

/// Reads a form body of at most `MAX_FORM_BYTES`.
pub async fn read_body(payload: &mut Payload) -> Result<web::BytesMut, PageError> {
    use futures_util::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest("The form could not be read".into()))?;
        if body.len() + chunk.len() > MAX_FORM_BYTES {
            return Err(AppError::PayloadTooLarge.into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let is_form = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
            if !is_form {
                return Err(AppError::UnsupportedMediaType.into());
            }
            let body = read_body(&mut payload).await?;
            let fields = form_fields(&body);
            let expected = web_cookie(&req).map(|c| csrf_token(&c)).unwrap_or_default();
            if !csrf_matches(&fields, &expected) {
                return Err(AppError::ForbiddenBecause("csrf").into());
            }
            let bad = forbidden_characters(&fields);
            if !bad.is_empty() {
                return Err(AppError::Validation(bad).into());
            }
            let value = serde_urlencoded::from_bytes::<T>(&body)
                .map_err(|_| AppError::BadRequest("The form could not be read".into()))?;
            Ok(Form(value))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_csrf_field_must_equal_the_sessions_token() {
        assert!(csrf_matches(&fields(&[("csrf", "abc"), ("x", "1")]), "abc"));
        assert!(!csrf_matches(&fields(&[("csrf", "abd")]), "abc"));
        assert!(!csrf_matches(&fields(&[("csrf", "ab")]), "abc"));
        assert!(!csrf_matches(&fields(&[("x", "abc")]), "abc"));
        // Without a session there is no token to match, not even an empty one.
        assert!(!csrf_matches(&fields(&[("csrf", "")]), ""));
    }

    #[test]
    fn an_internal_error_page_says_nothing_of_the_error() {
        let res = PageError(AppError::internal("relation \"cases\" does not exist at 10.0.0.5")).error_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = actix_web::body::to_bytes(res.into_body());
        let body = futures_util::FutureExt::now_or_never(body).unwrap().unwrap();
        let html = String::from_utf8(body.to_vec()).unwrap();
        assert!(html.contains("<h1>Er ging iets mis</h1>"), "{html}");
        assert!(!html.contains("cases") && !html.contains("10.0.0.5"), "{html}");
    }

    #[test]
    fn a_return_path_is_a_local_page_of_plain_characters() {
        assert_eq!(safe_return_path("/dossiers/0193-ab/plan?x=1"), Some("/dossiers/0193-ab/plan?x=1"));
        for bad in
            ["//evil.example", "/\\evil", "https://evil.example", "/aanmelden?terug=/x", "/", "x", "/a b", "/a\"x"]
        {
            assert_eq!(safe_return_path(bad), None, "{bad}");
        }
        let long = format!("/{}", "a".repeat(300));
        assert_eq!(safe_return_path(&long), None);
    }

    #[test]
    fn a_sign_in_redirect_names_where_to_return() {
        let s = SignInFirst { expired: true, return_to: Some("/matches/m-1".into()) };
        assert_eq!(s.location(), "/aanmelden?verlopen=1&terug=%2Fmatches%2Fm-1");
        assert_eq!(SignInFirst { expired: false, return_to: None }.location(), "/aanmelden");
    }

    #[test]
    fn control_characters_in_a_form_are_named_per_field() {
        let bad = forbidden_characters(&fields(&[("name", "a\u{0}b"), ("ok", "fine"), ("note", "x\u{7}")]));
        assert_eq!(bad.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["name", "note"]);
        assert!(forbidden_characters(&fields(&[("text", "regel 1\r\nregel 2\tmet tab")])).is_empty());
    }
}
