-- The queue looks up the open escalations of its 200 rows by case: 200 probes of this index on either backend,
-- whatever the statistics say (without statistics SQLite read every open escalation, 5,004 at 100,000 cases,
-- through escalations_by_status_level).
CREATE INDEX escalations_by_case ON escalations (case_id, status, level, id);

-- The queue's ordered reads, covering: a SQLite connection drops its page cache whenever another one commits (every
-- audited read does), so the 200 rows are read anew each time; from the index alone they lie on a few pages
-- instead of one table page each.
DROP INDEX stuck_cases_by_score;
DROP INDEX stuck_cases_by_team;
DROP INDEX stuck_cases_by_wijk;
CREATE INDEX stuck_cases_by_score
    ON stuck_cases (score DESC, since, case_id, team_id, wijk, organisations, professionals, reasons);
CREATE INDEX stuck_cases_by_team
    ON stuck_cases (team_id, score DESC, since, case_id, wijk, organisations, professionals, reasons);
CREATE INDEX stuck_cases_by_wijk
    ON stuck_cases (wijk, score DESC, since, case_id, team_id, organisations, professionals, reasons);
-- The queue filtered by one reason reads that reason's rows alone, in the queue's order: each carries what the queue
-- shows of its case (written with the case's row, in the same statement batch), so the index below answers it
-- without a lookup of each case (a probe of the case's key and its table page, 400 scattered pages at 100,000).
ALTER TABLE stuck_reasons ADD COLUMN team_id TEXT NOT NULL DEFAULT '';
ALTER TABLE stuck_reasons ADD COLUMN wijk TEXT NOT NULL DEFAULT '';
ALTER TABLE stuck_reasons ADD COLUMN organisations BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stuck_reasons ADD COLUMN professionals BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stuck_reasons ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]';
UPDATE stuck_reasons SET
    team_id = (SELECT sc.team_id FROM stuck_cases sc WHERE sc.case_id = stuck_reasons.case_id),
    wijk = (SELECT sc.wijk FROM stuck_cases sc WHERE sc.case_id = stuck_reasons.case_id),
    organisations = (SELECT sc.organisations FROM stuck_cases sc WHERE sc.case_id = stuck_reasons.case_id),
    professionals = (SELECT sc.professionals FROM stuck_cases sc WHERE sc.case_id = stuck_reasons.case_id),
    reasons = (SELECT sc.reasons FROM stuck_cases sc WHERE sc.case_id = stuck_reasons.case_id);
DROP INDEX stuck_reasons_in_queue_order;
CREATE INDEX stuck_reasons_in_queue_order
    ON stuck_reasons (code, score DESC, case_since, case_id, team_id, wijk, organisations, professionals, reasons);
