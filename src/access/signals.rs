//! Decisions on signals acts: one question per act, answered with a typed decision.
