import { matchesGlob } from 'node:path/posix';

/**
 * Never indexed, whatever a project's rules say: dependencies and build output (someone else's code, and
 * huge), lock files and minified bundles (noise to a question).
 */
export const ALWAYS_EXCLUDED = [
  '**/.git/**',
  '**/node_modules/**',
  '**/vendor/**',
  '**/dist/**',
  '**/build/**',
  '**/target/**',
  '**/*.min.js',
  '**/*.map',
  '**/package-lock.json',
  '**/pnpm-lock.yaml',
  '**/yarn.lock',
];

export interface PathRules {
  /** Empty: every path. */
  include: string[];
  exclude: string[];
}

/** Whether a repository path (forward slashes, no leading "/") is indexed: excludes win over includes. */
export function isIndexed(path: string, rules: PathRules): boolean {
  if ([...ALWAYS_EXCLUDED, ...rules.exclude].some((glob) => matchesGlob(path, glob))) return false;
  return rules.include.length === 0 || rules.include.some((glob) => matchesGlob(path, glob));
}

/** Globs are relative paths: an absolute one or one climbing out with ".." would never match and hides a mistake. */
export function invalidGlob(glob: string): boolean {
  return glob.length === 0 || glob.length > 200 || glob.startsWith('/') || glob.split('/').includes('..');
}
