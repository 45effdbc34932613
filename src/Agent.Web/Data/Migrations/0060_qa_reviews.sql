-- QA (issue 9): one stored run per plan and period (the seed that reproduces it); dispute resolution.

CREATE TABLE qa_sample_runs (
    plan_id      int  NOT NULL REFERENCES qa_sampling_plans(id),
    period_start date NOT NULL,
    seed         bigint NOT NULL,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plan_id, period_start)
);

ALTER TABLE qa_evaluations
    ADD COLUMN disputed_at     timestamptz,
    ADD COLUMN resolution_text text,
    ADD COLUMN resolved_by     int REFERENCES agents(id),
    ADD COLUMN resolved_at     timestamptz;

CREATE INDEX qa_samples_reviewer ON qa_samples (reviewer_id);
CREATE INDEX qa_samples_agent ON qa_samples (agent_id);
