-- Every aggregation dimension (tenant / project / workspace / user / model) at every grain (month, day), plus
-- per-project hours for the anomaly baseline. All rebuilt here from usage_events, the source of truth.

ALTER TABLE usage_monthly DROP CONSTRAINT usage_monthly_pkey;
ALTER TABLE usage_monthly ADD COLUMN workspace_id text NOT NULL DEFAULT '';
DELETE FROM usage_monthly;
INSERT INTO usage_monthly (tenant_id, period, project_id, workspace_id, user_id, model, requests, prompt_tokens, completion_tokens)
SELECT tenant_id, period, project_id, workspace_id, user_id, model, count(*), sum(prompt_tokens), sum(completion_tokens)
  FROM usage_events GROUP BY tenant_id, period, project_id, workspace_id, user_id, model;
ALTER TABLE usage_monthly ADD PRIMARY KEY (tenant_id, period, project_id, workspace_id, user_id, model);
-- Quota checks by user or workspace across projects.
CREATE INDEX usage_monthly_user ON usage_monthly (tenant_id, period, user_id);
CREATE INDEX usage_monthly_workspace ON usage_monthly (tenant_id, period, workspace_id);

CREATE TABLE usage_daily (
  tenant_id         text NOT NULL,
  day               text NOT NULL CHECK (day ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'),
  project_id        text NOT NULL,
  workspace_id      text NOT NULL,
  user_id           text NOT NULL,
  model             text NOT NULL,
  requests          bigint NOT NULL DEFAULT 0,
  prompt_tokens     bigint NOT NULL DEFAULT 0,
  completion_tokens bigint NOT NULL DEFAULT 0,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, day, project_id, workspace_id, user_id, model)
);
CREATE INDEX usage_daily_user ON usage_daily (tenant_id, day, user_id);
CREATE INDEX usage_daily_workspace ON usage_daily (tenant_id, day, workspace_id);
INSERT INTO usage_daily (tenant_id, day, project_id, workspace_id, user_id, model, requests, prompt_tokens, completion_tokens)
SELECT tenant_id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), project_id, workspace_id, user_id, model,
       count(*), sum(prompt_tokens), sum(completion_tokens)
  FROM usage_events GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TABLE usage_hourly (
  tenant_id  text NOT NULL,
  project_id text NOT NULL,
  hour       timestamptz NOT NULL,
  requests   bigint NOT NULL DEFAULT 0,
  tokens     bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, project_id, hour)
);
CREATE INDEX usage_hourly_hour ON usage_hourly (hour);
INSERT INTO usage_hourly (tenant_id, project_id, hour, requests, tokens)
SELECT tenant_id, project_id, date_trunc('hour', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', count(*),
       sum(prompt_tokens + completion_tokens)
  FROM usage_events GROUP BY 1, 2, 3;

-- One row per project and hour found anomalous: the key makes the signal fire once, whichever replica sees it.
CREATE TABLE usage_anomalies (
  tenant_id       text NOT NULL,
  project_id      text NOT NULL,
  hour            timestamptz NOT NULL,
  current_tokens  bigint NOT NULL,
  baseline_tokens double precision NOT NULL,
  ratio           double precision NOT NULL,
  detected_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, project_id, hour)
);
