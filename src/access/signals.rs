//! Decisions on signals acts: one question per act, answered with a typed decision.
//! A signaller sees and changes their own signals and matches only; the matchregisseur follows every match but sees
//! no person and no one's contact details. Objects outside that scope answer 404, roles without the act 403.

use super::*;

/// The caller as the signaller a decision allows: whose signals and matches they are, and the organisation that
/// holds at most one active signal per person.
#[derive(Debug, Clone)]
pub struct Signaller {
    pub user_id: String,
    pub organisation_id: String,
}

impl Signaller {
    fn of(p: &Principal) -> Signaller {
        Signaller { user_id: p.user_id.clone(), organisation_id: p.organisation_id.clone() }
    }
}

/// What a decision needs to know of a signal, whatever the feature's row type.
pub trait SignalFacts {
    /// The user who made it.
    fn made_by(&self) -> &str;
}

/// The caller's part in a match they may act on: their signals in it, and how they see it.
#[derive(Debug, Clone)]
pub struct OwnInMatch {
    pub signals: Vec<String>,
    pub view: MatchView,
}

/// How the caller sees matches.
#[derive(Debug, Clone)]
pub enum MatchView {
    /// The matchregisseur: every match and who has confirmed contact; no contact details, no person.
    Follower,
    /// A signaller: the matches of their own signals, with the other signallers' contact details.
    Member(Signaller),
}

impl MatchView {
    /// The signaller whose matches these are; None for the matchregisseur, who follows all of them.
    pub fn member(&self) -> Option<&Signaller> {
        match self {
            MatchView::Follower => None,
            MatchView::Member(s) => Some(s),
        }
    }

    /// Contact details are for the other signallers; the matchregisseur follows up on confirmations only.
    pub fn shows_contacts(&self) -> bool {
        matches!(self, MatchView::Member(_))
    }

    /// Whether a member signal made by `user_id` is the caller's own.
    pub fn is_own(&self, user_id: &str) -> bool {
        self.member().is_some_and(|s| s.user_id == user_id)
    }
}

impl Access {
    /// Whether the caller may register signals at all (the role permission), to offer the form; records nothing,
    /// and the registration itself is decided as always.
    pub fn may_signal(&self, p: &Principal) -> bool {
        p.roles().any(|role| self.permits(role, Resource::Signal, Action::Create))
    }

    /// Registering a signal: a role that signals (signaller, wijkteam), else 403.
    pub fn decide_register_signal(&self, p: &Principal, audit: &AuditRecord) -> AppResult<Signaller> {
        self.decide(p, Resource::Signal, Action::Create, audit)?;
        Ok(Signaller::of(p))
    }

    /// Listing signals: the caller's own, never anyone else's (no one browses signals).
    pub fn decide_list_signals(&self, p: &Principal, audit: &AuditRecord) -> AppResult<Signaller> {
        self.decide(p, Resource::Signal, Action::List, audit)?;
        Ok(Signaller::of(p))
    }

    /// Removing a signal, before it is looked up: a role that signals, else 403. `decide_own_signal` then
    /// decides on the signal itself.
    pub fn decide_remove_signal(&self, p: &Principal, audit: &AuditRecord) -> AppResult<Signaller> {
        self.decide(p, Resource::Signal, Action::Update, audit)?;
        Ok(Signaller::of(p))
    }

    /// A signal the caller acts on (None: there is no such signal): their own, else 404 — someone else's signal
    /// does not exist for them.
    pub fn decide_own_signal<S: SignalFacts>(
        &self,
        who: &Signaller,
        signal: Option<S>,
        audit: &AuditRecord,
    ) -> AppResult<S> {
        match signal {
            Some(s) if s.made_by() == who.user_id => Ok(s),
            _ => Err(not_found(audit)),
        }
    }

    /// Listing matches: the matchregisseur follows all of them, a signaller sees their own.
    pub fn decide_list_matches(&self, p: &Principal, audit: &AuditRecord) -> AppResult<MatchView> {
        self.decide(p, Resource::Match, Action::List, audit)?;
        Ok(if self.follows_matches(p) { MatchView::Follower } else { MatchView::Member(Signaller::of(p)) })
    }

    /// Confirming contact in a match, before it is looked up: a role that signals, else 403.
    /// `decide_match_member` then decides on the match itself.
    pub fn decide_confirm_contact(&self, p: &Principal, audit: &AuditRecord) -> AppResult<Signaller> {
        self.decide(p, Resource::Match, Action::Update, audit)?;
        Ok(Signaller::of(p))
    }

    /// The caller's part in a match (`members`: each member signal and the user who made it): their signals in
    /// it and a member's view, or 404 when they have none there (not their match, or no such match).
    pub fn decide_match_member(
        &self,
        who: Signaller,
        members: &[(String, String)],
        audit: &AuditRecord,
    ) -> AppResult<OwnInMatch> {
        let own: Vec<String> =
            members.iter().filter(|(_, user)| *user == who.user_id).map(|(signal, _)| signal.clone()).collect();
        if own.is_empty() {
            return Err(not_found(audit));
        }
        Ok(OwnInMatch { signals: own, view: MatchView::Member(who) })
    }

    /// Reminding the signallers of a match who have not confirmed contact: the matchregisseur, who follows every
    /// match (a match that does not exist answers 404 when it is looked up), else 403. They see it as a follower.
    pub fn decide_remind_match(&self, p: &Principal, audit: &AuditRecord) -> AppResult<MatchView> {
        self.decide(p, Resource::Match, Action::Remind, audit)?;
        Ok(MatchView::Follower)
    }

    /// A match the matchregisseur acts on: every match they follow exists for them; none (`exists` false): 404.
    pub fn decide_followed_match(&self, exists: bool, audit: &AuditRecord) -> AppResult<()> {
        if exists {
            Ok(())
        } else {
            Err(not_found(audit))
        }
    }

    /// Whether the caller sees matches as the matchregisseur does (`MatchView::Follower`); records nothing.
    pub fn follows_matches(&self, p: &Principal) -> bool {
        p.roles().any(|r| r == Role::Matchregisseur)
    }
}
