//! Involving a professional of another organisation (an aanbieder): the case's regisseur or the lead of its team
//! chooses one of the provider professionals (`cases::involvement::providers_for`, as
//! `GET /api/v1/cases/{id}/involvements/providers`) and says what they do in the household; the involvement is the
//! API's `POST /api/v1/cases/{id}/involvements`. Team members are involved on the case page itself.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::dutch::{self, FieldMessage};
use super::page::{render_with, see_other, Form, Layout, Page, PageResult};
use crate::cases::involvement::{self as involvements, AddInvolvement, ProviderProfessional};
use crate::error::AppError;
use crate::input::Id;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/dossiers/{id}/betrokkenen/aanbieder").route(web::get().to(form)).route(web::post().to(involve)),
    );
}

#[derive(Template)]
#[template(path = "involve_provider.html")]
struct InvolvePage {
    layout: Layout,
    case_id: String,
    providers: Vec<ProviderProfessional>,
    user_id: String,
    role_in_case: String,
    problem: Option<&'static str>,
    errors: Vec<FieldMessage>,
}

impl InvolvePage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn error_of(&self, field: &str) -> String {
        self.errors.iter().filter(|e| e.field == field).map(|e| e.message.clone()).collect::<Vec<_>>().join(" ")
    }

    /// The providers by organisation, for the list's groups.
    fn by_organisation(&self) -> Vec<(String, Vec<&ProviderProfessional>)> {
        let mut groups: Vec<(String, Vec<&ProviderProfessional>)> = Vec::new();
        for p in &self.providers {
            match groups.last_mut() {
                Some((org, members)) if *org == p.organisation => members.push(p),
                _ => groups.push((p.organisation.clone(), vec![p])),
            }
        }
        groups
    }
}

const LABELS: [(&str, &str); 2] =
    [("userId", "Hulpverlener"), ("roleInCase", "Wat doet deze hulpverlener in het huishouden?")];

fn view(page: &Page, case_id: String, providers: Vec<ProviderProfessional>) -> InvolvePage {
    InvolvePage {
        layout: page.layout("Een aanbieder betrekken", "work"),
        case_id,
        providers,
        user_id: String::new(),
        role_in_case: String::new(),
        problem: None,
        errors: Vec::new(),
    }
}

async fn form(page: Page, id: web::Path<Id>) -> PageResult {
    let id: String = id.into_inner().into();
    let providers = page.act(involvements::providers_for(&page.ctx, id.clone())).await?;
    render_with(StatusCode::OK, &view(&page, id, providers))
}

#[derive(Deserialize)]
struct InvolveForm {
    user_id: Option<String>,
    role_in_case: Option<String>,
}

async fn involve(page: Page, id: web::Path<Id>, form: Form<InvolveForm>) -> PageResult {
    let id: String = id.into_inner().into();
    let form = form.into_inner();
    let input = AddInvolvement {
        user_id: form.user_id.clone().filter(|u| !u.trim().is_empty()),
        role_in_case: form.role_in_case.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string),
        valid_from: None,
        valid_until: None,
    };
    let outcome = page.act(involvements::add(&page.ctx, id.clone(), input)).await;
    let (status, errors, problem) = match outcome {
        Ok(_) => return Ok(see_other(&format!("/dossiers/{id}?gedaan=betrokken#betrokkenen-titel"))),
        Err(AppError::Validation(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, dutch::field_messages(&errors, &LABELS), None)
        }
        Err(AppError::Conflict(_)) => (
            StatusCode::CONFLICT,
            Vec::new(),
            Some("Deze hulpverlener is nu al betrokken bij dit dossier. Er is niets veranderd."),
        ),
        Err(e) => return Err(e.into()),
    };
    // The same form again, with what was chosen and typed.
    let providers = involvements::providers_for(&page.ctx, id.clone()).await?;
    let mut again = view(&page, id, providers);
    again.user_id = form.user_id.unwrap_or_default();
    again.role_in_case = form.role_in_case.unwrap_or_default();
    again.errors = errors;
    again.problem = problem;
    render_with(status, &again)
}
