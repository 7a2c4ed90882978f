//! Evaluatie: the evaluations of the plan with the family, and a two-step form to record one — progress per goal,
//! who took part, and the decision — shown as a summary to confirm before it is recorded (works without
//! JavaScript: the summary carries everything in hidden fields). Per participant the form asks what they will do
//! next ("wat ieder gaat doen"). Uses the evaluation service of src/plans, as the JSON routes do.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::dutch::{self, FieldMessage};
use super::page::{render, render_with, see_other, CaseFrame, Form, Layout, Page, PageError, PageResult};
use super::plan::{goal_status_label, parse_goal_status, Choice, Names, GOAL_STATUSES};
use crate::access::Role;
use crate::cases::model::CloseReason;
use crate::error::{AppError, FieldError};
use crate::http::Query;
use crate::input::Id;
use crate::plans::evaluation::{self, Decision, EvaluationAgreement, GoalProgress, NewEvaluation};
use crate::plans::model::{Goal, Owner, OwnerKind};
use crate::plans::service as plans;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/dossiers/{id}/evaluaties").route(web::get().to(list)).route(web::post().to(record)))
        .service(
            web::resource("/dossiers/{id}/evaluaties/nieuw")
                .route(web::get().to(new_form))
                .route(web::post().to(change)),
        )
        .route("/dossiers/{id}/evaluaties/controleren", web::post().to(preview));
}

const DECISIONS: [(&str, &str, &str); 4] = [
    (
        "continue",
        "Doorgaan met het plan",
        "Het plan blijft zoals het is. Iedereen doet wat in het plan staat. U spreekt een nieuwe evaluatiedatum af.",
    ),
    (
        "adjust",
        "Het plan bijstellen",
        "Er komt een nieuw concept van het plan, met de stand van de doelen van nu. De regisseur past het aan met het \
         gezin; het huidige plan geldt tot het gezin met het nieuwe instemt.",
    ),
    (
        "escalate",
        "Opschalen",
        "Het plan loopt vast. De regisseur legt het voor aan de teamleider of de procescoördinator; het plan blijft \
         gelden tot er een besluit is. U spreekt een nieuwe evaluatiedatum af.",
    ),
    ("close", "Afsluiten", "Het dossier wordt gesloten. Er komt geen nieuwe evaluatie. Kies de reden."),
];

const CLOSE_REASONS: [(&str, &str); 5] = [
    ("goal_reached", "De doelen zijn bereikt"),
    ("moved", "Het gezin is verhuisd"),
    ("refused_help", "Het gezin wil geen hulp meer"),
    ("transferred", "Overgedragen aan een andere organisatie"),
    ("other", "Een andere reden"),
];

fn decision_label(d: Decision) -> &'static str {
    match d {
        Decision::Continue => DECISIONS[0].1,
        Decision::Adjust => DECISIONS[1].1,
        Decision::Escalate => DECISIONS[2].1,
        Decision::Close => DECISIONS[3].1,
    }
}

fn close_reason_label(code: &str) -> &'static str {
    CLOSE_REASONS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or("Een andere reden")
}

/// Whether the user reads the whole plan's context (names, earlier versions); a provider reads their projection.
fn provider_only(page: &Page) -> bool {
    page.principal().roles().all(|r| r == Role::Provider)
}

#[derive(Deserialize)]
struct NoticeQuery {
    melding: Option<String>,
}

// ---------------------------------------------------------------------------------------------------------------
// The list

struct GoalLine {
    goal: String,
    status: &'static str,
    note: Option<String>,
}

/// What one participant will do: their name and the text as agreed.
struct AgreementLine {
    who: String,
    what: String,
}

