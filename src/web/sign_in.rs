//! Signing in and out. The sign-in form is protected against login CSRF by a cookie of its own that the form must
//! repeat; the checks, the throttle and the audit event are the API's (`auth::service`).

use actix_web::cookie::{time::Duration as CookieAge, Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::dutch::{self, FieldMessage};
use super::page::{
    csrf_matches, form_fields, render_with, safe_return_path, see_other, Form, Layout, Page, PageResult, ENROL_PAGE,
    MAX_FORM_BYTES,
};
use crate::auth::model::{random_token, web_cookie_name, SCOPE_FULL};
use crate::auth::service::{self, LoginRequest};
use crate::error::AppError;
use crate::state::{AppState, Ctx};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/aanmelden").route(web::get().to(sign_in_form)).route(web::post().to(sign_in)))
        .route("/afmelden", web::post().to(sign_out));
}

/// The sign-in form's own CSRF cookie (there is no session yet to tie the form to).
fn form_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-eenplan-aanmelden"
    } else {
        "eenplan-aanmelden"
    }
}

fn cookie<'a>(name: &'a str, value: String, secure: bool) -> Cookie<'a> {
    Cookie::build(name, value).path("/").http_only(true).same_site(SameSite::Strict).secure(secure).finish()
}

fn removal(name: &str, secure: bool) -> Cookie<'_> {
    let mut c = cookie(name, String::new(), secure);
    c.set_max_age(CookieAge::ZERO);
    c
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    email: String,
    expired: bool,
    /// Just enrolled a second factor: sign in with its code now.
    enrolled: bool,
    code_asked: bool,
    /// The page to open after signing in (a checked local path, `page::safe_return_path`).
    return_to: Option<String>,
    problem: Option<String>,
    errors: Vec<FieldMessage>,
}

impl SignInPage {
    fn new(csrf: String) -> Self {
        let mut layout = Layout::public("Aanmelden");
        layout.csrf = csrf;
        SignInPage {
            layout,
            email: String::new(),
            expired: false,
            enrolled: false,
            code_asked: false,
            return_to: None,
            problem: None,
            errors: vec![],
        }
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

#[derive(Deserialize)]
struct SignInQuery {
    verlopen: Option<String>,
    terug: Option<String>,
    ingesteld: Option<String>,
}

fn checked_return(path: Option<&str>) -> Option<String> {
    path.and_then(safe_return_path).map(str::to_string)
}

fn secure(state: &web::Data<AppState>) -> bool {
    state.config.web.secure_cookie
}

/// The form, with a fresh token in its own cookie.
async fn sign_in_form(state: web::Data<AppState>, query: crate::http::Query<SignInQuery>) -> PageResult {
    let token = random_token();
    let mut page = SignInPage::new(token.clone());
    page.expired = query.verlopen.is_some();
    page.enrolled = query.ingesteld.is_some();
    page.return_to = checked_return(query.terug.as_deref());
    let mut res = render_with(StatusCode::OK, &page)?;
    res.add_cookie(&cookie(form_cookie_name(secure(&state)), token, secure(&state))).map_err(AppError::internal)?;
    Ok(res)
}

#[derive(Deserialize)]
struct SignInForm {
    email: Option<String>,
    password: Option<String>,
    totp: Option<String>,
    terug: Option<String>,
}

async fn sign_in(ctx: Ctx<()>, req: HttpRequest, body: web::Bytes) -> PageResult {
    let secure = secure(&ctx.state);
    if body.len() > MAX_FORM_BYTES {
        return Err(AppError::PayloadTooLarge.into());
    }
    let fields = form_fields(&body);
    let expected = req.cookie(form_cookie_name(secure)).map(|c| c.value().to_string()).unwrap_or_default();
    if !csrf_matches(&fields, &expected) {
        return Err(AppError::ForbiddenBecause("csrf").into());
    }
    let form: SignInForm = serde_urlencoded::from_bytes(&body).map_err(|_| AppError::BadRequest("form".into()))?;
    let email = form.email.clone().unwrap_or_default();
    let return_to = checked_return(form.terug.as_deref());
    let input = LoginRequest {
        email: form.email.filter(|e| !e.trim().is_empty()),
        password: form.password.filter(|p| !p.is_empty()),
        totp: form.totp.filter(|t| !t.trim().is_empty()),
    };
    let client = req.peer_addr().map(|a| a.ip().to_string());
    // The same form again, with what went wrong (the email address kept, never the password).
    let again = |status: StatusCode, f: &dyn Fn(&mut SignInPage)| {
        let mut page = SignInPage::new(expected.clone());
        page.email = email.clone();
        page.return_to = return_to.clone();
        f(&mut page);
        render_with(status, &page)
    };
    if [&input.email, &input.password, &input.totp]
        .iter()
        .any(|v| v.as_deref().is_some_and(crate::input::has_forbidden_char))
    {
        return again(StatusCode::UNPROCESSABLE_ENTITY, &|p| {
            p.problem = Some("Uw invoer bevat een teken dat niet is toegestaan.".into())
        });
    }
    match service::web_sign_in(&ctx, input, client).await {
        Ok(signed_in) if signed_in.scope == SCOPE_FULL => {
            let mut res = see_other(return_to.as_deref().unwrap_or("/"));
            res.add_cookie(&cookie(web_cookie_name(secure), signed_in.cookie_token, secure))
                .map_err(AppError::internal)?;
            res.add_removal_cookie(&removal(form_cookie_name(secure), secure)).map_err(AppError::internal)?;
            Ok(res)
        }
        // A role that needs a second factor, signed in without one: a session that may only enrol one.
        Ok(signed_in) => {
            let mut res = see_other(ENROL_PAGE);
            res.add_cookie(&cookie(web_cookie_name(secure), signed_in.cookie_token, secure))
                .map_err(AppError::internal)?;
            res.add_removal_cookie(&removal(form_cookie_name(secure), secure)).map_err(AppError::internal)?;
            Ok(res)
        }
        Err(AppError::Validation(errors)) => {
            let labels = [("email", "E-mailadres"), ("password", "Wachtwoord")];
            let errors = dutch::field_messages(&errors, &labels);
            again(StatusCode::UNPROCESSABLE_ENTITY, &|p| p.errors = errors.clone())
        }
        Err(AppError::TotpRequired) => again(StatusCode::UNAUTHORIZED, &|p| p.code_asked = true),
        Err(AppError::Unauthorized(_)) => again(StatusCode::UNAUTHORIZED, &|p| {
            p.problem = Some("Het e-mailadres, het wachtwoord of de code klopt niet.".into())
        }),
        Err(AppError::TooManyRequests { retry_after_secs }) => again(StatusCode::TOO_MANY_REQUESTS, &|p| {
            p.problem = Some(format!(
                "Er is te vaak een verkeerd wachtwoord ingevuld. Probeer het over {} opnieuw.",
                dutch::duration(retry_after_secs)
            ))
        }),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct NoFields {}

/// Ends the session at once (the API's logout: the session is revoked), and removes the cookie.
async fn sign_out(page: Page, form: Form<NoFields>) -> PageResult {
    let NoFields {} = form.into_inner();
    service::logout(&page.ctx).await?;
    let secure = secure(&page.ctx.state);
    let mut res: HttpResponse = see_other("/aanmelden");
    res.add_removal_cookie(&removal(web_cookie_name(secure), secure)).map_err(AppError::internal)?;
    Ok(res)
}
