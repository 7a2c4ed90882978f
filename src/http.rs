//! HTTP conventions shared by every route: request ids, the audit event of each request,
//! security headers, problem+json for every error, JSON limits, ETag/If-Match and paging.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::audit::{clean_reason, AuditRecord, Outcome};
use crate::error::{problem_type, scrub_digits, AppError, FieldError, Problem, PROBLEM_JSON};
use crate::input::{has_forbidden_char, is_field_rule, FORBIDDEN_CHAR};
use crate::state::AppState;

pub const API_VERSION: &str = "1";
pub const MAX_JSON_BYTES: usize = 64 * 1024;
/// `X-Audit-Reason` is cut to 200 characters; a value far beyond that is refused (431), not cut.
pub const MAX_REASON_BYTES: usize = 1024;
/// One header value, and all headers together. actix-web itself drops heads over 128 KiB with a bare 431.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;
pub const MAX_HEADERS_BYTES: usize = 32 * 1024;
/// The web client's pages: only this origin, no inline script or style, no framing, forms only to this origin.
pub const PAGE_CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Wraps every request: sets up its audit scope, writes its audit event before the response leaves
/// (503 and no data if that fails), turns bare errors into problem+json and adds the headers.
pub async fn request_middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = crate::db::new_id();
    let client = req.peer_addr().map(|a| a.ip().to_string());
    let gate = request_gate(&req);
    let reason = match gate {
        Ok(()) => req.headers().get("x-audit-reason").and_then(|v| v.to_str().ok()).and_then(clean_reason),
        Err(_) => None,
    };
    let audit = AuditRecord::new(request_id.clone(), client, reason);
    req.extensions_mut().insert(audit.clone());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let no_store = req.path().starts_with("/api/") || req.path().starts_with("/health/");
    let started = std::time::Instant::now();

    // A request the gate refuses reaches no handler, no database and no audit event.
    let mut res = match gate {
        Ok(()) => next.call(req).await?.map_into_boxed_body(),
        Err(e) => req.into_response(actix_web::ResponseError::error_response(&e)),
    };

    let status = res.status().as_u16();
    let must_audit = audit.must_write(status);
    if must_audit {
        let fallback = format!("{} {}", res.request().method(), res.request().match_pattern().unwrap_or_default());
        let event = audit.event(Outcome::from_status(status), status, &fallback);
        let written = match &state {
            Some(state) => state.audit.record(event).await,
            None => Err(AppError::AuditUnavailable),
        };
        if let Err(e) = written {
            res = res.into_response(actix_web::ResponseError::error_response(&e));
        }
    }

    if res.status().as_u16() >= 400 && !is_problem(res.headers()) && !is_html(res.headers()) {
        let status = res.status();
        res = res.into_response(problem_for_status(status));
    }

    // The route's pattern, never the path or query: nothing a caller typed reaches the log.
    tracing::info!(
        target: "eenplan::request",
        request_id = %request_id,
        method = %res.request().method(),
        route = res.request().match_pattern().as_deref().unwrap_or("(no route)"),
        status = res.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
    );
    let headers = res.headers_mut();
    headers.insert(HeaderName::from_static("api-version"), HeaderValue::from_static(API_VERSION));
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert(HeaderName::from_static("x-request-id"), v);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if no_store {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        // A response may narrow its own policy (the family's printable plan allows its inline style).
        if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
            );
        }
    } else {
        // The web client: its pages show personal data and are never stored; its assets say otherwise themselves.
        if !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CONTENT_SECURITY_POLICY));
    }
    Ok(res)
}

/// What every request must meet before routing: headers of a sane size (431), and a path without control
/// characters once percent-decoded (404: such a path names nothing).
fn request_gate(req: &ServiceRequest) -> Result<(), AppError> {
    let mut total = 0;
    for (name, value) in req.headers() {
        let len = value.as_bytes().len();
        total += name.as_str().len() + len;
        let limit = if name.as_str() == "x-audit-reason" { MAX_REASON_BYTES } else { MAX_HEADER_BYTES };
        if len > limit || total > MAX_HEADERS_BYTES {
            return Err(AppError::HeaderTooLarge);
        }
    }
    if has_forbidden_char(&percent_decode(req.path())) {
        return Err(AppError::NotFound);
    }
    Ok(())
}

fn percent_decode(path: &str) -> String {
    let b = path.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_html(headers: &actix_web::http::header::HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"))
}

fn is_problem(headers: &actix_web::http::header::HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with(PROBLEM_JSON))
}

