import type { airlock } from '@airlock/contracts';
import { z } from '@airlock/config';
import { mcpGrant, type McpGrant } from '@airlock/identity-assertion';

const scopeId = z.string().regex(/^[A-Za-z0-9._:@-]{1,128}$/, 'letters, digits, ".", "_", ":", "@" or "-"');

/**
 * One internal MCP server the gateway proxies at `/mcp/<name>`: the grant the gateway enforces per tool
 * (`@airlock/identity-assertion` mcp-grant.ts) plus who may reach it at all. A caller reaches it when it holds
 * one of `access.roles` and, where listed, its tenant and project are among `access.tenants` / `access.projects`.
 */
const mcpServer = mcpGrant.extend({
  description: z.string().optional(),
  access: z.strictObject({
    roles: z.array(z.string().min(1)).min(1),
    tenants: z.array(scopeId).min(1).optional(),
    projects: z.array(scopeId).min(1).optional(),
  }),
});
export type McpServerDeclaration = z.infer<typeof mcpServer>;

export const mcpServersSection = z.array(mcpServer).superRefine((servers, ctx) => {
  const names = new Set<string>();
  servers.forEach((s, i) => {
    if (names.has(s.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate MCP server "${s.name}"` });
    names.add(s.name);
    s.deny.forEach((tool, j) => {
      if (s.allow.includes(tool)) ctx.addIssue({ code: 'custom', path: [i, 'deny', j], message: `tool "${tool}" is both allowed and denied` });
    });
  });
});

/** `/mcp/<name>` (a query string aside): the server named, or undefined for any other path. */
export function mcpServerName(path: string): string | undefined {
  return /^\/mcp\/([^/?#]+)\/?(?:[?#].*)?$/.exec(path)?.[1];
}

export type McpAccess = { grant: McpGrant } | { refused: string };

/** Whether the principal may reach the named server, and if so the grant the gateway enforces. */
export function mcpAccess(servers: readonly McpServerDeclaration[], name: string, principal: airlock.identity.v1.Principal): McpAccess {
  const server = servers.find((s) => s.name === name);
  if (!server) return { refused: `MCP server "${name}" is not declared` };
  const { access } = server;
  if (!principal.roles.some((r) => access.roles.includes(r))) return { refused: `none of the caller's roles may use MCP server "${name}"` };
  if (access.tenants && !access.tenants.includes(principal.tenantId)) return { refused: `tenant "${principal.tenantId}" may not use MCP server "${name}"` };
  if (access.projects && !access.projects.includes(principal.projectId)) {
    return { refused: `project "${principal.projectId || '(none)'}" may not use MCP server "${name}"` };
  }
  const { upstream, allow, deny, writeTools, readOnly, writesHighRisk } = server;
  return { grant: { name, upstream, allow, deny, writeTools, readOnly, writesHighRisk } };
}
