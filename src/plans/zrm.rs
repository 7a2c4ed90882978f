//! ZRM (Zelfredzaamheid-Matrix) scores: validation, progress between two assessments and the household summary
//! that stuck-case rules read. Domain codes only. No I/O.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{ZRM_HOUSEHOLD_DOMAINS, ZRM_PERSON_DOMAINS};
use crate::error::Validator;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Instrument {
    /// One person, 13 domains.
    #[serde(rename = "zrm_2017")]
    Zrm2017,
    /// The household, 5 domains.
    ZrmHuishoudens,
}

impl Instrument {
    pub fn domains(self) -> &'static [&'static str] {
        match self {
            Instrument::Zrm2017 => &ZRM_PERSON_DOMAINS,
            Instrument::ZrmHuishoudens => &ZRM_HOUSEHOLD_DOMAINS,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Instrument::Zrm2017 => "zrm_2017",
            Instrument::ZrmHuishoudens => "zrm_huishoudens",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentKind {
    Start,
    Intermediate,
    End,
}

impl AssessmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentKind::Start => "start",
            AssessmentKind::Intermediate => "intermediate",
            AssessmentKind::End => "end",
        }
    }
}

/// Domain code → score 1 (acute problems) … 5 (fully self-reliant). Unscored domains are absent.
pub type Scores = BTreeMap<String, u8>;

