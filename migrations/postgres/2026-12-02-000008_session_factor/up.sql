-- A session knows whether its second factor was confirmed at sign-in, so a role that needs one is checked per request.
ALTER TABLE sessions ADD COLUMN second_factor BOOLEAN NOT NULL DEFAULT FALSE;
