//! The privacy officer's reading of the audit log: the event list and chain verification over HTTP.
