-- One row per metered event: the primary key is what makes metering exactly-once per event_id.
CREATE TABLE usage_events (
  event_id          text PRIMARY KEY,
  occurred_at       timestamptz NOT NULL,
  period            text NOT NULL,
  correlation_id    text NOT NULL,
  tenant_id         text NOT NULL,
  project_id        text NOT NULL,
  workspace_id      text NOT NULL,
  user_id           text NOT NULL,
  endpoint          text NOT NULL,
  model             text NOT NULL,
  route_target      text NOT NULL,
  prompt_tokens     bigint NOT NULL CHECK (prompt_tokens >= 0),
  completion_tokens bigint NOT NULL CHECK (completion_tokens >= 0),
  received_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX usage_events_tenant_period ON usage_events (tenant_id, period);

-- Monthly totals, updated in the same transaction as the event insert. Empty strings (not NULL) stand for
-- "no project/user/model" so they can take part in the primary key.
CREATE TABLE usage_monthly (
  tenant_id         text NOT NULL,
  period            text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  project_id        text NOT NULL,
  user_id           text NOT NULL,
  model             text NOT NULL,
  requests          bigint NOT NULL DEFAULT 0,
  prompt_tokens     bigint NOT NULL DEFAULT 0,
  completion_tokens bigint NOT NULL DEFAULT 0,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, period, project_id, user_id, model)
);