struct EvaluationView {
    held_on: String,
    plan_number: i32,
    decision: &'static str,
    participants: Vec<String>,
    agreements: Vec<AgreementLine>,
    goals: Vec<GoalLine>,
    next: Option<String>,
    close_reason: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct ListPage {
    layout: Layout,
    frame: CaseFrame,
    items: Vec<EvaluationView>,
    next: Option<String>,
    may_record: bool,
}

fn participant_name(p: &Owner, names: &Names, me: &str) -> String {
    names.owner(p, me)
}

async fn list(page: Page, id: web::Path<Id>, q: Query<NoticeQuery>) -> PageResult {
    let case_id: String = id.into_inner().into();
    // The evaluations are what the page is about: theirs is the request's audit event.
    let evaluations = page.act(evaluation::list(&page.ctx, case_id.clone())).await?;
    let names = Names::of(&page, &case_id).await?;
    let me = page.principal().user_id.clone();
    // The goals' texts, from the plan versions evaluated (for those who read the whole plan).
    let mut goals: HashMap<i32, Vec<Goal>> = HashMap::new();
    if !provider_only(&page) {
        for e in &evaluations.items {
            if let std::collections::hash_map::Entry::Vacant(slot) = goals.entry(e.plan_number) {
                let v = plans::get_version(&page.ctx, case_id.clone(), e.plan_number.to_string()).await?;
                slot.insert(v.content.goals);
            }
        }
    }
    let items = evaluations
        .items
        .iter()
        .rev()
        .map(|e| EvaluationView {
            held_on: dutch::date(e.held_on),
            plan_number: e.plan_number,
            decision: decision_label(e.decision),
            participants: e.participants.iter().map(|p| participant_name(p, &names, &me)).collect(),
            agreements: e
                .agreements
                .iter()
                .map(|a| AgreementLine { who: participant_name(&a.who, &names, &me), what: a.what.clone() })
                .collect(),
            goals: e
                .goal_progress
                .iter()
                .map(|gp| GoalLine {
                    goal: goals
                        .get(&e.plan_number)
                        .and_then(|g| g.iter().find(|g| g.id == gp.goal_id))
                        .map(|g| g.description.clone())
                        .unwrap_or_else(|| "Een doel".into()),
                    status: goal_status_label(gp.status),
                    note: gp.note.clone(),
                })
                .collect(),
            next: e.next_evaluation_date.map(dutch::date),
            close_reason: e.close_reason.as_deref().map(close_reason_label),
        })
        .collect();
    let notice = match q.melding.as_deref() {
        Some("vastgelegd") => Some("De evaluatie is vastgelegd."),
        Some("bijgesteld") => {
            Some("De evaluatie is vastgelegd. Er is een nieuw concept van het plan om bij te stellen.")
        }
        _ => None,
    };
    render(&ListPage {
        layout: page.case_layout("Evaluaties", &case_id).await?.with_notice(notice),
        frame: CaseFrame::new(&case_id, "evaluaties"),
        items,
        next: evaluations.next_evaluation_date.map(dutch::date),
        may_record: !provider_only(&page),
    })
}

// ---------------------------------------------------------------------------------------------------------------
// The form

#[derive(Clone, Default)]
struct GoalInput {
    goal_id: String,
    status: String,
    note: String,
}

/// The prefix of a "what will they do" box: `wat:member:<id>`, `wat:professional:<id>`, `wat:network:<n>` (the
/// n-th name in the network box).
const WHAT: &str = "wat:";

/// A participant as the form names them (`member:<id>`, `professional:<id>`, `network:<n>`).
fn participant_owner(value: &str, network: &[String]) -> Option<Owner> {
    let (kind, key) = value.split_once(':')?;
    let owner = |kind| Owner { kind, user_id: None, organisation_id: None, person_id: None, name: None };
    match kind {
        "member" => Some(Owner { person_id: Some(key.to_string()), ..owner(OwnerKind::Member) }),
        "professional" => Some(Owner { user_id: Some(key.to_string()), ..owner(OwnerKind::Professional) }),
        // A name no longer in the network box names nobody: the service then says so at this box.
        "network" => Some(Owner {
            name: key.parse::<usize>().ok().and_then(|n| network.get(n).cloned()),
            ..owner(OwnerKind::Network)
        }),
        _ => None,
    }
}

#[derive(Clone, Default)]
struct EvalForm {
    held_on: String,
    participants: Vec<String>,
    network: String,
    /// The "what will they do" boxes, in the form's order: (field, text).
    what: Vec<(String, String)>,
    goals: Vec<GoalInput>,
    decision: String,
    next_evaluation_date: String,
    close_reason: String,
}

impl EvalForm {
    fn read(fields: &[(String, String)]) -> EvalForm {
        let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        let rows = fields
            .iter()
            .filter_map(|(k, _)| k.strip_prefix("goalProgress[")?.split(']').next()?.parse::<usize>().ok())
            .max()
            .map(|n| n + 1)
            .unwrap_or(0)
            .min(100);
        EvalForm {
            held_on: get("heldOn"),
            participants: fields.iter().filter(|(k, _)| k == "participants").map(|(_, v)| v.clone()).collect(),
            network: get("network"),
            what: fields.iter().filter(|(k, _)| k.starts_with(WHAT)).take(200).cloned().collect(),
            goals: (0..rows)
                .map(|i| GoalInput {
                    goal_id: get(&format!("goalProgress[{i}].goalId")),
                    status: get(&format!("goalProgress[{i}].status")),
                    note: get(&format!("goalProgress[{i}].note")),
                })
                .collect(),
            decision: get("decision"),
            next_evaluation_date: get("nextEvaluationDate"),
            close_reason: get("closeReason"),
        }
    }

