//! One error type for the whole service, rendered as application/problem+json (RFC 9457).

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field, as a JSON pointer-like path (`roles[0].teamId`).
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}

/// A problem document. `errors` is present for validation problems and lists every field error.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For a refused state change: the states allowed from here (possibly none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("authentication required")]
    Unauthorized(&'static str),
    #[error("second factor required")]
    TotpRequired,
    #[error("forbidden")]
    Forbidden,
    /// Forbidden, with the rule that refused it (for acts whose reason the caller must know).
    #[error("forbidden: {0}")]
    ForbiddenBecause(&'static str),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {0}")]
    Conflict(String),
    /// A state change the current state does not allow; lists the ones it does.
    #[error("state change not allowed")]
    IllegalTransition { from: String, to: String, allowed: Vec<String> },
    #[error("precondition failed")]
    PreconditionFailed { current_version: i64 },
    #[error("precondition required")]
    PreconditionRequired,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("request header too large")]
    HeaderTooLarge,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("audit log unavailable")]
    AuditUnavailable,
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Internal failures: the text is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }

    pub fn field(field: &str, message: &str) -> Self {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    fn slug_title(&self) -> (&'static str, &'static str) {
        match self {
            AppError::Validation(_) => ("validation", "The request contains invalid fields"),
            AppError::BadRequest(_) => ("bad-request", "The request could not be read"),
            AppError::Unauthorized(_) => ("unauthorized", "Authentication required"),
            AppError::TotpRequired => ("totp-required", "A second factor (TOTP code) is required"),
            AppError::Forbidden | AppError::ForbiddenBecause(_) => ("forbidden", "Not allowed"),
            AppError::NotFound => ("not-found", "Not found"),
            AppError::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            AppError::Conflict(_) => ("conflict", "Conflict"),
            AppError::IllegalTransition { .. } => ("illegal-transition", "This state change is not allowed"),
            AppError::PreconditionFailed { .. } => ("precondition-failed", "The resource was changed by someone else"),
            AppError::PreconditionRequired => ("precondition-required", "This update requires an If-Match header"),
            AppError::PayloadTooLarge => ("payload-too-large", "The request body is too large"),
            AppError::UnsupportedMediaType => ("unsupported-media-type", "The request body must be application/json"),
            AppError::HeaderTooLarge => ("header-too-large", "A request header is too large"),
            AppError::TooManyRequests { .. } => ("too-many-requests", "Too many attempts"),
            AppError::AuditUnavailable => ("audit-unavailable", "The service cannot record access right now"),
            AppError::Unavailable(_) => ("unavailable", "The service is unavailable"),
            AppError::Internal(_) => ("internal", "Internal server error"),
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            AppError::BadRequest(d) | AppError::Conflict(d) => Some(d.clone()),
            AppError::Unauthorized(d) | AppError::ForbiddenBecause(d) => Some((*d).to_string()),
            AppError::IllegalTransition { from, to, .. } => Some(format!("A case cannot go from {from} to {to}")),
            AppError::PreconditionFailed { current_version } => {
                Some(format!("The current version is {current_version}; reload and apply your change again"))
            }
            AppError::TooManyRequests { retry_after_secs } => Some(format!("Try again in {retry_after_secs} seconds")),
            // 5xx never carries internal text.
            _ => None,
        }
    }

    pub fn to_problem(&self) -> Problem {
        let (slug, title) = self.slug_title();
        Problem {
            problem_type: problem_type(slug),
            title: title.to_string(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            instance: None,
            errors: match self {
                AppError::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
            allowed: match self {
                AppError::IllegalTransition { allowed, .. } => Some(allowed.clone()),
                _ => None,
            },
        }
    }
}

pub fn problem_type(slug: &str) -> String {
    format!("urn:eenplan:problem:{slug}")
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) | AppError::TotpRequired => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::ForbiddenBecause(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) | AppError::IllegalTransition { .. } => StatusCode::CONFLICT,
            AppError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            AppError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::HeaderTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::AuditUnavailable | AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Internal(msg) => tracing::error!(error = %msg, "internal error"),
            AppError::Unavailable(msg) => tracing::warn!(error = %msg, "service unavailable"),
            _ => {}
        }
        let mut builder = HttpResponse::build(self.status_code());
        builder.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            AppError::TooManyRequests { retry_after_secs } => {
                builder.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            AppError::PreconditionFailed { current_version } => {
                builder.insert_header((header::ETAG, crate::paging::etag(*current_version)));
            }
            AppError::Unauthorized(_) | AppError::TotpRequired => {
                builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        builder.body(serde_json::to_string(&self.to_problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => AppError::NotFound,
            other => AppError::Internal(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(format!("database pool: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(format!("blocking task: {e}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Collects field errors so validation reports all of them at once.
#[derive(Default, Debug)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    pub fn check(&mut self, ok: bool, field: &str, message: &str) {
        if !ok {
            self.add(field, message);
        }
    }

    /// A required field: reports it as missing and returns None when absent.
    pub fn required<'a, T>(&mut self, value: &'a Option<T>, field: &str) -> Option<&'a T> {
        if value.is_none() {
            self.add(field, "is required");
        }
        value.as_ref()
    }

    /// An optional text, trimmed: none when absent or blank, reported when longer than `max` characters.
    pub fn text(&mut self, value: &Option<String>, field: &str, max: usize) -> Option<String> {
        let t = value.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
        if t.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        }
        Some(t.to_string())
    }

    /// A required id: reported when absent or not an id.
    pub fn id(&mut self, value: &Option<String>, field: &str) -> Option<crate::input::Id> {
        let raw = self.required(value, field)?;
        let id = crate::input::Id::parse(raw);
        if id.is_none() {
            self.add(field, crate::input::NOT_AN_ID);
        }
        id
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn finish(self) -> AppResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.errors))
        }
    }
}

