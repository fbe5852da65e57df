-- Delivery state of outbox messages: a sender claims a message for a while (so that several server
-- processes sharing one database do not send it twice), then marks it delivered or counts the failure.
ALTER TABLE outbox ADD COLUMN delivered_ms BIGINT;
ALTER TABLE outbox ADD COLUMN claimed_until_ms BIGINT;
ALTER TABLE outbox ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
