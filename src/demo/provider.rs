//! The provider professional's own demo case (issue 14): a household of the second wijk's team (so the demo
//! teamleider's caseload stays the five cases the other tests know), directed by the second wijkteam member (so the
//! first one's lists stay as the other scenarios know them), with the youth-care provider involved, a current plan
//! holding two of the provider's actions (one overdue) and one of the regisseur's, and the consent of the young
//! person that shares the plan with the provider's organisation. The browser scenario 10_provider withdraws that
//! consent (and records a new one first when it runs again); the active case of `seed_cases`, whose consent
//! scenarios 04 and 07 rely on, is left alone.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

use crate::cases::store::{self as cases, CaseRow, NewInvolvement};
use crate::db::schema::{plan_action_progress as pap, regisseur_assignments as ra};
use crate::db::{new_id, DbConn};
use crate::error::{AppError, AppResult};
use crate::households::bsn::BsnProtector;
use crate::plans::model::{Action, Agreement, AgreementMethod, Goal, GoalStatus, Owner, OwnerKind, PlanContent};
use crate::plans::store::VersionRow;

/// Where the synthetic BSNs of this household start (`seed_members` uses numbers below 200).
const FIRST_BSN: u32 = 900;

fn professional(user: &str, organisation: &str) -> Owner {
    Owner {
        kind: OwnerKind::Professional,
        user_id: Some(user.into()),
        organisation_id: Some(organisation.into()),
        person_id: None,
        name: None,
    }
}

