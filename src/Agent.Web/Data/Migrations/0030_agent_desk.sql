-- Agent desk (issue 7): each agent's current ringing/active call, so a page that reconnects (or a pop
-- missed during a short disconnect) can be recovered from the database, whichever node pushed it.
CREATE TABLE agent_desk_calls (
    call_id         uuid PRIMARY KEY,                 -- calls.id once the softswitch has written the row
    agent_id        int  NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    state           text NOT NULL CHECK (state IN ('ringing','connected','ended','missed')),
    caller_number   text,
    dialed_number   text NOT NULL,
    service_line_id int,
    line_code       text NOT NULL,
    customer_id     bigint REFERENCES customers(id) ON DELETE SET NULL,
    rang_at         timestamptz NOT NULL,
    answered_at     timestamptz,
    ended_at        timestamptz,
    disposition     text,
    wrap_up_code    text,
    closed_at       timestamptz                      -- set by the wrap-up or by the agent's next ring
);
CREATE INDEX agent_desk_calls_open ON agent_desk_calls (agent_id, rang_at DESC) WHERE closed_at IS NULL;
CREATE INDEX agent_desk_calls_caller ON agent_desk_calls (caller_number, rang_at DESC);

-- Wrap-up codes (话后处理), editable data rather than constants.
CREATE TABLE wrap_up_codes (
    code     text PRIMARY KEY CHECK (code ~ '^[a-z0-9_]{1,32}$'),
    name_zh  text NOT NULL,
    name_en  text NOT NULL,
    position int  NOT NULL DEFAULT 0,
    active   boolean NOT NULL DEFAULT true
);
INSERT INTO wrap_up_codes (code, name_zh, name_en, position) VALUES
  ('resolved',        '问题已解决',   'Resolved',              1),
  ('repair_created',  '已创建维修单', 'Repair order created',  2),
  ('complaint_created','已受理投诉',  'Complaint registered',  3),
  ('callback_needed', '需回电',       'Callback needed',       4),
  ('enquiry',         '咨询',         'Enquiry',               5),
  ('transferred',     '已转接',       'Transferred',           6),
  ('nuisance',        '骚扰来电',     'Nuisance call',         7),
  ('other',           '其他',         'Other',                 8)
ON CONFLICT DO NOTHING;
