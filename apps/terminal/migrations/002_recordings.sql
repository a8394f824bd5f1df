-- What the policy bundle (section `terminals`) said about recording when the session was created.
ALTER TABLE terminal_sessions ADD COLUMN recording text NOT NULL DEFAULT 'off' CHECK (recording IN ('off', 'output', 'output_and_input'));

-- One recording per recorded session: an encrypted asciicast file under TERMINAL_RECORDING_DIR named after the
-- session. The row outlives the file: after the retention it says that a recording existed and when it was deleted.
CREATE TABLE terminal_recordings (
  session_id      text PRIMARY KEY REFERENCES terminal_sessions (id),
  tenant_id       text NOT NULL,
  workspace_id    text NOT NULL,
  owner_user_id   text NOT NULL,
  session_name    text NOT NULL,
  input_recorded  boolean NOT NULL,
  -- The bundle version and entry that asked for it.
  policy_version  text NOT NULL,
  rule_id         text NOT NULL,
  key_id          text NOT NULL,
  started_at      timestamptz NOT NULL DEFAULT now(),
  ended_at        timestamptz,
  delete_after    timestamptz NOT NULL,
  deleted_at      timestamptz,
  size_bytes      bigint NOT NULL DEFAULT 0
);

CREATE INDEX terminal_recordings_tenant ON terminal_recordings (tenant_id, started_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX terminal_recordings_due ON terminal_recordings (delete_after) WHERE deleted_at IS NULL;
