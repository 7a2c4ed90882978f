DROP TABLE plan_action_progress;
DROP TABLE plan_versions;
