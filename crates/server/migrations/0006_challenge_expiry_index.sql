-- Answered challenges are swept by expiry on every answer; without an index that sweep reads them all.
CREATE INDEX used_challenges_by_expiry ON used_challenges (expires_ms);
