//! Procescoördinatie in the web client: the queue of stuck cases for procescoördinatoren (`/procescoordinatie`,
//! the API's `escalations::service::queue`) and, for the case page's "Waarom zit dit vast?" panel, every stuck
//! reason explained in plain Dutch (B1) with its figure, since when it holds and what would remove it.

use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::dutch;
use super::page::{render, Layout, Page, PageResult};
use crate::escalations::model::ReasonCode;
use crate::escalations::service::{self as escalations, QueueQuery, StuckReason, QUEUE_LIMIT};
use crate::rules::StuckRules;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/procescoordinatie", web::get().to(queue_page));
}

/// Where the step that removes a reason is done. The page that shows the reason turns it into a link for those who
/// may take that step there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remedy {
    /// The case page's propose form.
    ProposeRegisseur,
    /// The plan's page (making the plan, discussing it again, the progress of its actions).
    Plan,
    /// The progress of the actions: the plan's page, or Mijn acties for a provider.
    Progress,
    /// A new evaluation.
    Evaluation,
    /// The case page's list of professionals involved.
    Involvements,
    /// The ZRM page.
    Zrm,
    /// The matches page.
    Matches,
    /// Nothing on a page: an agreement among the people involved.
    Talk,
}

/// One reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub code: ReasonCode,
    /// The short label of the reason (filters, counts).
    pub label: &'static str,
    /// What holds, with its figure: "Geen regisseur sinds 12 werkdagen".
    pub text: String,
    /// The day the reason began to hold, as the Dutch write it.
    pub since: String,
    /// What would remove it: "stel een regisseur voor".
    pub remedy: &'static str,
    pub remedy_at: Remedy,
}

/// The short label of a reason.
pub fn label(code: ReasonCode) -> &'static str {
    match code {
        ReasonCode::NoRegisseur => "Geen regisseur",
        ReasonCode::NoAgreedPlan => "Geen afgesproken plan",
        ReasonCode::ActionsOverdue => "Acties te laat",
        ReasonCode::EvaluationOverdue => "Evaluatie te laat",
        ReasonCode::ManyHands => "Veel hulpverleners",
        ReasonCode::Complexity => "Veel problemen tegelijk",
        ReasonCode::NoProgress => "Geen vooruitgang",
        ReasonCode::UnconfirmedMatch => "Contact na signaal",
        ReasonCode::RegisseurChurn => "Vaak een andere regisseur",
    }
}

/// `1 dag`, `2 dagen`.
pub fn count(n: i64, one: &str, more: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { more })
}

/// The ZRM scores the complexity rule counts as low: "1 of 2", "1", "1 tot en met 3".
fn low_scores(max: impl Into<i64>) -> String {
    match max.into() {
        i64::MIN..=1 => "1".to_string(),
        2 => "1 of 2".to_string(),
        m => format!("1 tot en met {m}"),
    }
}

