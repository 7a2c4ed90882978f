//! Who saw a person's data (AVG art. 15, NEN 7513): which accesses count for a person, and the overview's lines —
//! similar accesses by one organisation on one Dutch day merged into one line with a count. Rules only, no I/O.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// One allowed access from the audit log, as the overview uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// The event's row: the same access found two ways (it names the person and their case) counts once.
    pub row: i64,
    /// UTC.
    pub at: NaiveDateTime,
    pub user_name: Option<String>,
    pub role: Option<String>,
    pub organisation_id: Option<String>,
    pub action: String,
    pub resource_type: String,
    pub basis: Option<String>,
    pub basis_id: Option<String>,
    pub flagged: bool,
    /// The household or case the access reached the person through, when it did not name them.
    pub through: Option<Through>,
}

/// How an access that does not name the person concerns them: their household's data, or a case of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Through {
    Household(String),
    Case(String),
}

/// A person's time in a household: `from` to `until`, both inclusive; open when `until` is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub household_id: String,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

/// Whether an access concerns the person: it names them, or it reached their household (or a case of it, given
/// here with the case's household) on a day they belonged to it. A household's data before they joined or after
/// they left is not theirs.
pub fn concerns(access: &Access, memberships: &[Membership], case_households: &HashMap<String, String>) -> bool {
    let household = match &access.through {
        None => return true,
        Some(Through::Household(h)) => Some(h),
        Some(Through::Case(c)) => case_households.get(c),
    };
    let Some(household) = household else { return false };
    let day = crate::calendar::local(access.at.and_utc()).date();
    memberships.iter().any(|m| &m.household_id == household && m.from <= day && m.until.is_none_or(|u| day <= u))
}

/// One line of the overview: accesses of one kind by one organisation on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverviewLine {
    /// The Dutch calendar day.
    pub day: NaiveDate,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    pub organisation_id: Option<String>,
    pub role: Option<String>,
    /// What data: the resource type (case, plan, zrm, household, person, …).
    pub category: String,
    /// What was done: the action (`case.read`, `plan.update`, …).
    pub action: String,
    /// Why it was allowed: the basis kind (involvement, consent, regisseur, break_glass, escalation, …).
    pub basis: Option<String>,
    /// The ids of those bases (the involvements, consents, break-glass uses, escalations).
    pub basis_ids: Vec<String>,
    /// An emergency access (break-glass).
    pub emergency: bool,
    pub count: i64,
    /// The employees' names, only when asked for with a reason; otherwise left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employees: Option<Vec<String>>,
}

type LineKey = (NaiveDate, Option<String>, Option<String>, String, String, Option<String>, bool);

/// The accesses merged into lines, in time order (by each line's first access). Employees' names only when
/// `with_names`; the lines are the same either way.
pub fn merge(accesses: &[Access], with_names: bool) -> Vec<OverviewLine> {
    let mut lines: Vec<OverviewLine> = Vec::new();
    let mut index: HashMap<LineKey, usize> = HashMap::new();
    let mut ids: Vec<BTreeSet<String>> = Vec::new();
    let mut names: Vec<BTreeSet<String>> = Vec::new();
    let mut sorted: Vec<&Access> = accesses.iter().collect();
    sorted.sort_by_key(|a| (a.at, a.row));
    for a in sorted {
        let at = a.at.and_utc();
        let key: LineKey = (
            crate::calendar::local(at).date(),
            a.organisation_id.clone(),
            a.role.clone(),
            a.resource_type.clone(),
            a.action.clone(),
            a.basis.clone(),
            a.flagged,
        );
        let i = *index.entry(key.clone()).or_insert_with(|| {
            lines.push(OverviewLine {
                day: key.0,
                first_at: at,
                last_at: at,
                organisation_id: key.1.clone(),
                role: key.2.clone(),
                category: key.3.clone(),
                action: key.4.clone(),
                basis: key.5.clone(),
                basis_ids: Vec::new(),
                emergency: key.6,
                count: 0,
                employees: None,
            });
            ids.push(BTreeSet::new());
            names.push(BTreeSet::new());
            lines.len() - 1
        });
        let line = &mut lines[i];
        line.count += 1;
        line.last_at = at;
        ids[i].extend(a.basis_id.iter().cloned());
        names[i].extend(a.user_name.iter().cloned());
    }
    for ((line, ids), names) in lines.iter_mut().zip(ids).zip(names) {
        line.basis_ids = ids.into_iter().collect();
        if with_names {
            line.employees = Some(names.into_iter().collect());
        }
    }
    lines
}