    /// Everything as hidden fields, for the summary to confirm (and to come back to the form).
    fn pairs(&self) -> Vec<(String, String)> {
        let mut out = vec![("heldOn".to_string(), self.held_on.clone())];
        out.extend(self.participants.iter().map(|p| ("participants".to_string(), p.clone())));
        out.push(("network".into(), self.network.clone()));
        out.extend(self.what.iter().cloned());
        for (i, g) in self.goals.iter().enumerate() {
            out.push((format!("goalProgress[{i}].goalId"), g.goal_id.clone()));
            out.push((format!("goalProgress[{i}].status"), g.status.clone()));
            out.push((format!("goalProgress[{i}].note"), g.note.clone()));
        }
        out.push(("decision".into(), self.decision.clone()));
        out.push(("nextEvaluationDate".into(), self.next_evaluation_date.clone()));
        out.push(("closeReason".into(), self.close_reason.clone()));
        out
    }

    fn network_names(&self) -> Vec<String> {
        self.network.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
    }

    fn what_of(&self, field: &str) -> String {
        self.what.iter().find(|(k, _)| k == field).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// The agreements the form gives, in its order: (the box's field, who, what). An empty box agrees nothing.
    fn agreement_entries(&self) -> Vec<(String, Owner, String)> {
        let network = self.network_names();
        self.what
            .iter()
            .filter_map(|(field, text)| {
                // Browsers send line breaks as CR LF: one character each, as typed.
                let text = text.replace("\r\n", "\n");
                if text.trim().is_empty() {
                    return None;
                }
                let who = participant_owner(field.strip_prefix(WHAT)?, &network)?;
                Some((field.clone(), who, text.trim().to_string()))
            })
            .collect()
    }

    /// The form as the service's input, and what could not be read.
    fn input(&self) -> (NewEvaluation, Vec<FieldError>) {
        let mut errors = Vec::new();
        let mut date = |field: &str, s: &str| -> Option<NaiveDate> {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            match NaiveDate::parse_from_str(s, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(s, "%d-%m-%Y")) {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError::new(field, crate::input::date::MESSAGE));
                    None
                }
            }
        };
        let held_on = date("heldOn", &self.held_on);
        let next_evaluation_date = date("nextEvaluationDate", &self.next_evaluation_date);
        let mut participants: Vec<Owner> = self
            .participants
            .iter()
            .filter(|p| p.starts_with("member:") || p.starts_with("professional:"))
            .filter_map(|p| participant_owner(p, &[]))
            .collect();
        participants.extend(self.network_names().into_iter().map(|n| Owner {
            kind: OwnerKind::Network,
            user_id: None,
            organisation_id: None,
            person_id: None,
            name: Some(n),
        }));
        let goal_progress = self
            .goals
            .iter()
            .map(|g| GoalProgress {
                goal_id: g.goal_id.clone(),
                status: parse_goal_status(&g.status).unwrap_or(crate::plans::model::GoalStatus::Open),
                note: Some(g.note.clone()).filter(|n| !n.trim().is_empty()),
            })
            .collect();
        let decision = match self.decision.as_str() {
            "continue" => Some(Decision::Continue),
            "adjust" => Some(Decision::Adjust),
            "escalate" => Some(Decision::Escalate),
            "close" => Some(Decision::Close),
            _ => None,
        };
        let close_reason = match self.close_reason.as_str() {
            "goal_reached" => Some(CloseReason::GoalReached),
            "moved" => Some(CloseReason::Moved),
            "refused_help" => Some(CloseReason::RefusedHelp),
            "transferred" => Some(CloseReason::Transferred),
            "other" => Some(CloseReason::Other),
            _ => None,
        };
        // A close reason or a next date chosen before the decision changed is not part of what is decided.
        let (close_reason, next_evaluation_date) = match decision {
            Some(Decision::Close) => (close_reason, None),
            Some(_) => (None, next_evaluation_date),
            None => (close_reason, next_evaluation_date),
        };
        let input = NewEvaluation {
            held_on,
            participants: Some(participants),
            goal_progress: Some(goal_progress),
            decision,
            next_evaluation_date,
            close_reason,
            agreements: Some(
                self.agreement_entries().into_iter().map(|(_, who, what)| EvaluationAgreement { who, what }).collect(),
            ),
        };
        (input, errors)
    }
}

