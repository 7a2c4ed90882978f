//! Demo escalations (issue 15): one closed with its outcome, on an extra case beside the five-organisations case
//! in Seghwaert (raised by the many-hands rule, risen to the procescoördinator, adopted, convened, two agreements,
//! two providers' involvements ended, closed with perspective regained: five organisations at adoption, three at
//! closing), and one open at level 2, not adopted, on the case whose actions are overdue: the procescoördinator's
//! to adopt. Written back-dated with the ladder's own store functions, in the order the service writes them, so
//! the rows are those of the real thing. No emails: their moments are past, and the outbox would send them now.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::plans::{action, goal, professional, version, Version};
use super::stuck::{self, Place, Seeded};
use crate::cases::store as cases;
use crate::db::{new_id, DbConn};
use crate::error::{AppError, AppResult};
use crate::escalations::ladder;
use crate::escalations::ladder_store::{self as store, Closing, NewEscalation};
use crate::households::bsn::BsnProtector;
use crate::plans::model::{Concern, PlanContent, Priority};
use crate::rules::Rules;

/// The closed escalation's case: after the five stuck cases of `stuck`.
const SIBLING: usize = 5;

fn at(day: NaiveDate, hour: u32) -> NaiveDateTime {
    day.and_hms_opt(hour, 0, 0).expect("demo hour")
}

/// A store update that must change the one row it names, as the service requires.
fn one(changed: usize, what: &str) -> AppResult<()> {
    if changed == 1 {
        Ok(())
    } else {
        Err(AppError::Internal(format!("demo escalation: {what} changed {changed} rows")))
    }
}

/// `place`: the wijk and team of the five-organisations case; `adopter`: the demo procescoördinator (user,
/// organisation).
pub fn seed(
    c: &mut DbConn,
    bsn: &BsnProtector,
    rules: &Rules,
    stuck: &Seeded,
    place: (&str, &str),
    adopter: (&str, &str),
    t: NaiveDateTime,
) -> AppResult<()> {
    closed(c, bsn, rules, stuck, place, adopter, t)?;
    open(c, rules, stuck, t)
}

