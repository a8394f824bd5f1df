import type { Chained } from '@airlock/audit-chain';
import type { airlock } from '@airlock/contracts';

type AuditEvent = airlock.events.v1.AuditEvent;

/**
 * ts-proto field → proto field name, in proto field-number order. Typed against the generated interface, so
 * a field added to the proto fails compilation here until it is mapped.
 */
export const AUDIT_FIELD_NAMES = {
  eventId: 'event_id',
  eventType: 'event_type',
  timestamp: 'timestamp',
  correlationId: 'correlation_id',
  tenantId: 'tenant_id',
  projectId: 'project_id',
  workspaceId: 'workspace_id',
  userId: 'user_id',
  clientIp: 'client_ip',
  endpoint: 'endpoint',
  statusCode: 'status_code',
  latencyMs: 'latency_ms',
  promptTokens: 'prompt_tokens',
  completionTokens: 'completion_tokens',
  routeTarget: 'route_target',
  policyVersion: 'policy_version',
  dlpAction: 'dlp_action',
  actor: 'actor',
  action: 'action',
  outcome: 'outcome',
  service: 'service',
  repoId: 'repo_id',
  branch: 'branch',
  changedFiles: 'changed_files',
  diffHash: 'diff_hash',
  mcpServer: 'mcp_server',
  mcpTool: 'mcp_tool',
  mcpArgumentsHash: 'mcp_arguments_hash',
} as const satisfies { [K in keyof AuditEvent]-?: string };

type FieldNames = typeof AUDIT_FIELD_NAMES;

/** An audit event as SIEM sinks receive it: the proto's own snake_case field names, every field present. */
export type AuditRecord = { [K in keyof FieldNames as FieldNames[K]]: AuditEvent[K] };

/** An audit record as a sink writes it, linked into its `topic/partition` chain. */
export type ChainedAuditRecord = Chained<AuditRecord>;

export function toAuditRecord(event: AuditEvent): AuditRecord {
  const record: Record<string, unknown> = {};
  for (const [camel, snake] of Object.entries(AUDIT_FIELD_NAMES)) {
    const value = event[camel as keyof AuditEvent];
    record[snake] = Array.isArray(value) ? [...value] : value;
  }
  return record as AuditRecord;
}
