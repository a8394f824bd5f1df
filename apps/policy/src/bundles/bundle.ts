import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from '@airlock/config';
import { dlpSection } from '../dlp-rules/dlp-section';
import { limitsSection } from '../limits/limits-schema';
import { mcpServersSection } from '../mcp/mcp-servers';
import { sessionsSection } from '../sessions/sessions-schema';
import { terminalsSection } from '../terminals/terminals-schema';

/** The bundle shipped with the service, used when POLICY_BUNDLE_FILE is not set. */
export const DEFAULT_BUNDLE_FILE = path.join(__dirname, 'default.json');

export const principalKind = z.enum(['user', 'service_account']);
export type PrincipalKindName = z.infer<typeof principalKind>;

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const ruleId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, ".", "_" or "-"');
// Versions, backends and models travel as HTTP headers: keep them to token characters.
const headerToken = z.string().regex(/^[A-Za-z0-9._:/-]{1,64}$/, 'letters, digits, ".", "_", ":", "/" or "-" (at most 64)');
const pathPrefix = z
  .string()
  .regex(/^\/[A-Za-z0-9._~/-]*$/, 'must start with "/" and contain only unreserved path characters')
  .refine((p) => !p.split('/').some((s) => s === '.' || s === '..') && !p.includes('//'), 'must be a canonical path');

