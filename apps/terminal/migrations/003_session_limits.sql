-- What the policy bundle (section `terminals`) said about the session's lifetime and sharing when it was created.
-- NULL (sessions created before this migration): the service's configured defaults apply.
ALTER TABLE terminal_sessions ADD COLUMN detached_ttl_seconds integer CHECK (detached_ttl_seconds > 0);
ALTER TABLE terminal_sessions ADD COLUMN idle_lock_seconds integer CHECK (idle_lock_seconds >= 0);
ALTER TABLE terminal_sessions ADD COLUMN allow_read_write_sharing boolean;