/// Where a service's field error belongs on the form (`agreements[i]` is the box of the i-th agreement given).
fn form_field(form: &EvalForm, field: &str) -> String {
    if field.starts_with("participants") || field == "agreements" {
        return "participants".into();
    }
    if let Some(rest) = field.strip_prefix("agreements[") {
        let entries = form.agreement_entries();
        if let Some((field, ..)) = rest.split_once(']').and_then(|(n, _)| entries.get(n.parse::<usize>().ok()?)) {
            return field.clone();
        }
        return "participants".into();
    }
    if let Some(rest) = field.strip_prefix("goalProgress[") {
        if let Some((n, _)) = rest.split_once(']') {
            return format!("goalProgress[{n}].status");
        }
    }
    field.to_string()
}

/// `what_labels`: the label of each "what will they do" box, by its field.
fn messages(
    form: &EvalForm,
    errors: &[FieldError],
    goals: &[Goal],
    what_labels: &[(String, String)],
) -> Vec<FieldMessage> {
    let mut placed: Vec<FieldError> = Vec::new();
    for e in errors {
        let field = if e.field.ends_with(".note") { e.field.clone() } else { form_field(form, &e.field) };
        if !placed.iter().any(|x| x.field == field) {
            placed.push(FieldError::new(field, e.message.clone()));
        }
    }
    let mut labels: Vec<(String, String)> = vec![
        ("heldOn".into(), "Datum van het gesprek".into()),
        ("participants".into(), "Wie deden mee".into()),
        ("goalProgress".into(), "Voortgang per doel".into()),
        ("decision".into(), "Besluit".into()),
        ("nextEvaluationDate".into(), "Datum volgende evaluatie".into()),
        ("closeReason".into(), "Reden van afsluiten".into()),
    ];
    for (i, g) in form.goals.iter().enumerate() {
        let text = goals.iter().find(|x| x.id == g.goal_id).map(|x| x.description.clone()).unwrap_or_default();
        labels.push((format!("goalProgress[{i}].status"), format!("Doel “{text}”")));
        labels.push((format!("goalProgress[{i}].note"), format!("Doel “{text}”: toelichting")));
    }
    labels.extend(what_labels.iter().cloned());
    let refs: Vec<(&str, &str)> = labels.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let mut out = dutch::field_messages(&placed, &refs);
    for m in &mut out {
        m.message = match placed.iter().find(|e| e.field == m.field).map(|e| e.message.as_str()) {
            Some("name who took part") => "Kies wie er meededen.".into(),
            Some("is required unless the case is closed") => "Vul de datum van de volgende evaluatie in.".into(),
            Some("must be after heldOn") => "De volgende evaluatie moet na het gesprek zijn.".into(),
            Some("is required when the case is closed") => "Kies waarom het dossier wordt gesloten.".into(),
            Some(s) if s.starts_with("goal ") && s.ends_with(" is missing") => "Geef de voortgang van elk doel.".into(),
            Some("must be a household member, an involved professional, or a named person") => {
                "Kies iemand uit het huishouden of een betrokken professional.".into()
            }
            Some("must be one of the participants") => {
                "Zet een vinkje bij deze persoon bij “Wie deden mee?”, of laat dit vak leeg.".into()
            }
            Some("must be at most 50 agreements") => "Spreek in één evaluatie hoogstens 50 dingen af.".into(),
            _ => m.message.clone(),
        };
    }
    out
}

