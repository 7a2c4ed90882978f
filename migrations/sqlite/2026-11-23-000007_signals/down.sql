DROP INDEX user_roles_role;
DROP TABLE match_members;
DROP TABLE matches;
DROP TABLE signals;
