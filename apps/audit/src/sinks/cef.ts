import net from 'node:net';
import type { AuditRecord } from '../events/audit-record';

/** CEF header constants: Device Vendor, Device Product, Device Version. */
export const CEF_VENDOR = 'Airlock';
export const CEF_PRODUCT = 'airlock';
export const CEF_VERSION = '0.1';

/**
 * Header fields (prefix): `\` and `|` are escaped. The spec allows no line breaks there at all, so they become
 * a space rather than an escape a receiver would not undo.
 */
export function escapeCefHeader(value: string): string {
  return value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/\r\n|[\r\n]/g, ' ');
}

/**
 * Extension values: `\`, `=` and line breaks are escaped (`\n`, `\r`; a CRLF pair becomes `\r\n`). Pipes are
 * legal in extensions and stay as they are.
 */
export function escapeCefValue(value: string): string {
  return value.replace(/[\\=\r\n]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\${c}`));
}

/** Severity 0–10 (CEF's scale) derived from what the event says about its own outcome. */
export function cefSeverity(record: AuditRecord): number {
  const dlp = record.dlp_action.toLowerCase();
  const outcome = record.outcome.toLowerCase();
  if (dlp === 'block' || dlp === 'deny') return 8;
  if (record.status_code >= 500) return 6;
  if (['failure', 'failed', 'denied', 'deny', 'error', 'blocked'].includes(outcome) || record.status_code >= 400) return 5;
  if (dlp === 'mask' || dlp === 'redact') return 4;
  return 3;
}

function epochMs(timestamp: string): number | undefined {
  if (!timestamp) return undefined;
  const ms = Date.parse(timestamp);
  return Number.isFinite(ms) ? ms : undefined;
}

type Ext = [key: string, value: string | number | undefined, label?: string];

/**
 * The extension fields, in a fixed order. Empty strings and zero numbers are left out: proto3 cannot tell them
 * from "not set". Custom-string/number slots carry their `…Label` so a receiver can name the column.
 */
function extensions(record: AuditRecord): Ext[] {
  const str = (v: string) => (v === '' ? undefined : v);
  const num = (v: number) => (v ? v : undefined);
  return [
    ['rt', epochMs(record.timestamp)],
    ['suser', str(record.user_id)],
    // CEF's src must be an IP address; anything else would make a strict parser drop the whole event.
    ['src', net.isIP(record.client_ip) ? record.client_ip : undefined],
    ['request', str(record.endpoint)],
    ['act', str(record.action)],
    ['outcome', str(record.outcome)],
    ['sourceServiceName', str(record.service)],
    ['destinationServiceName', str(record.route_target)],
    ['cs1', str(record.correlation_id), 'correlation_id'],
    ['cs2', str(record.tenant_id), 'tenant_id'],
    ['cs3', str(record.project_id), 'project_id'],
    ['cs4', str(record.dlp_action), 'dlp_action'],
    ['cs5', str(record.policy_version), 'policy_version'],
    ['cs6', str(record.event_id), 'event_id'],
    ['flexString1', str(record.workspace_id), 'workspace_id'],
    ['flexString2', str(record.actor), 'actor'],
    ['cn1', num(record.status_code), 'status_code'],
    ['cn2', num(record.latency_ms), 'latency_ms'],
    ['cn3', num(record.prompt_tokens), 'prompt_tokens'],
    ['cfp1', num(record.completion_tokens), 'completion_tokens'],
    ['fileHash', str(record.diff_hash)],
    // No dictionary key fits these; custom keys follow the spec's VendorProductName convention.
    ['AirlockAirlockRepoId', str(record.repo_id)],
    ['AirlockAirlockBranch', str(record.branch)],
    ['AirlockAirlockChangedFiles', record.changed_files.length ? record.changed_files.join(',') : undefined],
    ['AirlockAirlockClientIp', record.client_ip && !net.isIP(record.client_ip) ? record.client_ip : undefined],
    ['AirlockAirlockMcpServer', str(record.mcp_server)],
    ['AirlockAirlockMcpTool', str(record.mcp_tool)],
    ['AirlockAirlockMcpArgumentsHash', str(record.mcp_arguments_hash)],
  ];
}

/** One event as a CEF:0 line (no trailing newline): `CEF:0|Airlock|airlock|0.1|<event_type>|<action>|<sev>|<ext>`. */
export function toCef(record: AuditRecord): string {
  const signature = record.event_type || 'audit';
  const name = record.action || signature;
  const header = ['CEF:0', CEF_VENDOR, CEF_PRODUCT, CEF_VERSION, signature, name, String(cefSeverity(record))]
    .map((field, i) => (i === 0 ? field : escapeCefHeader(field)))
    .join('|');
  const parts: string[] = [];
  for (const [key, value, label] of extensions(record)) {
    if (value === undefined) continue;
    parts.push(`${key}=${escapeCefValue(String(value))}`);
    if (label) parts.push(`${key}Label=${escapeCefValue(label)}`);
  }
  return `${header}|${parts.join(' ')}`;
}
