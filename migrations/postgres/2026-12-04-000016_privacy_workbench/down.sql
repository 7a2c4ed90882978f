DROP TABLE access_finding_events;
DROP TABLE access_findings;
DROP TABLE log_reviews;
