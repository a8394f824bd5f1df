import { type FileChange, editOf, writeOf } from './file-change';
import { findPatch, parseApplyPatch, parseSearchReplace } from './text-formats';

/** A tool's arguments as parsed JSON (an empty object when they are not a JSON object), and as the model wrote them. */
type Recognise = (args: Record<string, unknown>, raw: string) => FileChange[];

const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : []);
const patchIn = (text: unknown): FileChange[] => {
  const patch = typeof text === 'string' ? findPatch(text) : undefined;
  return patch ? parseApplyPatch(patch) : [];
};

// One table per agent: the file-writing tools it offers models, by the exact name the model calls, and how
// their arguments say which file changes how. Tools that only read (Read, read_file, grep, …) are not listed.

/** Claude Code (Anthropic Messages tool_use). Continue's CLI (cn) offers a `Write` of its own, whose path is `filepath`. */
const CLAUDE_CODE: Record<string, Recognise> = {
  Write: (a) => writeOf(a.file_path ?? a.filepath, a.content),
  Edit: (a) => editOf(a.file_path, [[a.old_string, a.new_string]]),
  MultiEdit: (a) => editOf(a.file_path, list(a.edits).map((e) => [e.old_string, e.new_string])),
};

const runsApplyPatch = (command: unknown): command is string => typeof command === 'string' && /\bapply_patch\b/.test(command);

/**
 * Codex CLI: `apply_patch` as a JSON function (`{"input": patch}`) or a free-form tool (the patch as the whole
 * argument text), and its shell tools running apply_patch, which Codex intercepts and applies itself: `shell`
 * (`["apply_patch", patch]`, or a heredoc in `bash -lc`), and `exec_command` / `shell_command` (a command
 * line with the patch in a heredoc; what Codex offers a model it has no metadata for).
 */
const CODEX: Record<string, Recognise> = {
  apply_patch: (a, raw) => patchIn(typeof a.input === 'string' ? a.input : raw),
  shell: (a) => (Array.isArray(a.command) && a.command.some(runsApplyPatch) ? patchIn(a.command.join('\n')) : []),
  exec_command: (a) => (runsApplyPatch(a.cmd) ? patchIn(a.cmd) : []),
  shell_command: (a) => (runsApplyPatch(a.command) ? patchIn(a.command) : []),
};

/** opencode. */
const OPENCODE: Record<string, Recognise> = {
  write: (a) => writeOf(a.filePath, a.content),
  edit: (a) => editOf(a.filePath, [[a.oldString, a.newString]]),
  multiedit: (a) => editOf(a.filePath, list(a.edits).map((e) => [e.oldString, e.newString])),
  patch: (a) => patchIn(a.patchText),
};

/**
 * Continue. `edit_existing_file` sends a sketch of the new file that the IDE merges (with "… existing code …"
 * lines): recorded as one edit with no old text, since the file it produces is not in the call.
 */
const CONTINUE: Record<string, Recognise> = {
  builtin_create_new_file: (a) => writeOf(a.filepath, a.contents),
  builtin_edit_existing_file: (a) => editOf(a.filepath, [['', a.changes]]),
  builtin_single_find_and_replace: (a) => editOf(a.filepath, [[a.old_string, a.new_string]]),
  builtin_multi_edit: (a) => editOf(a.filepath, list(a.edits).map((e) => [e.old_string, e.new_string])),
};
CONTINUE.create_new_file = CONTINUE.builtin_create_new_file;
CONTINUE.edit_existing_file = CONTINUE.builtin_edit_existing_file;

/**
 * cline: 2.x `write_to_file` and `replace_in_file`; 3.x `editor`, which replaces `old_text` with `new_text`, inserts
 * `new_text` at `insert_line` (an edit with no old text), or without either creates the file with `new_text`.
 */
const CLINE: Record<string, Recognise> = {
  editor: (a) => (typeof a.old_text === 'string' ? editOf(a.path, [[a.old_text, a.new_text]]) : typeof a.insert_line === 'number' ? editOf(a.path, [['', a.new_text]]) : writeOf(a.path, a.new_text)),
  write_to_file: (a) => writeOf(a.path, a.content),
  replace_in_file: (a) => (typeof a.diff === 'string' ? editOf(a.path, parseSearchReplace(a.diff).map((e) => [e.old, e.new])) : []),
};

/** The reference MCP filesystem server (`@modelcontextprotocol/server-filesystem`); a dry run changes nothing. */
const MCP_FILESYSTEM: Record<string, Recognise> = {
  write_file: (a) => writeOf(a.path, a.content),
  edit_file: (a) => (a.dryRun === true ? [] : editOf(a.path, list(a.edits).map((e) => [e.oldText, e.newText]))),
};

export const AGENT_TOOLS = { CLAUDE_CODE, CODEX, OPENCODE, CONTINUE, CLINE, MCP_FILESYSTEM } as const;

const BY_NAME = new Map<string, Recognise>(Object.values(AGENT_TOOLS).flatMap((table) => Object.entries(table)));
/** How Claude Code names an MCP server's tool to the model: `mcp__<server>__<tool>`. */
const MCP_PREFIXED = /^mcp__.+?__(.+)$/;

/** The file changes one tool call makes; [] for a tool no table lists, or arguments it cannot read. */
export function fileChangesOf(name: string, argumentsText: string): FileChange[] {
  const mcpTool = MCP_PREFIXED.exec(name)?.[1];
  const recognise = mcpTool ? (Object.hasOwn(MCP_FILESYSTEM, mcpTool) ? MCP_FILESYSTEM[mcpTool] : undefined) : BY_NAME.get(name);
  if (!recognise) return [];
  return recognise(parseObject(argumentsText), argumentsText);
}

/**
 * The file changes of a call through the MCP gateway (`/mcp/<server>`): only the reference filesystem server's
 * tools are read there, since an internal server's `edit` is not opencode's.
 */
export function mcpFileChanges(tool: string, args: Record<string, unknown>): FileChange[] {
  return Object.hasOwn(MCP_FILESYSTEM, tool) ? MCP_FILESYSTEM[tool](args, JSON.stringify(args)) : [];
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
