import { type FileChange, type TextEdit, normalisePath } from './file-change';

// The text formats agents put their edits in: Codex's apply_patch envelope (also opencode's `patch`), the
// SEARCH/REPLACE blocks of cline's replace_in_file, and aider's SEARCH/REPLACE blocks in its answer text.

const PATCH_BEGIN = '*** Begin Patch';
const PATCH_END = '*** End Patch';
const FILE_HEADER = /^\*\*\* (Add|Update|Delete) File: (.+)$/;
const MOVE_TO = /^\*\*\* Move to: (.+)$/;

/** The `*** Begin Patch` … `*** End Patch` envelope inside a text (a heredoc of a shell command, say), if any. */
export function findPatch(text: string): string | undefined {
  const start = text.indexOf(PATCH_BEGIN);
  if (start < 0) return undefined;
  const end = text.indexOf(PATCH_END, start);
  return text.slice(start, end < 0 ? undefined : end + PATCH_END.length);
}

/**
 * The files an apply_patch envelope changes. `Add File`: its `+` lines are the new content, each ending in a
 * newline (as apply_patch writes it). `Update File`: each hunk (split at `@@` lines) is one edit, its old text
 * the context and `-` lines, its new text the context and `+` lines, joined by newlines. `Move to` is recorded
 * as the old path deleted and the new one edited. A line the format does not know ends nothing: it is skipped.
 */
export function parseApplyPatch(patch: string): FileChange[] {
  const changes: FileChange[] = [];
  let current: { path: string; added?: string[]; hunks?: { old: string[]; new: string[] }[] } | undefined;
  const finish = () => {
    if (!current) return;
    if (current.added) changes.push({ path: current.path, op: 'write', content: current.added.map((l) => `${l}\n`).join('') });
    const edits: TextEdit[] = (current.hunks ?? []).filter((h) => h.old.length + h.new.length > 0).map((h) => ({ old: h.old.join('\n'), new: h.new.join('\n') }));
    if (current.hunks) changes.push({ path: current.path, op: 'edit', edits });
    current = undefined;
  };
  for (const line of patch.split('\n').map((l) => l.replace(/\r$/, ''))) {
    const header = FILE_HEADER.exec(line);
    const move = MOVE_TO.exec(line);
    if (header) {
      finish();
      const path = normalisePath(header[2]);
      if (!path) continue;
      if (header[1] === 'Delete') changes.push({ path, op: 'delete' });
      else current = header[1] === 'Add' ? { path, added: [] } : { path, hunks: [] };
    } else if (move && current?.hunks) {
      const to = normalisePath(move[1]);
      if (to) {
        changes.push({ path: current.path, op: 'delete' });
        current.path = to;
      }
    } else if (current?.added) {
      if (line.startsWith('+')) current.added.push(line.slice(1));
    } else if (current?.hunks) {
      if (line.startsWith('@@') || current.hunks.length === 0) current.hunks.push({ old: [], new: [] });
      if (line.startsWith('@@') || line.startsWith('***')) continue;
      const hunk = current.hunks[current.hunks.length - 1];
      const body = line.slice(1);
      if (line.startsWith('-')) hunk.old.push(body);
      else if (line.startsWith('+')) hunk.new.push(body);
      else if (line.startsWith(' ') || line === '') {
        hunk.old.push(body);
        hunk.new.push(body);
      }
    }
  }
  finish();
  return changes;
}

const SEARCH = /^(?:-{3,} SEARCH|<{3,} SEARCH)>?$/;
const DIVIDER = /^={3,}$/;
const REPLACE = /^(?:\+{3,} REPLACE|>{3,} REPLACE)>?$/;

/**
 * The edits of SEARCH/REPLACE blocks (cline's `------- SEARCH` / `=======` / `+++++++ REPLACE`, and the older
 * `<<<<<<< SEARCH` / `>>>>>>> REPLACE`): each block's texts, without the newline before a marker.
 */
export function parseSearchReplace(diff: string): TextEdit[] {
  const edits: TextEdit[] = [];
  let old: string[] | undefined;
  let replacement: string[] | undefined;
  for (const line of diff.split('\n').map((l) => l.replace(/\r$/, ''))) {
    if (SEARCH.test(line)) [old, replacement] = [[], undefined];
    else if (old && !replacement && DIVIDER.test(line)) replacement = [];
    else if (old && replacement && REPLACE.test(line)) {
      edits.push({ old: old.join('\n'), new: replacement.join('\n') });
      [old, replacement] = [undefined, undefined];
    } else (replacement ?? old)?.push(line);
  }
  return edits;
}

const AIDER_SEARCH = /^<{5,9} SEARCH>?\s*$/;
const AIDER_DIVIDER = /^={5,9}\s*$/;
const AIDER_REPLACE = /^>{5,9} REPLACE\s*$/;
const FENCE = /^\s*(`{3,}|~{3,})/;

/** The file name aider writes on its own line before a block's fence: its decorations (`#`, `*`, backquotes, a colon) stripped. */
const aiderPath = (line: string) => normalisePath(line.trim().replace(/^[#*`\s]+|[*`:\s]+$/g, ''));

/**
 * The edits of aider's SEARCH/REPLACE blocks in an answer text ("diff" edit format): each block is preceded by
 * the file's path on its own line (before the opening fence), or edits the previous block's file. An empty SEARCH
 * part creates the file (or appends to it). Each text is its lines, every one ending in a newline, which is what
 * aider puts into the file.
 */
export function parseAiderEdits(text: string): FileChange[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const changes: FileChange[] = [];
  let path: string | undefined;
  let previousEnd = -1;
  for (let i = 0; i < lines.length; i++) {
    if (!AIDER_SEARCH.test(lines[i])) continue;
    const named = lines.slice(Math.max(previousEnd + 1, i - 3), i).filter((l) => l.trim() && !FENCE.test(l)).at(-1);
    path = (named && aiderPath(named)) ?? path;
    const divider = lines.findIndex((l, j) => j > i && AIDER_DIVIDER.test(l));
    const end = divider < 0 ? -1 : lines.findIndex((l, j) => j > divider && AIDER_REPLACE.test(l));
    if (end < 0) break;
    const joined = (from: number, to: number) => lines.slice(from, to).map((l) => `${l}\n`).join('');
    if (path) changes.push({ path, op: 'edit', edits: [{ old: joined(i + 1, divider), new: joined(divider + 1, end) }] });
    i = previousEnd = end;
  }
  return changes;
}
