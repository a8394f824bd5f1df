-- One row per terminal session. The shell itself lives in tmux (socket under TERMINAL_ROOT_DIR/<account_key>);
-- this row is what survives a restart of the service and says whose it is.
CREATE TABLE terminal_sessions (
  id                 text PRIMARY KEY,
  tenant_id          text NOT NULL,
  workspace_id       text NOT NULL,
  owner_user_id      text NOT NULL,
  name               text NOT NULL,
  -- The directory of the tmux socket holding the shell (the workspace's OS account, or the workspace id).
  account_key        text NOT NULL,
  state              text NOT NULL CHECK (state IN ('attached', 'detached', 'terminated')),
  created_at         timestamptz NOT NULL DEFAULT now(),
  last_attached_at   timestamptz,
  -- Since when nobody is attached (the TTL runs from here); null while attached.
  detached_at        timestamptz,
  terminated_at      timestamptz,
  terminated_reason  text
);

CREATE INDEX terminal_sessions_owner_live ON terminal_sessions (tenant_id, owner_user_id) WHERE state <> 'terminated';
CREATE INDEX terminal_sessions_workspace_live ON terminal_sessions (tenant_id, workspace_id) WHERE state <> 'terminated';

-- Invitations: the owner lets another user of the same tenant watch (read-only) or type (read-write).
CREATE TABLE terminal_shares (
  session_id  text NOT NULL REFERENCES terminal_sessions (id) ON DELETE CASCADE,
  user_id     text NOT NULL,
  mode        text NOT NULL CHECK (mode IN ('read-only', 'read-write')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, user_id)
);
