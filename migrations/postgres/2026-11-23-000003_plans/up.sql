-- The household plan (issue 4): versions whose content is one JSON document, immutable once agreed; action
-- progress kept beside the versions, because doing an action does not change the agreed plan.

CREATE TABLE plan_versions (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    number INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'agreed', 'superseded', 'discarded')),
    content TEXT NOT NULL,
    based_on INTEGER,
    members_may_edit BOOLEAN NOT NULL,
    revision BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    agreed_by TEXT REFERENCES users (id),
    agreed_at TIMESTAMP,
    agreement TEXT,
    superseded_at TIMESTAMP,
    UNIQUE (case_id, number)
);
-- 1 plan: at most one current agreed version, and one draft, per case.
CREATE UNIQUE INDEX plan_versions_one_current ON plan_versions (case_id) WHERE status = 'agreed';
CREATE UNIQUE INDEX plan_versions_one_draft ON plan_versions (case_id) WHERE status = 'draft';
-- An agreed version never changes; it can only be superseded.
CREATE FUNCTION plan_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'plan versions are kept';
    END IF;
    IF OLD.status <> 'draft' AND (NEW.content IS DISTINCT FROM OLD.content
        OR NEW.agreement IS DISTINCT FROM OLD.agreement OR NEW.agreed_at IS DISTINCT FROM OLD.agreed_at
        OR NOT (OLD.status = 'agreed' AND NEW.status = 'superseded')) THEN
        RAISE EXCEPTION 'an agreed plan version is immutable';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER plan_versions_immutable BEFORE UPDATE OR DELETE ON plan_versions
    FOR EACH ROW EXECUTE FUNCTION plan_versions_guard();

CREATE TABLE plan_action_progress (
    case_id TEXT NOT NULL REFERENCES cases (id),
    action_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    done_on DATE,
    revision BIGINT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, action_id),
    CHECK ((status = 'done') = (done_on IS NOT NULL))
);

-- ZRM assessments: of one person (ZRM 2017, 13 domains) or of the household (ZRM-Huishoudens, 5 domains).
-- Scores are a JSON object of domain code → 1..5; domain codes only, never the licensed criteria texts.
CREATE TABLE zrm_assessments (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    person_id TEXT REFERENCES persons (id),
    instrument TEXT NOT NULL CHECK (instrument IN ('zrm_2017', 'zrm_huishoudens')),
    kind TEXT NOT NULL CHECK (kind IN ('start', 'intermediate', 'end')),
    assessed_on DATE NOT NULL,
    assessor_id TEXT NOT NULL REFERENCES users (id),
    scores TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK ((person_id IS NULL) = (instrument = 'zrm_huishoudens'))
);
CREATE INDEX zrm_assessments_case ON zrm_assessments (case_id, assessed_on);

-- Evaluations of the plan with the family.
CREATE TABLE evaluations (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    plan_number INTEGER NOT NULL,
    held_on DATE NOT NULL,
    participants TEXT NOT NULL,
    goal_progress TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('continue', 'adjust', 'escalate', 'close')),
    next_evaluation_date DATE,
    close_reason TEXT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    CHECK ((decision = 'close') = (next_evaluation_date IS NULL))
);
CREATE INDEX evaluations_case ON evaluations (case_id, held_on);
