//! Mijn werk: the start page — the households the user works with, and what needs their attention (overdue, today,
//! soon), each count linking to its list. The data is the API's `GET /api/v1/work` (`work::service::my_work`).

use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::dutch;
use super::page::{render, see_other, Layout, Page, PageResult};
use crate::cases::model::CaseState;
use crate::work::model::{DueKind, Urgency, CONSENT_ENDING_DAYS, SOON_DAYS};
use crate::work::service::{self as work, DueItem, MyWork, WorkCase};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(my_work));
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

fn relation_label(relation: &str) -> &'static str {
    match relation {
        "regisseur" => "Regisseur",
        "involved" => "Betrokken",
        "team_lead" => "Teamleider",
        _ => "Via toestemming",
    }
}

fn kind_label(kind: DueKind) -> &'static str {
    match kind {
        DueKind::Action => "Actie",
        DueKind::Evaluation => "Evaluatie",
        DueKind::Zrm => "ZRM-meting",
    }
}

/// The name a household goes by on this page: its members for those involved, else what the user may know.
fn case_name(case: &WorkCase) -> String {
    match (&case.name, case.relation, &case.wijk) {
        (Some(name), _, _) => name.clone(),
        (None, "team_lead", Some(wijk)) => format!("Huishouden in {wijk}"),
        (None, "consent", _) => "Huishouden (gedeeld met uw organisatie)".to_string(),
        _ => "Huishouden zonder leden".to_string(),
    }
}

/// A household as a row of the start page.
pub struct CaseRow {
    pub id: String,
    pub name: String,
    pub address: String,
    pub wijk: String,
    pub relation: &'static str,
    pub state: &'static str,
    pub opened_on: String,
    /// "Sam wordt 18 op 3 april 2027": youth care ends then.
    pub turning_eighteen: Vec<String>,
}

/// A due item as a row.
pub struct DueRow {
    pub case_id: String,
    pub when: String,
    pub what: &'static str,
    pub description: String,
    pub household: String,
}

/// A row of the proposals or consents lists.
pub struct OtherRow {
    pub case_id: String,
    pub when: String,
    pub description: String,
    pub household: String,
}

/// One of the three panels, with its count and its first few items.
pub struct Panel {
    pub key: &'static str,
    pub title: &'static str,
    pub empty: &'static str,
    pub count: usize,
    pub rows: Vec<DueRow>,
}

/// The lists a count links to: `/?lijst=<key>`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum List {
    Due(Urgency),
    Proposals,
    Consents,
}

impl List {
    fn parse(s: &str) -> Option<List> {
        match s {
            "te-laat" => Some(List::Due(Urgency::Overdue)),
            "vandaag" => Some(List::Due(Urgency::Today)),
            "binnenkort" => Some(List::Due(Urgency::Soon)),
            "voorstellen" => Some(List::Proposals),
            "toestemmingen" => Some(List::Consents),
            _ => None,
        }
    }
}

fn urgency_key(u: Urgency) -> &'static str {
    match u {
        Urgency::Overdue => "te-laat",
        Urgency::Today => "vandaag",
        Urgency::Soon => "binnenkort",
    }
}

fn urgency_title(u: Urgency) -> &'static str {
    match u {
        Urgency::Overdue => "Te laat",
        Urgency::Today => "Vandaag",
        Urgency::Soon => "Binnenkort",
    }
}

fn urgency_empty(u: Urgency) -> &'static str {
    match u {
        Urgency::Overdue => "Niets is te laat.",
        Urgency::Today => "Vandaag staat er niets op uw lijst.",
        Urgency::Soon => "De komende 14 dagen staat er niets op uw lijst.",
    }
}

const PANEL_ITEMS: usize = 5;

#[derive(Template)]
#[template(path = "work.html")]
struct WorkPage {
    layout: Layout,
    households: Vec<CaseRow>,
    panels: Vec<Panel>,
    proposals: Vec<OtherRow>,
    consents: Vec<OtherRow>,
    soon_days: i64,
    consent_days: i64,
    /// A provider professional: a link to Mijn acties, where their own actions are.
    actions_link: bool,
}

#[derive(Template)]
#[template(path = "work_list.html")]
struct WorkListPage {
    layout: Layout,
    heading: String,
    intro: String,
    /// Due items (with a kind column), or proposals and consents (without).
    due: bool,
    due_rows: Vec<DueRow>,
    other_rows: Vec<OtherRow>,
    empty: &'static str,
}

#[derive(Deserialize)]
struct WorkQuery {
    lijst: Option<String>,
}

fn due_row(d: &DueItem, names: &std::collections::HashMap<String, String>) -> DueRow {
    DueRow {
        case_id: d.case_id.clone(),
        when: dutch::date(d.due_on),
        what: kind_label(d.kind),
        description: d.description.clone(),
        household: d.household_name.clone().or_else(|| names.get(&d.case_id).cloned()).unwrap_or_default(),
    }
}

