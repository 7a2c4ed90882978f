//! Decisions on cases acts: one question per act, answered with a typed decision.
