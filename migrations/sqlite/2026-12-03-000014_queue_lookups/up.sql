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
