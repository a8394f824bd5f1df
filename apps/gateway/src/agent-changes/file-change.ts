import { posix } from 'node:path';

/** One search-and-replace an agent asked for: `old` is the text it expects in the file, `new` what replaces it. */
export interface TextEdit {
  old: string;
  new: string;
}

/**
 * What one file-writing tool call does to one file, in the terms the audit's diff hash is taken over
 * (see change-hash.ts): the whole new content, edits by text, or removal.
 */
export type FileChange = { path: string; op: 'write'; content: string } | { path: string; op: 'edit'; edits: TextEdit[] } | { path: string; op: 'delete' };

/**
 * A path as agents write it, in one spelling: forward slashes, no `./` or `a/../` segments, no trailing slash.
 * Relative paths are relative to the agent's working directory (the repository root for the agents covered);
 * absolute paths stay absolute, since the gateway does not know where the client's checkout lives.
 * Undefined for a path that names nothing.
 */
export function normalisePath(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const slashed = raw.trim().replaceAll('\\', '/');
  if (!slashed) return undefined;
  const path = posix.normalize(slashed).replace(/\/+$/, '');
  return path && path !== '.' ? path : undefined;
}

export function writeOf(path: unknown, content: unknown): FileChange[] {
  const p = normalisePath(path);
  return p && typeof content === 'string' ? [{ path: p, op: 'write', content }] : [];
}

/** An edit change from [old, new] pairs; pairs that are not both text are left out, as is a change without any. */
export function editOf(path: unknown, pairs: [unknown, unknown][]): FileChange[] {
  const p = normalisePath(path);
  const edits = pairs.filter((e): e is [string, string] => typeof e[0] === 'string' && typeof e[1] === 'string').map(([o, n]) => ({ old: o, new: n }));
  return p && edits.length > 0 ? [{ path: p, op: 'edit', edits }] : [];
}
