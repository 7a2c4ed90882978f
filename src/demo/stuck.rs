//! Stuck demo cases for the procescoördinator (issue 15), in the second and third wijk: one of each kind the queue
//! explains — no regisseur after two weeks, no agreed plan after seven weeks, actions long overdue, five
//! organisations involved, and no ZRM progress in a hundred days with three low domains for
//! two members. Their professionals exist to be counted and convened, not to sign in.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

use super::plans::{action, assessment, goal, professional, version, Version};
use crate::cases::store::{self as cases, CaseRow, NewInvolvement};
use crate::db::schema::regisseur_assignments as ra;
use crate::db::{new_id, DbConn};
use crate::error::AppResult;
use crate::households::bsn::BsnProtector;
use crate::identity::store::{self as identity, NewUser};
use crate::plans::model::{Concern, PlanContent, Priority};
use crate::roles::{Role, RoleGrant};

/// Where the synthetic BSNs of these households start (`seed_members` uses numbers below 200, the provider's 900).
const FIRST_BSN: u32 = 600;

/// The demo's other organisations and the municipality's own, each with one professional: (user, organisation).
fn professionals(
    c: &mut DbConn,
    municipality: &str,
    unusable_hash: &str,
    t: NaiveDateTime,
) -> AppResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    let orgs = [
        ("GGZ Delfland", "provider", "Demo GGZ-behandelaar"),
        ("Verslavingszorg Zoetermeer", "provider", "Demo verslavingsconsulent"),
        ("Veilig Thuis Haaglanden", "provider", "Demo Veilig Thuis-medewerker"),
        ("Stichting MEE", "provider", "Demo MEE-consulent"),
    ];
    for (i, (org_name, kind, person)) in orgs.iter().enumerate() {
        let org = new_id();
        identity::insert_organisation(c, &org, org_name, kind, t)?;
        let user = new_id();
        let email = format!("hulpverlener{}@{}", i + 1, super::DEMO_DOMAIN);
        let user_row = NewUser {
            id: &user,
            email: &email,
            display_name: person,
            organisation_id: &org,
            password_hash: unusable_hash,
            totp_secret: None,
        };
        identity::insert_user(c, &user_row, &[RoleGrant { role: Role::Provider, team_id: None }], t)?;
        out.push((user, org));
    }
    let coach = new_id();
    let email = format!("wijkcoach.meerzicht@{}", super::DEMO_DOMAIN);
    let coach_row = NewUser {
        id: &coach,
        email: &email,
        display_name: "Demo wijkcoach Meerzicht",
        organisation_id: municipality,
        password_hash: unusable_hash,
        totp_secret: None,
    };
    identity::insert_user(c, &coach_row, &[RoleGrant { role: Role::Wijkteam, team_id: None }], t)?;
    out.insert(0, (coach, municipality.to_string()));
    Ok(out)
}

/// An involvement of `user` (of `org`) in the case from `from`, recorded by the wijkcoach: its id.
pub(super) fn involve(
    c: &mut DbConn,
    case_id: &str,
    (user, org): (&str, &str),
    (kind, role): (&str, &str),
    coach: &str,
    from: NaiveDateTime,
) -> AppResult<String> {
    let id = new_id();
    let row = NewInvolvement {
        id: &id,
        case_id,
        user_id: user,
        organisation_id: org,
        kind,
        role_in_case: role,
        created_by: Some(coach),
    };
    cases::insert_involvement(c, &row, from)?;
    Ok(id)
}

/// Where a demo case of this module lives and how far it came.
pub(super) struct Place<'a> {
    /// Its number among this module's households: its postcode and BSNs follow from it.
    pub n: usize,
    pub wijk: &'a str,
    pub team: &'a str,
    pub state: &'a str,
    pub opened_days_ago: i64,
    /// The household kind for `seed_members`.
    pub kind: usize,
}

/// A household of synthetic residents and its case, opened `opened_days_ago`, that went the usual path to its
/// state with the wijkcoach involved from the start: the case and its residents.
pub(super) fn household_case(
    c: &mut DbConn,
    bsn: &BsnProtector,
    p: &Place,
    (coach, coach_org): (&str, &str),
    t: NaiveDateTime,
) -> AppResult<(CaseRow, Vec<String>)> {
    let (n, opened_at) = (p.n, t - Duration::days(p.opened_days_ago));
    let household = crate::households::store::HouseholdRow {
        id: new_id(),
        postcode: format!("27{}MN", 31 + n),
        house_number: 20 + n as i32,
        house_number_addition: None,
        institutional_address: false,
        wijk: p.wijk.to_string(),
        team_id: p.team.to_string(),
        confidentiality: "normal".into(),
        version: 1,
        created_at: opened_at,
        updated_at: opened_at,
    };
    crate::households::store::insert_household(c, &household)?;
    let first = (FIRST_BSN as usize + n * 10) / 5;
    let people = super::seed_members(c, bsn, &household.id, p.kind, first, t)?;
    let case = CaseRow {
        id: new_id(),
        household_id: household.id.clone(),
        team_id: p.team.to_string(),
        state: p.state.to_string(),
        laws: "Wmo,Participatiewet".into(),
        close_reason: None,
        previous_case_id: None,
        version: 1,
        created_at: opened_at,
        updated_at: opened_at,
        closed_at: None,
    };
    cases::insert_case(c, &case)?;
    let path = ["registered", "intake", "planning", "active"];
    let reached = path.iter().position(|s| *s == p.state).unwrap_or(0) + 1;
    for (k, s) in path.iter().take(reached).enumerate() {
        cases::insert_state(c, &case.id, s, Some(coach), opened_at + Duration::days(3 * k as i64))?;
    }
    involve(c, &case.id, (coach, coach_org), ("team_member", "wijkcoach"), coach, opened_at)?;
    Ok((case, people))
}

