DROP INDEX stuck_reasons_in_queue_order;
ALTER TABLE stuck_reasons DROP COLUMN case_since;
ALTER TABLE stuck_reasons DROP COLUMN score;
DROP TABLE stuck_counts;
