DROP TABLE protected_persons;
DROP TABLE staff_own_households;
