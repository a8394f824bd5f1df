/** The parts of a GitLab or Gitea push payload the indexer needs. */
export interface PushPayload {
  ref: string;
  after: string;
  /** Every URL the payload gives for the pushed repository (clone over http(s), ssh, web). */
  urls: string[];
}

const URL_FIELDS = ['git_http_url', 'git_ssh_url', 'http_url', 'ssh_url', 'clone_url', 'url'] as const;

function urlsOf(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  return URL_FIELDS.map((f) => record[f]).filter((u): u is string => typeof u === 'string' && u.length > 0);
}

/**
 * GitLab sends `project` (and a legacy `repository`) with `git_http_url`/`git_ssh_url`; Gitea, Forgejo and
 * GitHub-style servers send `repository` with `clone_url`/`ssh_url`. Undefined when the body is not a push.
 */
export function parsePushPayload(body: unknown): PushPayload | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.ref !== 'string') return undefined;
  const urls = [...new Set([...urlsOf(b.project), ...urlsOf(b.repository)])];
  return { ref: b.ref, after: typeof b.after === 'string' ? b.after : '', urls };
}
