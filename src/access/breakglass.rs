//! Decisions on breakglass acts: one question per act, answered with a typed decision.
