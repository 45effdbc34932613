-- After a bridged call the agent is in wrap_up until this moment, then any node's sweep makes them available
-- again; NULL (wrap-up chosen in the web UI) never ends by itself. Persisted so a restart cannot strand an agent.
ALTER TABLE agents ADD COLUMN wrap_up_until timestamptz;
CREATE INDEX agents_wrap_up_due ON agents (wrap_up_until) WHERE state = 'wrap_up' AND wrap_up_until IS NOT NULL;
