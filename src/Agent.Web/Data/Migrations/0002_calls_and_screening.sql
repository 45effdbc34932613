-- Calls, legs, recordings, transcripts, screening rules and hits, nuisance blocking.

CREATE TABLE calls (
    id                   uuid PRIMARY KEY,
    direction            text NOT NULL CHECK (direction IN ('inbound','outbound')),
    sip_call_id          text NOT NULL,
    caller_number        text,                              -- normalised digits, NULL when withheld
    caller_raw           text,                              -- as received (escaped), for audit
    dialed_number        text,
    service_line_id      int REFERENCES service_lines(id),
    customer_id          bigint REFERENCES customers(id),
    agent_id             int REFERENCES agents(id),
    callback_attempt_id  bigint,                            -- outbound callbacks; FK added in 0003
    node                 text NOT NULL,                     -- which CallCenter instance handled it
    state                text NOT NULL DEFAULT 'setup'
                         CHECK (state IN ('setup','announcing','queued','ringing','connected','held','ended')),
    started_at           timestamptz NOT NULL DEFAULT now(),
    answered_at          timestamptz,                       -- answered by CallCenter (announcement)
    queued_at            timestamptz,
    agent_answered_at    timestamptz,
    ended_at             timestamptz,
    disposition          text CHECK (disposition IN ('completed','abandoned','rejected','blocked','not_found',
                                                     'busy','no_answer','failed','callback_offered',
                                                     'transferred','interrupted')),
    ended_by             text CHECK (ended_by IN ('caller','agent','system','callee')),
    end_reason           text,
    wrap_up_code         text,
    transcription_status text NOT NULL DEFAULT 'pending'
                         CHECK (transcription_status IN ('pending','live','complete','failed','off')),
    legal_hold           boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX calls_sip_call_id ON calls (sip_call_id, direction);
CREATE INDEX calls_started ON calls (started_at);
CREATE INDEX calls_caller ON calls (caller_number, started_at);
CREATE INDEX calls_agent ON calls (agent_id, started_at);
-- Calls a node left open when it died: marked 'interrupted' at that node's next start.
CREATE INDEX calls_open ON calls (node) WHERE ended_at IS NULL;

CREATE TABLE call_legs (
    id          bigserial PRIMARY KEY,
    call_id     uuid NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('customer','agent')),
    sip_call_id text NOT NULL,
    agent_id    int REFERENCES agents(id),
    remote_uri  text,
    codec       text,
    started_at  timestamptz NOT NULL DEFAULT now(),
    answered_at timestamptz,
    ended_at    timestamptz,
    end_reason  text
);
CREATE INDEX call_legs_call ON call_legs (call_id);

CREATE TABLE recordings (
    id           bigserial PRIMARY KEY,
    call_id      uuid NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    leg_role     text CHECK (leg_role IN ('customer','agent','stereo')),
    path         text NOT NULL,
    sample_rate  int NOT NULL DEFAULT 8000,
    channels     int NOT NULL DEFAULT 1 CHECK (channels IN (1,2)),
    duration_ms  bigint,
    bytes        bigint,
    complete     boolean NOT NULL DEFAULT false,            -- false until the header is final
    created_at   timestamptz NOT NULL DEFAULT now(),
    delete_after timestamptz,                               -- retention (reliability.md §4)
    deleted_at   timestamptz
);
CREATE INDEX recordings_call ON recordings (call_id);

CREATE TABLE transcript_segments (
    id             bigserial PRIMARY KEY,
    call_id        uuid NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    speaker        text NOT NULL CHECK (speaker IN ('customer','agent')),
    seq            int NOT NULL,                            -- order within the leg
    start_ms       int NOT NULL CHECK (start_ms >= 0),
    end_ms         int NOT NULL CHECK (end_ms >= start_ms),
    text           text NOT NULL,                           -- already redacted
    language       text,
    avg_logprob    real,
    no_speech_prob real,
    confidence     real,
    engine         text,
    suspect        boolean NOT NULL DEFAULT false,          -- likely hallucination: kept, not screened
    failed         boolean NOT NULL DEFAULT false,          -- transcription failed; audio kept
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (call_id, speaker, seq)
);

