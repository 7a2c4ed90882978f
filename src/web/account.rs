//! Mijn account: the signed-in user's own account (name, email, organisation, roles), the sign-in history of that
//! account from the audit log, and enrolling a second factor (TOTP) with a QR code drawn on the server.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::admin::role_label;
use super::dutch::{self, FieldMessage};
use super::page::{render, render_with, see_other, EnrolPage, Form, Layout, Page, PageResult};
use crate::auth::principal::EnrollingPrincipal;
use crate::auth::service::{self as auth, SignInEvent, TotpConfirmRequest, TotpEnrolment, TotpStatus};
use crate::error::AppError;
use crate::identity::service as identity;
use crate::paging::PageQuery;
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/account", web::get().to(overview))
        .route("/account/tweede-factor", web::get().to(second_factor))
        .route("/account/tweede-factor/starten", web::post().to(start))
        .route("/account/tweede-factor/bevestigen", web::post().to(confirm));
}

/// How many sign-in events one page of the history shows.
const HISTORY_PAGE: i64 = 20;

pub struct RoleLine {
    pub role: &'static str,
    pub team: Option<String>,
}

pub struct HistoryRow {
    pub when: String,
    pub what: &'static str,
    pub from: String,
    pub result: &'static str,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    name: String,
    email: String,
    organisation: String,
    roles: Vec<RoleLine>,
    totp_enrolled: bool,
    history: Vec<HistoryRow>,
    next: Option<String>,
    paged: bool,
}

/// What an event of the history was, in Dutch.
fn what_label(kind: &str) -> &'static str {
    match kind {
        "signed_in" => "Aangemeld",
        "failed" => "Mislukte poging (verkeerd wachtwoord of code)",
        "locked" => "Geblokkeerd na te veel mislukte pogingen",
        _ => "Afgemeld",
    }
}

fn history_row(e: &SignInEvent) -> HistoryRow {
    let t = crate::calendar::local(e.at);
    HistoryRow {
        when: format!("{} {}", dutch::date(t.date()), t.format("%H:%M")),
        what: what_label(&e.kind),
        from: e.client_address.clone().unwrap_or_else(|| "onbekend".into()),
        result: if e.outcome == "allowed" { "Gelukt" } else { "Geweigerd" },
    }
}

#[derive(Deserialize)]
struct HistoryQuery {
    na: Option<String>,
}

async fn overview(page: Page, query: crate::http::Query<HistoryQuery>) -> PageResult {
    let after = query.into_inner().na.filter(|a| !a.is_empty());
    let paged = after.is_some();
    let q = PageQuery { limit: Some(HISTORY_PAGE), after };
    let history = match page.act(auth::own_sign_ins(&page.ctx, q)).await {
        Ok(h) => h,
        // A cursor that is not one of this list: the first page.
        Err(AppError::Validation(_)) => {
            auth::own_sign_ins(&page.ctx, PageQuery { limit: Some(HISTORY_PAGE), after: None }).await?
        }
        Err(e) => return Err(e.into()),
    };
    let account = identity::own_account_summary(&page.ctx).await?;
    let team_name =
        |id: &String| account.teams.iter().find(|(t, _)| t == id).map(|(_, n)| n.clone()).unwrap_or_default();
    let view = AccountPage {
        layout: page.layout("Mijn account", "account"),
        name: account.user.display_name.clone(),
        email: account.user.email.clone(),
        organisation: account.organisation.clone(),
        roles: account
            .user
            .roles
            .iter()
            .map(|g| RoleLine { role: role_label(g.role), team: g.team_id.as_ref().map(team_name) })
            .collect(),
        totp_enrolled: account.user.totp_enrolled,
        history: history.items.iter().map(history_row).collect(),
        next: history.next,
        paged,
    };
    render(&view)
}

/// The otpauth:// URI as a QR code in SVG, drawn here from the code's modules: no style attribute (the CSP forbids
/// inline style), no script, a text alternative.
pub fn qr_svg(uri: &str) -> Result<String, AppError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(uri.as_bytes()).map_err(AppError::internal)?;
    let drawn = code.render::<svg::Color>().min_dimensions(220, 220).quiet_zone(true).build();
    // The crate writes an XML declaration first; inside HTML the SVG element alone belongs.
    let at = drawn.find("<svg").ok_or_else(|| AppError::internal("no svg element"))?;
    Ok(drawn[at..].replacen(
        "<svg ",
        "<svg role=\"img\" aria-label=\"QR-code om de tweede factor in uw app in te stellen\" class=\"qr-code\" ",
        1,
    ))
}