/// The wijkcoach directs the case from its opening.
pub(super) fn direct(
    c: &mut DbConn,
    case_id: &str,
    (coach, coach_org): (&str, &str),
    opened_at: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(ra::table)
        .values((
            ra::id.eq(new_id()),
            ra::case_id.eq(case_id),
            ra::user_id.eq(coach),
            ra::status.eq("active"),
            ra::proposed_by.eq(coach),
            ra::family_choice.eq(false),
            ra::proposed_at.eq(opened_at),
            ra::decided_at.eq(Some(opened_at)),
            ra::active_from.eq(Some(opened_at)),
        ))
        .execute(c)?;
    involve(c, case_id, (coach, coach_org), ("regisseur", "regisseur"), coach, opened_at)?;
    Ok(())
}

/// What the escalations of the demo build on: the professionals (the wijkcoach first, then one of each other
/// organisation: (user, organisation)) and the stuck cases' ids, in the order of the module's comment.
pub(super) struct Seeded {
    pub professionals: Vec<(String, String)>,
    pub cases: Vec<String>,
}

/// `teams`: the second and third wijk's teams; `municipality`: the wijkteam's organisation.
pub fn seed(
    c: &mut DbConn,
    bsn: &BsnProtector,
    teams: (&str, &str),
    municipality: &str,
    unusable_hash: &str,
    t: NaiveDateTime,
) -> AppResult<Seeded> {
    let pros = professionals(c, municipality, unusable_hash, t)?;
    let (coach, coach_org) = (pros[0].0.as_str(), pros[0].1.as_str());
    let today = t.date();
    let day = |d: i64| today + Duration::days(d);
    // (wijk, team, state, opened days ago, household kind for `seed_members`)
    let kinds = [
        ("Meerzicht", teams.0, "intake", 15, 3),
        ("Meerzicht", teams.0, "planning", 50, 1),
        ("Seghwaert", teams.1, "active", 90, 0),
        ("Seghwaert", teams.1, "active", 60, 2),
        ("Meerzicht", teams.0, "active", 200, 1),
    ];
    let mut seeded = Vec::new();
    for (n, (wijk, team, state, opened, kind)) in kinds.into_iter().enumerate() {
        let place = Place { n, wijk, team, state, opened_days_ago: opened, kind };
        let (case, people) = household_case(c, bsn, &place, (coach, coach_org), t)?;
        seeded.push(case.id.clone());
        let opened_at = t - Duration::days(opened);
        if n == 0 {
            // Nobody has been asked to direct it in two weeks.
            continue;
        }
        direct(c, &case.id, (coach, coach_org), opened_at)?;
        let owner = professional((coach, coach_org));
        let person = people.first();
        let mut content = PlanContent {
            strengths: vec!["Het gezin wil graag verder".into()],
            concerns: vec![Concern { description: "Schulden en werkloosheid".into(), priority: Priority::High }],
            goals: vec![goal("g-geld", "financien", person, "Grip op geld", "Elke maand de huur betaald", day(120))],
            actions: vec![action("a-budget", "g-geld", "Budgetplan maken", owner.clone(), day(30))],
            next_evaluation_date: Some(day(45)),
            ..PlanContent::default()
        };
        match n {
            // Planning for seven weeks: only a draft.
            1 => {
                let draft = Version {
                    number: 1,
                    status: "draft",
                    content: &content,
                    agreed_days_ago: None,
                    superseded_days_ago: None,
                    agreed_by: None,
                };
                version(c, &case.id, coach, t, draft)?;
                continue;
            }
            // Three actions three to four weeks late.
            2 => {
                content.actions = vec![
                    action("a-budget", "g-geld", "Budgetplan maken", owner.clone(), day(-28)),
                    action("a-post", "g-geld", "Post samen openen", owner.clone(), day(-24)),
                    action("a-schuld", "g-geld", "Aanmelden bij schuldhulp", owner.clone(), day(-21)),
                ];
            }
            // Five organisations: the wijkcoach who directs it and four providers.
            3 => {
                for (i, (user, org)) in pros.iter().enumerate().skip(1) {
                    let role = ["ggz-behandelaar", "verslavingsconsulent", "veilig-thuis", "mee-consulent"][i - 1];
                    involve(c, &case.id, (user.as_str(), org.as_str()), ("provider", role), coach, opened_at)?;
                }
            }
            _ => {}
        }
        let agreed = Version {
            number: 1,
            status: "agreed",
            content: &content,
            agreed_days_ago: Some(opened - 20),
            superseded_days_ago: None,
            agreed_by: person,
        };
        version(c, &case.id, coach, t, agreed)?;
        if n == 4 {
            // A hundred days apart, nothing better; three domains at 1 or 2 for both parents.
            let low = json!({"financien": 2, "werk_opleiding": 1, "huisvesting": 2, "lichamelijke_gezondheid": 4});
            for (who, kind, days) in
                [(0, "start", 190), (1, "start", 190), (0, "intermediate", 90), (1, "intermediate", 90)]
            {
                assessment(c, &case.id, people.get(who), kind, day(-days), coach, low.clone())?;
            }
        }
    }
    Ok(Seeded { professionals: pros, cases: seeded })
}
