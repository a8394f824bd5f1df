-- Audit events of bundle workflow steps, written in the transaction of the step they describe, so a committed
-- change (a proposal, an approval, an activation) never exists without its event. PolicyAudit relays them to
-- the audit topic (broker ack or local spool) and deletes them; replicas take disjoint rows (SKIP LOCKED).
CREATE TABLE policy_audit_outbox (
  id          bigserial PRIMARY KEY,
  -- Kafka message key (the correlation id, else the event id) and the encoded airlock.events.v1.AuditEvent.
  key         text NOT NULL,
  event       bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
