//! Mijn werk: the start page — the cases the user works on, and what needs their attention.

use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::dutch;
use super::page::{render, Layout, Page, PageResult};
use crate::cases::model::CaseState;
use crate::cases::service::{self as cases, Case};
use crate::paging::PageQuery;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(my_work));
}

/// A case as a row of the start page.
pub struct CaseRow {
    pub id: String,
    pub state: &'static str,
    pub opened_on: String,
}

impl CaseRow {
    fn of(case: &Case) -> CaseRow {
        CaseRow {
            id: case.id.clone(),
            state: state_label(case.state),
            opened_on: dutch::date(case.opened_at.date_naive()),
        }
    }
}

/// The phases of a case as the wijkteam calls them.
pub fn state_label(state: CaseState) -> &'static str {
    match state {
        CaseState::Registered => "Aangemeld",
        CaseState::Intake => "Kennismaking",
        CaseState::Planning => "Plan maken",
        CaseState::Active => "Uitvoering",
        CaseState::Evaluating => "Evaluatie",
        CaseState::Closed => "Afgesloten",
    }
}

#[derive(Template)]
#[template(path = "work.html")]
struct WorkPage {
    layout: Layout,
    cases: Vec<CaseRow>,
    more: Option<String>,
}

#[derive(Deserialize)]
struct WorkQuery {
    na: Option<String>,
}

async fn my_work(page: Page, query: web::Query<WorkQuery>) -> PageResult {
    let q = PageQuery { limit: Some(50), after: query.into_inner().na };
    let listed = cases::list_cases(&page.ctx, q).await?;
    let rows = listed.items.iter().map(CaseRow::of).collect();
    render(&WorkPage { layout: page.layout("Mijn werk", "work"), cases: rows, more: listed.next })
}
