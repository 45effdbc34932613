-- Callback requests and attempts: the source of truth; Quartz only wakes the work up (reliability.md §3).

CREATE TABLE callback_policies (
    code            text PRIMARY KEY,                      -- pickup_reminder, followup, complaint_sla ...
    name_zh         text NOT NULL,
    mode            text NOT NULL DEFAULT 'agent_first' CHECK (mode IN ('agent_first','automated')),
    priority        int  NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 9),
    max_attempts    int  NOT NULL CHECK (max_attempts > 0),
    settings        jsonb NOT NULL DEFAULT '{}',            -- per-day attempts, spacing, weekly tail ...
    source          text
);

CREATE TABLE callbacks (
    id                  bigserial PRIMARY KEY,
    kind                text NOT NULL REFERENCES callback_policies(code),
    source_type         text NOT NULL CHECK (source_type IN ('repair_order','complaint','call','promise','manual','queue')),
    source_id           text NOT NULL,
    customer_id         bigint REFERENCES customers(id),
    destination         text NOT NULL CHECK (destination ~ '^\+?[0-9]{3,20}$'),
    due_at              timestamptz NOT NULL,
    window_start        time,
    window_end          time,
    priority            int NOT NULL DEFAULT 5,
    owner_agent_id      int REFERENCES agents(id),
    promise_text        text,
    transcript_segment_id bigint REFERENCES transcript_segments(id) ON DELETE SET NULL,
    state               text NOT NULL DEFAULT 'open'
                        CHECK (state IN ('open','in_progress','completed','cancelled','exhausted','stopped')),
    close_reason        text,
    created_by          text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    closed_at           timestamptz,
    -- A retried request or a re-processed utterance creates one callback, not two.
    UNIQUE (source_type, source_id, kind)
);
CREATE INDEX callbacks_open ON callbacks (due_at) WHERE state IN ('open','in_progress');
CREATE INDEX callbacks_customer ON callbacks (customer_id);

CREATE TABLE callback_attempts (
    id           bigserial PRIMARY KEY,
    callback_id  bigint NOT NULL REFERENCES callbacks(id) ON DELETE CASCADE,
    attempt_no   int NOT NULL CHECK (attempt_no > 0),
    state        text NOT NULL DEFAULT 'scheduled'
                 CHECK (state IN ('scheduled','dialing','done','skipped','unknown','cancelled')),
    not_before   timestamptz NOT NULL,
    sip_call_id  text,
    claimed_by   text,
    claimed_at   timestamptz,
    outcome      text CHECK (outcome IN ('answered','busy','no_answer','rejected','failed','confirmed',
                                         'call_later','survey_completed','skipped_hours','blocked_destination',
                                         'do_not_call','cap_reached','ticket_closed')),
    dtmf         text,
    survey_score int,
    outcome_at   timestamptz,
    resolved_by  text,                                      -- who resolved an 'unknown' attempt
    notes        text,
    UNIQUE (callback_id, attempt_no)
);
CREATE INDEX callback_attempts_due ON callback_attempts (not_before) WHERE state = 'scheduled';
CREATE INDEX callback_attempts_dialing ON callback_attempts (claimed_at) WHERE state = 'dialing';

ALTER TABLE calls ADD CONSTRAINT calls_callback_attempt_fk
    FOREIGN KEY (callback_attempt_id) REFERENCES callback_attempts(id) ON DELETE SET NULL;

-- Complaint SLA timers on the working-day calendar; a breach alerts exactly once.
CREATE TABLE sla_timers (
    id           bigserial PRIMARY KEY,
    complaint_id bigint NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('first_response','resolution')),
    due_at       timestamptz NOT NULL,
    warn_at      timestamptz,
    warned_at    timestamptz,
    breached_at  timestamptz,
    met_at       timestamptz,
    UNIQUE (complaint_id, kind)
);

-- Destinations never dialed (the do-not-call list), checked at dial time.
CREATE TABLE do_not_call (
    number     text PRIMARY KEY CHECK (number ~ '^\+?[0-9]{3,20}$'),
    reason     text NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
