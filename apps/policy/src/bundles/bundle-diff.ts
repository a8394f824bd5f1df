/** One difference between two bundles; `path` names list entries by their id, e.g. `rules[ep.chat.allow].allow.roles`. */
export interface BundleChange {
  op: 'added' | 'removed' | 'changed';
  path: string;
  before?: unknown;
  after?: unknown;
}

// Lists whose entries have an identity: a reordered or edited entry is reported by id, not by index.
const KEYED: Record<string, string> = {
  rules: 'id',
  modelAliases: 'alias',
  'dlp.customRules': 'id',
  'dlp.overrides': 'ruleId',
  'limits.rateLimits': 'id',
  'limits.tokenBudgets': 'id',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** JSON with every object's keys sorted: PostgreSQL's jsonb does not keep the order a bundle was written in. */
const canonical = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(',')}]`
    : isObject(v)
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
          .join(',')}}`
      : JSON.stringify(v);
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/**
 * The changes from `before` to `after`, in a stable order, ignoring `version` (assigned at publication).
 * Rule order matters to decisions, so a reordering of `rules` is reported as a change of `rules.order`.
 */
export function diffBundles(before: unknown, after: unknown): BundleChange[] {
  const changes: BundleChange[] = [];
  walk(withoutVersion(before), withoutVersion(after), '', '', changes);
  return changes;
}

function withoutVersion(bundle: unknown): unknown {
  if (!isObject(bundle)) return bundle;
  const rest = { ...bundle };
  delete rest.version;
  return rest;
}

function walk(a: unknown, b: unknown, path: string, schemaPath: string, out: BundleChange[]): void {
  if (same(a, b)) return;
  const key = KEYED[schemaPath];
  if (key && Array.isArray(a) && Array.isArray(b)) return walkKeyed(a, b, key, path, schemaPath, out);
  if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const sub = path ? `${path}.${k}` : k;
      const subSchema = schemaPath ? `${schemaPath}.${k}` : k;
      if (!(k in a)) out.push({ op: 'added', path: sub, after: b[k] });
      else if (!(k in b)) out.push({ op: 'removed', path: sub, before: a[k] });
      else walk(a[k], b[k], sub, subSchema, out);
    }
    return;
  }
  out.push({ op: 'changed', path, before: a, after: b });
}

function walkKeyed(a: unknown[], b: unknown[], key: string, path: string, schemaPath: string, out: BundleChange[]): void {
  const id = (entry: unknown) => (isObject(entry) ? String(entry[key]) : JSON.stringify(entry));
  const before = new Map(a.map((e) => [id(e), e]));
  const after = new Map(b.map((e) => [id(e), e]));
  for (const [k, entry] of before) if (!after.has(k)) out.push({ op: 'removed', path: `${path}[${k}]`, before: entry });
  for (const [k, entry] of after) {
    if (!before.has(k)) out.push({ op: 'added', path: `${path}[${k}]`, after: entry });
    else walk(before.get(k), entry, `${path}[${k}]`, `${schemaPath}[]`, out);
  }
  const common = (ids: string[], other: Map<string, unknown>) => ids.filter((k) => other.has(k));
  const orderBefore = common(a.map(id), after);
  const orderAfter = common(b.map(id), before);
  if (!same(orderBefore, orderAfter)) out.push({ op: 'changed', path: `${path}.order`, before: orderBefore, after: orderAfter });
}
