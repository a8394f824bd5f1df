import type { IncomingHttpHeaders } from 'node:http';
import { type AgentChange, diffHash } from '../events/ai-events';
import type { ToolCall } from '../exchange/tool-calls';
import { InvalidRequestError } from '../gateway.errors';
import { fileChangesOf, mcpFileChanges } from './agent-tools';
import { changedPaths, changesHash } from './change-hash';
import { parseAiderEdits } from './text-formats';
import type { FileChange } from './file-change';

/** The headers a client (or the workspace's agent configuration) names the repository and branch it works on with. */
export const REPO_HEADERS = { repo: 'x-airlock-repo', branch: 'x-airlock-branch' } as const;

export interface RepoRef {
  repoId: string;
  branch: string;
}

/** A repository id: a name or a `group/name` path. */
const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/;
/** A branch name git accepts (check-ref-format, restricted to a safe alphabet). */
const BRANCH = /^(?![-/.])(?!.*(?:\.\.|\/\/|@\{|\.lock(?:\/|$)|\/\.))[A-Za-z0-9._/+-]{1,200}(?<![/.])$/;

/** The repository and branch from REPO_HEADERS ('' when absent); 400 for a value that is not one. */
export function repoFromHeaders(headers: IncomingHttpHeaders): RepoRef {
  const read = (name: string, pattern: RegExp, what: string): string => {
    const value = headers[name];
    if (value === undefined || value === '') return '';
    if (typeof value !== 'string' || !pattern.test(value)) throw new InvalidRequestError(`${name} is not a valid ${what}`);
    return value;
  };
  return { repoId: read(REPO_HEADERS.repo, REPO_ID, 'repository id'), branch: read(REPO_HEADERS.branch, BRANCH, 'branch name') };
}

/**
 * The changes an answer makes, if it writes files: by its tool calls, else (aider, which edits by answer text)
 * by the SEARCH/REPLACE blocks in its text. Paths and the canonical diff hash.
 */
export function trackedChanges(calls: ToolCall[], text: string): Pick<AgentChange, 'changedFiles' | 'diffHash'> | undefined {
  return summary(calls.flatMap((c) => fileChangesOf(c.name, c.arguments))) ?? summary(parseAiderEdits(text));
}

const summary = (changes: FileChange[]) => (changes.length > 0 ? { changedFiles: changedPaths(changes), diffHash: changesHash(changes) } : undefined);

/** The change one MCP tool call makes, with the arguments the server was sent (after DLP); undefined if none. */
export function mcpChangeOf(tool: string, args: Record<string, unknown>, repo: RepoRef): AgentChange | undefined {
  const tracked = summary(mcpFileChanges(tool, args));
  return tracked ? { ...repo, ...tracked } : undefined;
}

/**
 * The change an answer's audit event describes. File-writing tool calls of a known agent win: their files and
 * canonical hash. Otherwise `/v1/agent`'s own description (its body names repository, branch and files; the
 * hash is of the answer text). The repository and branch in the body win over the headers.
 */
export function agentChangeOf(answer: { toolCalls: ToolCall[]; text: string }, repo: RepoRef, declared?: Omit<AgentChange, 'diffHash'>): AgentChange | undefined {
  const repoId = declared?.repoId || repo.repoId;
  const branch = declared?.branch || repo.branch;
  const tracked = trackedChanges(answer.toolCalls, answer.text);
  if (tracked) return { repoId, branch, ...tracked };
  return declared ? { ...declared, repoId, branch, diffHash: diffHash(answer.text) } : undefined;
}
