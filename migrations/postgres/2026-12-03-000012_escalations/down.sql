DROP TABLE escalation_steps;
DROP TABLE escalations;
