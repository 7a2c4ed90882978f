DROP TABLE daily_jobs;
DROP TABLE stuck_reasons;
DROP TABLE stuck_cases;
DROP TABLE case_changes;
