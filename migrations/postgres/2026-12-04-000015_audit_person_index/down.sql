DROP INDEX audit_events_household;
DROP TABLE audit_event_persons;
DROP FUNCTION audit_event_persons_append_only();