-- Taboo phrases, required phrases, customer cues, promise patterns (domain.md §2-§6), editable.
CREATE TABLE screening_rules (
    id           serial PRIMARY KEY,
    code         text NOT NULL UNIQUE,                      -- e.g. T001, RQ02, CC05
    kind         text NOT NULL CHECK (kind IN ('taboo','required','customer_cue','promise')),
    speaker      text NOT NULL DEFAULT 'agent' CHECK (speaker IN ('agent','customer','any')),
    phrase       text NOT NULL,                             -- canonical (simplified) wording
    pattern      text,                                      -- gap pattern, e.g. 一定是**错了
    match_mode   text NOT NULL DEFAULT 'exact' CHECK (match_mode IN ('exact','gap','pinyin','regex')),
    category     text,
    severity     text CHECK (severity IN ('H','M','L','S1','S2','S3')),
    replacement  text,                                      -- recommended wording for the coaching hint
    exceptions   text[] NOT NULL DEFAULT '{}',              -- contexts that must not fire
    source       text,                                      -- seed citation
    enabled      boolean NOT NULL DEFAULT true,
    version      int NOT NULL DEFAULT 1,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   text
);

CREATE TABLE screening_hits (
    id           bigserial PRIMARY KEY,
    call_id      uuid NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    segment_id   bigint REFERENCES transcript_segments(id) ON DELETE CASCADE,
    rule_id      int NOT NULL REFERENCES screening_rules(id),
    rule_version int NOT NULL,
    speaker      text NOT NULL CHECK (speaker IN ('customer','agent')),
    matched_text text NOT NULL,
    match_mode   text NOT NULL,
    offset_ms    int,
    qa_status    text NOT NULL DEFAULT 'unreviewed' CHECK (qa_status IN ('unreviewed','confirmed','overridden')),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX screening_hits_call ON screening_hits (call_id);

-- Required-phrase results per call (greeting, need identified, closing) feed QA.
CREATE TABLE required_phrase_results (
    call_id   uuid NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    check_code text NOT NULL,
    passed    boolean NOT NULL,
    segment_id bigint REFERENCES transcript_segments(id) ON DELETE SET NULL,
    PRIMARY KEY (call_id, check_code)
);

-- Nuisance rules (domain.md §10.2), evaluated before answering.
CREATE TABLE blocking_rules (
    id                 serial PRIMARY KEY,
    kind               text NOT NULL CHECK (kind IN ('exact','prefix','anonymous','rate','short_calls','flagged')),
    number             text,                                -- exact number, prefix, or the flagged caller
    max_calls          int CHECK (max_calls > 0),           -- rate / short_calls: N calls ...
    window_minutes     int CHECK (window_minutes > 0),      -- ... in M minutes
    short_call_seconds int CHECK (short_call_seconds > 0),  -- short_calls: hang-ups under S seconds
    action             text NOT NULL DEFAULT 'reject' CHECK (action IN ('reject','announce','flag')),
    reject_code        int NOT NULL DEFAULT 603 CHECK (reject_code IN (403,486,603)),
    service_line_id    int REFERENCES service_lines(id),     -- NULL = every line
    reason             text NOT NULL,                        -- a human reason (§10.2 #3)
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz,
    enabled            boolean NOT NULL DEFAULT true,
    CHECK (kind NOT IN ('exact','prefix','flagged') OR number IS NOT NULL),
    CHECK (kind NOT IN ('rate','short_calls') OR (max_calls IS NOT NULL AND window_minutes IS NOT NULL)),
    CHECK (kind <> 'short_calls' OR short_call_seconds IS NOT NULL)
);

CREATE TABLE blocking_decisions (
    id               bigserial PRIMARY KEY,
    decided_at       timestamptz NOT NULL DEFAULT now(),
    caller_number    text,
    dialed_number    text,
    rule_id          int REFERENCES blocking_rules(id) ON DELETE SET NULL,
    action           text NOT NULL CHECK (action IN ('reject','announce','flag','allow')),
    exempted         boolean NOT NULL DEFAULT false,          -- rule matched, caller has an open ticket
    exemption_reason text,
    call_id          uuid REFERENCES calls(id) ON DELETE SET NULL,
    node             text NOT NULL
);
CREATE INDEX blocking_decisions_number ON blocking_decisions (caller_number, decided_at);
CREATE INDEX blocking_decisions_rule ON blocking_decisions (rule_id, decided_at);
