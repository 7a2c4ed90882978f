DROP TABLE involvements;
DROP TABLE regisseur_assignments;
DROP TABLE case_state_history;
DROP TABLE cases;
DROP TABLE household_members;
DROP TABLE households;
DROP TABLE parent_child;
DROP TABLE persons;
