//! Decisions on identity acts: one question per act, answered with a typed decision.
