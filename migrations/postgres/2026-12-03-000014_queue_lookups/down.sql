ALTER TABLE stuck_reasons
    DROP COLUMN team_id, DROP COLUMN wijk, DROP COLUMN organisations, DROP COLUMN professionals, DROP COLUMN reasons;
DROP INDEX escalations_by_case;
