DROP TABLE evaluations;
DROP TABLE zrm_assessments;
DROP TABLE plan_action_progress;
DROP TABLE plan_versions;
DROP FUNCTION plan_versions_guard();
