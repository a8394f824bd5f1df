import { z } from '@airlock/config';

/**
 * `x-airlock-mcp-server`: what policy's ext_authz tells the gateway about the MCP server a `/mcp/<server>`
 * request may reach — the bundle's declaration of that server (apps/policy `mcpServers`), already matched against
 * the caller's tenant, project and roles. Edge-owned like the route headers: Envoy strips a client's copy and
 * ext_authz sets it only for an allowed server. Base64url of JSON, so a tool name can never break the header.
 */
export const MCP_SERVER_HEADER = 'x-airlock-mcp-server';

const toolName = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'letters, digits, "_", "." or "-" (at most 128)');

export const mcpGrant = z.strictObject({
  /** The server's name: the `<server>` of `/mcp/<server>`. */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'lower-case letters, digits or "-", starting with a letter'),
  /** Where its Streamable HTTP endpoint is (http or https, no credentials in it). */
  upstream: z.url({ protocol: /^https?$/ }).refine((u) => !new URL(u).username && !new URL(u).password, 'must not carry credentials'),
  /** Tools the caller may see and call; `"*"` is every tool the server offers. */
  allow: z.array(z.union([z.literal('*'), toolName])).min(1),
  /** Tools never offered nor callable, whatever `allow` says. */
  deny: z.array(toolName).default([]),
  /** Tools that change something (write a file, open a ticket): refused when `readOnly`, else high-risk when `writesHighRisk`. */
  writeTools: z.array(toolName).default([]),
  readOnly: z.boolean().default(false),
  /** A call of a write tool is forwarded only once its audit event is durable (the `/v1/agent` fail-closed path). */
  writesHighRisk: z.boolean().default(true),
});
export type McpGrant = z.infer<typeof mcpGrant>;

export function encodeMcpGrant(grant: McpGrant): string {
  return Buffer.from(JSON.stringify(grant)).toString('base64url');
}

/** The grant in the header value; undefined when absent or malformed (then nothing may be reached). */
export function decodeMcpGrant(value: string | undefined): McpGrant | undefined {
  if (!value) return undefined;
  try {
    const parsed = mcpGrant.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export type McpToolVerdict = 'allowed' | 'denied' | 'read_only';

/** Whether the grant lets a caller call (and see) `tool`: deny wins over allow; a write tool of a read-only server is refused. */
export function mcpToolVerdict(grant: McpGrant, tool: string): McpToolVerdict {
  if (grant.deny.includes(tool)) return 'denied';
  if (!grant.allow.includes('*') && !grant.allow.includes(tool)) return 'denied';
  if (grant.readOnly && grant.writeTools.includes(tool)) return 'read_only';
  return 'allowed';
}
