//! Decisions on consent acts: one question per act, answered with a typed decision.
