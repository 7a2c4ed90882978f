//! Demo plans in the first wijk: a draft at intake; for the active case a superseded and a current plan with done,
//! running and overdue actions, ZRM assessments at the start and midway, an evaluation that adjusted the plan and
//! the new draft it opened, and the consent that lets the involved provider see it; for the evaluating case a
//! current plan and a start assessment.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

use crate::db::schema::{evaluations as ev, plan_action_progress as pap, zrm_assessments as za};
use crate::db::{new_id, DbConn};
use crate::error::{AppError, AppResult};
use crate::plans::model::{
    Action, Agreement, AgreementMethod, Concern, Goal, GoalStatus, Owner, OwnerKind, PlanContent, Priority,
};
use crate::plans::store::{insert, VersionRow};

pub(super) fn goal(
    id: &str,
    domain: &str,
    person: Option<&String>,
    description: &str,
    target: &str,
    due: NaiveDate,
) -> Goal {
    Goal {
        id: id.into(),
        domain: Some(domain.into()),
        person_id: person.cloned(),
        description: description.into(),
        target: Some(target.into()),
        target_score: Some(3),
        due_date: Some(due),
        status: GoalStatus::Open,
    }
}

pub(super) fn action(id: &str, goal: &str, description: &str, owner: Owner, due: NaiveDate) -> Action {
    Action {
        id: id.into(),
        goal_id: goal.into(),
        description: description.into(),
        owner: Some(owner),
        due_date: Some(due),
    }
}

pub(super) fn professional((user, organisation): (&str, &str)) -> Owner {
    Owner {
        kind: OwnerKind::Professional,
        user_id: Some(user.into()),
        organisation_id: Some(organisation.into()),
        person_id: None,
        name: None,
    }
}

pub(super) struct Version<'a> {
    pub number: i32,
    pub status: &'a str,
    pub content: &'a PlanContent,
    pub agreed_days_ago: Option<i64>,
    pub superseded_days_ago: Option<i64>,
    pub agreed_by: Option<&'a String>,
}

pub(super) fn version(c: &mut DbConn, case_id: &str, by: &str, t: NaiveDateTime, v: Version) -> AppResult<()> {
    let agreed_at = v.agreed_days_ago.map(|d| t - Duration::days(d));
    let agreement = v.agreed_by.map(|member| Agreement {
        member_ids: vec![member.clone()],
        method: Some(AgreementMethod::Paper),
        refused: false,
        statement: Some("We doen mee, als de afspraken met school ook in het plan staan.".into()),
    });
    let created = agreed_at.unwrap_or(t) - Duration::days(7);
    insert(
        c,
        &VersionRow {
            id: new_id(),
            case_id: case_id.into(),
            number: v.number,
            status: v.status.into(),
            content: serde_json::to_string(v.content).map_err(AppError::internal)?,
            based_on: (v.number > 1).then_some(v.number - 1),
            members_may_edit: v.status == "draft",
            revision: if v.status == "draft" { 3 } else { 4 },
            created_by: by.into(),
            created_at: created,
            updated_by: by.into(),
            updated_at: agreed_at.unwrap_or(t),
            agreed_by: agreed_at.map(|_| by.to_string()),
            agreed_at,
            agreement: agreement.map(|a| serde_json::to_string(&a)).transpose().map_err(AppError::internal)?,
            superseded_at: v.superseded_days_ago.map(|d| t - Duration::days(d)),
        },
    )?;
    Ok(())
}

fn progress(
    c: &mut DbConn,
    case_id: &str,
    action: &str,
    status: &str,
    done_on: Option<NaiveDate>,
    by: &str,
    t: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(pap::table)
        .values((
            pap::case_id.eq(case_id),
            pap::action_id.eq(action),
            pap::status.eq(status),
            pap::done_on.eq(done_on),
            pap::revision.eq(1i64),
            pap::updated_by.eq(by),
            pap::updated_at.eq(t),
        ))
        .execute(c)?;
    Ok(())
}

pub(super) fn assessment(
    c: &mut DbConn,
    case_id: &str,
    person: Option<&String>,
    kind: &str,
    on: NaiveDate,
    by: &str,
    scores: serde_json::Value,
) -> AppResult<()> {
    diesel::insert_into(za::table)
        .values((
            za::id.eq(new_id()),
            za::case_id.eq(case_id),
            za::person_id.eq(person),
            za::instrument.eq(if person.is_some() { "zrm_2017" } else { "zrm_huishoudens" }),
            za::kind.eq(kind),
            za::assessed_on.eq(on),
            za::assessor_id.eq(by),
            za::scores.eq(scores.to_string()),
            za::created_at.eq(on.and_hms_opt(12, 0, 0).unwrap_or_default()),
        ))
        .execute(c)?;
    Ok(())
}