/// One processing activity of the register (AVG art. 30), as `policies/processing_register.toml` describes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize, ToSchema)]
#[serde(rename_all(serialize = "camelCase"), deny_unknown_fields)]
pub struct ProcessingActivity {
    /// The code every audit event names (`audit::model::PROCESSING_ACTIVITIES`).
    pub code: String,
    pub name: String,
    pub purpose: String,
    pub legal_basis: String,
    /// Categories of persons.
    pub persons: String,
    /// Categories of data.
    pub data: String,
    pub recipients: String,
    pub retention: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterFile {
    activity: Vec<ProcessingActivity>,
}

/// The register from its file: every activity an event can name, each once, none unknown, no field empty.
pub fn parse_register(text: &str) -> Result<Vec<ProcessingActivity>, String> {
    let file: RegisterFile = basic_toml::from_str(text).map_err(|e| e.to_string())?;
    let codes: Vec<&str> = file.activity.iter().map(|a| a.code.as_str()).collect();
    for code in crate::audit::model::PROCESSING_ACTIVITIES {
        if codes.iter().filter(|c| **c == code).count() != 1 {
            return Err(format!("the activity {code} must be described exactly once"));
        }
    }
    if let Some(a) =
        file.activity.iter().find(|a| !crate::audit::model::PROCESSING_ACTIVITIES.contains(&a.code.as_str()))
    {
        return Err(format!("{} is not an activity an event can name", a.code));
    }
    for a in &file.activity {
        let fields = [&a.name, &a.purpose, &a.legal_basis, &a.persons, &a.data, &a.recipients, &a.retention];
        if fields.iter().any(|f| f.trim().is_empty()) {
            return Err(format!("{}: every field must be filled in", a.code));
        }
    }
    Ok(file.activity)
}

/// A CSV field: quoted when it must be, and a leading `=`, `+`, `-`, `@`, tab or carriage return defused with an
/// apostrophe, so that a spreadsheet never reads a value as a formula.
pub fn csv_field(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.into() };
    if defused.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// Rows as CSV (comma-separated, CRLF line ends as RFC 4180).
pub fn csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = header.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&row.iter().map(|v| csv_field(v)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn access(row: i64, when: &str, org: &str, action: &str, user: &str) -> Access {
        Access {
            row,
            at: at(when),
            user_name: Some(user.into()),
            role: Some("wijkteam".into()),
            organisation_id: Some(org.into()),
            action: action.into(),
            resource_type: action.split('.').next().unwrap().into(),
            basis: Some("involvement".into()),
            basis_id: Some(format!("inv-{}", user.to_lowercase())),
            flagged: false,
            through: None,
        }
    }

    #[test]
    fn similar_accesses_of_one_organisation_on_one_day_are_one_line_with_a_count() {
        let accesses = [
            access(1, "2027-03-01 08:00:00", "gemeente", "case.read", "Anna"),
            access(2, "2027-03-01 09:00:00", "zorg", "case.read", "Bart"),
            access(3, "2027-03-01 15:30:00", "gemeente", "case.read", "Carla"),
            access(4, "2027-03-01 16:00:00", "gemeente", "plan.read", "Anna"),
            access(5, "2027-03-02 08:00:00", "gemeente", "case.read", "Anna"),
        ];
        let lines = merge(&accesses, false);
        let shown: Vec<_> = lines
            .iter()
            .map(|l| (l.day.to_string(), l.organisation_id.clone().unwrap(), l.action.as_str(), l.count))
            .collect();
        assert_eq!(
            shown,
            [
                ("2027-03-01".to_string(), "gemeente".to_string(), "case.read", 2),
                ("2027-03-01".to_string(), "zorg".to_string(), "case.read", 1),
                ("2027-03-01".to_string(), "gemeente".to_string(), "plan.read", 1),
                ("2027-03-02".to_string(), "gemeente".to_string(), "case.read", 1),
            ]
        );
        assert_eq!(
            (lines[0].first_at.to_string(), lines[0].last_at.to_string()),
            ("2027-03-01 08:00:00 UTC".to_string(), "2027-03-01 15:30:00 UTC".to_string())
        );
        assert_eq!(lines[0].basis_ids, ["inv-anna", "inv-carla"]);
    }

    #[test]
    fn names_are_left_out_unless_asked_for_and_the_lines_stay_the_same() {
        let accesses = [
            access(1, "2027-03-01 08:00:00", "gemeente", "case.read", "Anna"),
            access(2, "2027-03-01 09:00:00", "gemeente", "case.read", "Carla"),
        ];
        let without = merge(&accesses, false);
        assert!(without.iter().all(|l| l.employees.is_none()));
        assert!(!serde_json::to_string(&without).unwrap().contains("Anna"));
        let with = merge(&accesses, true);
        assert_eq!(with[0].employees.as_deref(), Some(&["Anna".to_string(), "Carla".to_string()][..]));
        let stripped: Vec<_> = with.into_iter().map(|l| OverviewLine { employees: None, ..l }).collect();
        assert_eq!(stripped, without);
    }

    #[test]
    fn an_emergency_access_is_its_own_line_and_the_day_is_the_dutch_day() {
        let mut emergency = access(2, "2027-03-01 10:00:00", "gemeente", "case.read", "Anna");
        emergency.flagged = true;
        emergency.basis = Some("break_glass".into());
        // 23:30 UTC in March is 00:30 the next day in the Netherlands.
        let late = access(3, "2027-03-01 23:30:00", "gemeente", "case.read", "Anna");
        let lines = merge(&[access(1, "2027-03-01 08:00:00", "gemeente", "case.read", "Anna"), emergency, late], false);
        assert_eq!(lines.len(), 3);
        assert!(lines[1].emergency && !lines[0].emergency);
        assert_eq!(lines[2].day.to_string(), "2027-03-02");
    }

    #[test]
    fn a_household_access_concerns_a_person_only_while_they_belong_to_it() {
        let memberships = [Membership {
            household_id: "h".into(),
            from: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
            until: Some(NaiveDate::from_ymd_opt(2027, 3, 31).unwrap()),
        }];
        let cases = HashMap::from([("c".to_string(), "h".to_string())]);
        let via =
            |when: &str, through: Through| Access { through: Some(through), ..access(1, when, "g", "case.read", "A") };
        assert!(concerns(&via("2027-03-01 08:00:00", Through::Household("h".into())), &memberships, &cases));
        assert!(concerns(&via("2027-03-31 20:00:00", Through::Case("c".into())), &memberships, &cases));
        assert!(!concerns(&via("2027-02-28 12:00:00", Through::Case("c".into())), &memberships, &cases));
        assert!(!concerns(&via("2027-04-01 12:00:00", Through::Household("h".into())), &memberships, &cases));
        assert!(!concerns(&via("2027-03-10 12:00:00", Through::Household("other".into())), &memberships, &cases));
        assert!(!concerns(&via("2027-03-10 12:00:00", Through::Case("unknown".into())), &memberships, &cases));
        assert!(concerns(&access(1, "2020-01-01 00:00:00", "g", "person.read", "A"), &[], &cases));
    }

    #[test]
    fn the_register_describes_every_activity_an_event_can_name() {
        let register = parse_register(include_str!("../../policies/processing_register.toml")).unwrap();
        let codes: Vec<&str> = register.iter().map(|a| a.code.as_str()).collect();
        assert_eq!(codes, crate::audit::model::PROCESSING_ACTIVITIES);
        let one = "[[activity]]\ncode = \"case_work\"\nname = \"x\"\npurpose = \"x\"\nlegal_basis = \"x\"\n\
                   persons = \"x\"\ndata = \"x\"\nrecipients = \"x\"\nretention = \"x\"\n";
        assert!(parse_register(one).unwrap_err().contains("verwijsindex"), "a missing activity is an error");
    }

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1+1"), "'-1+1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv(&["a", "b"], vec![vec!["1".into(), "x;y".into()]]), "a,b\r\n1,\"x;y\"\r\n");
    }
}
