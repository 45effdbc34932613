-- A line with business hours of its own answers outside them with the closed prompt and ends the call as 'closed'
-- (a missed call that gets a callback request, not an abandoned one in the queue figures).
ALTER TABLE calls DROP CONSTRAINT calls_disposition_check;
ALTER TABLE calls ADD CONSTRAINT calls_disposition_check CHECK (disposition IN ('completed','abandoned','rejected','blocked','not_found',
    'busy','no_answer','failed','callback_offered','transferred','interrupted','closed'));
