//! Suspicious access (docs/privacy.md): the rules that find it in one Dutch day of the audit log, each finding
//! explained by its figure and threshold and linked to its events; the finding's workflow (open → assigned → judged
//! → closed); and when a log review is due. Rules only, no I/O.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};

use crate::calendar::{local, WorkCalendar};
use crate::rules::PrivacyRules;

/// One event as the rules read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub row: i64,
    /// UTC.
    pub at: NaiveDateTime,
    pub user_id: String,
    pub role: Option<String>,
    pub action: String,
    pub resource_type: String,
    pub household_id: Option<String>,
    pub case_id: Option<String>,
    pub person_ids: Vec<String>,
    /// The basis kind.
    pub basis: Option<String>,
    pub allowed: bool,
}

impl Event {
    /// Whether it reached data about someone: a person, a household or a case.
    fn personal(&self) -> bool {
        !self.person_ids.is_empty() || self.household_id.is_some() || self.case_id.is_some()
    }

    /// A search by BSN or name (a wijkteam member's, or the privacy officer's for an overview).
    pub fn is_search(&self) -> bool {
        self.action == "person.search" || self.action == "audit_event.search"
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Case content reached without an involvement, consent, statutory basis or break-glass.
    NoBasis,
    /// Access to personal data outside office hours.
    OffHours,
    /// More distinct households in a day than the limit, or than a multiple of the user's own median.
    ManyHouseholds,
    /// A burst of refused requests (someone probing).
    Denials,
    /// A search that found someone, not followed by any work on the person found.
    UnfollowedSearch,
    /// Break-glass not judged in time.
    BreakGlassUnreviewed,
    /// Access to a household the employee registered as their own: at its address, or with a member of its surname.
    OwnHousehold,
    /// Access to the data of a person registered as needing extra protection.
    ProtectedPerson,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::NoBasis,
        Kind::OffHours,
        Kind::ManyHouseholds,
        Kind::Denials,
        Kind::UnfollowedSearch,
        Kind::BreakGlassUnreviewed,
        Kind::OwnHousehold,
        Kind::ProtectedPerson,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::NoBasis => "no_basis",
            Kind::OffHours => "off_hours",
            Kind::ManyHouseholds => "many_households",
            Kind::Denials => "denials",
            Kind::UnfollowedSearch => "unfollowed_search",
            Kind::BreakGlassUnreviewed => "break_glass_unreviewed",
            Kind::OwnHousehold => "own_household",
            Kind::ProtectedPerson => "protected_person",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What a rule found: whose, which day, the figure against the threshold it passed, and the events it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub kind: Kind,
    pub user_id: Option<String>,
    pub day: NaiveDate,
    pub figure: i64,
    pub threshold: i64,
    pub events: Vec<i64>,
    /// One finding per kind, user and day (per break-glass use for that kind).
    pub fingerprint: String,
}

fn found(kind: Kind, user: &str, day: NaiveDate, figure: i64, threshold: i64, events: Vec<i64>) -> Found {
    Found {
        kind,
        user_id: Some(user.to_string()),
        day,
        figure,
        threshold,
        events,
        fingerprint: format!("{}:{user}:{day}", kind.as_str()),
    }
}

/// Most events one finding links (a mass access can touch thousands; the first ones show what happened).
pub const EVENTS_PER_FINDING: usize = 500;

/// What else the rules need besides the day's events.
pub struct DayContext<'a> {
    /// The user's distinct households per worked day over the 30 days before (for their own median).
    pub history: &'a HashMap<String, Vec<i64>>,
    /// The events after the day, within the follow-up hours (for searches late in the day); `None` while that time
    /// has not passed yet, so that the search rule waits instead of guessing.
    pub after: Option<&'a [Event]>,
    /// The households of each person a search found, and of each person an event of a user in `watch.own` names.
    pub households_of: &'a HashMap<String, Vec<String>>,
    /// The own-household links and the protected persons in force that day.
    pub watch: &'a Watch,
}

