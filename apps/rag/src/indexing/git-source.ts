import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import type { ragConfig } from '../config';
import { GitFailedError } from '../errors';

export interface FileChanges {
  /** No earlier commit to compare with (first run, or the old commit is gone after a force-push): every file. */
  full: boolean;
  /** Added or modified paths, to (re)index. */
  changed: string[];
  /** Deleted paths, to drop from the index. */
  deleted: string[];
}

/** URLs the indexer fetches: local bare repositories, https and ssh (also scp-like `git@host:group/repo.git`). */
export function supportedUrl(url: string): boolean {
  if (/^[\w.-]+@[\w.-]+:[^\s/-][^\s]*$/.test(url)) return true;
  if (!/^(file|https|ssh):\/\/\S+$/.test(url)) return false;
  // A password in the URL would be stored, logged by git and shown to callers: credentials come from secret files.
  return URL.canParse(url) && new URL(url).password === '';
}

/** A branch name safe on a git command line (never an option, no revision syntax). */
export function safeBranch(branch: string): boolean {
  return /^[A-Za-z0-9._/-]{1,200}$/.test(branch) && !branch.startsWith('-') && !branch.includes('..') && !branch.endsWith('/') && !branch.endsWith('.lock');
}

/** `git diff --name-status -z` output → changed and deleted paths (renames are off: a rename is a delete and an add). */
export function parseNameStatus(output: string): Omit<FileChanges, 'full'> {
  const fields = output.split('\0');
  const changed: string[] = [];
  const deleted: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [status, file] = [fields[i], fields[i + 1]];
    if (status === 'D') deleted.push(file);
    else if (status) changed.push(file);
  }
  return { changed, deleted };
}

// Only the transports the indexer uses; `ext::` and friends would run commands. No credential helper of the
// host's: the only credentials are the read-only ones configured here.
const GIT_SAFETY = ['-c', 'protocol.allow=never', '-c', 'protocol.file.allow=always', '-c', 'protocol.https.allow=always', '-c', 'protocol.ssh.allow=always', '-c', 'credential.helper='];

// Answers git's username/password prompts from the environment the indexer passes to that one git process, so
// the token is neither on a command line (visible in ps) nor in a file of git's config.
const ASKPASS = '#!/bin/sh\ncase "$1" in\n  Username*) printf "%s" "$AIRLOCK_GIT_USERNAME" ;;\n  *) printf "%s" "$AIRLOCK_GIT_TOKEN" ;;\nesac\n';

/**
 * The `git` CLI over one bare clone per repository under RAG_GIT_DIR: fetch the branch, list what changed
 * between two commits, read files at a commit. Credentials are read-only and come from secret files.
 */
@Injectable()
export class GitSource {
  private readonly env: NodeJS.ProcessEnv;

  constructor(@Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof ragConfig>) {
    mkdirSync(config.RAG_GIT_DIR, { recursive: true, mode: 0o700 });
    const askpass = path.join(config.RAG_GIT_DIR, '.askpass.sh');
    writeFileSync(askpass, ASKPASS, { mode: 0o700 });
    const ssh = config.RAG_GIT_SSH_KEY_FILE
      ? `ssh -i ${config.RAG_GIT_SSH_KEY_FILE} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes${
          config.RAG_GIT_SSH_KNOWN_HOSTS_FILE ? ` -o UserKnownHostsFile=${config.RAG_GIT_SSH_KNOWN_HOSTS_FILE}` : ''
        }`
      : 'ssh -o BatchMode=yes -o StrictHostKeyChecking=yes';
    this.env = {
      PATH: process.env.PATH,
      HOME: config.RAG_GIT_DIR,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_ASKPASS: askpass,
      GIT_SSH_COMMAND: ssh,
      AIRLOCK_GIT_USERNAME: config.RAG_GIT_HTTPS_USERNAME ?? '',
      AIRLOCK_GIT_TOKEN: config.RAG_GIT_HTTPS_PASSWORD_FILE?.reveal() ?? '',
    };
  }

  /** Fetches `branch` of `url` into the repository's bare clone; the branch head's commit. */
  async fetch(repositoryId: number, url: string, branch: string): Promise<string> {
    const dir = this.dirOf(repositoryId);
    if (!existsSync(dir)) await this.git(['init', '--bare', '--quiet', dir], 'cannot create the local clone');
    await this.git(['-C', dir, ...GIT_SAFETY, 'fetch', '--quiet', '--no-tags', '--force', url, `+refs/heads/${branch}:refs/heads/${branch}`], `cannot fetch branch ${branch}`, this.config.RAG_GIT_TIMEOUT_MS);
    return (await this.git(['-C', dir, 'rev-parse', '--verify', `refs/heads/${branch}^{commit}`], 'fetched branch has no commit')).toString('utf8').trim();
  }

  /** What changed from `from` (a commit indexed earlier, or '') to `to`. */
  async changes(repositoryId: number, from: string, to: string): Promise<FileChanges> {
    const dir = this.dirOf(repositoryId);
    const known = from !== '' && (await this.git(['-C', dir, 'cat-file', '-e', `${from}^{commit}`], '').then(() => true, () => false));
    if (!known) {
      const listing = await this.git(['-C', dir, 'ls-tree', '-r', '-z', '--name-only', to], 'cannot list files');
      return { full: true, changed: listing.toString('utf8').split('\0').filter(Boolean), deleted: [] };
    }
    const diff = await this.git(['-C', dir, 'diff', '--name-status', '-z', '--no-renames', from, to], 'cannot diff commits');
    return { full: false, ...parseNameStatus(diff.toString('utf8')) };
  }

  /** The files' contents at `commit` (one `git cat-file --batch` for all); a path that is not a file is left out. */
  async read(repositoryId: number, commit: string, paths: string[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    if (paths.length === 0) return out;
    const batch = await this.git(['-C', this.dirOf(repositoryId), 'cat-file', '--batch'], 'cannot read files', undefined, paths.map((p) => `${commit}:${p}\n`).join(''));
    let offset = 0;
    for (const file of paths) {
      const eol = batch.indexOf(0x0a, offset);
      const header = batch.subarray(offset, eol).toString('utf8').split(' ');
      offset = eol + 1;
      if (header[1] === 'missing' || header.length < 3) continue;
      const size = Number(header[2]);
      if (header[1] === 'blob') out.set(file, batch.subarray(offset, offset + size));
      offset += size + 1;
    }
    return out;
  }

  private dirOf(repositoryId: number): string {
    return path.join(this.config.RAG_GIT_DIR, `${repositoryId}.git`);
  }

  /** Runs git; its stdout, or GitFailedError with git's own message (which never holds the token). */
  private git(args: string[], failure: string, timeoutMs = 60_000, input?: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', args, { env: this.env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], timeout: timeoutMs });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout!.on('data', (d: Buffer) => stdout.push(d));
      child.stderr!.on('data', (d: Buffer) => stderr.push(d));
      child.on('error', (error) => reject(new GitFailedError(failure, error)));
      child.on('close', (code, signal) => {
        if (code === 0) resolve(Buffer.concat(stdout));
        else reject(new GitFailedError(failure, new Error(`git exited ${code ?? signal}: ${Buffer.concat(stderr).toString('utf8').slice(0, 500)}`)));
      });
      if (input !== undefined) {
        // A git that exits early (a bad commit) closes its stdin: its exit code is the answer, not EPIPE.
        child.stdin!.on('error', () => undefined);
        child.stdin!.end(input);
      }
    });
  }
}
