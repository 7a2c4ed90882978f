//! The OpenAPI document, generated from the handlers; docs/openapi.json is a snapshot of it.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{audit, auth, breakglass, cases, consent, health, households, identity, plans, signals};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "eenplan",
        version = "1",
        description = "Case coordination for multiproblem households: 1 gezin, 1 plan, 1 regisseur."
    ),
    paths(
        auth::routes::login,
        auth::routes::refresh,
        auth::routes::logout,
        auth::routes::me,
        auth::routes::enrol_totp,
        auth::routes::confirm_totp,
        identity::routes::create_organisation,
        identity::routes::list_organisations,
        identity::routes::get_organisation,
        identity::routes::update_organisation,
        identity::routes::create_team,
        identity::routes::list_teams,
        identity::routes::get_team,
        identity::routes::update_team,
        identity::routes::create_user,
        identity::routes::list_users,
        identity::routes::get_user,
        identity::routes::update_user,
        identity::routes::deactivate_user,
        audit::routes::list_events,
        households::routes::create_household,
        households::routes::get_household,
        households::routes::household_members,
        households::routes::add_member,
        households::routes::end_member,
        households::routes::search_persons,
        households::routes::get_person,
        households::routes::add_parent,
        cases::routes::reopen_case,
        cases::routes::open_case,
        cases::routes::list_cases,
        cases::routes::get_case,
        cases::routes::change_state,
        cases::routes::propose_regisseur,
        cases::routes::accept_regisseur,
        cases::routes::decline_regisseur,
        cases::routes::regisseur_history,
        cases::routes::list_involvements,
        cases::routes::add_involvement,
        cases::routes::end_involvement,
        cases::routes::case_contacts,
        plans::routes::list_versions,
        plans::routes::start_draft,
        plans::routes::get_version,
        plans::routes::update_draft,
        plans::routes::agree,
        plans::routes::compare,
        plans::routes::update_progress,
        plans::routes::record_assessment,
        plans::routes::list_assessments,
        plans::routes::assessment_progress,
        plans::routes::assessment_summary,
        plans::routes::record_evaluation,
        plans::routes::list_evaluations,
        plans::routes::plan_document,
        consent::routes::record,
        consent::routes::history,
        consent::routes::withdraw,
        breakglass::routes::open,
        breakglass::routes::list,
        signals::routes::register,
        signals::routes::list_signals,
        signals::routes::remove,
        signals::routes::list_matches,
        signals::routes::confirm_contact,
        breakglass::routes::review,
        health::live,
        health::ready,
        openapi_json,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

pub fn document() -> String {
    ApiDoc::openapi().to_pretty_json().expect("the OpenAPI document serialises")
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", responses((status = 200, description = "OpenAPI 3.1 document")))]
pub async fn openapi_json() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().content_type("application/json").body(document())
}
