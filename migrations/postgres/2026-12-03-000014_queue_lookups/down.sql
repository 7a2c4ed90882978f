DROP INDEX escalations_by_case;
