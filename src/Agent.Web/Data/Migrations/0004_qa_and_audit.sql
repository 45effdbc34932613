-- QA sampling and evaluations; the append-only audit log.

CREATE TABLE qa_sampling_plans (
    id                       serial PRIMARY KEY,
    name                     text NOT NULL UNIQUE,
    period                   text NOT NULL DEFAULT 'week' CHECK (period IN ('day','week','month')),
    samples_per_agent        int  NOT NULL DEFAULT 5 CHECK (samples_per_agent >= 0),    -- §13 #21
    new_agent_weeks          int  NOT NULL DEFAULT 4,
    new_agent_multiplier     numeric(4,2) NOT NULL DEFAULT 2,
    min_call_seconds         int  NOT NULL DEFAULT 30,
    include_flagged          boolean NOT NULL DEFAULT true,
    stratify_by_line         boolean NOT NULL DEFAULT true,
    active                   boolean NOT NULL DEFAULT true
);

CREATE TABLE qa_forms (
    id         serial PRIMARY KEY,
    name       text NOT NULL,
    version    int  NOT NULL DEFAULT 1,
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (name, version)
);

CREATE TABLE qa_form_items (
    id        serial PRIMARY KEY,
    form_id   int  NOT NULL REFERENCES qa_forms(id) ON DELETE CASCADE,
    code      text NOT NULL,
    title_zh  text NOT NULL,
    weight    int  NOT NULL CHECK (weight >= 0),
    fatal     boolean NOT NULL DEFAULT false,               -- any H taboo hit zeroes the call (§11)
    guidance  text,
    prefill   text,                                          -- which screening result pre-fills it
    position  int  NOT NULL,
    UNIQUE (form_id, code)
);

CREATE TABLE qa_samples (
    id          bigserial PRIMARY KEY,
    plan_id     int  NOT NULL REFERENCES qa_sampling_plans(id),
    period_start date NOT NULL,
    seed        bigint NOT NULL,                            -- re-running with it gives the same calls
    call_id     uuid NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    agent_id    int  NOT NULL REFERENCES agents(id),
    stratum     text NOT NULL,                              -- flagged / random:<line> / new_agent
    reviewer_id int  REFERENCES agents(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (plan_id, period_start, call_id),
    CHECK (reviewer_id IS NULL OR reviewer_id <> agent_id)
);

CREATE TABLE qa_evaluations (
    id            bigserial PRIMARY KEY,
    sample_id     bigint NOT NULL UNIQUE REFERENCES qa_samples(id) ON DELETE CASCADE,
    form_id       int NOT NULL REFERENCES qa_forms(id),
    reviewer_id   int NOT NULL REFERENCES agents(id),
    total_score   numeric(5,1),
    grade         text CHECK (grade IN ('excellent','good','fair','fail')),   -- ≥90 / 80-89 / 65-79 / <65 (002 §六 第6条)
    comments      text,
    status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','submitted','acknowledged','disputed','resolved')),
    dispute_text  text,
    submitted_at  timestamptz,
    acknowledged_at timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE qa_evaluation_items (
    evaluation_id bigint NOT NULL REFERENCES qa_evaluations(id) ON DELETE CASCADE,
    item_id       int NOT NULL REFERENCES qa_form_items(id),
    score         numeric(5,1) NOT NULL,
    prefilled     numeric(5,1),
    override_reason text,
    PRIMARY KEY (evaluation_id, item_id)
);

-- Append-only: who did what, never transcript content (reliability.md §4).
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    action      text NOT NULL,
    target_type text,
    target_id   text,
    reason      text,
    source_ip   inet,
    details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