/// A problem document for an error that carries no body of its own (405, 413 from the framework, …).
pub fn problem_for_status(status: StatusCode) -> HttpResponse {
    let title = status.canonical_reason().unwrap_or("Error").to_string();
    let slug = title.to_lowercase().replace(' ', "-");
    let problem = Problem {
        problem_type: problem_type(&slug),
        title,
        status: status.as_u16(),
        detail: None,
        instance: None,
        errors: Vec::new(),
        allowed: None,
    };
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .body(serde_json::to_string(&problem).unwrap_or_default())
}

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default().limit(MAX_JSON_BYTES).error_handler(|err, _req| {
        use actix_web::error::JsonPayloadError as E;
        let e = match &err {
            E::OverflowKnownLength { .. } | E::Overflow { .. } => AppError::PayloadTooLarge,
            E::ContentType => AppError::UnsupportedMediaType,
            E::Deserialize(de) => AppError::BadRequest(crate::error::scrub_digits(&de.to_string())),
            _ => AppError::BadRequest("The request body could not be read".into()),
        };
        e.into()
    })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default()
        .error_handler(|err, _req| AppError::BadRequest(crate::error::scrub_digits(&err.to_string())).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err, _req| AppError::NotFound.into())
}

/// A JSON request body. Every string in it (and every key) is checked for control characters before
/// the handler's type sees it — all offending fields at once, 422 — and a field that breaks a rule of
/// `crate::input` (a date, an id) is named in the 422. Any other unreadable body is 400, as before.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, actix_web::Error>>;

    // The one place the framework's extractor is used: size, content type and JSON syntax are the
    // JsonConfig's (413, 415, 400).
    #[allow(clippy::disallowed_types)]
    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let raw = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = raw.await?.into_inner();
            let mut errors = Vec::new();
            check_text(&value, "", &mut errors);
            if !errors.is_empty() {
                return Err(AppError::Validation(errors).into());
            }
            serde_path_to_error::deserialize(value).map(Json).map_err(|e| deserialize_error(e).into())
        })
    }
}

/// Collects the path of every string or key with a forbidden character (`members[0].name`).
fn check_text(value: &serde_json::Value, path: &str, errors: &mut Vec<FieldError>) {
    use serde_json::Value;
    match value {
        Value::String(s) if has_forbidden_char(s) => errors.push(FieldError::new(field_or_body(path), FORBIDDEN_CHAR)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_text(item, &format!("{path}[{i}]"), errors);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                if has_forbidden_char(key) {
                    // The key itself is not repeated: it is what is wrong.
                    errors.push(FieldError::new(field_or_body(path), "has a field name with a control character"));
                } else {
                    let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                    check_text(item, &child, errors);
                }
            }
        }
        _ => {}
    }
}

fn field_or_body(path: &str) -> String {
    if path.is_empty() {
        "body".into()
    } else {
        path.to_string()
    }
}

fn deserialize_error<E: std::fmt::Display>(e: serde_path_to_error::Error<E>) -> AppError {
    let path = e.path().to_string();
    let raw = e.inner().to_string();
    let message = scrub_digits(&raw);
    if is_field_rule(&raw) {
        AppError::Validation(vec![FieldError::new(if path == "." { "body".into() } else { path }, message)])
    } else if path == "." {
        AppError::BadRequest(message)
    } else {
        AppError::BadRequest(format!("{path}: {message}"))
    }
}

/// A query string. Every parameter is checked for control characters (422 naming it); a parameter that
/// breaks a rule of `crate::input` is named in a 422; any other unreadable query is 400.
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query).map_err(Into::into))
    }
}

pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    let mut errors = Vec::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if has_forbidden_char(&key) {
            errors.push(FieldError::new("query", "has a parameter name with a control character"));
        } else if has_forbidden_char(&value) {
            errors.push(FieldError::new(key.into_owned(), FORBIDDEN_CHAR));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(deserialize_error)
}

pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// The version an update is based on, from `If-Match`. Missing: 428. Not an ETag of ours: 400.
pub struct IfMatch(pub i64);

impl FromRequest for IfMatch {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = match req.headers().get(header::IF_MATCH) {
            None => Err(AppError::PreconditionRequired),
            Some(v) => v
                .to_str()
                .ok()
                .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
                .and_then(|s| s.parse::<i64>().ok())
                .map(IfMatch)
                .ok_or_else(|| AppError::BadRequest("If-Match must be an ETag this API returned".into())),
        };
        std::future::ready(result)
    }
}

pub use crate::paging::{etag, page, PageQuery};