fn rows(w: &MyWork) -> (Vec<OtherRow>, Vec<OtherRow>, std::collections::HashMap<String, String>) {
    let names: std::collections::HashMap<String, String> =
        w.households.iter().map(|c| (c.case_id.clone(), case_name(c))).collect();
    let proposals = w
        .proposals
        .iter()
        .map(|p| OtherRow {
            case_id: p.case_id.clone(),
            when: dutch::date(p.proposed_at.date_naive()),
            description: if p.family_choice {
                format!("{} stelt u voor als regisseur (keuze van het gezin)", p.proposed_by)
            } else {
                format!("{} stelt u voor als regisseur", p.proposed_by)
            },
            household: p
                .household_name
                .clone()
                .or_else(|| names.get(&p.case_id).cloned())
                .unwrap_or_else(|| "Nieuw dossier".to_string()),
        })
        .collect();
    let consents = w
        .consents_ending
        .iter()
        .map(|c| OtherRow {
            case_id: c.case_id.clone(),
            when: dutch::date(c.valid_until),
            description: format!("Toestemming van {} loopt af", c.person_name),
            household: c.household_name.clone().or_else(|| names.get(&c.case_id).cloned()).unwrap_or_default(),
        })
        .collect();
    (proposals, consents, names)
}

async fn my_work(page: Page, query: crate::http::Query<WorkQuery>) -> PageResult {
    // A role without Mijn werk starts at its own first page; nothing is read, so nothing is audited.
    let home = page.home();
    if home != "/" {
        return Ok(see_other(home));
    }
    let w = page.act(work::my_work(&page.ctx)).await?;
    let (proposals, consents, names) = rows(&w);
    if let Some(list) = query.lijst.as_deref().and_then(List::parse) {
        let (heading, intro, due, due_rows, other_rows, empty) = match list {
            List::Due(u) => (
                urgency_title(u).to_string(),
                match u {
                    Urgency::Overdue => "Acties, evaluaties en ZRM-metingen waarvan de datum voorbij is.".to_string(),
                    Urgency::Today => "Acties, evaluaties en ZRM-metingen voor vandaag.".to_string(),
                    Urgency::Soon => format!("Acties, evaluaties en ZRM-metingen in de komende {SOON_DAYS} dagen."),
                },
                true,
                w.due_in(u).map(|d| due_row(d, &names)).collect(),
                vec![],
                urgency_empty(u),
            ),
            List::Proposals => (
                "Voorstellen om regisseur te worden".to_string(),
                "Deze voorstellen wachten op uw antwoord. Open het dossier om het voorstel aan te nemen of af te wijzen."
                    .to_string(),
                false,
                vec![],
                proposals,
                "Er wacht geen voorstel op uw antwoord.",
            ),
            List::Consents => (
                "Toestemmingen die aflopen".to_string(),
                format!("Toestemmingen die binnen {CONSENT_ENDING_DAYS} dagen aflopen. Vraag op tijd een nieuwe."),
                false,
                vec![],
                consents,
                "Er loopt geen toestemming binnenkort af.",
            ),
        };
        let title = format!("Mijn werk: {}", heading.to_lowercase());
        return render(&WorkListPage {
            layout: page.layout(title, "work"),
            heading,
            intro,
            due,
            due_rows,
            other_rows,
            empty,
        });
    }
    let panels = Urgency::ALL
        .into_iter()
        .map(|u| Panel {
            key: urgency_key(u),
            title: urgency_title(u),
            empty: urgency_empty(u),
            count: w.due_in(u).count(),
            rows: w.due_in(u).take(PANEL_ITEMS).map(|d| due_row(d, &names)).collect(),
        })
        .collect();
    let households = w
        .households
        .iter()
        .map(|c| CaseRow {
            id: c.case_id.clone(),
            name: case_name(c),
            address: c.address.clone().unwrap_or_default(),
            wijk: c.wijk.clone().unwrap_or_default(),
            relation: relation_label(c.relation),
            state: state_label(c.state),
            opened_on: dutch::date(c.opened_at.date_naive()),
            turning_eighteen: c
                .turning_eighteen
                .iter()
                .map(|y| format!("{} wordt 18 op {}", y.name, dutch::date(y.on)))
                .collect(),
        })
        .collect();
    render(&WorkPage {
        layout: page.layout("Mijn werk", "work"),
        households,
        panels,
        proposals,
        consents,
        soon_days: SOON_DAYS,
        consent_days: CONSENT_ENDING_DAYS,
        actions_link: page.principal().roles().any(|r| r == crate::access::Role::Provider),
    })
}