struct GoalRow {
    n: usize,
    goal_id: String,
    description: String,
    who: String,
    status: String,
    note: String,
    status_id: String,
    note_id: String,
    status_error: Option<String>,
    note_error: Option<String>,
    status_name: String,
    note_name: String,
    goal_name: String,
}

/// A participant on the form: the checkbox "took part" and the box for what they will do.
struct ParticipantRow {
    value: String,
    label: String,
    check_id: String,
    what_name: String,
    what_id: String,
    what: String,
    what_error: Option<String>,
}

struct DecisionChoice {
    value: &'static str,
    label: &'static str,
    hint: &'static str,
}

#[derive(Template)]
#[template(path = "evaluation_form.html")]
struct FormPage {
    layout: Layout,
    frame: CaseFrame,
    /// The current plan's number (none: there is nothing to evaluate yet).
    plan_number: Option<i32>,
    form: EvalForm,
    goals: Vec<GoalRow>,
    members: Vec<ParticipantRow>,
    professionals: Vec<ParticipantRow>,
    /// The people named in the network box (once it was filled in and the form came back).
    network_people: Vec<ParticipantRow>,
    statuses: Vec<Choice>,
    decisions: Vec<DecisionChoice>,
    close_reasons: Vec<Choice>,
    errors: Vec<FieldMessage>,
    problem: Option<&'static str>,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    fn took_part(&self, value: &str) -> bool {
        self.form.participants.iter().any(|p| p == value)
    }
}

/// The current plan the evaluation is about: its number and goals (none when no plan is agreed).
async fn current_plan(page: &Page, case_id: &str) -> Result<Option<(i32, Vec<Goal>)>, PageError> {
    let versions = plans::list_versions(&page.ctx, case_id.to_string()).await?;
    if !versions.iter().any(|v| v.status == "agreed") {
        return Ok(None);
    }
    let v = plans::get_version(&page.ctx, case_id.to_string(), "current".into()).await?;
    Ok(Some((v.number, v.content.goals)))
}

struct Context {
    names: Names,
    plan: Option<(i32, Vec<Goal>)>,
}

async fn context(page: &Page, case_id: &str) -> Result<Context, PageError> {
    // Recording an evaluation reads the evaluations so far (and is refused where the API refuses that): the form's
    // primary read, named by its audit event (after a refused record, that stays the event's act).
    page.act(evaluation::list(&page.ctx, case_id.to_string())).await?;
    let names = Names::of(page, case_id).await?;
    let plan = current_plan(page, case_id).await?;
    Ok(Context { names, plan })
}

