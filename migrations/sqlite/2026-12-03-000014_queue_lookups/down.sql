DROP INDEX stuck_cases_by_score;
DROP INDEX stuck_cases_by_team;
DROP INDEX stuck_cases_by_wijk;
CREATE INDEX stuck_cases_by_score ON stuck_cases (score DESC, since, case_id);
CREATE INDEX stuck_cases_by_team ON stuck_cases (team_id, score DESC, since, case_id);
CREATE INDEX stuck_cases_by_wijk ON stuck_cases (wijk, score DESC, since, case_id);
DROP INDEX escalations_by_case;
