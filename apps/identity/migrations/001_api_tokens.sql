-- API tokens (personal, workspace, service account). Only the sha256 of a token is stored; the token itself
-- is shown once, at creation. Revoked rows are kept so a revoked token being used is recognised and audited.
CREATE TABLE identity_api_tokens (
  id             uuid PRIMARY KEY,
  token_sha256   text NOT NULL UNIQUE,
  token_type     text NOT NULL CHECK (token_type IN ('personal', 'workspace', 'service_account')),
  name           text NOT NULL,
  display_prefix text NOT NULL,
  created_by     text NOT NULL,
  tenant_id      text NOT NULL,
  subject        text NOT NULL,
  user_id        text NOT NULL,
  project_id     text NOT NULL DEFAULT '',
  workspace_id   text NOT NULL DEFAULT '',
  roles          text[] NOT NULL,
  principal_kind text NOT NULL CHECK (principal_kind IN ('user', 'service_account')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  revoked_at     timestamptz,
  last_used_at   timestamptz
);

CREATE INDEX identity_api_tokens_creator ON identity_api_tokens (tenant_id, created_by, created_at DESC);