/// `regisseur` and `provider`: (user, organisation); `team`: the second wijk's team; `lead`: who involved them.
pub fn seed(
    c: &mut DbConn,
    bsn: &BsnProtector,
    team: &str,
    (regisseur, regisseur_org): (&str, &str),
    (provider, provider_org): (&str, &str),
    lead: &str,
    t: NaiveDateTime,
) -> AppResult<()> {
    let today = t.date();
    let day = |d: i64| today + Duration::days(d);
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("demo date");
    let household = crate::households::store::HouseholdRow {
        id: new_id(),
        postcode: "2718PR".into(),
        house_number: 41,
        house_number_addition: None,
        institutional_address: false,
        wijk: crate::demo::WIJKEN[1].to_string(),
        team_id: team.to_string(),
        confidentiality: "normal".into(),
        version: 1,
        created_at: t,
        updated_at: t,
    };
    crate::households::store::insert_household(c, &household)?;
    // Emre turns 18 four months from today (18-/18+: his case is flagged, and his plan will need its section on
    // care after 18), whenever the demo is made.
    let emre_born = {
        let today = crate::calendar::local(t.and_utc()).date();
        crate::cases::model::born_eighteen_years_before(
            today.checked_add_months(chrono::Months::new(4)).expect("a date"),
        )
    };
    let mut people = Vec::new();
    for (i, (name, birth, relation, custody)) in
        [("Fatma Yıldız", d("1983-02-11"), "parent", true), ("Emre Yıldız", emre_born, "child", false)]
            .into_iter()
            .enumerate()
    {
        let id = new_id();
        let number = super::resident_bsn(FIRST_BSN + i as u32);
        crate::households::store::insert_person(c, bsn, &id, name, birth, Some(&number), t)?;
        crate::households::store::insert_member(
            c,
            &crate::households::store::MemberRow {
                id: new_id(),
                household_id: household.id.clone(),
                person_id: id.clone(),
                relation: relation.into(),
                custody,
                from_date: emre_born,
                until_date: None,
                created_at: t,
            },
        )?;
        people.push(id);
    }
    crate::households::store::insert_parent_link(c, &people[0], &people[1], t)?;
    let (fatma, emre) = (&people[0], &people[1]);

    let case = CaseRow {
        id: new_id(),
        household_id: household.id.clone(),
        team_id: team.to_string(),
        state: "active".into(),
        laws: "Jeugdwet".into(),
        close_reason: None,
        previous_case_id: None,
        version: 1,
        created_at: t,
        updated_at: t,
        closed_at: None,
    };
    cases::insert_case(c, &case)?;
    for (k, s) in ["registered", "intake", "planning", "active"].iter().enumerate() {
        cases::insert_state(c, &case.id, s, Some(regisseur), t - Duration::days(40 - 8 * k as i64))?;
    }
    let involve = |c: &mut DbConn, user: &str, org: &str, kind: &str, role: &str| {
        cases::insert_involvement(
            c,
            &NewInvolvement {
                id: &new_id(),
                case_id: &case.id,
                user_id: user,
                organisation_id: org,
                kind,
                role_in_case: role,
                created_by: Some(lead),
            },
            t,
        )
    };
    involve(c, regisseur, regisseur_org, "team_member", "gezinscoach")?;
    involve(c, regisseur, regisseur_org, "regisseur", "regisseur")?;
    involve(c, provider, provider_org, "provider", "jeugdhulpverlener")?;
    diesel::insert_into(ra::table)
        .values((
            ra::id.eq(new_id()),
            ra::case_id.eq(&case.id),
            ra::user_id.eq(regisseur),
            ra::status.eq("active"),
            ra::proposed_by.eq(lead),
            ra::family_choice.eq(false),
            ra::proposed_at.eq(t - Duration::days(35)),
            ra::active_from.eq(Some(t - Duration::days(35))),
        ))
        .execute(c)?;

    let goal = |id: &str, domain: &str, person: &String, description: &str, target: &str| Goal {
        id: id.into(),
        domain: Some(domain.into()),
        person_id: Some(person.clone()),
        description: description.into(),
        target: Some(target.into()),
        target_score: Some(3),
        due_date: Some(day(90)),
        status: GoalStatus::Open,
    };
    let action = |id: &str, goal: &str, description: &str, owner: Owner, due: NaiveDate| Action {
        id: id.into(),
        goal_id: goal.into(),
        description: description.into(),
        owner: Some(owner),
        due_date: Some(due),
    };
    let content = PlanContent {
        strengths: vec!["Emre wil zijn diploma halen".into()],
        goals: vec![
            goal(
                "g-school",
                "werk_opleiding",
                emre,
                "Emre gaat weer elke dag naar school",
                "Minder dan 2 uur verzuim per maand",
            ),
            goal(
                "g-geld",
                "financien",
                fatma,
                "Fatma heeft overzicht over de rekeningen",
                "Alle vaste lasten op tijd betaald",
            ),
        ],
        actions: vec![
            action(
                "a-mentor",
                "g-school",
                "Gesprek met Emre en zijn mentor",
                professional(provider, provider_org),
                day(-3),
            ),
            action(
                "a-stage",
                "g-school",
                "Samen met Emre een stageplek zoeken",
                professional(provider, provider_org),
                day(21),
            ),
            action(
                "a-post",
                "g-geld",
                "Post en rekeningen samen sorteren",
                professional(regisseur, regisseur_org),
                day(7),
            ),
        ],
        next_evaluation_date: Some(day(60)),
        ..PlanContent::default()
    };
    let agreed_at = t - Duration::days(20);
    crate::plans::store::insert(
        c,
        &VersionRow {
            id: new_id(),
            case_id: case.id.clone(),
            number: 1,
            status: "agreed".into(),
            content: serde_json::to_string(&content).map_err(AppError::internal)?,
            based_on: None,
            members_may_edit: false,
            revision: 3,
            created_by: regisseur.into(),
            created_at: agreed_at - Duration::days(5),
            updated_by: regisseur.into(),
            updated_at: agreed_at,
            agreed_by: Some(regisseur.into()),
            agreed_at: Some(agreed_at),
            agreement: Some(
                serde_json::to_string(&Agreement {
                    member_ids: vec![fatma.clone(), emre.clone()],
                    method: Some(AgreementMethod::Conversation),
                    refused: false,
                    statement: None,
                })
                .map_err(AppError::internal)?,
            ),
            superseded_at: None,
        },
    )?;
    for a in &content.actions {
        diesel::insert_into(pap::table)
            .values((
                pap::case_id.eq(&case.id),
                pap::action_id.eq(&a.id),
                pap::status.eq("planned"),
                pap::done_on.eq(None::<NaiveDate>),
                pap::revision.eq(1i64),
                pap::updated_by.eq(regisseur),
                pap::updated_at.eq(agreed_at),
            ))
            .execute(c)?;
    }
    // Emre (17) shares his part of the plan, and the contact details, with the youth-care provider.
    crate::consent::store::insert(
        c,
        &crate::consent::store::ConsentRow {
            id: new_id(),
            case_id: case.id.clone(),
            person_id: emre.clone(),
            kind: "consent".into(),
            givers: json!([{"personId": emre, "capacity": "self"}]).to_string(),
            legal_ground: None,
            holder_organisation_id: None,
            recipients: json!([provider_org]).to_string(),
            categories: json!(["basic", "plan"]).to_string(),
            purpose: "Afstemming tussen jeugdhulp en wijkteam over school".into(),
            valid_from: day(-20),
            valid_until: day(160),
            recorded_by: regisseur.into(),
            recorded_at: agreed_at,
            withdrawn_at: None,
            withdrawn_by: None,
            withdrawal_note: None,
        },
    )?;
    Ok(())
}
