-- How many stuck cases each reason has, and all of them ('*'): the queue's counts in one small read at any size.
-- Kept by difference by whoever stores stuck cases (escalations::store::save), under the stuck cases' lock.
CREATE TABLE stuck_counts (
    code TEXT PRIMARY KEY,
    cases BIGINT NOT NULL CHECK (cases >= 0)
);
INSERT INTO stuck_counts (code, cases) SELECT code, COUNT(*) FROM stuck_reasons GROUP BY code;
INSERT INTO stuck_counts (code, cases) SELECT '*', COUNT(*) FROM stuck_cases;
