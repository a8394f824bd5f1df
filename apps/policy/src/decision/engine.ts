import { airlock } from '@airlock/contracts';
import type { PolicyBundle, PolicyRule, PrincipalKindName } from '../bundle/bundle';

const { PrincipalKind } = airlock.identity.v1;
type Principal = airlock.identity.v1.Principal;
type Decision = airlock.policy.v1.Decision;

export interface PolicyInput {
  principal: Principal | undefined;
  /** Request path as received; a query string or fragment is ignored. */
  endpoint: string;
  method: string;
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

export function kindName(kind: number): PrincipalKindName | 'unspecified' {
  if (kind === PrincipalKind.PRINCIPAL_KIND_USER) return 'user';
  if (kind === PrincipalKind.PRINCIPAL_KIND_SERVICE_ACCOUNT) return 'service_account';
  return 'unspecified';
}

/**
 * Decides from a bundle: the most specific rules (longest path prefix) whose path and method match govern;
 * the request is allowed if any of them admits the principal's kind and one of its roles. No matching rule:
 * the bundle's default rule denies. Pure and synchronous — ext_authz calls it on every request.
 */
export class PolicyEngine {
  private readonly rules: PolicyRule[];

  constructor(readonly bundle: PolicyBundle) {
    // Longest prefix first; a stable sort keeps the bundle's order among equals.
    this.rules = [...bundle.rules].sort((a, b) => b.match.pathPrefix.length - a.match.pathPrefix.length);
  }

  get version(): string {
    return this.bundle.version;
  }

  /** Metric label for a path: the most specific matching rule prefix, whatever the method and principal. */
  endpointLabel(endpoint: string): string {
    const path = endpointPath(endpoint);
    if (path === undefined) return UNMATCHED;
    return this.rules.find((r) => prefixMatches(r.match.pathPrefix, path))?.match.pathPrefix ?? UNMATCHED;
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

    const onPath = this.rules.filter((r) => prefixMatches(r.match.pathPrefix, path));
    const label = onPath[0]?.match.pathPrefix ?? UNMATCHED;
    const candidates = onPath.filter((r) => !r.match.methods || (r.match.methods as string[]).includes(method));
    if (candidates.length === 0) {
      if (onPath.length === 0) {
        note(`no rule matches path ${path}`);
        return this.defaultDeny(this.bundle.defaultRule.reasonCode, label, notes, note);
      }
      note(`rules ${onPath.map((r) => r.id).join(', ')} match path ${path} but not method ${method || '(none)'}`);
      return this.defaultDeny(REASONS.methodNotAllowed, label, notes, note);
    }

    const governing = candidates.filter((r) => r.match.pathPrefix.length === candidates[0].match.pathPrefix.length);
    const ruleIds = governing.map((r) => r.id);
    note(`path ${path} (${method || 'any method'}) is governed by ${ruleIds.join(', ')} (prefix ${governing[0].match.pathPrefix})`);

    const principal = input.principal;
    if (!principal || (!principal.subject && !principal.userId)) {
      note('no principal: nothing can be allowed');
      return { decision: this.deny(REASONS.principalMissing, ruleIds), endpoint: label, explanations: notes };
    }

    const kind = kindName(principal.kind);
    let reason: string = REASONS.kindNotAllowed;
    for (const r of governing) {
      if (!(r.allow.kinds as string[]).includes(kind)) {
        note(`${r.id}: principal kind ${kind} is not one of ${r.allow.kinds.join(', ')}`);
        continue;
      }
      const role = principal.roles.find((held) => r.allow.roles.includes(held));
      if (role === undefined) {
        note(`${r.id}: none of the roles [${principal.roles.join(', ')}] is one of ${r.allow.roles.join(', ')}`);
        reason = REASONS.roleNotAllowed;
        continue;
      }
      note(`${r.id}: kind ${kind} and role ${role} are allowed${r.route ? `; routed to ${r.route.backend}/${r.route.model}` : ''}`);
      return {
        decision: {
          allow: true,
          reasonCode: REASONS.allowed,
          policyVersion: this.version,
          ruleIds: [r.id],
          route: r.route ? { backend: r.route.backend, model: r.route.model } : undefined,
        },
        endpoint: label,
        explanations: notes,
      };
    }
    return { decision: this.deny(reason, ruleIds), endpoint: label, explanations: notes };
  }

  private deny(reasonCode: string, ruleIds: string[]): Decision {
    return { allow: false, reasonCode, policyVersion: this.version, ruleIds, route: undefined };
  }

  private defaultDeny(reasonCode: string, endpoint: string, notes: string[], note: (text: string) => void): Evaluation {
    note(`default rule ${this.bundle.defaultRule.id} denies`);
    return { decision: this.deny(reasonCode, [this.bundle.defaultRule.id]), endpoint, explanations: notes };
  }
}