async fn form_page(
    page: &Page,
    case_id: &str,
    cx: &Context,
    form: Option<EvalForm>,
    errors: &[FieldError],
    problem: Option<&'static str>,
) -> Result<FormPage, PageError> {
    let goals = cx.plan.as_ref().map(|(_, g)| g.clone()).unwrap_or_default();
    let form = form.unwrap_or_else(|| EvalForm {
        held_on: crate::db::now().date().format("%Y-%m-%d").to_string(),
        goals: goals
            .iter()
            .map(|g| GoalInput {
                goal_id: g.id.clone(),
                status: super::plan::goal_status_code(g.status).into(),
                note: String::new(),
            })
            .collect(),
        ..EvalForm::default()
    });
    let me = page.principal().user_id.clone();
    // Who may take part, as (value, label, checkbox id, name in the box's label).
    let mut people: Vec<(String, String, String, String)> = Vec::new();
    for (i, (id, n)) in cx.names.members.iter().enumerate() {
        let check_id = if i == 0 { "veld-participants".to_string() } else { format!("veld-lid-{}", i + 1) };
        people.push((format!("member:{id}"), format!("{n} (gezin)"), check_id, n.clone()));
    }
    let members_count = people.len();
    for (i, (id, n, o)) in cx.names.professionals.iter().enumerate() {
        let label = if *id == me { format!("{n} ({o}) – uzelf") } else { format!("{n} ({o})") };
        people.push((format!("professional:{id}"), label, format!("veld-prof-{}", i + 1), n.clone()));
    }
    let professionals_end = people.len();
    for (i, n) in form.network_names().iter().enumerate() {
        people.push((format!("network:{i}"), format!("{n} (netwerk)"), String::new(), n.clone()));
    }
    let what_labels: Vec<(String, String)> =
        people.iter().map(|(v, _, _, n)| (format!("{WHAT}{v}"), format!("Wat gaat {n} doen?"))).collect();
    let messages = messages(&form, errors, &goals, &what_labels);
    let mut rows: Vec<ParticipantRow> = people
        .into_iter()
        .map(|(value, label, check_id, _)| {
            let what_name = format!("{WHAT}{value}");
            ParticipantRow {
                what_id: dutch::field_id(&what_name),
                what: form.what_of(&what_name),
                what_error: messages.iter().find(|m| m.field == what_name).map(|m| m.message.clone()),
                what_name,
                value,
                label,
                check_id,
            }
        })
        .collect();
    let network_people = rows.split_off(professionals_end);
    let professionals = rows.split_off(members_count);
    let members = rows;
    let rows = form
        .goals
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let goal = goals.iter().find(|x| x.id == g.goal_id);
            let status_name = format!("goalProgress[{i}].status");
            let note_name = format!("goalProgress[{i}].note");
            GoalRow {
                n: i + 1,
                goal_id: g.goal_id.clone(),
                description: goal.map(|x| x.description.clone()).unwrap_or_else(|| "Een doel".into()),
                who: goal
                    .and_then(|x| x.person_id.as_deref())
                    .map(|p| cx.names.member(p))
                    .unwrap_or_else(|| "Het hele huishouden".into()),
                status: g.status.clone(),
                note: g.note.clone(),
                status_id: dutch::field_id(&status_name),
                note_id: dutch::field_id(&note_name),
                status_error: messages.iter().find(|m| m.field == status_name).map(|m| m.message.clone()),
                note_error: messages.iter().find(|m| m.field == note_name).map(|m| m.message.clone()),
                goal_name: format!("goalProgress[{i}].goalId"),
                status_name,
                note_name,
            }
        })
        .collect();
    let choice = |(v, l): &(&str, &str)| Choice { value: v.to_string(), label: l.to_string() };
    Ok(FormPage {
        layout: page.case_layout("Evaluatie vastleggen", case_id).await?,
        frame: CaseFrame::new(case_id, "evaluaties"),
        plan_number: cx.plan.as_ref().map(|(n, _)| *n),
        form,
        goals: rows,
        members,
        professionals,
        network_people,
        statuses: GOAL_STATUSES.iter().map(choice).collect(),
        decisions: DECISIONS.iter().map(|(value, label, hint)| DecisionChoice { value, label, hint }).collect(),
        close_reasons: CLOSE_REASONS.iter().map(choice).collect(),
        errors: messages,
        problem,
    })
}

async fn new_form(page: Page, id: web::Path<Id>) -> PageResult {
    let case_id: String = id.into_inner().into();
    let cx = context(&page, &case_id).await?;
    render(&form_page(&page, &case_id, &cx, None, &[], None).await?)
}

/// Back from the summary to the form, with everything as it was filled in.
async fn change(page: Page, id: web::Path<Id>, fields: Form<Vec<(String, String)>>) -> PageResult {
    let case_id: String = id.into_inner().into();
    let cx = context(&page, &case_id).await?;
    let form = EvalForm::read(&fields.into_inner());
    render(&form_page(&page, &case_id, &cx, Some(form), &[], None).await?)
}

// ---------------------------------------------------------------------------------------------------------------
// The summary to confirm

struct Line {
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "evaluation_preview.html")]
struct PreviewPage {
    layout: Layout,
    frame: CaseFrame,
    hidden: Vec<(String, String)>,
    lines: Vec<Line>,
    goals: Vec<GoalLine>,
    /// Per participant what they will do ("Niets afgesproken" when the box was empty).
    agreements: Vec<AgreementLine>,
    decision: &'static str,
    consequence: &'static str,
}

