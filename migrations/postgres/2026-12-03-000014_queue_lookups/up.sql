-- The queue looks up the open escalations of its 200 rows by case: 200 probes of this index on either backend,
-- whatever the statistics say (without them SQLite read every open escalation through escalations_by_status_level).
CREATE INDEX escalations_by_case ON escalations (case_id, status, level, id);

-- The queue filtered by one reason reads that reason's rows alone, in the queue's order: each carries what the queue
-- shows of its case (written with the case's row), so no case is looked up row by row.
ALTER TABLE stuck_reasons
    ADD COLUMN team_id TEXT NOT NULL DEFAULT '',
    ADD COLUMN wijk TEXT NOT NULL DEFAULT '',
    ADD COLUMN organisations BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN professionals BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]';
UPDATE stuck_reasons sr SET team_id = sc.team_id, wijk = sc.wijk, organisations = sc.organisations,
    professionals = sc.professionals, reasons = sc.reasons
    FROM stuck_cases sc WHERE sc.case_id = sr.case_id;