/// Plans for case `n` of the first wijk (see `seed_cases`); `people` are the household's persons in seed order.
pub fn seed(
    c: &mut DbConn,
    case_id: &str,
    n: usize,
    people: &[String],
    (regisseur, regisseur_org): (&str, &str),
    (provider, provider_org): (&str, &str),
    t: NaiveDateTime,
) -> AppResult<()> {
    let today = t.date();
    let day = |d: i64| today + Duration::days(d);
    match n {
        // Intake: a first draft, not complete yet.
        1 => {
            let content = PlanContent {
                strengths: vec!["Kees en Marieke willen het samen oplossen".into()],
                concerns: vec![Concern {
                    description: "Spanningen thuis sinds het verlies van werk".into(),
                    priority: Priority::High,
                }],
                goals: vec![Goal {
                    due_date: None,
                    ..goal(
                        "g-werk",
                        "werk_opleiding",
                        people.first(),
                        "Kees vindt weer werk",
                        "Een baan van minstens 24 uur",
                        day(180),
                    )
                }],
                ..PlanContent::default()
            };
            version(
                c,
                case_id,
                regisseur,
                t,
                Version {
                    number: 1,
                    status: "draft",
                    content: &content,
                    agreed_days_ago: None,
                    superseded_days_ago: None,
                    agreed_by: None,
                },
            )
        }
        // Active: the family's plan, adjusted once, with a new draft in the making.
        2 => {
            let (priya, anjali) = (&people[0], &people[3]);
            let first = PlanContent {
                strengths: vec!["Priya zoekt zelf hulp".into(), "Anjali gaat graag naar school".into()],
                concerns: vec![
                    Concern { description: "Huurachterstand en schulden".into(), priority: Priority::High },
                    Concern { description: "Anjali verzuimt vaak".into(), priority: Priority::Medium },
                ],
                own_efforts: vec!["Dennis brengt Milan naar de opvang".into()],
                goals: vec![
                    goal(
                        "g-geld",
                        "financien",
                        Some(priya),
                        "Weer grip op geld",
                        "Drie maanden op rij de huur op tijd",
                        day(120),
                    ),
                    goal(
                        "g-school",
                        "werk_opleiding",
                        Some(anjali),
                        "Anjali gaat elke dag naar school",
                        "Geen ongeoorloofd verzuim",
                        day(90),
                    ),
                ],
                actions: vec![
                    action(
                        "a-budget",
                        "g-geld",
                        "Budgetplan maken met Priya",
                        professional((regisseur, regisseur_org)),
                        day(-60),
                    ),
                    action(
                        "a-jeugd",
                        "g-school",
                        "Gesprekken met Anjali over school",
                        professional((provider, provider_org)),
                        day(-10),
                    ),
                ],
                next_evaluation_date: Some(day(-30)),
                after_eighteen: vec![],
            };
            let mut current = first.clone();
            current.goals.push(goal(
                "g-huis",
                "hh_huisvesting",
                None,
                "Een veilig en rustig huis",
                "Geen meldingen van overlast",
                day(150),
            ));
            current.actions.push(action(
                "a-post",
                "g-geld",
                "Post elke week samen openen",
                Owner {
                    kind: OwnerKind::Member,
                    user_id: None,
                    organisation_id: None,
                    person_id: Some(priya.clone()),
                    name: None,
                },
                day(30),
            ));
            current.actions.push(action(
                "a-buren",
                "g-huis",
                "Kennismaken met de buren",
                Owner {
                    kind: OwnerKind::Network,
                    user_id: None,
                    organisation_id: None,
                    person_id: None,
                    name: Some("Buurvrouw Els".into()),
                },
                day(14),
            ));
            current.next_evaluation_date = Some(day(45));
            let mut draft = current.clone();
            draft.goals[1].status = GoalStatus::PartlyAchieved;
            let v = |number, status, content, agreed, superseded| Version {
                number,
                status,
                content,
                agreed_days_ago: agreed,
                superseded_days_ago: superseded,
                agreed_by: agreed.map(|_| priya),
            };
            version(c, case_id, regisseur, t, v(1, "superseded", &first, Some(90), Some(30)))?;
            version(c, case_id, regisseur, t, v(2, "agreed", &current, Some(30), None))?;
            version(c, case_id, regisseur, t, v(3, "draft", &draft, None, None))?;
            progress(c, case_id, "a-budget", "done", Some(day(-50)), regisseur, t)?;
            progress(c, case_id, "a-jeugd", "planned", None, provider, t)?;
            progress(c, case_id, "a-post", "in_progress", None, regisseur, t)?;
            progress(c, case_id, "a-buren", "planned", None, regisseur, t)?;
            assessment(
                c,
                case_id,
                Some(priya),
                "start",
                day(-120),
                regisseur,
                json!({"financien": 1, "huisvesting": 2, "geestelijke_gezondheid": 2, "sociaal_netwerk": 3, "werk_opleiding": 4}),
            )?;
            assessment(
                c,
                case_id,
                Some(anjali),
                "start",
                day(-120),
                regisseur,
                json!({"werk_opleiding": 2, "huiselijke_relaties": 2, "sociaal_netwerk": 3}),
            )?;
            assessment(
                c,
                case_id,
                None,
                "start",
                day(-120),
                regisseur,
                json!({"hh_financien": 1, "hh_huisvesting": 2, "hh_organisatie_huishouden": 3, "hh_relaties_in_huis": 2, "hh_sociale_omgeving": 3}),
            )?;
            assessment(
                c,
                case_id,
                Some(priya),
                "intermediate",
                day(-20),
                regisseur,
                json!({"financien": 3, "huisvesting": 3, "geestelijke_gezondheid": 3, "sociaal_netwerk": 3, "werk_opleiding": 4}),
            )?;
            assessment(
                c,
                case_id,
                Some(anjali),
                "intermediate",
                day(-20),
                regisseur,
                json!({"werk_opleiding": 3, "huiselijke_relaties": 3, "sociaal_netwerk": 4}),
            )?;
            assessment(
                c,
                case_id,
                None,
                "intermediate",
                day(-20),
                regisseur,
                json!({"hh_financien": 2, "hh_huisvesting": 3, "hh_organisatie_huishouden": 3, "hh_relaties_in_huis": 3, "hh_sociale_omgeving": 3}),
            )?;
            // Anjali (15) and her mother let the youth-care provider see the plan; an older consent was withdrawn.
            let consent = |valid_from: i64, withdrawn: bool| crate::consent::store::ConsentRow {
                id: new_id(),
                case_id: case_id.into(),
                person_id: anjali.clone(),
                kind: "consent".into(),
                givers: json!([{"personId": anjali, "capacity": "self"}, {"personId": priya, "capacity": "custodian"}])
                    .to_string(),
                legal_ground: None,
                holder_organisation_id: None,
                recipients: json!([provider_org]).to_string(),
                categories: json!(["basic", "plan"]).to_string(),
                purpose: "Afstemming tussen jeugdhulp en wijkteam over school en thuis".into(),
                valid_from: day(valid_from),
                valid_until: day(valid_from + 180),
                recorded_by: regisseur.into(),
                recorded_at: t + Duration::days(valid_from),
                withdrawn_at: withdrawn.then(|| t - Duration::days(40)),
                withdrawn_by: withdrawn.then(|| regisseur.to_string()),
                withdrawal_note: withdrawn.then(|| "Priya wilde eerst zelf met de school praten".to_string()),
            };
            crate::consent::store::insert(c, &consent(-100, true))?;
            crate::consent::store::insert(c, &consent(-30, false))?;
            diesel::insert_into(ev::table)
                .values((
                    ev::id.eq(new_id()),
                    ev::case_id.eq(case_id),
                    ev::plan_number.eq(1),
                    ev::held_on.eq(day(-31)),
                    ev::participants.eq(json!([
                        {"kind": "member", "personId": priya},
                        {"kind": "professional", "userId": regisseur},
                        {"kind": "professional", "userId": provider}
                    ]).to_string()),
                    ev::goal_progress.eq(json!([
                        {"goalId": "g-geld", "status": "partly_achieved", "note": "Budgetplan staat; huur twee keer op tijd"},
                        {"goalId": "g-school", "status": "open", "note": "Verzuim minder, nog niet weg"}
                    ]).to_string()),
                    ev::decision.eq("adjust"),
                    ev::next_evaluation_date.eq(day(45)),
                    ev::created_by.eq(regisseur),
                    ev::created_at.eq(t - Duration::days(31)),
                ))
                .execute(c)?;
            Ok(())
        }
        // Evaluating: a current plan and where Johan started.
        3 => {
            let johan = &people[0];
            let content = PlanContent {
                strengths: vec!["Johan houdt van fietsen".into()],
                concerns: vec![Concern {
                    description: "Eenzaam en weinig dagritme".into(),
                    priority: Priority::Medium,
                }],
                goals: vec![goal(
                    "g-dag",
                    "tijdsbesteding",
                    Some(johan),
                    "Een vast dagritme",
                    "Drie dagdelen per week vrijwilligerswerk",
                    day(60),
                )],
                actions: vec![action(
                    "a-vrijwilliger",
                    "g-dag",
                    "Samen langs bij de fietsenwerkplaats",
                    professional((regisseur, regisseur_org)),
                    day(-5),
                )],
                next_evaluation_date: Some(day(-2)),
                ..PlanContent::default()
            };
            version(
                c,
                case_id,
                regisseur,
                t,
                Version {
                    number: 1,
                    status: "agreed",
                    content: &content,
                    agreed_days_ago: Some(60),
                    superseded_days_ago: None,
                    agreed_by: Some(johan),
                },
            )?;
            progress(c, case_id, "a-vrijwilliger", "done", Some(day(-8)), regisseur, t)?;
            assessment(
                c,
                case_id,
                Some(johan),
                "start",
                day(-70),
                regisseur,
                json!({"tijdsbesteding": 2, "sociaal_netwerk": 2, "geestelijke_gezondheid": 3, "financien": 4}),
            )
        }
        _ => Ok(()),
    }
}
