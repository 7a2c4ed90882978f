//! Team: the teamleider's caseload — the open cases of the teams they lead by phase (each count links to its
//! list), with wijk, regisseur or "geen regisseur", the number of professionals and organisations involved, cases
//! without a regisseur first; and the proposals and handovers waiting for an answer. Summaries only: the data is
//! the API's `GET /api/v1/caseload` (`cases::caseload::caseload`), which answers 403 to anyone who leads no team.

use std::collections::HashMap;

use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::dutch;
use super::page::{render, Layout, Page, PageResult};
use super::work::state_label;
use crate::cases::caseload::{self, Caseload, CaseloadCase};
use crate::cases::model::CaseState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/team", web::get().to(team_page));
}

/// The phases a `fase=` link names, in the team's words.
fn state_key(s: CaseState) -> &'static str {
    match s {
        CaseState::Registered => "aangemeld",
        CaseState::Intake => "kennismaking",
        CaseState::Planning => "plan-maken",
        CaseState::Active => "uitvoering",
        CaseState::Evaluating => "evaluatie",
        CaseState::Closed => "afgesloten",
    }
}

fn state_of_key(key: &str) -> Option<CaseState> {
    CaseState::ALL.into_iter().find(|s| s.is_open() && state_key(*s) == key)
}

/// A phase with its count, linking to the filtered list.
pub struct StateCount {
    pub key: &'static str,
    pub label: &'static str,
    pub count: usize,
    pub current: bool,
}

/// A case as a row of the caseload.
pub struct CaseLine {
    pub id: String,
    pub name: String,
    pub wijk: String,
    pub state: &'static str,
    pub regisseur: Option<String>,
    pub proposal: Option<String>,
    pub involved: String,
    pub opened_on: String,
}

/// A proposal or handover waiting for an answer.
pub struct ProposalLine {
    pub case_id: String,
    pub case_name: String,
    pub kind: String,
    pub proposed: String,
    pub since: String,
    pub family_choice: &'static str,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    layout: Layout,
    counts: Vec<StateCount>,
    total: usize,
    without_regisseur: usize,
    filter: Option<&'static str>,
    cases: Vec<CaseLine>,
    proposals: Vec<ProposalLine>,
}

#[derive(Deserialize)]
struct TeamQuery {
    fase: Option<String>,
}

fn involved(c: &CaseloadCase) -> String {
    match (c.case.involved_professionals, c.case.involved_organisations) {
        (Some(p), Some(o)) => format!(
            "{p} {} uit {o} {}",
            if p == 1 { "hulpverlener" } else { "hulpverleners" },
            if o == 1 { "organisatie" } else { "organisaties" }
        ),
        _ => String::new(),
    }
}

fn case_name(c: &CaseloadCase) -> String {
    if c.wijk.is_empty() {
        "Huishouden".to_string()
    } else {
        format!("Huishouden in {}", c.wijk)
    }
}

async fn team_page(page: Page, q: crate::http::Query<TeamQuery>) -> PageResult {
    let load: Caseload = page.act(caseload::caseload(&page.ctx)).await?;
    let names: HashMap<&str, &str> =
        load.members.iter().map(|m| (m.user_id.as_str(), m.display_name.as_str())).collect();
    let me = page.principal();
    let name_of = |user_id: &str| -> String {
        match names.get(user_id) {
            Some(n) if user_id == me.user_id => format!("{n} (u)"),
            Some(n) => n.to_string(),
            None => "Een medewerker buiten het team".to_string(),
        }
    };
    let filter = q.into_inner().fase.as_deref().and_then(state_of_key);
    let counts = CaseState::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(|s| StateCount {
            key: state_key(s),
            label: state_label(s),
            count: load.cases.iter().filter(|c| c.case.state == s).count(),
            current: filter == Some(s),
        })
        .collect();
    let cases =
        load.cases
            .iter()
            .filter(|c| filter.is_none_or(|f| c.case.state == f))
            .map(|c| CaseLine {
                id: c.case.id.clone(),
                name: case_name(c),
                wijk: c.wijk.clone(),
                state: state_label(c.case.state),
                regisseur: c.regisseur.as_ref().map(|a| name_of(&a.row.user_id)),
                proposal: c.proposal.as_ref().map(|a| {
                    format!("{} (sinds {})", name_of(&a.row.user_id), dutch::date(a.proposed_at.date_naive()))
                }),
                involved: involved(c),
                opened_on: dutch::date(c.case.opened_at.date_naive()),
            })
            .collect();
    let mut proposals: Vec<(chrono::DateTime<chrono::Utc>, ProposalLine)> = load
        .cases
        .iter()
        .filter_map(|c| {
            let a = c.proposal.as_ref()?;
            Some((
                a.proposed_at,
                ProposalLine {
                    case_id: c.case.id.clone(),
                    case_name: case_name(c),
                    kind: match &c.regisseur {
                        Some(r) => format!("Overdracht van {}", name_of(&r.row.user_id)),
                        None => "Eerste regisseur".to_string(),
                    },
                    proposed: name_of(&a.row.user_id),
                    since: super::case::when(a.proposed_at),
                    family_choice: if a.row.family_choice { "Ja" } else { "Nee" },
                },
            ))
        })
        .collect();
    // The longest waiting first.
    proposals.sort_by_key(|(at, _)| *at);
    let proposals: Vec<ProposalLine> = proposals.into_iter().map(|(_, l)| l).collect();
    let title = match filter {
        Some(s) => format!("Team: fase {}", state_label(s).to_lowercase()),
        None => "Team".to_string(),
    };
    render(&TeamPage {
        layout: page.layout(title, "team"),
        counts,
        total: load.cases.len(),
        without_regisseur: load.cases.iter().filter(|c| c.regisseur.is_none()).count(),
        filter: filter.map(state_label),
        cases,
        proposals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_open_phase_has_a_key_that_reads_back() {
        for s in CaseState::ALL.into_iter().filter(|s| s.is_open()) {
            assert_eq!(state_of_key(state_key(s)), Some(s));
        }
        assert_eq!(state_of_key("afgesloten"), None, "the caseload has open cases only");
        assert_eq!(state_of_key("x"), None);
    }
}
