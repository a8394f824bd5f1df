import { createHash } from 'node:crypto';
import type { FileChange } from './file-change';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** UTF-8 byte order, so that an auditor's `LC_ALL=C sort` of the paths gives the same order. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * The canonical form of an answer's file changes (documented in the gateway README, "Agent change tracking"):
 * one line per change, files in UTF-8 byte order of their paths, a file's changes in the order the model made
 * them. A line is `path NUL op NUL digest LF`, where the digest is
 * - `write`:  SHA-256 (hex) of the new content — the file's blob in the commit, if nothing changed it after;
 * - `edit`:   SHA-256 (hex) of each edit's `old NUL new NUL`, concatenated in order;
 * - `delete`: empty.
 */
export function canonicalChanges(changes: FileChange[]): string {
  const ordered = changes.map((change, i) => ({ change, i })).sort((a, b) => byteOrder(a.change.path, b.change.path) || a.i - b.i);
  return ordered.map(({ change }) => `${change.path}\0${change.op}\0${digestOf(change)}\n`).join('');
}

function digestOf(change: FileChange): string {
  if (change.op === 'write') return sha256(change.content);
  if (change.op === 'edit') return sha256(change.edits.map((e) => `${e.old}\0${e.new}\0`).join(''));
  return '';
}

/** The audit event's `diff_hash`: SHA-256 (hex) of the canonical form. */
export function changesHash(changes: FileChange[]): string {
  return sha256(canonicalChanges(changes));
}

/** The audit event's `changed_files`: each path once, in the canonical form's order. */
export function changedPaths(changes: FileChange[]): string[] {
  return [...new Set(changes.map((c) => c.path))].sort(byteOrder);
}