/// The extra case and its escalation from the many-hands rule to the outcome.
fn closed(
    c: &mut DbConn,
    bsn: &BsnProtector,
    rules: &Rules,
    stuck: &Seeded,
    (wijk, team): (&str, &str),
    (adopter, adopter_org): (&str, &str),
    t: NaiveDateTime,
) -> AppResult<()> {
    let (er, cal) = (&rules.escalation, &rules.calendar);
    let pros = &stuck.professionals;
    let coach = (pros[0].0.as_str(), pros[0].1.as_str());
    let opened = 150;
    let place = Place { n: SIBLING, wijk, team, state: "active", opened_days_ago: opened, kind: 4 };
    let (case, people) = stuck::household_case(c, bsn, &place, coach, t)?;
    let opened_at = t - Duration::days(opened);
    stuck::direct(c, &case.id, coach, opened_at)?;
    let today = t.date();
    let owner = professional(coach);
    let content = PlanContent {
        strengths: vec!["Oma en Noah hebben een sterke band".into()],
        concerns: vec![Concern { description: "Schulden en zorgen om school".into(), priority: Priority::High }],
        goals: vec![goal(
            "g-geld",
            "financien",
            people.first(),
            "Grip op geld",
            "Elke maand de huur betaald",
            today + Duration::days(90),
        )],
        actions: vec![action("a-budget", "g-geld", "Budgetplan maken", owner, today + Duration::days(30))],
        next_evaluation_date: Some(today + Duration::days(40)),
        ..PlanContent::default()
    };
    let agreed = Version {
        number: 1,
        status: "agreed",
        content: &content,
        agreed_days_ago: Some(opened - 20),
        superseded_days_ago: None,
        agreed_by: people.first(),
    };
    version(c, &case.id, coach.0, t, agreed)?;

    // Three providers from the start, MEE later: five organisations, the many-hands reason from that day.
    let mee_joined = today - Duration::days(90);
    let roles = ["ggz-behandelaar", "verslavingsconsulent", "veilig-thuis", "mee-consulent"];
    let mut provider_involvements = Vec::new();
    for (i, (user, org)) in pros.iter().enumerate().skip(1) {
        let from = if i == 4 { at(mee_joined, 9) } else { opened_at + Duration::days(10) };
        let id = stuck::involve(c, &case.id, (user.as_str(), org.as_str()), ("provider", roles[i - 1]), coach.0, from)?;
        provider_involvements.push(id);
    }

    // Raised by the rule once the reason had held its working days (the ladder's morning run), unanswered by the
    // teamleider, risen the day after its deadline.
    let raised_on = cal.add_working_days(mee_joined, er.auto_raise_after_working_days);
    let raised_at = at(raised_on, 6);
    let id = new_id();
    let code = "many_hands";
    let new = NewEscalation {
        id: &id,
        case_id: &case.id,
        level: 1,
        trigger_kind: "rule",
        trigger_code: Some(code),
        reason: None,
        raised_by: None,
        respond_by: ladder::respond_by(1, raised_on, er, cal),
    };
    store::insert(c, &new, raised_at)?;
    store::add_step(c, &id, "raised", 1, raised_at, None, Some(code), None)?;
    let risen_on = new.respond_by + Duration::days(1);
    let risen_at = at(risen_on, 6);
    one(store::rise(c, &id, 1, 2, risen_at, ladder::respond_by(2, risen_on, er, cal))?, "rise")?;
    store::add_step(c, &id, "risen", 2, risen_at, None, None, None)?;

    // Adopted (as service::adopt at level 2): the counts then, the adoption's involvement, level 2 answered.
    let adopted_on = cal.add_working_days(risen_on, 2);
    let adopted_at = at(adopted_on, 10);
    let (organisations, professionals) = store::involved_counts(c, &case.id, adopted_at)?;
    let involvement = new_id();
    cases::insert_involvement(
        c,
        &cases::NewInvolvement {
            id: &involvement,
            case_id: &case.id,
            user_id: adopter,
            organisation_id: adopter_org,
            kind: "procescoordinator",
            role_in_case: "procescoördinator",
            created_by: Some(adopter),
        },
        adopted_at,
    )?;
    one(store::respond(c, &id, 2, adopter, adopted_at)?, "respond")?;
    one(store::adopt(c, &id, 2, adopter, adopted_at, &involvement, organisations, professionals)?, "adopt")?;
    store::add_step(c, &id, "adopted", 2, adopted_at, Some(adopter), None, None)?;

    // Convened the next working day (as service::convene counts them), two agreements at the meeting.
    let convened_at = at(cal.add_working_days(adopted_on, 1), 9);
    let invited = store::involved_professionals(c, &case.id, convened_at)?.into_iter().filter(|u| u != adopter).count();
    let text = crate::escalations::ladder::convened_note(invited);
    store::add_step(c, &id, "convened", 2, convened_at, Some(adopter), Some(&text), None)?;
    let meeting = cal.add_working_days(adopted_on, 5);
    for (hour, text) in [
        (14, "Eén regisseur: de wijkcoach. Alle hulpverleners stemmen hun afspraken met het gezin met haar af."),
        (15, "Verslavingszorg en MEE ronden hun begeleiding binnen twee weken af; GGZ en Veilig Thuis blijven."),
    ] {
        store::add_step(c, &id, "agreement", 2, at(meeting, hour), Some(adopter), Some(text), None)?;
    }

    // Minder hulpverleners: Verslavingszorg and MEE end, as agreed.
    let ended_at = at(cal.add_working_days(meeting, 10), 12);
    for involvement in [&provider_involvements[1], &provider_involvements[3]] {
        cases::end_involvement(c, involvement, ended_at)?;
    }

    // Closed (as service::close): the counts then, the adoption's access ended at once.
    let closed_at = at(cal.add_working_days(adopted_on, 25), 16);
    if closed_at >= t {
        return Err(AppError::Internal("demo escalation: closing lies in the future".into()));
    }
    let (organisations, professionals) = store::involved_counts(c, &case.id, closed_at)?;
    cases::end_involvement(c, &involvement, closed_at)?;
    let note = "Het gezin heeft weer overzicht: één regisseur, één plan en drie in plaats van vijf organisaties. \
                De huur wordt weer betaald.";
    let closing = Closing {
        by: adopter,
        at: closed_at,
        perspective_regained: true,
        organisations,
        professionals,
        note: Some(note),
    };
    one(store::close(c, &id, 2, &closing)?, "close")?;
    store::add_step(c, &id, "closed", 2, closed_at, Some(adopter), Some(note), None)?;
    Ok(())
}

/// The overdue-actions case: raised by hand by its wijkcoach two weeks ago, unanswered by the teamleider, risen to
/// the procescoördinator, whose deadline is still ahead.
fn open(c: &mut DbConn, rules: &Rules, stuck: &Seeded, t: NaiveDateTime) -> AppResult<()> {
    let (er, cal) = (&rules.escalation, &rules.calendar);
    let (coach, case) = (stuck.professionals[0].0.as_str(), stuck.cases[2].as_str());
    // Five working days span at most thirteen calendar days (weekends and the holidays around Christmas or
    // Easter): it rose at least three days ago, and level 2's ten working days reach past today.
    let raised_on = t.date() - Duration::days(16);
    let raised_at = at(raised_on, 11);
    let id = new_id();
    let reason = "De acties lopen al weken achter en het gezin haakt af. Graag meedenken.";
    let new = NewEscalation {
        id: &id,
        case_id: case,
        level: 1,
        trigger_kind: "manual",
        trigger_code: None,
        reason: Some(reason),
        raised_by: Some(coach),
        respond_by: ladder::respond_by(1, raised_on, er, cal),
    };
    store::insert(c, &new, raised_at)?;
    store::add_step(c, &id, "raised", 1, raised_at, Some(coach), Some(reason), None)?;
    let risen_on = new.respond_by + Duration::days(1);
    let risen_at = at(risen_on, 6);
    one(store::rise(c, &id, 1, 2, risen_at, ladder::respond_by(2, risen_on, er, cal))?, "rise")?;
    store::add_step(c, &id, "risen", 2, risen_at, None, None, None)?;
    Ok(())
}