/// The secret in groups of four, easier to type over.
fn grouped(secret: &str) -> String {
    secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

#[derive(Template)]
#[template(path = "account_totp.html")]
struct TotpPage {
    layout: Layout,
    /// `none`, `pending` or `enrolled`.
    state: &'static str,
    qr: String,
    secret: String,
    uri: String,
    code: String,
    errors: Vec<FieldMessage>,
    just_enrolled: bool,
}

impl TotpPage {
    fn new(layout: Layout) -> TotpPage {
        TotpPage {
            layout,
            state: "none",
            qr: String::new(),
            secret: String::new(),
            uri: String::new(),
            code: String::new(),
            errors: Vec::new(),
            just_enrolled: false,
        }
    }

    fn pending(mut self, enrolment: &TotpEnrolment) -> Result<TotpPage, AppError> {
        self.state = "pending";
        self.qr = qr_svg(&enrolment.otpauth_uri)?;
        self.secret = grouped(&enrolment.secret);
        self.uri = enrolment.otpauth_uri.clone();
        Ok(self)
    }
}

/// The caller as the enrolment use cases take them.
fn enrolling(page: &Page) -> Ctx<EnrollingPrincipal> {
    Ctx::new(page.ctx.state.clone(), EnrollingPrincipal(page.ctx.principal.clone()), page.ctx.audit.clone())
}

#[derive(Deserialize)]
struct TotpQuery {
    klaar: Option<String>,
}

async fn second_factor(page: EnrolPage, query: crate::http::Query<TotpQuery>) -> PageResult {
    let EnrolPage(page) = page;
    let ctx = enrolling(&page);
    let status = page.act(auth::totp_status(&ctx)).await?;
    let mut view = TotpPage::new(page.layout("Tweede factor instellen", "account"));
    match status {
        TotpStatus::Enrolled => {
            view.state = "enrolled";
            view.just_enrolled = query.into_inner().klaar.is_some();
        }
        TotpStatus::Pending(enrolment) => view = view.pending(&enrolment)?,
        TotpStatus::None => {}
    }
    render(&view)
}

#[derive(Deserialize)]
struct NoFields {}

/// Starts (or starts again) the enrolment: a new secret, shown on the page it redirects to.
async fn start(page: EnrolPage, form: Form<NoFields>) -> PageResult {
    let EnrolPage(page) = page;
    let NoFields {} = form.into_inner();
    let ctx = enrolling(&page);
    page.act(auth::enrol_totp(&ctx)).await?;
    Ok(see_other("/account/tweede-factor"))
}

#[derive(Deserialize)]
struct ConfirmForm {
    code: Option<String>,
}

async fn confirm(page: EnrolPage, form: Form<ConfirmForm>) -> PageResult {
    let EnrolPage(page) = page;
    let code = form.into_inner().code.unwrap_or_default();
    let ctx = enrolling(&page);
    let input = TotpConfirmRequest { code: Some(code.trim().replace(' ', "")).filter(|c| !c.is_empty()) };
    match page.act(auth::confirm_totp(&ctx, input)).await {
        // A session that could only enrol has ended with it (today's roles now need the code): sign in with it.
        Ok(()) if page.enrolment_only => Ok(see_other("/aanmelden?ingesteld=1")),
        Ok(()) => Ok(see_other("/account/tweede-factor?klaar=ingesteld")),
        Err(AppError::Validation(errors)) => {
            let status = auth::totp_status(&ctx).await?;
            let mut view = TotpPage::new(page.layout("Tweede factor instellen", "account"));
            if let TotpStatus::Pending(enrolment) = status {
                view = view.pending(&enrolment)?;
            }
            view.code = code;
            view.errors = errors
                .iter()
                .map(|e| FieldMessage {
                    field: "code".into(),
                    id: dutch::field_id("code"),
                    label: "Code uit de app".into(),
                    message: if e.message.starts_with("does not match") {
                        "Deze code klopt niet. Vul de code in die de app nu laat zien, en kijk of de tijd op uw \
                         telefoon goed staat."
                            .into()
                    } else {
                        "Vul de code van 6 cijfers in die de app laat zien.".into()
                    },
                })
                .collect();
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(e) => Err(e.into()),
    }
}
