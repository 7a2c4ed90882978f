DROP INDEX audit_events_household;
DROP TABLE audit_event_persons;