/// An employee's own household as the administrator registered it (opt-in): its address key
/// (`signals::model::address_key`), a surname, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnLink {
    pub address: Option<String>,
    pub surname: Option<String>,
}

impl OwnLink {
    /// Whether a household is at the link's address, or has a member (now or before) of its surname.
    pub fn matches(&self, h: &HouseholdFacts) -> bool {
        self.address.as_deref() == Some(h.address.as_str())
            || self.surname.as_deref().is_some_and(|s| h.names.iter().any(|n| surname_matches(n, s)))
    }
}

/// What the own-household rule reads of a household: its address key and its members' names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdFacts {
    pub address: String,
    pub names: Vec<String>,
}

/// The registers the last two rules read, as they were on the day.
#[derive(Debug, Default)]
pub struct Watch {
    /// Per user, their own-household links.
    pub own: HashMap<String, Vec<OwnLink>>,
    /// The household of each case the events of those users name.
    pub case_households: HashMap<String, String>,
    /// The households those users' events touched.
    pub facts: HashMap<String, HouseholdFacts>,
    /// The persons under extra protection, with their households and those households' cases.
    pub protected_persons: BTreeSet<String>,
    pub protected_households: BTreeSet<String>,
    pub protected_cases: BTreeSet<String>,
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == '-').filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Whether a full name carries the surname: its words (ignoring case; a hyphen separates words, as in a double
/// surname) appear together after the first name, or are the whole name. "de Boer" is in "Marieke de Boer-Smit",
/// "Smit" too; "Kees" is not a surname of "Kees de Boer".
pub fn surname_matches(name: &str, surname: &str) -> bool {
    let (n, s) = (words(name), words(surname));
    if s.is_empty() || n.len() < s.len() {
        return false;
    }
    let from = if n.len() > s.len() { 1 } else { 0 };
    (from..=n.len() - s.len()).any(|i| n[i..i + s.len()] == s[..])
}

/// The findings of one Dutch day, from its events (of every user), in a fixed order.
pub fn find_in_day(
    day: NaiveDate,
    events: &[Event],
    cx: &DayContext,
    rules: &PrivacyRules,
    cal: &WorkCalendar,
) -> Vec<Found> {
    let mut by_user: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
    for e in events {
        by_user.entry(e.user_id.as_str()).or_default().push(e);
    }
    let mut out = Vec::new();
    for (user, mut evs) in by_user {
        evs.sort_by_key(|e| (e.at, e.row));
        out.extend(no_basis(user, day, &evs));
        out.extend(off_hours(user, day, &evs, rules, cal));
        out.extend(many_households(user, day, &evs, cx.history.get(user), rules));
        out.extend(denials(user, day, &evs, rules));
        if let Some(after) = cx.after {
            out.extend(unfollowed_searches(user, day, &evs, after, cx.households_of, rules));
        }
        out.extend(own_household(user, day, &evs, cx));
        out.extend(protected_person(user, day, &evs, cx.watch));
    }
    out
}

/// The households an event touched: its own, its case's, and those of the persons it names.
fn households_touched<'a>(e: &'a Event, cx: &'a DayContext) -> impl Iterator<Item = &'a String> {
    let by_case = e.case_id.as_ref().and_then(|c| cx.watch.case_households.get(c));
    let by_person = e.person_ids.iter().flat_map(|p| cx.households_of.get(p).into_iter().flatten());
    e.household_id.iter().chain(by_case).chain(by_person)
}

/// Personal data of a household the user registered as their own.
fn own_household(user: &str, day: NaiveDate, evs: &[&Event], cx: &DayContext) -> Option<Found> {
    let links = cx.watch.own.get(user)?;
    let hits: Vec<&&Event> = evs
        .iter()
        .filter(|e| e.allowed && e.personal())
        .filter(|e| {
            households_touched(e, cx).any(|h| cx.watch.facts.get(h).is_some_and(|f| links.iter().any(|l| l.matches(f))))
        })
        .collect();
    (!hits.is_empty())
        .then(|| found(Kind::OwnHousehold, user, day, hits.len() as i64, 0, cap(hits.iter().map(|e| e.row))))
}

/// Data of a person under extra protection: an event naming them, or on a household of theirs or its case. The
/// privacy officer's own supervision (finding the person, their overview) is their role's, as for `no_basis`.
fn protected_person(user: &str, day: NaiveDate, evs: &[&Event], w: &Watch) -> Option<Found> {
    if w.protected_persons.is_empty() {
        return None;
    }
    let hits: Vec<&&Event> = evs
        .iter()
        .filter(|e| e.allowed && e.role.as_deref() != Some("privacy_officer"))
        .filter(|e| {
            e.person_ids.iter().any(|p| w.protected_persons.contains(p))
                || e.household_id.as_ref().is_some_and(|h| w.protected_households.contains(h))
                || e.case_id.as_ref().is_some_and(|c| w.protected_cases.contains(c))
        })
        .collect();
    (!hits.is_empty())
        .then(|| found(Kind::ProtectedPerson, user, day, hits.len() as i64, 0, cap(hits.iter().map(|e| e.row))))
}

fn cap(rows: impl Iterator<Item = i64>) -> Vec<i64> {
    rows.take(EVENTS_PER_FINDING).collect()
}

/// Case content with nothing but the role to allow it: should only ever be break-glass. The privacy officer's and
/// the administrator's own work is their role's.
fn no_basis(user: &str, day: NaiveDate, evs: &[&Event]) -> Option<Found> {
    let hits: Vec<&&Event> = evs
        .iter()
        .filter(|e| {
            e.allowed
                && e.case_id.is_some()
                && ["case", "plan", "consent"].contains(&e.resource_type.as_str())
                && matches!(e.basis.as_deref(), None | Some("role"))
                && !matches!(e.role.as_deref(), Some("privacy_officer") | Some("admin"))
        })
        .collect();
    (!hits.is_empty()).then(|| found(Kind::NoBasis, user, day, hits.len() as i64, 0, cap(hits.iter().map(|e| e.row))))
}

/// Personal data reached outside office hours: before or after them, or on a day that is not a working day.
fn off_hours(user: &str, day: NaiveDate, evs: &[&Event], rules: &PrivacyRules, cal: &WorkCalendar) -> Option<Found> {
    let working = cal.is_working_day(day);
    let hits: Vec<&&Event> = evs
        .iter()
        .filter(|e| e.allowed && e.personal())
        .filter(|e| {
            let hour = local(e.at.and_utc()).hour();
            !working || hour < rules.office_hours_from || hour >= rules.office_hours_until
        })
        .collect();
    (!hits.is_empty()).then(|| found(Kind::OffHours, user, day, hits.len() as i64, 0, cap(hits.iter().map(|e| e.row))))
}

/// The households an event touched: its household, or its case when it names no household.
fn household_key(e: &Event) -> Option<String> {
    e.household_id.clone().or_else(|| e.case_id.as_ref().map(|c| format!("case:{c}")))
}

/// The distinct households one user's allowed events touched.
pub fn distinct_households<'a>(evs: impl IntoIterator<Item = &'a Event>) -> i64 {
    evs.into_iter().filter(|e| e.allowed).filter_map(household_key).collect::<BTreeSet<_>>().len() as i64
}

