//! Decisions on plans acts: one question per act, answered with a typed decision.