/// Replaces every group of digits that could be a BSN, in any common notation: a span of digits joined by
/// up to three non-alphanumeric characters at a time (`123456782`, `123.456.782`, `1234 56 782`,
/// `12-34-56-782`) that holds eight or more digits. No BSN may reach an error message, a log line or the
/// audit log.
pub fn scrub_digits(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_numeric() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let (start, mut end, mut digits, mut j) = (i, i, 0, i);
        while j < chars.len() {
            if chars[j].is_numeric() {
                digits += 1;
                j += 1;
                end = j;
                continue;
            }
            let mut k = j;
            while k < chars.len() && k - j < 3 && !chars[k].is_alphanumeric() {
                k += 1;
            }
            if k > j && k < chars.len() && chars[k].is_numeric() {
                j = k;
            } else {
                break;
            }
        }
        if digits >= 8 {
            out.push_str("[removed]");
        } else {
            out.extend(&chars[start..end]);
        }
        i = end;
    }
    out
}

/// Maps a unique-index violation to 409 with `message`; any other database error stays what it is. The one place
/// that turns "someone else already made this" into a conflict.
pub fn conflict_on_unique(message: &'static str) -> impl Fn(diesel::result::Error) -> AppError {
    move |e| match e {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
            AppError::Conflict(message.into())
        }
        other => other.into(),
    }
}

/// The stale-version rule: an update must be based on the current version (`If-Match`); otherwise 412, naming the
/// current version.
pub fn check_version(current: i64, expected: i64) -> AppResult<()> {
    if current == expected {
        Ok(())
    } else {
        Err(AppError::PreconditionFailed { current_version: current })
    }
}

/// A conditional update (`... WHERE version = expected`) that changed no row: another change came in between, and
/// the version is now at least `current_version`.
pub fn stale(current_version: i64) -> AppError {
    AppError::PreconditionFailed { current_version }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_reach_the_body() {
        let problem = AppError::Internal("password column missing in users".into()).to_problem();
        let body = serde_json::to_string(&problem).unwrap();
        assert!(!body.contains("password column"), "{body}");
        assert_eq!(problem.status, 500);
    }

    #[test]
    fn validation_lists_every_field() {
        let mut v = Validator::new();
        v.add("email", "is required");
        v.add("name", "is required");
        let AppError::Validation(errors) = v.finish().unwrap_err() else { panic!() };
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn digit_runs_that_could_be_a_bsn_are_scrubbed() {
        assert_eq!(scrub_digits("bsn 123456782 here"), "bsn [removed] here");
        assert_eq!(scrub_digits("room 1234567"), "room 1234567");
        assert_eq!(scrub_digits("12345678"), "[removed]");
        for written in
            ["123.456.782", "1234 56 782", "12-34-56-782", "123 - 456 - 782", "12/34/56/782", "１２３４５６７８２"]
        {
            assert_eq!(scrub_digits(&format!("bsn {written}, graag")), "bsn [removed], graag", "{written}");
        }
        assert_eq!(scrub_digits("op 12 maart om 13.30"), "op 12 maart om 13.30");
    }
}