/// A reason in plain Dutch: what holds (with its figure), since when, and what would remove it. The thresholds
/// named are the rules' own (`policies/rules.toml`).
pub fn explain(reason: &StuckReason, rules: &StuckRules) -> Explanation {
    let f = reason.figure;
    let (text, remedy, remedy_at) = match reason.code {
        ReasonCode::NoRegisseur => (
            format!("Geen regisseur sinds {}", count(f, "werkdag", "werkdagen")),
            "stel een regisseur voor",
            Remedy::ProposeRegisseur,
        ),
        ReasonCode::NoAgreedPlan => (
            format!("Nog geen afgesproken plan, {} na de start", count(f, "dag", "dagen")),
            "maak het plan af met de familie",
            Remedy::Plan,
        ),
        ReasonCode::ActionsOverdue => {
            (format!("{} te laat", count(f, "actie", "acties")), "werk de voortgang bij", Remedy::Progress)
        }
        ReasonCode::EvaluationOverdue => {
            (format!("Evaluatie {} te laat", count(f, "dag", "dagen")), "plan de evaluatie", Remedy::Evaluation)
        }
        ReasonCode::ManyHands => {
            let r = &rules.many_hands;
            // The rule holds for many organisations or for many professionals; say which.
            let text = if f >= r.organisations {
                format!("{} betrokken", count(f, "organisatie", "organisaties"))
            } else {
                format!("{} of meer hulpverleners betrokken", r.professionals)
            };
            (text, "kijk wie er kan stoppen", Remedy::Involvements)
        }
        ReasonCode::Complexity => {
            let r = &rules.complexity;
            (
                format!(
                    "{} of meer levensgebieden op ZRM {} bij {}",
                    r.domains,
                    low_scores(r.max_score),
                    count(f, "gezinslid", "gezinsleden")
                ),
                "kijk samen welke hulp er nodig is",
                Remedy::Zrm,
            )
        }
        ReasonCode::NoProgress => ("Geen vooruitgang op de ZRM".to_string(), "bespreek het plan opnieuw", Remedy::Plan),
        ReasonCode::UnconfirmedMatch => (
            if f > 1 {
                format!("Contact na {f} signalen niet bevestigd")
            } else {
                "Contact na een signaal niet bevestigd".to_string()
            },
            "neem contact op en bevestig het",
            Remedy::Matches,
        ),
        ReasonCode::RegisseurChurn => {
            let months = rules.regisseur_churn.months;
            let period = if months == 12 { "een jaar".to_string() } else { count(months, "maand", "maanden") };
            (
                format!("{} in {period}", count(f, "regisseurswissel", "regisseurswissels")),
                "spreek af wie de regie houdt",
                Remedy::Talk,
            )
        }
    };
    Explanation {
        code: reason.code,
        label: label(reason.code),
        text,
        since: dutch::date(reason.since),
        remedy,
        remedy_at,
    }
}

/// A reason as a badge of the queue (its words, never its colour alone).
pub struct Badge {
    pub code: &'static str,
    pub text: String,
}

/// A stuck case as a row of the queue: only what the API's queue gives.
pub struct QueueRow {
    pub case_id: String,
    pub name: String,
    pub team: String,
    pub wijk: String,
    pub score: i64,
    pub since: String,
    pub organisations: i64,
    pub professionals: i64,
    pub badges: Vec<Badge>,
    /// Its open escalation (id, level).
    pub escalation: Option<(String, i64)>,
}

/// A choice of a filter's list.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The number of stuck cases with one reason, linking to them.
pub struct ReasonLine {
    pub code: &'static str,
    pub label: &'static str,
    pub cases: i64,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "stuck_queue.html")]
struct QueuePage {
    layout: Layout,
    rows: Vec<QueueRow>,
    total: i64,
    filtered: bool,
    full: bool,
    limit: i64,
    per_reason: Vec<ReasonLine>,
    teams: Vec<Choice>,
    wijken: Vec<Choice>,
    reasons: Vec<Choice>,
    generated_at: String,
}

/// The filter form's fields; empty means no filter.
#[derive(Deserialize)]
struct QueueForm {
    team: Option<String>,
    wijk: Option<String>,
    reden: Option<String>,
}