/// The median of the days' counts (the lower middle for an even number of days).
pub fn median(days: &[i64]) -> Option<i64> {
    let mut d = days.to_vec();
    d.sort();
    (!d.is_empty()).then(|| d[(d.len() - 1) / 2])
}

/// Days of history before a user's own median counts (fewer: only the fixed limit).
pub const MEDIAN_MIN_DAYS: usize = 5;

fn many_households(
    user: &str,
    day: NaiveDate,
    evs: &[&Event],
    history: Option<&Vec<i64>>,
    rules: &PrivacyRules,
) -> Option<Found> {
    let figure = distinct_households(evs.iter().copied());
    let own = history.filter(|h| h.len() >= MEDIAN_MIN_DAYS).and_then(|h| median(h)).filter(|m| *m > 0);
    let threshold = match own {
        Some(m) => rules.households_per_day.min(m * rules.median_factor),
        None => rules.households_per_day,
    };
    if figure <= threshold {
        return None;
    }
    let mut seen = BTreeSet::new();
    let first_touch = evs.iter().filter(|e| e.allowed).filter(|e| household_key(e).is_some_and(|k| seen.insert(k)));
    Some(found(Kind::ManyHouseholds, user, day, figure, threshold, cap(first_touch.map(|e| e.row))))
}

