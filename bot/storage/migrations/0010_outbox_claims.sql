-- Delivery claims (ALERTS): a deliverer claims an outbox row in a committed transaction right
-- before it hands the message to the transport, so two processes never send one row both.
-- A claim still set when the next deliverer comes (its holder died or lost the answer mid-send)
-- means the send's outcome is unknown: the row is then 'in doubt', and the next send first looks
-- for the message in the channel (its dedupe key) instead of posting it again.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;      -- 'host:pid:token' of the deliverer
ALTER TABLE outbox ADD COLUMN claimed_at TEXT;      -- ISO 8601 UTC; stale after a while
ALTER TABLE outbox ADD COLUMN in_doubt INTEGER NOT NULL DEFAULT 0;
