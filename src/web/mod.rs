//! The web client: server-rendered pages for the people who do the work (DESIGN §10). Pages call the same service
//! functions as the JSON routes, so access, projection and audit are the same by construction; this layer only
//! reads forms, chooses the page and the HTTP answer. Every action is a link or a form (POST-redirect-GET).

mod account;
mod actions;
mod admin;
mod assets;
mod audit_log;
mod break_glass;
mod break_glass_review;
mod case;
mod consent;
mod dutch;
mod escalation;
mod evaluation;
mod findings;
mod involve;
mod matches;
mod page;
mod plan;
mod privacy;
mod radar;
mod registers;
mod retention;
mod search;
mod sign_in;
mod signals;
mod stuck;
mod team;
mod work;
mod zrm;

pub use page::CaseFrame;

use actix_web::web;

pub use page::{Layout, Page, PageError, PageResult};

pub fn configure(cfg: &mut web::ServiceConfig) {
    assets::configure(cfg);
    sign_in::configure(cfg);
    work::configure(cfg);
    case::configure(cfg);
    break_glass::configure(cfg);
    break_glass_review::configure(cfg);
    search::configure(cfg);
    plan::configure(cfg);
    evaluation::configure(cfg);
    zrm::configure(cfg);
    consent::configure(cfg);
    admin::configure(cfg);
    account::configure(cfg);
    signals::configure(cfg);
    matches::configure(cfg);
    team::configure(cfg);
    actions::configure(cfg);
    involve::configure(cfg);
    stuck::configure(cfg);
    escalation::configure(cfg);
    privacy::configure(cfg);
    audit_log::configure(cfg);
    findings::configure(cfg);
    registers::configure(cfg);
    retention::configure(cfg);
}

/// What no route answers: a problem document under the API, a page elsewhere.
pub async fn not_found(req: actix_web::HttpRequest) -> actix_web::HttpResponse {
    use actix_web::ResponseError;
    let e = crate::error::AppError::NotFound;
    if req.path().starts_with("/api/") || req.path().starts_with("/health/") {
        e.error_response()
    } else {
        PageError(e).error_response()
    }
}
