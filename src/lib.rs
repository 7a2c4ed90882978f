//! eenplan: case coordination for multiproblem households — 1 gezin, 1 plan, 1 regisseur.

pub mod access;
pub mod audit;
pub mod auth;
pub mod breakglass;
pub mod calendar;
pub mod cases;
pub mod config;
pub mod consent;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod error;
pub mod escalations;
pub mod health;
pub mod households;
pub mod http;
pub mod identity;
pub mod input;
pub mod jobs;
pub mod notify;
pub mod openapi;
pub mod oversight;
pub mod paging;
pub mod plans;
pub mod privacy;
pub mod retention;
pub mod roles;
pub mod rules;
pub mod scale;
pub mod scale_audit;
pub mod signals;
pub mod state;
pub mod web;
pub mod work;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{web as actix, App};

pub use state::AppState;

/// The whole application, as `serve` runs it and the tests exercise it.
pub fn build_app(
    state: actix::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .app_data(http::json_config())
        .app_data(http::query_config())
        .app_data(http::path_config())
        .wrap(from_fn(http::request_middleware))
        .configure(health::configure)
        .service(
            actix::scope("/api/v1")
                .route("/openapi.json", actix::get().to(openapi::openapi_json))
                .configure(auth::routes::configure)
                .configure(identity::routes::configure)
                .configure(privacy::routes::configure)
                .configure(oversight::routes::configure)
                .configure(retention::routes::configure)
                .configure(households::routes::configure)
                .configure(cases::routes::configure)
                .configure(plans::routes::configure)
                .configure(consent::routes::configure)
                .configure(breakglass::routes::configure)
                .configure(signals::routes::configure)
                .configure(escalations::routes::configure)
                .configure(work::routes::configure),
        )
        .configure(web::configure)
        .default_service(actix::to(web::not_found))
}
