-- The queue's reads stay one index walk at any size (docs/escalations.md, "The queue").

-- How many stuck cases each reason has, and all of them ('*'): the counts in one small read. Kept by difference by
-- whoever stores stuck cases (escalations::store::save), under the stuck cases' lock.
CREATE TABLE stuck_counts (
    code TEXT PRIMARY KEY,
    cases BIGINT NOT NULL CHECK (cases >= 0)
);
INSERT INTO stuck_counts (code, cases) SELECT code, COUNT(*) FROM stuck_reasons GROUP BY code;
INSERT INTO stuck_counts (code, cases) SELECT '*', COUNT(*) FROM stuck_cases;

-- The queue filtered by one reason walks that reason's cases in the queue's order: the case's score and since on
-- each reason row (written with it, in the same statement as the case's row).
ALTER TABLE stuck_reasons ADD COLUMN score BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stuck_reasons ADD COLUMN case_since DATE NOT NULL DEFAULT '1970-01-01';
UPDATE stuck_reasons SET
    score = (SELECT sc.score FROM stuck_cases sc WHERE sc.case_id = stuck_reasons.case_id),
    case_since = (SELECT sc.since FROM stuck_cases sc WHERE sc.case_id = stuck_reasons.case_id);
CREATE INDEX stuck_reasons_in_queue_order ON stuck_reasons (code, score DESC, case_since, case_id);