/// The most refused requests within any hour of the day, when they reach the limit.
fn denials(user: &str, day: NaiveDate, evs: &[&Event], rules: &PrivacyRules) -> Option<Found> {
    let refused: Vec<&&Event> = evs.iter().filter(|e| !e.allowed).collect();
    let mut best: (usize, usize) = (0, 0);
    let mut start = 0;
    for end in 0..refused.len() {
        while refused[end].at - refused[start].at >= Duration::hours(1) {
            start += 1;
        }
        if end + 1 - start > best.1 - best.0 {
            best = (start, end + 1);
        }
    }
    let figure = (best.1 - best.0) as i64;
    (figure >= rules.denials_per_hour).then(|| {
        found(
            Kind::Denials,
            user,
            day,
            figure,
            rules.denials_per_hour,
            cap(refused[best.0..best.1].iter().map(|e| e.row)),
        )
    })
}

/// Searches that found someone, with no later work by the same user on a person found (an event naming them, or
/// on one of their households) within the follow-up hours.
fn unfollowed_searches(
    user: &str,
    day: NaiveDate,
    evs: &[&Event],
    after: &[Event],
    households_of: &HashMap<String, Vec<String>>,
    rules: &PrivacyRules,
) -> Option<Found> {
    let window = Duration::hours(rules.search_follow_up_hours);
    let later: Vec<&Event> = evs.iter().copied().chain(after.iter().filter(|e| e.user_id == user)).collect();
    let unfollowed: Vec<i64> = evs
        .iter()
        .filter(|s| s.allowed && s.is_search() && !s.person_ids.is_empty())
        .filter(|s| {
            let households: BTreeSet<&String> =
                s.person_ids.iter().flat_map(|p| households_of.get(p).into_iter().flatten()).collect();
            !later.iter().any(|e| {
                e.row != s.row
                    && e.allowed
                    && !e.is_search()
                    && e.at >= s.at
                    && e.at - s.at <= window
                    && (e.person_ids.iter().any(|p| s.person_ids.contains(p))
                        || e.household_id.as_ref().is_some_and(|h| households.contains(h)))
            })
        })
        .map(|s| s.row)
        .collect();
    (!unfollowed.is_empty())
        .then(|| found(Kind::UnfollowedSearch, user, day, unfollowed.len() as i64, 0, cap(unfollowed.into_iter())))
}

/// A break-glass use not judged by the end of its review term (working days after the day it began).
pub fn break_glass_unreviewed(
    use_id: &str,
    user: &str,
    started: NaiveDate,
    today: NaiveDate,
    events: Vec<i64>,
    rules: &PrivacyRules,
    cal: &WorkCalendar,
) -> Option<Found> {
    let due = cal.add_working_days(started, rules.break_glass_review_working_days);
    (today > due).then(|| Found {
        kind: Kind::BreakGlassUnreviewed,
        user_id: Some(user.to_string()),
        day: started,
        figure: cal.working_days_between(started, today),
        threshold: rules.break_glass_review_working_days,
        events: cap(events.into_iter()),
        fingerprint: format!("{}:{use_id}", Kind::BreakGlassUnreviewed.as_str()),
    })
}