fn given(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The choices of a filter: every value the rows show, the chosen one kept even when no row has it any more.
fn choices(mut pairs: Vec<(String, String)>, chosen: Option<&str>) -> Vec<Choice> {
    if let Some(c) = chosen {
        if !pairs.iter().any(|(v, _)| v == c) {
            pairs.push((c.to_string(), c.to_string()));
        }
    }
    pairs.sort_by(|a, b| a.1.cmp(&b.1));
    pairs.dedup_by(|a, b| a.0 == b.0);
    pairs.into_iter().map(|(value, label)| Choice { selected: chosen == Some(value.as_str()), value, label }).collect()
}

async fn queue_page(page: Page, q: crate::http::Query<QueueForm>) -> PageResult {
    let q = q.into_inner();
    let query = QueueQuery { team: given(q.team), wijk: given(q.wijk), reason: given(q.reden), level: None };
    let (team, wijk, reason) = (query.team.clone(), query.wijk.clone(), query.reason.clone());
    let queue = page.act(escalations::queue(&page.ctx, query)).await?;
    let rules = &page.ctx.state.rules.stuck;
    let rows: Vec<QueueRow> = queue
        .cases
        .iter()
        .map(|c| QueueRow {
            case_id: c.case_id.clone(),
            name: if c.wijk.is_empty() { "Huishouden".to_string() } else { format!("Huishouden in {}", c.wijk) },
            team: c.team_name.clone(),
            wijk: c.wijk.clone(),
            score: c.score,
            since: dutch::date(c.since),
            organisations: c.organisations,
            professionals: c.professionals,
            badges: c.reasons.iter().map(|r| Badge { code: r.code.as_str(), text: explain(r, rules).text }).collect(),
            escalation: c.escalation_id.clone().zip(c.level),
        })
        .collect();
    let teams =
        choices(queue.cases.iter().map(|c| (c.team_id.clone(), c.team_name.clone())).collect(), team.as_deref());
    let wijken = choices(
        queue.cases.iter().filter(|c| !c.wijk.is_empty()).map(|c| (c.wijk.clone(), c.wijk.clone())).collect(),
        wijk.as_deref(),
    );
    let reasons = ReasonCode::ALL
        .into_iter()
        .map(|code| Choice {
            value: code.as_str().to_string(),
            label: label(code).to_string(),
            selected: reason.as_deref() == Some(code.as_str()),
        })
        .collect();
    let per_reason = queue
        .per_reason
        .iter()
        .map(|r| ReasonLine {
            code: r.code.as_str(),
            label: label(r.code),
            cases: r.cases,
            current: reason.as_deref() == Some(r.code.as_str()) && team.is_none() && wijk.is_none(),
        })
        .collect();
    let filtered = team.is_some() || wijk.is_some() || reason.is_some();
    let title = if filtered { "Vastgelopen dossiers (gefilterd)" } else { "Vastgelopen dossiers" };
    render(&QueuePage {
        layout: page.layout(title, "stuck"),
        full: rows.len() as i64 >= QUEUE_LIMIT,
        limit: QUEUE_LIMIT,
        rows,
        total: queue.total,
        filtered,
        per_reason,
        teams,
        wijken,
        reasons,
        generated_at: super::case::when(queue.generated_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn reason(code: ReasonCode, figure: i64) -> StuckReason {
        StuckReason { code, since: NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(), weight: 2, figure }
    }

    fn says(code: ReasonCode, figure: i64) -> Explanation {
        explain(&reason(code, figure), &StuckRules::default())
    }

    #[test]
    fn no_regisseur_names_the_working_days_and_the_proposal() {
        let e = says(ReasonCode::NoRegisseur, 12);
        assert_eq!(e.text, "Geen regisseur sinds 12 werkdagen");
        assert_eq!(e.remedy, "stel een regisseur voor");
        assert_eq!(e.remedy_at, Remedy::ProposeRegisseur);
        assert_eq!(e.since, "3 december 2026");
        assert_eq!(says(ReasonCode::NoRegisseur, 1).text, "Geen regisseur sinds 1 werkdag");
    }

    #[test]
    fn no_agreed_plan_names_the_days_since_the_start() {
        let e = says(ReasonCode::NoAgreedPlan, 45);
        assert_eq!(e.text, "Nog geen afgesproken plan, 45 dagen na de start");
        assert_eq!((e.remedy, e.remedy_at), ("maak het plan af met de familie", Remedy::Plan));
    }

    #[test]
    fn actions_overdue_counts_the_actions() {
        let e = says(ReasonCode::ActionsOverdue, 3);
        assert_eq!(e.text, "3 acties te laat");
        assert_eq!((e.remedy, e.remedy_at), ("werk de voortgang bij", Remedy::Progress));
        assert_eq!(says(ReasonCode::ActionsOverdue, 1).text, "1 actie te laat");
    }

    #[test]
    fn evaluation_overdue_counts_the_days() {
        let e = says(ReasonCode::EvaluationOverdue, 20);
        assert_eq!(e.text, "Evaluatie 20 dagen te laat");
        assert_eq!((e.remedy, e.remedy_at), ("plan de evaluatie", Remedy::Evaluation));
    }

    #[test]
    fn many_hands_names_organisations_or_else_the_professionals_threshold() {
        let e = says(ReasonCode::ManyHands, 5);
        assert_eq!(e.text, "5 organisaties betrokken");
        assert_eq!((e.remedy, e.remedy_at), ("kijk wie er kan stoppen", Remedy::Involvements));
        // Two organisations: the rule held for seven professionals.
        assert_eq!(says(ReasonCode::ManyHands, 2).text, "7 of meer hulpverleners betrokken");
    }

    #[test]
    fn complexity_names_the_rules_thresholds_and_the_members() {
        let e = says(ReasonCode::Complexity, 2);
        assert_eq!(e.text, "3 of meer levensgebieden op ZRM 1 of 2 bij 2 gezinsleden");
        assert_eq!(e.remedy_at, Remedy::Zrm);
        let mut rules = StuckRules::default();
        rules.complexity.max_score = 3;
        rules.complexity.domains = 4;
        let e = explain(&reason(ReasonCode::Complexity, 3), &rules);
        assert_eq!(e.text, "4 of meer levensgebieden op ZRM 1 tot en met 3 bij 3 gezinsleden");
    }

    #[test]
    fn no_progress_asks_to_discuss_the_plan() {
        let e = says(ReasonCode::NoProgress, 0);
        assert_eq!(e.text, "Geen vooruitgang op de ZRM");
        assert_eq!((e.remedy, e.remedy_at), ("bespreek het plan opnieuw", Remedy::Plan));
    }

    #[test]
    fn an_unconfirmed_match_asks_for_contact() {
        let e = says(ReasonCode::UnconfirmedMatch, 1);
        assert_eq!(e.text, "Contact na een signaal niet bevestigd");
        assert_eq!(e.remedy_at, Remedy::Matches);
        assert_eq!(says(ReasonCode::UnconfirmedMatch, 2).text, "Contact na 2 signalen niet bevestigd");
    }

    #[test]
    fn regisseur_churn_counts_the_changes_in_the_rules_period() {
        let e = says(ReasonCode::RegisseurChurn, 3);
        assert_eq!(e.text, "3 regisseurswissels in een jaar");
        assert_eq!((e.remedy, e.remedy_at), ("spreek af wie de regie houdt", Remedy::Talk));
        let mut rules = StuckRules::default();
        rules.regisseur_churn.months = 6;
        assert_eq!(explain(&reason(ReasonCode::RegisseurChurn, 4), &rules).text, "4 regisseurswissels in 6 maanden");
    }

    #[test]
    fn every_reason_has_its_own_label_and_a_remedy() {
        let mut labels: Vec<&str> = ReasonCode::ALL.into_iter().map(label).collect();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), ReasonCode::ALL.len());
        for code in ReasonCode::ALL {
            let e = says(code, 3);
            assert!(!e.text.is_empty() && !e.remedy.is_empty(), "{code:?}");
            assert_eq!(e.label, label(code));
        }
    }

    #[test]
    fn filter_choices_are_the_rows_values_with_the_chosen_one_kept() {
        let pairs = vec![("t2".to_string(), "Noord".to_string()), ("t1".to_string(), "Centrum".to_string())];
        let c = choices(pairs.clone(), Some("t2"));
        assert_eq!(c.iter().map(|c| c.label.as_str()).collect::<Vec<_>>(), ["Centrum", "Noord"]);
        assert!(c[1].selected && !c[0].selected);
        let kept = choices(pairs, Some("t9"));
        assert_eq!(kept.len(), 3);
        assert!(kept.iter().any(|c| c.value == "t9" && c.selected));
    }
}
