-- Position in queue is counted live by every node (callers on the same line queued earlier and still waiting),
-- and the wallboard counts the waiting callers: both read this small partial index.
CREATE INDEX calls_queued ON calls (service_line_id, queued_at) WHERE state = 'queued';
-- Reconciliation of queue callbacks looks at recently ended calls by disposition.
CREATE INDEX calls_ended_disposition ON calls (ended_at, disposition) WHERE direction = 'inbound' AND ended_at IS NOT NULL;
