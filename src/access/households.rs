//! Decisions on households acts: one question per act, answered with a typed decision.
