-- The queue looks up the open escalations of its 200 rows by case: 200 probes of this index on either backend,
-- whatever the statistics say (without them SQLite read every open escalation through escalations_by_status_level).
CREATE INDEX escalations_by_case ON escalations (case_id, status, level, id);