// The workflow

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Assigned,
    Judged,
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Assigned => "assigned",
            Status::Judged => "judged",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [Status::Open, Status::Assigned, Status::Judged, Status::Closed].into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judgement {
    Justified,
    NotJustified,
    NeedsFollowUp,
}

impl Judgement {
    pub fn as_str(self) -> &'static str {
        match self {
            Judgement::Justified => "justified",
            Judgement::NotJustified => "not_justified",
            Judgement::NeedsFollowUp => "needs_follow_up",
        }
    }

    pub fn parse(s: &str) -> Option<Judgement> {
        [Judgement::Justified, Judgement::NotJustified, Judgement::NeedsFollowUp].into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Assign,
    Judge,
    Close,
}

/// The status a step leads to, or none when the finding's status does not allow it: assign while open or assigned
/// (again: to someone else), judge before it is closed (a judgement can be revised until then), close once judged.
pub fn next(status: Status, step: Step) -> Option<Status> {
    match (status, step) {
        (Status::Open | Status::Assigned, Step::Assign) => Some(Status::Assigned),
        (Status::Open | Status::Assigned | Status::Judged, Step::Judge) => Some(Status::Judged),
        (Status::Judged, Step::Close) => Some(Status::Closed),
        _ => None,
    }
}

/// Whether a log review is due: none recorded, or the last one longer ago than the term.
pub fn review_due(last: Option<NaiveDate>, today: NaiveDate, every_days: i64) -> bool {
    last.is_none_or(|d| (today - d).num_days() > every_days)
}

/// The Dutch day an instant falls on.
pub fn dutch_day(t: NaiveDateTime) -> NaiveDate {
    local(t.and_utc()).date()
}

