-- Drivers and the reconcile loop: sizes, restart generations, what the driver last saw, and a lease so one
-- reconciler at a time works on a workspace (and a crashed one's work is taken over when the lease expires).
ALTER TABLE workspaces
  ADD COLUMN cpu_millis          integer NOT NULL DEFAULT 2000 CHECK (cpu_millis > 0),
  ADD COLUMN memory_mib          integer NOT NULL DEFAULT 4096 CHECK (memory_mib > 0),
  ADD COLUMN disk_gib            integer NOT NULL DEFAULT 20 CHECK (disk_gib > 0),
  ADD COLUMN restart_generation  integer NOT NULL DEFAULT 0 CHECK (restart_generation >= 0),
  ADD COLUMN observed_generation integer NOT NULL DEFAULT 0 CHECK (observed_generation >= 0),
  ADD COLUMN observed_detail     text NOT NULL DEFAULT '',
  ADD COLUMN observed_at         timestamptz,
  ADD COLUMN lease_owner         text,
  ADD COLUMN lease_until         timestamptz,
  ADD COLUMN attempts            integer NOT NULL DEFAULT 0,
  ADD COLUMN next_attempt_at     timestamptz NOT NULL DEFAULT now();

ALTER TABLE workspaces DROP CONSTRAINT workspaces_observed_state_check;
ALTER TABLE workspaces ADD CONSTRAINT workspaces_observed_state_check
  CHECK (observed_state IN ('REQUESTED', 'PROVISIONING', 'RUNNING', 'STOPPING', 'STOPPED', 'DELETING', 'DELETED', 'FAILED'));

-- A created workspace is wanted running; REQUESTED stays valid for rows written by the registry-only slice.
UPDATE workspaces SET desired_state = 'RUNNING' WHERE desired_state = 'REQUESTED';

-- The reconciler's work queue: everything not finally gone, by when it is next due.
CREATE INDEX workspaces_reconcile_due ON workspaces (next_attempt_at)
  WHERE NOT (desired_state = 'DELETING' AND observed_state = 'DELETED');

-- Quota overrides per user or per project within a tenant; a NULL limit falls back to the service default.
CREATE TABLE workspace_quotas (
  tenant_id      text NOT NULL,
  scope          text NOT NULL CHECK (scope IN ('user', 'project')),
  subject_id     text NOT NULL,
  max_workspaces integer CHECK (max_workspaces > 0),
  cpu_millis     integer CHECK (cpu_millis > 0),
  memory_mib     integer CHECK (memory_mib > 0),
  disk_gib       integer CHECK (disk_gib > 0),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, scope, subject_id)
);

-- Project usage sums run under the project lock; this keeps them off a sequential scan.
CREATE INDEX workspaces_live_by_project ON workspaces (tenant_id, project_id) WHERE deleted_at IS NULL;
