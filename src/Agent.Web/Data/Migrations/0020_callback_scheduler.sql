-- Callback scheduler (issue 8): more dial-time reasons, alerts the web reads, lookup indexes, policy keys.

-- Reasons a dial-time check can end an attempt with (reliability.md §3.4), besides those of 0003.
ALTER TABLE callback_attempts DROP CONSTRAINT callback_attempts_outcome_check;
ALTER TABLE callback_attempts ADD CONSTRAINT callback_attempts_outcome_check
    CHECK (outcome IN ('answered','busy','no_answer','rejected','failed','confirmed',
                       'call_later','survey_completed','skipped_hours','blocked_destination',
                       'do_not_call','cap_reached','ticket_closed',
                       'stop_calling','nuisance_blocked','callback_closed'));

-- Set, in the same transaction as the per-number cap check, just before the dialer is called: an attempt
-- without it was never dialed (safe to give back after a crash); one with it may have rung the customer.
ALTER TABLE callback_attempts ADD COLUMN dial_started_at timestamptz;

-- Per-number per-day cap and the reconciler look attempts up by destination and claim time.
CREATE INDEX callbacks_destination ON callbacks (destination);
CREATE INDEX callback_attempts_callback ON callback_attempts (callback_id, claimed_at);

-- Supervisor tasks and escalations the web shows (SLA warnings and breaches, exhausted series, unknown
-- outcomes, promise reminders, SMS fallback). UNIQUE makes every alert fire exactly once (reliability.md §3.11).
CREATE TABLE callback_alerts (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('sla_warning','sla_breach','callback_exhausted',
                                                  'attempt_unknown','promise_due','sms_fallback')),
    subject_type    text NOT NULL CHECK (subject_type IN ('callback','attempt','sla_timer')),
    subject_id      bigint NOT NULL,
    callback_id     bigint REFERENCES callbacks(id) ON DELETE CASCADE,
    complaint_id    bigint REFERENCES complaints(id) ON DELETE CASCADE,
    due_at          timestamptz,
    message         text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    acknowledged_at timestamptz,
    acknowledged_by text,
    UNIQUE (kind, subject_type, subject_id)
);
CREATE INDEX callback_alerts_open ON callback_alerts (created_at) WHERE acknowledged_at IS NULL;

-- Policy keys the scheduler reads (domain.md §9.1 defaults; "(D)" values are ours). Data, editable.
UPDATE callback_policies SET settings = settings || '{"workingDaysOnly":true,"callLaterMinutes":120}' WHERE code = 'pickup_reminder';
UPDATE callback_policies SET settings = settings || '{"workingDaysOnly":true,"spacingMinutes":240,"callLaterMinutes":120}' WHERE code = 'repair_followup';
UPDATE callback_policies SET settings = settings || '{"workingDaysOnly":false,"spacingMinutes":30,"callLaterMinutes":30}' WHERE code = 'remote_fix_check';
UPDATE callback_policies SET settings = settings || '{"workingDaysOnly":false,"spacingMinutes":30,"callLaterMinutes":60}' WHERE code = 'promise';
UPDATE callback_policies SET settings = settings || '{"workingDaysOnly":false,"spacingMinutes":60,"callLaterMinutes":60,"warnMinutesBefore":120}' WHERE code = 'complaint_first_response';
UPDATE callback_policies SET settings = settings || '{"workingDaysOnly":true,"spacingMinutes":120,"callLaterMinutes":120,"warnMinutesBefore":240}' WHERE code = 'complaint_result';
UPDATE callback_policies SET settings = settings || '{"workingDaysOnly":true,"spacingMinutes":240,"callLaterMinutes":120}' WHERE code = 'complaint_followup';
UPDATE callback_policies SET settings = settings || '{"workingDaysOnly":false,"callLaterMinutes":60}' WHERE code IN ('abandoned','queue_callback');
UPDATE callback_policies SET settings = settings || '{"workingDaysOnly":false,"spacingMinutes":60,"callLaterMinutes":60}' WHERE code = 'manual';
