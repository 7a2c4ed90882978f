//! The OpenAPI document, generated from the handlers; docs/openapi.json is a snapshot of it.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{
    auth, breakglass, cases, consent, escalations, health, households, identity, oversight, plans, privacy, retention,
    signals, work,
};

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
        auth::routes::my_sign_ins,
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
        privacy::routes::list_events,
        privacy::routes::export_events,
        privacy::routes::register,
        privacy::routes::employees,
        oversight::routes::list,
        oversight::routes::scan,
        oversight::routes::get,
        oversight::routes::assign,
        oversight::routes::judge,
        oversight::routes::close,
        oversight::routes::reviews,
        oversight::routes::record_review,
        oversight::routes::protections,
        oversight::routes::protect,
        oversight::routes::end_protection,
        oversight::routes::protections_of,
        oversight::routes::own_households,
        oversight::routes::add_own_household,
        oversight::routes::end_own_household,
        retention::routes::dry_run,
        retention::routes::runs,
        retention::routes::run,
        retention::routes::holds,
        retention::routes::place_hold,
        retention::routes::lift_hold,
        retention::routes::erasures,
        retention::routes::record_erasure,
        retention::routes::decide_erasure,
        privacy::routes::person_overview,
        privacy::routes::find_person,
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
        cases::routes::register,
        cases::routes::list_cases,
        cases::routes::get_case,
        cases::routes::change_state,
        cases::routes::propose_regisseur,
        cases::routes::accept_regisseur,
        cases::routes::decline_regisseur,
        cases::routes::regisseur_history,
        cases::routes::caseload,
        cases::routes::my_proposal,
        cases::routes::list_involvements,
        cases::routes::involvable_providers,
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
        plans::routes::consent_preview,
        plans::routes::record_evaluation,
        plans::routes::list_evaluations,
        plans::routes::plan_document,
        consent::routes::record,
        consent::routes::history,
        consent::routes::withdraw,
        breakglass::routes::open,
        breakglass::routes::list,
        breakglass::routes::mine,
        breakglass::routes::get,
        signals::routes::register,
        signals::routes::list_signals,
        signals::routes::remove,
        signals::routes::list_matches,
        signals::routes::confirm_contact,
        signals::routes::remind,
        breakglass::routes::review,
        work::routes::my_work,
        work::routes::find_persons,
        work::routes::my_actions,
        escalations::routes::queue,
        escalations::routes::case_stuck,
        escalations::routes::raise,
        escalations::routes::list,
        escalations::routes::get,
        escalations::routes::respond,
        escalations::routes::adopt,
        escalations::routes::convene,
        escalations::routes::agreement,
        escalations::routes::decision,
        escalations::routes::raise_level,
        escalations::routes::close,
        health::live,
        health::ready,
        openapi_json,
    ),
    modifiers(&BearerAuth, &ErrorResponses)
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

/// Every error answer is a problem document, and every status the shared layers can answer is declared where it
/// applies (`src/http.rs`, `src/error.rs`): the document says what the server does, and the fuzz step in `.ci/fuzz`
/// fails on any answer it does not declare.
struct ErrorResponses;

impl ErrorResponses {
    /// Statuses a route answers by its kind, besides those its own annotation declares.
    fn shared_statuses(path: &str, op: &utoipa::openapi::path::Operation) -> Vec<(u16, &'static str)> {
        use utoipa::openapi::path::ParameterIn;
        let params = op.parameters.as_deref().unwrap_or_default();
        let has = |kind: ParameterIn| params.iter().any(|p| p.parameter_in == kind);
        let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
        let public = path.starts_with("/health/") || path == "/api/v1/openapi.json";
        let mut out = Vec::new();
        if secured {
            out.push((401, "No valid access token"));
            out.push((403, "The caller's role may not do this"));
        }
        if op.request_body.is_some() {
            out.push((400, "The body is not valid JSON for this request, or names an unknown field"));
            out.push((413, "The body is larger than 64 KiB"));
            out.push((415, "The body is not application/json"));
            out.push((422, "Field errors, all at once"));
        }
        if has(ParameterIn::Query) {
            out.push((400, "A query parameter is malformed or unknown"));
            out.push((422, "A query value breaks an input rule (a control character, a date, an id), named"));
        }
        if has(ParameterIn::Path) {
            out.push((404, "Not found, or outside the caller's scope"));
        }
        if params.iter().any(|p| p.name == "If-Match") {
            out.push((412, "The If-Match version is stale; the current ETag is returned"));
            out.push((428, "If-Match is required"));
        }
        out.push((431, "A header is too large (X-Audit-Reason over 1 KiB, any header over 8 KiB)"));
        if !public {
            out.push((
                503,
                "The audit event could not be written, or the database cannot be reached: nothing is served",
            ));
        }
        out
    }
}

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops =
                [item.get.as_mut(), item.put.as_mut(), item.post.as_mut(), item.delete.as_mut(), item.patch.as_mut()];
            for op in ops.into_iter().flatten() {
                for (status, description) in Self::shared_statuses(path, op) {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| RefOr::T(ResponseBuilder::new().description(description).build()));
                }
                for (status, response) in op.responses.responses.iter_mut() {
                    let RefOr::T(response) = response else { continue };
                    if status.as_str() < "400" {
                        continue;
                    }
                    // Error answers are problem documents, whatever the annotation said.
                    let schema = response.content.shift_remove("application/json").and_then(|c| c.schema);
                    response.content.clear();
                    let schema = schema.unwrap_or_else(|| RefOr::Ref(Ref::from_schema_name("Problem")));
                    response.content.insert(
                        crate::error::PROBLEM_JSON.to_string(),
                        ContentBuilder::new().schema(Some(schema)).build(),
                    );
                }
            }
        }
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
