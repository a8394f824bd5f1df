-- The queryable audit index: every record the SIEM sinks acknowledged, one row per event id and day.
-- Partitioned by day on the event time so that a search touches only the days it asks for and retention is a
-- DROP of whole partitions (no purge scan). The service creates the daily partitions itself (audit-index-store.ts).
CREATE TABLE audit_events (
  occurred_at    timestamptz NOT NULL,
  event_id       text NOT NULL,
  tenant_id      text NOT NULL,
  user_id        text NOT NULL,
  project_id     text NOT NULL,
  workspace_id   text NOT NULL,
  endpoint       text NOT NULL,
  event_type     text NOT NULL,
  outcome        text NOT NULL,
  dlp_action     text NOT NULL,
  policy_version text NOT NULL,
  correlation_id text NOT NULL,
  -- The record exactly as the sinks got it, chain link included.
  record         jsonb NOT NULL,
  indexed_at     timestamptz NOT NULL DEFAULT now(),
  -- A unique key on a partitioned table must hold the partition key: a redelivery carries the same event time,
  -- so (occurred_at, event_id) is what makes a second insert of an event a no-op.
  PRIMARY KEY (event_id, occurred_at)
) PARTITION BY RANGE (occurred_at);

-- Searches are tenant-scoped, time-ranged and paged on (occurred_at, event_id); the common narrowings get
-- their own index, the others are filtered within the tenant's time range.
CREATE INDEX audit_events_tenant_time ON audit_events (tenant_id, occurred_at, event_id);
CREATE INDEX audit_events_tenant_user_time ON audit_events (tenant_id, user_id, occurred_at, event_id);
CREATE INDEX audit_events_tenant_correlation ON audit_events (tenant_id, correlation_id);