async fn preview(page: Page, id: web::Path<Id>, fields: Form<Vec<(String, String)>>) -> PageResult {
    let case_id: String = id.into_inner().into();
    let cx = context(&page, &case_id).await?;
    let form = EvalForm::read(&fields.into_inner());
    let (input, mut errors) = form.input();
    if let Err(AppError::Validation(more)) = input.validate() {
        errors.extend(more);
    }
    let goals = cx.plan.as_ref().map(|(_, g)| g.clone()).unwrap_or_default();
    for g in &goals {
        if !form.goals.iter().any(|x| x.goal_id == g.id) {
            errors.push(FieldError::new("goalProgress", format!("goal {} is missing", g.id)));
        }
    }
    if !errors.is_empty() {
        let p = form_page(&page, &case_id, &cx, Some(form), &errors, None).await?;
        return render_with(StatusCode::UNPROCESSABLE_ENTITY, &p);
    }
    let me = page.principal().user_id.clone();
    let decision = input.decision.unwrap_or(Decision::Continue);
    let consequence = DECISIONS.iter().find(|(v, ..)| *v == form.decision).map(|(_, _, h)| *h).unwrap_or_default();
    let mut lines = vec![
        Line { label: "Datum van het gesprek".into(), value: input.held_on.map(dutch::date).unwrap_or_default() },
        Line {
            label: "Wie deden mee".into(),
            value: input
                .participants
                .iter()
                .flatten()
                .map(|p| participant_name(p, &cx.names, &me))
                .collect::<Vec<_>>()
                .join(", "),
        },
    ];
    match decision {
        Decision::Close => lines.push(Line {
            label: "Reden van afsluiten".into(),
            value: input.close_reason.map(|r| close_reason_label(r.as_str())).unwrap_or_default().into(),
        }),
        _ => lines.push(Line {
            label: "Volgende evaluatie".into(),
            value: input.next_evaluation_date.map(dutch::date).unwrap_or_default(),
        }),
    }
    let goal_lines = input
        .goal_progress
        .iter()
        .flatten()
        .map(|gp| GoalLine {
            goal: goals.iter().find(|g| g.id == gp.goal_id).map(|g| g.description.clone()).unwrap_or_default(),
            status: goal_status_label(gp.status),
            note: gp.note.clone(),
        })
        .collect();
    let agreed = input.agreements.as_deref().unwrap_or_default();
    let agreements = input
        .participants
        .iter()
        .flatten()
        .map(|p| {
            let what: Vec<&str> =
                agreed.iter().filter(|a| evaluation::same_participant(&a.who, p)).map(|a| a.what.as_str()).collect();
            AgreementLine {
                who: participant_name(p, &cx.names, &me),
                what: if what.is_empty() { "Niets afgesproken.".into() } else { what.join("\n") },
            }
        })
        .collect();
    render(&PreviewPage {
        layout: page.case_layout("Evaluatie controleren", &case_id).await?,
        frame: CaseFrame::new(&case_id, "evaluaties"),
        hidden: form.pairs(),
        lines,
        goals: goal_lines,
        agreements,
        decision: decision_label(decision),
        consequence,
    })
}

async fn record(page: Page, id: web::Path<Id>, fields: Form<Vec<(String, String)>>) -> PageResult {
    let case_id: String = id.into_inner().into();
    let form = EvalForm::read(&fields.into_inner());
    let (input, errors) = form.input();
    if errors.is_empty() {
        match page.act(evaluation::record(&page.ctx, case_id.clone(), input)).await {
            Ok(e) => {
                let melding = if e.new_draft.is_some() { "bijgesteld" } else { "vastgelegd" };
                return Ok(see_other(&format!("/dossiers/{case_id}/evaluaties?melding={melding}")));
            }
            Err(AppError::Validation(errors)) => {
                let cx = context(&page, &case_id).await?;
                let p = form_page(&page, &case_id, &cx, Some(form), &errors, None).await?;
                return render_with(StatusCode::UNPROCESSABLE_ENTITY, &p);
            }
            Err(AppError::Conflict(msg)) => {
                let problem = if msg.contains("draft") {
                    "Er is al een concept van het plan. Maak dat eerst af, of kies een ander besluit. Er is niets vastgelegd."
                } else if msg.contains("no agreed plan") {
                    "Er is nog geen plan waar het gezin mee instemde; er is niets om te evalueren."
                } else {
                    "Dit past niet bij hoe het dossier er nu voor staat. Er is niets vastgelegd."
                };
                let cx = context(&page, &case_id).await?;
                let p = form_page(&page, &case_id, &cx, Some(form), &[], Some(problem)).await?;
                return render_with(StatusCode::CONFLICT, &p);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let cx = context(&page, &case_id).await?;
    let p = form_page(&page, &case_id, &cx, Some(form), &errors, None).await?;
    render_with(StatusCode::UNPROCESSABLE_ENTITY, &p)
}