/// Checks raw scores against the instrument: known domains only, each an integer 1–5 or null (left unscored).
pub fn validate_scores(instrument: Instrument, raw: &BTreeMap<String, serde_json::Value>, v: &mut Validator) -> Scores {
    let mut scores = Scores::new();
    for (domain, value) in raw {
        let field = format!("scores.{domain}");
        if !instrument.domains().contains(&domain.as_str()) {
            v.add(field, format!("is not a domain of {}", instrument.as_str()));
            continue;
        }
        match value {
            serde_json::Value::Null => {}
            serde_json::Value::Number(n) if n.as_u64().is_some_and(|s| (1..=5).contains(&s)) => {
                scores.insert(domain.clone(), n.as_u64().unwrap_or_default() as u8);
            }
            _ => v.add(field, "must be a whole number from 1 to 5, or null when not scored"),
        }
    }
    v.check(!scores.is_empty(), "scores", "score at least one domain");
    scores
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DomainProgress {
    pub domain: String,
    pub from: Option<u8>,
    pub to: Option<u8>,
    /// `to - from`, when both were scored.
    pub change: Option<i8>,
}

/// Change per domain between two assessments of the same subject, in the instrument's domain order.
pub fn progress(instrument: Instrument, from: &Scores, to: &Scores) -> Vec<DomainProgress> {
    instrument
        .domains()
        .iter()
        .map(|d| {
            let (a, b) = (from.get(*d).copied(), to.get(*d).copied());
            DomainProgress { domain: d.to_string(), from: a, to: b, change: a.zip(b).map(|(a, b)| b as i8 - a as i8) }
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberLowDomains {
    pub person_id: String,
    /// Domains scored 1 or 2 on the member's latest assessment.
    pub low_domains: Vec<String>,
    /// Of those, the ones scored 1 (acute).
    pub acute_domains: Vec<String>,
}

/// How things stand on the latest assessments: which domains are at 1 or 2 (acute or not self-reliant), for how
/// many members. Stuck-case rules read this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HouseholdSummary {
    pub members_assessed: usize,
    pub members_with_low_domains: usize,
    /// Domain → members scoring it 1 or 2.
    pub members_low_per_domain: BTreeMap<String, usize>,
    pub members: Vec<MemberLowDomains>,
    /// Household domains at 1 or 2 on the latest household assessment.
    pub household_low_domains: Vec<String>,
    /// Domains at 1 or 2 (of a member, or of the household) that no goal of the current plan works on: a warning
    /// for whoever makes the plan. Only the goals the caller may see count.
    pub low_domains_without_goal: Vec<LowDomainWithoutGoal>,
}

/// A domain scored 1 or 2 on the latest assessment that no goal of the current plan works on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LowDomainWithoutGoal {
    /// The member; absent for a domain of the household as a whole.
    pub person_id: Option<String>,
    pub domain: String,
    pub score: u8,
}

/// The domains at 1 or 2 on the latest assessments that no goal works on. A goal works on a member's domain when it
/// has that domain and concerns that member or the whole household; on a household domain when it has that domain.
pub fn low_domains_without_goal(
    latest_per_member: &[(String, Scores)],
    household: Option<&Scores>,
    goals: &[super::model::Goal],
) -> Vec<LowDomainWithoutGoal> {
    let worked_on = |person: Option<&str>, domain: &str| {
        goals
            .iter()
            .any(|g| g.domain.as_deref() == Some(domain) && (g.person_id.is_none() || g.person_id.as_deref() == person))
    };
    let subjects = latest_per_member.iter().map(|(p, s)| (Some(p.as_str()), s)).chain(household.map(|s| (None, s)));
    let mut out = Vec::new();
    for (person, scores) in subjects {
        for (domain, score) in scores.iter().filter(|(_, s)| **s <= 2) {
            if !worked_on(person, domain) {
                out.push(LowDomainWithoutGoal {
                    person_id: person.map(str::to_string),
                    domain: domain.clone(),
                    score: *score,
                });
            }
        }
    }
    out
}

fn low(scores: &Scores, at_most: u8) -> Vec<String> {
    scores.iter().filter(|(_, s)| **s <= at_most).map(|(d, _)| d.clone()).collect()
}

/// `latest_per_member`: each assessed member's most recent scores; `household`: the most recent household scores.
pub fn summary(latest_per_member: &[(String, Scores)], household: Option<&Scores>) -> HouseholdSummary {
    let members: Vec<MemberLowDomains> = latest_per_member
        .iter()
        .map(|(person, scores)| MemberLowDomains {
            person_id: person.clone(),
            low_domains: low(scores, 2),
            acute_domains: low(scores, 1),
        })
        .collect();
    let mut per_domain = BTreeMap::new();
    for m in &members {
        for d in &m.low_domains {
            *per_domain.entry(d.clone()).or_insert(0) += 1;
        }
    }
    HouseholdSummary {
        members_assessed: members.len(),
        members_with_low_domains: members.iter().filter(|m| !m.low_domains.is_empty()).count(),
        members_low_per_domain: per_domain,
        members,
        household_low_domains: household.map(|s| low(s, 2)).unwrap_or_default(),
        low_domains_without_goal: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scores(pairs: &[(&str, u8)]) -> Scores {
        pairs.iter().map(|(d, s)| (d.to_string(), *s)).collect()
    }

    #[test]
    fn scores_are_whole_numbers_one_to_five_on_the_instruments_domains() {
        let raw: BTreeMap<String, serde_json::Value> = serde_json::from_value(json!({
            "financien": 2, "justitie": null, "huisvesting": 6, "werk_opleiding": 2.5, "tijdsbesteding": "3",
            "hh_financien": 1, "geluk": 4
        }))
        .unwrap();
        let mut v = Validator::new();
        let s = validate_scores(Instrument::Zrm2017, &raw, &mut v);
        assert_eq!(s, scores(&[("financien", 2)]));
        let fields: Vec<String> = match v.finish() {
            Err(crate::error::AppError::Validation(e)) => e.into_iter().map(|e| e.field).collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            fields,
            [
                "scores.geluk",
                "scores.hh_financien",
                "scores.huisvesting",
                "scores.tijdsbesteding",
                "scores.werk_opleiding"
            ]
        );
        let mut v = Validator::new();
        let empty: BTreeMap<String, serde_json::Value> = serde_json::from_value(json!({"hh_financien": null})).unwrap();
        validate_scores(Instrument::ZrmHuishoudens, &empty, &mut v);
        assert!(v.finish().is_err(), "at least one domain scored");
    }

    #[test]
    fn progress_per_domain() {
        let p = progress(
            Instrument::Zrm2017,
            &scores(&[("financien", 1), ("huisvesting", 3)]),
            &scores(&[("financien", 3), ("justitie", 4)]),
        );
        assert_eq!(p.len(), 13);
        let f = p.iter().find(|d| d.domain == "financien").unwrap();
        assert_eq!((f.from, f.to, f.change), (Some(1), Some(3), Some(2)));
        let h = p.iter().find(|d| d.domain == "huisvesting").unwrap();
        assert_eq!((h.from, h.to, h.change), (Some(3), None, None));
    }

    #[test]
    fn household_summary_counts_low_domains_and_members() {
        let s = summary(
            &[
                ("mother".into(), scores(&[("financien", 1), ("huisvesting", 2), ("justitie", 5)])),
                ("son".into(), scores(&[("financien", 2), ("werk_opleiding", 4)])),
                ("daughter".into(), scores(&[("werk_opleiding", 3)])),
            ],
            Some(&scores(&[("hh_financien", 2), ("hh_huisvesting", 4)])),
        );
        assert_eq!(s.members_assessed, 3);
        assert_eq!(s.members_with_low_domains, 2);
        assert_eq!(s.members_low_per_domain, [("financien".to_string(), 2), ("huisvesting".to_string(), 1)].into());
        assert_eq!(s.members[0].acute_domains, ["financien"]);
        assert_eq!(s.household_low_domains, ["hh_financien"]);
    }

    fn goal(domain: &str, person: Option<&str>) -> super::super::model::Goal {
        super::super::model::Goal {
            id: format!("g-{domain}"),
            domain: Some(domain.into()),
            person_id: person.map(str::to_string),
            description: "Doel".into(),
            target: None,
            target_score: None,
            due_date: None,
            status: super::super::model::GoalStatus::Open,
        }
    }

    #[test]
    fn a_low_domain_without_a_goal_is_named() {
        let members = [
            ("mother".to_string(), scores(&[("financien", 1), ("huisvesting", 2), ("justitie", 5)])),
            ("son".to_string(), scores(&[("financien", 2), ("middelengebruik", 2)])),
        ];
        let household = scores(&[("hh_financien", 2), ("hh_huisvesting", 3)]);
        // The mother's finances have a goal of hers; housing a goal of the whole household; the son's finances
        // only the mother's goal, which is not his.
        let goals = [goal("financien", Some("mother")), goal("huisvesting", None)];
        let found: Vec<(Option<String>, String, u8)> = low_domains_without_goal(&members, Some(&household), &goals)
            .into_iter()
            .map(|w| (w.person_id, w.domain, w.score))
            .collect();
        assert_eq!(
            found,
            [
                (Some("son".to_string()), "financien".to_string(), 2),
                (Some("son".to_string()), "middelengebruik".to_string(), 2),
                (None, "hh_financien".to_string(), 2),
            ]
        );
        assert!(low_domains_without_goal(&members[..1], None, &[goal("financien", None), goal("huisvesting", None)])
            .is_empty());
        assert_eq!(low_domains_without_goal(&[], Some(&household), &[]).len(), 1);
    }
}
