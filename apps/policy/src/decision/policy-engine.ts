import { BlockList } from 'node:net';
import { airlock } from '@airlock/contracts';
import { parseCidr, type PolicyBundle, type PolicyRule, type PrincipalKindName } from '../bundles/bundle';

const { PrincipalKind } = airlock.identity.v1;
type Principal = airlock.identity.v1.Principal;
type Decision = airlock.policy.v1.Decision;
type ModelAlias = airlock.policy.v1.ModelAlias;

export interface PolicyInput {
  principal: Principal | undefined;
  /** Request path as received; a query string or fragment is ignored. */
  endpoint: string;
  method: string;
  /** The client's address (ext_authz: the connection's source address); rules with clientIps need it. */
  clientIp?: string;
  /** The branch the request acts on (ext_authz: x-airlock-branch); rules with branches need it. */
  branch?: string;
  /** The model the client named, if known: it must be one of the deciding rule's aliases. */
  requestedModel?: string;
}

export interface Evaluation {
  decision: Decision;
  /** Bounded metric label: the prefix of the most specific rule matching the path, or "unmatched". */
  endpoint: string;
  /** Filled only when asked for (Simulate); the hot path skips building them. */
  explanations: string[];
}

/** Reason codes a decision carries. */
export const REASONS = {
  allowed: 'allowed',
  kindNotAllowed: 'kind_not_allowed',
  roleNotAllowed: 'role_not_allowed',
  methodNotAllowed: 'method_not_allowed',
  principalMissing: 'principal_missing',
  pathNotCanonical: 'path_not_canonical',
  projectNotAllowed: 'project_not_allowed',
  workspaceNotAllowed: 'workspace_not_allowed',
  branchNotAllowed: 'branch_not_allowed',
  subjectNotAllowed: 'subject_not_allowed',
  clientIpNotAllowed: 'client_ip_not_allowed',
  modelNotAllowed: 'model_not_allowed',
} as const;

const UNMATCHED = 'unmatched';

