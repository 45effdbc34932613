-- Escalations raised live from customer-side cues (投诉, 12315, 曝光, 律师, repeated anger) or an agent's H taboo.
-- One row each time a call's level rises (S3 -> S2 -> S1); the supervisor view reads the open ones.
CREATE TABLE call_escalations (
    id             bigserial PRIMARY KEY,
    call_id        uuid NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    segment_id     bigint REFERENCES transcript_segments(id) ON DELETE SET NULL,
    level          text NOT NULL CHECK (level IN ('S1','S2','S3')),
    repeated_anger boolean NOT NULL DEFAULT false,
    cues           text[] NOT NULL DEFAULT '{}',             -- rule codes that raised it
    created_at     timestamptz NOT NULL DEFAULT now(),
    acknowledged_at timestamptz,
    acknowledged_by text,
    UNIQUE (call_id, level)
);
CREATE INDEX call_escalations_open ON call_escalations (created_at) WHERE acknowledged_at IS NULL;