const backendId = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'lower-case letters, digits or "-", starting with a letter');
// Aliases travel in x-airlock-model-aliases as `alias=backend/model,...`: no "=", "," or spaces.
const aliasName = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'letters, digits, ".", "_", ":" or "-" (at most 64)');
const scopeId = z.string().regex(/^[A-Za-z0-9._:@-]{1,128}$/, 'letters, digits, ".", "_", ":", "@" or "-"');
// Branch globs: "*" is one path segment, "**" any number; e.g. "main", "release/*", "feature/**".
const branchGlob = z.string().regex(/^[A-Za-z0-9._/*+-]{1,200}$/, 'branch name or glob ("*" one segment, "**" any)');
const cidr = z.string().refine((v) => parseCidr(v) !== undefined, 'an IPv4/IPv6 address or CIDR block, e.g. "10.0.0.0/8"');
const presence = z.enum(['required', 'forbidden']);

/**
 * Conditions on the request's scope and origin, all of which must hold. Each is data, so
 * "autocomplete per workspace", "agent only in these projects/branches", "rag/index only for the indexer"
 * and IP allowlists are bundle edits, not code.
 */
const when = z.strictObject({
  /** Whether the principal must (or must not) be scoped to a project — e.g. chat with or without project context. */
  project: presence.optional(),
  /** The principal's project must be one of these (implies `project: required`). */
  projects: z.array(scopeId).min(1).optional(),
  workspace: presence.optional(),
  /** The principal's workspace must be one of these (implies `workspace: required`). */
  workspaces: z.array(scopeId).min(1).optional(),
  /** The request's branch (edge: the `x-airlock-branch` header) must match one; no branch never matches. */
  branches: z.array(branchGlob).min(1).optional(),
  /** The principal's user id (a service account's id, e.g. `svc-rag-indexer`) must be one of these. */
  subjects: z.array(scopeId).min(1).optional(),
  /** The client address (edge: the connection's source address) must be in one of these blocks. */
  clientIps: z.array(cidr).min(1).optional(),
});

const rule = z.strictObject({
  id: ruleId,
  description: z.string().optional(),
  match: z.strictObject({
    /** Segment-aware: "/v1/chat" matches "/v1/chat" and "/v1/chat/completions", not "/v1/chatty". */
    pathPrefix,
    /** The path must be `pathPrefix` itself, nothing under it: `/` is the portal's start page, not every path. */
    exact: z.boolean().optional(),
    /** Omitted: any method. */
    methods: z.array(z.enum(HTTP_METHODS)).min(1).optional(),
  }),
  /** Allowed when the principal's kind is listed, it holds at least one of the roles, and every condition holds. */
  allow: z.strictObject({
    kinds: z.array(principalKind).min(1),
    roles: z.array(z.string().min(1)).min(1),
  }),
  when: when.optional(),
  /** Where an allowed request goes; chosen here, never by the client. Its backend must be one of `backends`. */
  route: z.strictObject({ backend: backendId, model: headerToken }).optional(),
  /** Model aliases (`modelAliases[].alias`) the client may name on this endpoint instead of the route's model. */
  models: z.array(aliasName).min(1).optional(),
  /** High-risk endpoint: the gateway must make its audit event durable before answering (fail closed). */
  highRisk: z.boolean().optional(),
  /** The model list endpoint: an allowed caller gets every alias it may name on any endpoint (ListModels). */
  listModels: z.boolean().optional(),
});
export type PolicyRule = z.infer<typeof rule>;

const modelAlias = z.strictObject({
  alias: aliasName,
  backend: backendId,
  model: headerToken,
  description: z.string().optional(),
});
export type ModelAliasDefinition = z.infer<typeof modelAlias>;

/** Problems no field-level schema can see: references between sections and uniqueness. */
function referentialProblems(bundle: { defaultRule: { id: string }; rules: PolicyRule[]; backends: string[]; modelAliases: ModelAliasDefinition[] }) {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const backends = new Set<string>();
  bundle.backends.forEach((b, i) => {
    if (backends.has(b)) problems.push({ path: ['backends', i], message: `duplicate backend "${b}"` });
    backends.add(b);
  });
  const aliases = new Set<string>();
  bundle.modelAliases.forEach((a, i) => {
    if (aliases.has(a.alias)) problems.push({ path: ['modelAliases', i, 'alias'], message: `duplicate model alias "${a.alias}"` });
    aliases.add(a.alias);
    if (!backends.has(a.backend)) problems.push({ path: ['modelAliases', i, 'backend'], message: `unknown backend "${a.backend}" (not in backends)` });
  });
  const ids = new Set([bundle.defaultRule.id]);
  bundle.rules.forEach((r, i) => {
    if (ids.has(r.id)) problems.push({ path: ['rules', i, 'id'], message: `duplicate rule id "${r.id}"` });
    ids.add(r.id);
    if (r.route && !backends.has(r.route.backend)) {
      problems.push({ path: ['rules', i, 'route', 'backend'], message: `unknown backend "${r.route.backend}" (not in backends)` });
    }
    (r.models ?? []).forEach((m, j) => {
      if (!aliases.has(m)) problems.push({ path: ['rules', i, 'models', j], message: `unknown model alias "${m}" (not in modelAliases)` });
    });
    if (r.models && !r.route) problems.push({ path: ['rules', i, 'models'], message: 'a rule with models needs a route (the default when the client names none)' });
    const w = r.when;
    if (w?.projects && w.project === 'forbidden') problems.push({ path: ['rules', i, 'when'], message: 'projects listed but project is forbidden' });
    if (w?.workspaces && w.workspace === 'forbidden') problems.push({ path: ['rules', i, 'when'], message: 'workspaces listed but workspace is forbidden' });
  });
  return problems;
}

export const policyBundle = z
  .strictObject({
    /** Assigned by the bundle store when a version is published; a draft's value is replaced. */
    version: headerToken,
    description: z.string().optional(),
    /** Backend ids the gateway knows (its backend table); every route and alias must name one. */
    backends: z.array(backendId).min(1),
    /** Client-visible model names and where they go; rules list which ones a caller may name. */
    modelAliases: z.array(modelAlias).default([]),
    /** Applies when no rule matches the endpoint and method: always a deny. */
    defaultRule: z.strictObject({ id: ruleId, reasonCode: z.string().regex(/^[a-z][a-z0-9_]*$/) }),
    rules: z.array(rule).min(1),
    /** DLP rules of this version (apps/policy/src/dlp-rules); absent: the built-in pack as it is. */
    dlp: dlpSection.optional(),
    /** Rate limits and token budgets (apps/policy/src/limits); absent: none. */
    limits: limitsSection.optional(),
    /** Concurrent browser-session limits per user and tenant (apps/policy/src/sessions), enforced by identity; absent: none. */
    sessions: sessionsSection.optional(),
    /** Terminal recording, its retention and sessions per user (apps/policy/src/terminals), applied by terminal; absent: no recording. */
    terminals: terminalsSection.optional(),
    /** Internal MCP servers the gateway proxies at `/mcp/<name>` (apps/policy/src/mcp); absent: none. */
    mcpServers: mcpServersSection.optional(),
  })
  .superRefine((bundle, ctx) => {
    for (const problem of referentialProblems(bundle)) ctx.addIssue({ code: 'custom', ...problem });
  });
export type PolicyBundle = z.infer<typeof policyBundle>;

/** Every problem of a candidate bundle, each as "<json path>: <message>"; empty when it is valid. */
export function bundleProblems(candidate: unknown): { bundle?: PolicyBundle; problems: string[] } {
  const parsed = policyBundle.safeParse(candidate);
  if (parsed.success) return { bundle: parsed.data, problems: [] };
  return { problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
}

/** An address or CIDR block as [family, address, prefix length]; undefined when malformed. */
export function parseCidr(value: string): { type: 'ipv4' | 'ipv6'; address: string; prefix: number } | undefined {
  const [address, bits, ...rest] = value.split('/');
  if (rest.length > 0) return undefined;
  const family = isIP(address);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { type: family === 4 ? 'ipv4' : 'ipv6', address, prefix };
}

export class InvalidBundleError extends Error {}

/** Reads and validates a bundle file; the error names the file and every problem with its JSON path. */
export function loadBundleFile(file: string): PolicyBundle {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidBundleError(`${file}: ${(error as Error).message}`);
  }
  const { bundle, problems } = bundleProblems(json);
  if (!bundle) throw new InvalidBundleError(`${file}: invalid policy bundle: ${problems.join('; ')}`);
  return bundle;
}

/**
 * The POLICY_BUNDLE_FILE variable, loaded and validated with the rest of the configuration, so an invalid
 * bundle stops the boot (exit 78) naming the variable and the problem before any server starts.
 */
export const bundleFileVariable = () =>
  z
    .string()
    .min(1)
    .optional()
    .transform((file, ctx) => {
      try {
        const path = file ?? DEFAULT_BUNDLE_FILE;
        return { path, bundle: loadBundleFile(path) };
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });
