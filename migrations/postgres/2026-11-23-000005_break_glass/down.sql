DROP TABLE outbox;
DROP TABLE break_glass;
