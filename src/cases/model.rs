//! The case lifecycle: registered → intake → planning → active ⇄ evaluating → closed, closing from any open
//! state with a reason. No I/O.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Registered,
    Intake,
    Planning,
    Active,
    Evaluating,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    GoalReached,
    Moved,
    RefusedHelp,
    Transferred,
    Other,
}

impl CloseReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::GoalReached => "goal_reached",
            CloseReason::Moved => "moved",
            CloseReason::RefusedHelp => "refused_help",
            CloseReason::Transferred => "transferred",
            CloseReason::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum Law {
    Wmo,
    Jeugdwet,
    Participatiewet,
}

/// The laws a case records, as stored (`Wmo,Jeugdwet`).
pub fn parse_laws(stored: &str) -> Vec<Law> {
    stored
        .split(',')
        .filter_map(|l| match l.trim() {
            "Wmo" => Some(Law::Wmo),
            "Jeugdwet" => Some(Law::Jeugdwet),
            "Participatiewet" => Some(Law::Participatiewet),
            _ => None,
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// Not a step this state allows; lists the ones it does (for the 409 answer).
    NotAllowed {
        from: CaseState,
        to: CaseState,
        allowed: Vec<CaseState>,
    },
    /// Closing needs a reason; other steps take none.
    ReasonRequired,
    ReasonNotExpected,
}

impl CaseState {
    pub const ALL: [CaseState; 6] = [
        CaseState::Registered,
        CaseState::Intake,
        CaseState::Planning,
        CaseState::Active,
        CaseState::Evaluating,
        CaseState::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Registered => "registered",
            CaseState::Intake => "intake",
            CaseState::Planning => "planning",
            CaseState::Active => "active",
            CaseState::Evaluating => "evaluating",
            CaseState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn is_open(self) -> bool {
        self != CaseState::Closed
    }

    /// The states this one may move to. A closed case moves nowhere: it is reopened as a new case.
    pub fn allowed_next(self) -> Vec<CaseState> {
        use CaseState::*;
        match self {
            Registered => vec![Intake, Closed],
            Intake => vec![Planning, Closed],
            Planning => vec![Active, Closed],
            Active => vec![Evaluating, Closed],
            Evaluating => vec![Active, Closed],
            Closed => vec![],
        }
    }

    pub fn transition(self, to: CaseState, reason: Option<CloseReason>) -> Result<CaseState, TransitionError> {
        if !self.allowed_next().contains(&to) {
            return Err(TransitionError::NotAllowed { from: self, to, allowed: self.allowed_next() });
        }
        match (to, reason) {
            (CaseState::Closed, None) => Err(TransitionError::ReasonRequired),
            (CaseState::Closed, Some(_)) => Ok(to),
            (_, Some(_)) => Err(TransitionError::ReasonNotExpected),
            (_, None) => Ok(to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CaseState::*;
    use super::*;

    #[test]
    fn the_happy_path_and_the_evaluation_loop() {
        let mut s = Registered;
        for next in [Intake, Planning, Active, Evaluating, Active, Evaluating] {
            s = s.transition(next, None).unwrap();
        }
        assert_eq!(s.transition(Closed, Some(CloseReason::GoalReached)), Ok(Closed));
    }

    #[test]
    fn every_pair_of_states_is_decided_by_the_table() {
        let allowed: &[(CaseState, CaseState)] =
            &[(Registered, Intake), (Intake, Planning), (Planning, Active), (Active, Evaluating), (Evaluating, Active)];
        for from in CaseState::ALL {
            for to in CaseState::ALL {
                let result = from.transition(to, None);
                if allowed.contains(&(from, to)) {
                    assert_eq!(result, Ok(to), "{from:?} -> {to:?}");
                } else if to == Closed && from.is_open() {
                    assert_eq!(result, Err(TransitionError::ReasonRequired), "{from:?} -> {to:?}");
                    assert_eq!(from.transition(to, Some(CloseReason::Moved)), Ok(Closed));
                } else {
                    let Err(TransitionError::NotAllowed { allowed, .. }) = result else {
                        panic!("{from:?} -> {to:?} must be refused")
                    };
                    assert_eq!(allowed, from.allowed_next());
                }
            }
        }
    }

    #[test]
    fn a_closed_case_goes_nowhere_and_reasons_are_only_for_closing() {
        assert!(Closed.allowed_next().is_empty());
        assert!(Closed.transition(Active, None).is_err());
        assert_eq!(Intake.transition(Planning, Some(CloseReason::Other)), Err(TransitionError::ReasonNotExpected));
        for s in CaseState::ALL {
            assert_eq!(CaseState::parse(s.as_str()), Some(s));
        }
    }
}
