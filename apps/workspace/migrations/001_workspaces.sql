-- The workspace registry: desired state set by the API, observed state written back by drivers.
CREATE TABLE workspaces (
  id             text PRIMARY KEY CHECK (id ~ '^ws_[a-z0-9]{20}$'),
  tenant_id      text NOT NULL,
  project_id     text NOT NULL,
  owner_user_id  text NOT NULL,
  image          text NOT NULL,
  desired_state  text NOT NULL CHECK (desired_state IN ('REQUESTED', 'RUNNING', 'STOPPED', 'DELETING')),
  observed_state text NOT NULL DEFAULT 'REQUESTED'
                 CHECK (observed_state IN ('REQUESTED', 'RUNNING', 'STOPPED', 'DELETING', 'FAILED')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  deleted_at     timestamptz,
  -- A deleted row must still be wanted gone, so a reconcile loop never resurrects it.
  CONSTRAINT workspaces_deleted_means_deleting CHECK (deleted_at IS NULL OR desired_state = 'DELETING')
);

-- Model A: one live workspace per user per project. Deleted rows stay for teardown and history without
-- blocking a fresh workspace. The (tenant_id, owner_user_id) prefix also serves quota counts and listings.
CREATE UNIQUE INDEX workspaces_one_live_per_owner_project
  ON workspaces (tenant_id, owner_user_id, project_id)
  WHERE deleted_at IS NULL;