/// Whether a day is a weekend day (for the explanation).
pub fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn ev(row: i64, t: &str, user: &str) -> Event {
        Event {
            row,
            at: at(t),
            user_id: user.into(),
            role: Some("wijkteam".into()),
            action: "case.read".into(),
            resource_type: "case".into(),
            household_id: Some(format!("h{row}")),
            case_id: Some(format!("c{row}")),
            person_ids: vec![],
            basis: Some("involvement".into()),
            allowed: true,
        }
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, 10).unwrap() // a Wednesday, CET (UTC+1)
    }

    fn run(events: &[Event], history: &HashMap<String, Vec<i64>>, after: Option<&[Event]>) -> Vec<Found> {
        let households = HashMap::from([("p1".to_string(), vec!["hp".to_string()])]);
        let cx = DayContext { history, after, households_of: &households, watch: &Watch::default() };
        find_in_day(day(), events, &cx, &PrivacyRules::default(), &WorkCalendar::default())
    }

    fn kinds(f: &[Found]) -> Vec<Kind> {
        f.iter().map(|f| f.kind).collect()
    }

    #[test]
    fn office_hours_end_at_the_threshold_in_dutch_time() {
        // 06:59 and 19:00 Dutch time are outside; 07:00 and 18:59 inside.
        let inside = [ev(1, "2027-03-10 06:00:00", "u"), ev(2, "2027-03-10 17:59:00", "u")];
        assert!(run(&inside, &HashMap::new(), None).is_empty());
        let outside = [ev(3, "2027-03-10 05:59:00", "u"), ev(4, "2027-03-10 18:00:00", "u")];
        let f = run(&outside, &HashMap::new(), None);
        assert_eq!(kinds(&f), [Kind::OffHours]);
        assert_eq!((f[0].figure, f[0].events.clone()), (2, vec![3, 4]));
        assert_eq!(f[0].fingerprint, "off_hours:u:2027-03-10");
    }

    #[test]
    fn a_day_off_is_outside_office_hours() {
        let saturday = NaiveDate::from_ymd_opt(2027, 3, 13).unwrap();
        let watch = Watch::default();
        let cx = DayContext { history: &HashMap::new(), after: None, households_of: &HashMap::new(), watch: &watch };
        let e = [ev(1, "2027-03-13 10:00:00", "u")];
        let f = find_in_day(saturday, &e, &cx, &PrivacyRules::default(), &WorkCalendar::default());
        assert_eq!(kinds(&f), [Kind::OffHours]);
    }

    #[test]
    fn many_households_above_the_limit_or_the_users_own_median() {
        let n = |count: i64| -> Vec<Event> { (0..count).map(|i| ev(i, "2027-03-10 09:00:00", "u")).collect() };
        assert!(run(&n(30), &HashMap::new(), None).is_empty(), "30 is the limit itself");
        let f = run(&n(31), &HashMap::new(), None);
        assert_eq!(kinds(&f), [Kind::ManyHouseholds]);
        assert_eq!((f[0].figure, f[0].threshold, f[0].events.len()), (31, 30, 31));
        // A user who sees 4 households a day: 12 is 3× their median, 13 is more.
        let history = HashMap::from([("u".to_string(), vec![4, 3, 5, 4, 4, 6])]);
        assert!(run(&n(12), &history, None).is_empty());
        let f = run(&n(13), &history, None);
        assert_eq!((f[0].kind, f[0].threshold), (Kind::ManyHouseholds, 12));
        // Too little history: the median does not count yet.
        let short = HashMap::from([("u".to_string(), vec![1, 1, 1, 1])]);
        assert!(run(&n(13), &short, None).is_empty());
        // One household read many times is one household.
        let same: Vec<Event> =
            (0..40).map(|i| Event { household_id: Some("h".into()), ..ev(i, "2027-03-10 09:00:00", "u") }).collect();
        assert!(run(&same, &HashMap::new(), None).is_empty());
    }

    #[test]
    fn denials_within_an_hour_from_the_limit_on() {
        let refused = |row: i64, t: &str| Event { allowed: false, ..ev(row, t, "u") };
        let nine: Vec<Event> = (0..9).map(|i| refused(i, &format!("2027-03-10 09:{:02}:00", i * 5))).collect();
        assert!(run(&nine, &HashMap::new(), None).is_empty());
        let mut ten = nine.clone();
        ten.push(refused(9, "2027-03-10 09:59:00"));
        let f = run(&ten, &HashMap::new(), None);
        assert_eq!((kinds(&f), f[0].figure), (vec![Kind::Denials], 10));
        // The same ten spread over more than an hour are not a burst.
        let mut spread = nine;
        spread.push(refused(9, "2027-03-10 10:00:00"));
        assert!(run(&spread, &HashMap::new(), None).is_empty());
    }

    #[test]
    fn case_content_without_a_basis_is_found_and_the_privacy_officers_own_work_is_not() {
        let bare = Event { basis: None, ..ev(1, "2027-03-10 09:00:00", "u") };
        let by_role = Event { basis: Some("role".into()), ..ev(2, "2027-03-10 09:00:00", "u") };
        let f = run(&[bare, by_role], &HashMap::new(), None);
        assert_eq!((kinds(&f), f[0].figure), (vec![Kind::NoBasis], 2));
        let officer = Event { basis: None, role: Some("privacy_officer".into()), ..ev(3, "2027-03-10 09:00:00", "o") };
        assert!(run(&[officer], &HashMap::new(), None).is_empty());
        let glass = Event { basis: Some("break_glass".into()), ..ev(4, "2027-03-10 09:00:00", "u") };
        assert!(run(&[glass], &HashMap::new(), None).is_empty());
    }

    #[test]
    fn a_search_is_followed_by_work_on_the_person_within_the_hours_or_found() {
        let search = Event {
            action: "person.search".into(),
            resource_type: "person".into(),
            household_id: None,
            case_id: None,
            person_ids: vec!["p1".into()],
            basis: None,
            ..ev(1, "2027-03-10 09:00:00", "u")
        };
        // Not followed: a finding, but only once the follow-up hours have passed.
        assert!(run(std::slice::from_ref(&search), &HashMap::new(), None).is_empty());
        let f = run(std::slice::from_ref(&search), &HashMap::new(), Some(&[]));
        assert_eq!((kinds(&f), f[0].events.clone()), (vec![Kind::UnfollowedSearch], vec![1]));
        // Followed the next morning, within 24 hours, on the person's household.
        let next = Event { household_id: Some("hp".into()), ..ev(2, "2027-03-11 08:59:00", "u") };
        assert!(run(std::slice::from_ref(&search), &HashMap::new(), Some(std::slice::from_ref(&next))).is_empty());
        // Too late, or by someone else: not followed.
        let late = Event { household_id: Some("hp".into()), ..ev(3, "2027-03-11 09:01:00", "u") };
        assert_eq!(run(std::slice::from_ref(&search), &HashMap::new(), Some(&[late])).len(), 1);
        let other = Event { household_id: Some("hp".into()), ..ev(4, "2027-03-10 10:00:00", "v") };
        let f = run(&[search.clone(), other], &HashMap::new(), Some(&[]));
        assert_eq!(kinds(&f), [Kind::UnfollowedSearch]);
        // A search that found no one is not a finding.
        let empty = Event { person_ids: vec![], ..search };
        assert!(run(&[empty], &HashMap::new(), Some(&[])).is_empty());
    }

    fn run_watched(events: &[Event], watch: &Watch, households: &HashMap<String, Vec<String>>) -> Vec<Found> {
        let cx = DayContext { history: &HashMap::new(), after: None, households_of: households, watch };
        find_in_day(day(), events, &cx, &PrivacyRules::default(), &WorkCalendar::default())
    }

    #[test]
    fn a_surname_is_whole_words_after_the_first_name() {
        assert!(surname_matches("Marieke de Boer-Smit", "de Boer"));
        assert!(surname_matches("Marieke de Boer-Smit", "smit"));
        assert!(surname_matches("Boer", "Boer"));
        assert!(!surname_matches("Kees de Boer", "Kees"));
        assert!(!surname_matches("Kees de Boerma", "Boer"));
        assert!(!surname_matches("Kees de Boer", " "));
    }

    #[test]
    fn access_to_the_own_household_by_address_or_surname_is_found_and_a_neighbour_is_not() {
        let mut watch = Watch::default();
        let links = vec![
            OwnLink { address: Some("2711AB|3|".into()), surname: None },
            OwnLink { address: None, surname: Some("Jansen".into()) },
        ];
        watch.own.insert("u".into(), links);
        let facts = |address: &str, name: &str| HouseholdFacts { address: address.into(), names: vec![name.into()] };
        watch.facts.insert("home".into(), facts("2711AB|3|", "Piet Visser"));
        watch.facts.insert("next door".into(), facts("2711AB|5|", "Ans Visser"));
        watch.facts.insert("family".into(), facts("3011CD|1|", "Els Jansen"));
        watch.case_households.insert("cf".into(), "family".into());
        let on = |row, household: Option<&str>, case: Option<&str>| Event {
            household_id: household.map(Into::into),
            case_id: case.map(Into::into),
            ..ev(row, "2027-03-10 09:00:00", "u")
        };
        let none = HashMap::new();
        // Below it: the neighbour's household, another user at the employee's address, a refused request.
        assert!(run_watched(&[on(1, Some("next door"), None)], &watch, &none).is_empty());
        let other = Event { user_id: "v".into(), ..on(2, Some("home"), None) };
        assert!(run_watched(&[other], &watch, &none).is_empty());
        let refused = Event { allowed: false, ..on(3, Some("home"), None) };
        assert!(run_watched(&[refused], &watch, &none).is_empty());
        // At it: the address, the surname through a case, a person named whose household is the home.
        let named = Event { person_ids: vec!["p".into()], ..on(6, None, None) };
        let households = HashMap::from([("p".to_string(), vec!["home".to_string()])]);
        let f = run_watched(&[on(4, Some("home"), None), on(5, None, Some("cf")), named], &watch, &households);
        assert_eq!(kinds(&f), [Kind::OwnHousehold]);
        assert_eq!((f[0].figure, f[0].events.clone()), (3, vec![4, 5, 6]));
        assert_eq!(f[0].fingerprint, "own_household:u:2027-03-10");
    }

    #[test]
    fn access_to_a_protected_person_is_found_and_the_privacy_officers_own_is_not() {
        let watch = Watch {
            protected_persons: ["p".to_string()].into(),
            protected_households: ["hp".to_string()].into(),
            protected_cases: ["cp".to_string()].into(),
            ..Default::default()
        };
        let none = HashMap::new();
        assert!(run_watched(&[ev(1, "2027-03-10 09:00:00", "u")], &watch, &none).is_empty());
        let officer = Event {
            role: Some("privacy_officer".into()),
            person_ids: vec!["p".into()],
            ..ev(2, "2027-03-10 09:00:00", "o")
        };
        assert!(run_watched(&[officer], &watch, &none).is_empty());
        let named = Event { person_ids: vec!["p".into()], ..ev(3, "2027-03-10 09:00:00", "u") };
        let home = Event { household_id: Some("hp".into()), ..ev(4, "2027-03-10 09:00:00", "u") };
        let case = Event { household_id: None, case_id: Some("cp".into()), ..ev(5, "2027-03-10 09:00:00", "u") };
        let f = run_watched(&[named, home, case], &watch, &none);
        assert_eq!((kinds(&f), f[0].figure, f[0].events.clone()), (vec![Kind::ProtectedPerson], 3, vec![3, 4, 5]));
    }

    #[test]
    fn break_glass_is_late_after_its_working_days() {
        let cal = WorkCalendar::default();
        let r = PrivacyRules::default();
        let monday = NaiveDate::from_ymd_opt(2027, 3, 8).unwrap();
        let due = NaiveDate::from_ymd_opt(2027, 3, 15).unwrap(); // five working days later
        assert!(break_glass_unreviewed("b", "u", monday, due, vec![], &r, &cal).is_none());
        let f = break_glass_unreviewed("b", "u", monday, due.succ_opt().unwrap(), vec![7], &r, &cal).unwrap();
        assert_eq!((f.fingerprint.as_str(), f.threshold, f.events.clone()), ("break_glass_unreviewed:b", 5, vec![7]));
    }

    #[test]
    fn the_workflow_goes_open_assigned_judged_closed() {
        use Status::*;
        assert_eq!(next(Open, Step::Assign), Some(Assigned));
        assert_eq!(next(Assigned, Step::Assign), Some(Assigned));
        assert_eq!(next(Open, Step::Judge), Some(Judged));
        assert_eq!(next(Judged, Step::Judge), Some(Judged));
        assert_eq!(next(Judged, Step::Close), Some(Closed));
        for step in [Step::Assign, Step::Judge, Step::Close] {
            assert_eq!(next(Closed, step), None);
        }
        assert_eq!(next(Open, Step::Close), None);
        assert_eq!(next(Judged, Step::Assign), None);
    }

    #[test]
    fn a_review_is_due_after_its_term_or_when_there_was_none() {
        let today = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        assert!(review_due(None, today, 30));
        assert!(!review_due(NaiveDate::from_ymd_opt(2027, 3, 1), today, 30));
        assert!(review_due(NaiveDate::from_ymd_opt(2027, 2, 28), today, 30));
    }
}