/** The path without query string or fragment, or undefined when it is not a canonical absolute path. */
export function endpointPath(raw: string): string | undefined {
  const cut = raw.search(/[?#]/);
  const path = cut === -1 ? raw : raw.slice(0, cut);
  if (!path.startsWith('/') || path.includes('//') || path.includes('\\')) return undefined;
  // Envoy normalizes paths before ext_authz; this guards other callers (Decide) and any config drift.
  if (/%(2e|2f|5c)/i.test(path)) return undefined;
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) return undefined;
  return path;
}

export function prefixMatches(prefix: string, path: string): boolean {
  if (prefix.endsWith('/')) return path.startsWith(prefix);
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** A rule's path condition: its prefix, or with `exact` that very path. */
function ruleMatches(match: PolicyRule['match'], path: string): boolean {
  return match.exact ? path === match.pathPrefix : prefixMatches(match.pathPrefix, path);
}

export function kindName(kind: number): PrincipalKindName | 'unspecified' {
  if (kind === PrincipalKind.PRINCIPAL_KIND_USER) return 'user';
  if (kind === PrincipalKind.PRINCIPAL_KIND_SERVICE_ACCOUNT) return 'service_account';
  return 'unspecified';
}

/** "release/*" → one segment, "**" → any number of segments; everything else literal. */
export function branchPattern(glob: string): RegExp {
  const source = glob
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is its IPv4 address. */
function clientAddress(ip: string): { address: string; type: 'ipv4' | 'ipv6' } | undefined {
  const plain = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  const parsed = parseCidr(plain);
  return parsed && parsed.prefix === (parsed.type === 'ipv4' ? 32 : 128) ? { address: parsed.address, type: parsed.type } : undefined;
}

type Check = (principal: Principal, input: PolicyInput) => string | undefined;

interface CompiledRule {
  rule: PolicyRule;
  methods?: ReadonlySet<string>;
  kinds: ReadonlySet<string>;
  roles: ReadonlySet<string>;
  /** Each returns a failure explanation (its reason code first, then ": ", then why) or undefined when it holds. */
  checks: Check[];
  aliases: ModelAlias[];
}

function compileChecks(rule: PolicyRule): Check[] {
  const w = rule.when;
  if (!w) return [];
  const checks: Check[] = [];
  const scoped = (label: 'project' | 'workspace', reason: string, presence: 'required' | 'forbidden' | undefined, ids: string[] | undefined) => {
    const allowed = ids ? new Set(ids) : undefined;
    const pick = label === 'project' ? (p: Principal) => p.projectId : (p: Principal) => p.workspaceId;
    if (presence === 'forbidden') checks.push((p) => (pick(p) ? `${reason}: the caller is scoped to ${label} ${pick(p)}; this rule is for unscoped callers` : undefined));
    else if (presence === 'required' || allowed)
      checks.push((p) => {
        const id = pick(p);
        if (!id) return `${reason}: the caller is not scoped to a ${label}`;
        return allowed && !allowed.has(id) ? `${reason}: ${label} ${id} is not one of ${[...allowed].join(', ')}` : undefined;
      });
  };
  scoped('project', REASONS.projectNotAllowed, w.project, w.projects);
  scoped('workspace', REASONS.workspaceNotAllowed, w.workspace, w.workspaces);
  if (w.subjects) {
    const subjects = new Set(w.subjects);
    checks.push((p) => (subjects.has(p.userId) || subjects.has(p.subject) ? undefined : `${REASONS.subjectNotAllowed}: ${p.userId || p.subject} is not one of ${w.subjects!.join(', ')}`));
  }
  if (w.branches) {
    const patterns = w.branches.map(branchPattern);
    checks.push((_, input) => {
      const branch = input.branch ?? '';
      if (!branch) return `${REASONS.branchNotAllowed}: no branch given (x-airlock-branch); allowed: ${w.branches!.join(', ')}`;
      return patterns.some((re) => re.test(branch)) ? undefined : `${REASONS.branchNotAllowed}: branch ${branch} matches none of ${w.branches!.join(', ')}`;
    });
  }
  if (w.clientIps) {
    const blocks = new BlockList();
    for (const entry of w.clientIps) {
      const c = parseCidr(entry)!;
      blocks.addSubnet(c.address, c.prefix, c.type);
    }
    checks.push((_, input) => {
      const ip = clientAddress(input.clientIp ?? '');
      return ip && blocks.check(ip.address, ip.type) ? undefined : `${REASONS.clientIpNotAllowed}: client address ${input.clientIp || '(none)'} is not in ${w.clientIps!.join(', ')}`;
    });
  }
  return checks;
}

const reasonOf = (failure: string) => failure.slice(0, failure.indexOf(':'));

/**
 * Decides from a bundle: the most specific rules (longest path prefix) whose path and method match govern;
 * the request is allowed if one of them admits the principal's kind, one of its roles, and every condition of
 * its `when` (scope, branch, subject, client address) — and the model the client named, if any, is one of its
 * aliases. No matching rule: the bundle's default rule denies. Pure and synchronous — ext_authz calls it on
 * every request; the rules are compiled once per bundle.
 */
export class PolicyEngine {
  private readonly rules: CompiledRule[];
  private readonly aliases: Map<string, ModelAlias>;

  constructor(readonly bundle: PolicyBundle) {
    this.aliases = new Map((bundle.modelAliases ?? []).map((a) => [a.alias, { alias: a.alias, backend: a.backend, model: a.model }]));
    // Longest prefix first; a stable sort keeps the bundle's order among equals.
    this.rules = [...bundle.rules]
      .sort((a, b) => b.match.pathPrefix.length - a.match.pathPrefix.length)
      .map((rule) => ({
        rule,
        methods: rule.match.methods ? new Set(rule.match.methods) : undefined,
        kinds: new Set(rule.allow.kinds),
        roles: new Set(rule.allow.roles),
        checks: compileChecks(rule),
        aliases: (rule.models ?? []).map((m) => this.aliases.get(m)!).filter(Boolean),
      }));
  }

  get version(): string {
    return this.bundle.version;
  }

  /** Metric label for a path: the most specific matching rule prefix, whatever the method and principal. */
  endpointLabel(endpoint: string): string {
    const path = endpointPath(endpoint);
    if (path === undefined) return UNMATCHED;
    return this.rules.find((r) => ruleMatches(r.rule.match, path))?.rule.match.pathPrefix ?? UNMATCHED;
  }

  evaluate(input: PolicyInput, explain = false): Evaluation {
    const notes: string[] = [];
    const note = explain ? (text: string) => notes.push(text) : () => undefined;
    const method = input.method.toUpperCase();
    const path = endpointPath(input.endpoint);
    if (path === undefined) {
      note(`path ${JSON.stringify(input.endpoint)} is not canonical (dot segments, "//", backslash or encoded separators)`);
      return this.defaultDeny(REASONS.pathNotCanonical, UNMATCHED, notes, note);
    }

    let label: string | undefined;
    let governing: CompiledRule[] | undefined;
    const onPath: string[] = [];
    for (const r of this.rules) {
      const prefix = r.rule.match.pathPrefix;
      if (governing && prefix.length < governing[0].rule.match.pathPrefix.length) break;
      if (!ruleMatches(r.rule.match, path)) continue;
      label ??= prefix;
      if (r.methods && !r.methods.has(method)) {
        if (explain) onPath.push(r.rule.id);
        continue;
      }
      (governing ??= []).push(r);
    }
    if (!governing) {
      if (!label) {
        note(`no rule matches path ${path}`);
        return this.defaultDeny(this.bundle.defaultRule.reasonCode, UNMATCHED, notes, note);
      }
      note(`rules ${onPath.join(', ')} match path ${path} but not method ${method || '(none)'}`);
      return this.defaultDeny(REASONS.methodNotAllowed, label, notes, note);
    }
    const endpoint = label ?? UNMATCHED;
    const ruleIds = governing.map((r) => r.rule.id);
    note(`path ${path} (${method || 'any method'}) is governed by ${ruleIds.join(', ')} (prefix ${governing[0].rule.match.pathPrefix})`);

    const principal = input.principal;
    if (!principal || (!principal.subject && !principal.userId)) {
      note('no principal: nothing can be allowed');
      return { decision: this.deny(REASONS.principalMissing, ruleIds), endpoint, explanations: notes };
    }

    const kind = kindName(principal.kind);
    // The reason of the rule that came closest: kind < role < conditions < model.
    let reason: string = REASONS.kindNotAllowed;
    let stage = 0;
    const fail = (at: number, why: string) => {
      if (at >= stage) [stage, reason] = [at, why];
    };
    for (const r of governing) {
      const id = r.rule.id;
      if (!r.kinds.has(kind)) {
        note(`${id}: principal kind ${kind} is not one of ${r.rule.allow.kinds.join(', ')}`);
        continue;
      }
      const role = principal.roles.find((held) => r.roles.has(held));
      if (role === undefined) {
        note(`${id}: none of the roles [${principal.roles.join(', ')}] is one of ${r.rule.allow.roles.join(', ')}`);
        fail(1, REASONS.roleNotAllowed);
        continue;
      }
      const failure = this.failedCheck(r, principal, input);
      if (failure) {
        note(`${id}: ${failure}`);
        fail(2, reasonOf(failure));
        continue;
      }
      const route = this.routeFor(r, input.requestedModel);
      if (route === undefined) {
        note(`${id}: model ${JSON.stringify(input.requestedModel)} is not one of its aliases (${r.aliases.map((a) => a.alias).join(', ') || 'none'})`);
        fail(3, REASONS.modelNotAllowed);
        continue;
      }
      note(`${id}: kind ${kind} and role ${role} are allowed${route ? `; routed to ${route.backend}/${route.model}` : ''}`);
      return {
        decision: {
          allow: true,
          reasonCode: REASONS.allowed,
          policyVersion: this.version,
          ruleIds: [id],
          route: route ?? undefined,
          highRisk: r.rule.highRisk ?? false,
          modelAliases: r.rule.listModels ? this.modelsFor(principal, input) : r.aliases,
        },
        endpoint,
        explanations: notes,
      };
    }
    return { decision: this.deny(reason, ruleIds), endpoint, explanations: notes };
  }

  /**
   * Every alias the principal may name on some endpoint: the aliases of each rule whose kind, roles and
   * conditions admit it, whatever the path (ListModels, and rules with `listModels`).
   */
  modelsFor(principal: Principal | undefined, input: Omit<PolicyInput, 'principal' | 'endpoint' | 'method'> = {}): ModelAlias[] {
    if (!principal) return [];
    const kind = kindName(principal.kind);
    const usable = new Set<string>();
    for (const r of this.rules) {
      if (r.aliases.length === 0 || !r.kinds.has(kind) || !principal.roles.some((role) => r.roles.has(role))) continue;
      if (this.failedCheck(r, principal, { endpoint: '', method: '', principal, ...input })) continue;
      for (const a of r.aliases) usable.add(a.alias);
    }
    // In the bundle's order of modelAliases: the model list reads as the bundle was written.
    return [...this.aliases.values()].filter((a) => usable.has(a.alias));
  }

  private failedCheck(r: CompiledRule, principal: Principal, input: PolicyInput): string | undefined {
    for (const check of r.checks) {
      const failure = check(principal, input);
      if (failure) return failure;
    }
    return undefined;
  }

  /** The rule's route, or the alias the client named; null: no route; undefined: the named model is refused. */
  private routeFor(r: CompiledRule, requested: string | undefined): airlock.policy.v1.Route | null | undefined {
    const route = r.rule.route;
    if (!requested || (route && requested === route.model)) return route ? { backend: route.backend, model: route.model } : null;
    const alias = r.aliases.find((a) => a.alias === requested);
    return alias ? { backend: alias.backend, model: alias.model } : undefined;
  }

  private deny(reasonCode: string, ruleIds: string[]): Decision {
    return { allow: false, reasonCode, policyVersion: this.version, ruleIds, route: undefined, highRisk: false, modelAliases: [] };
  }

  private defaultDeny(reasonCode: string, endpoint: string, notes: string[], note: (text: string) => void): Evaluation {
    note(`default rule ${this.bundle.defaultRule.id} denies`);
    return { decision: this.deny(reasonCode, [this.bundle.defaultRule.id]), endpoint, explanations: notes };
  }
}
