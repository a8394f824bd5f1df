import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withLock } from './lock';
import { log } from './log';
import { toolsDir } from './paths';
import { run } from './proc';

/**
 * The real coding-agent clients the end-to-end suite drives through the edge, at pinned versions. They are test
 * clients, not dependencies of Airlock: installed from the registries on first use into <state>/tools, like
 * Envoy and Chromium, so a developer's `pnpm install` stays small. (opencode and Continue's `cn` are
 * devDependencies of @airlock/cli already.)
 */
export const AGENT_CLIENT_VERSIONS = {
  /** npm packages; each ships its native binary in a per-platform package (an optional dependency). */
  npm: { '@anthropic-ai/claude-code': '2.1.332', '@openai/codex': '0.171.0', cline: '3.0.65' },
  /** The official Python SDKs (PyPI). */
  pythonSdks: { openai: '3.63.0', anthropic: '2.17.0' },
  /** aider (PyPI `aider-chat`), in a venv of its own: it pins its own versions of the SDKs. */
  aider: { 'aider-chat': '0.86.2' },
} as const;

type Pins = Readonly<Record<string, string>>;

const dirName = (prefix: string, pins: Pins) => `${prefix}-${Object.entries(pins).map(([name, version]) => `${name.replace(/[@/]/g, '_')}@${version}`).join('-')}`;

/** Installs once, under a lock, into `dir`; a stamp file marks a finished install. */
async function once(dir: string, what: string, install: () => Promise<void>): Promise<string> {
  const stamp = path.join(dir, '.installed');
  if (existsSync(stamp)) return dir;
  await mkdir(toolsDir(), { recursive: true });
  return withLock(`${dir}.lock`, async () => {
    if (existsSync(stamp)) return dir;
    log(`installing ${what} into ${dir}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await install();
    await writeFile(stamp, `${what}\n`);
    return dir;
  }, { what: `the ${what} install`, timeoutMs: 30 * 60_000 });
}

/**
 * The npm agent clients (AGENT_CLIENT_VERSIONS.npm) installed with pnpm, the project's package manager, outside
 * the workspace and hoisted, so each package finds its platform package. Returns the `node_modules` directory.
 * Install scripts are not run (pnpm's default): the callers start the platform binaries themselves.
 */
export async function ensureNpmAgentClients(): Promise<string> {
  const pins = AGENT_CLIENT_VERSIONS.npm;
  const dir = path.join(toolsDir(), dirName('agent-clients-npm', pins));
  await once(dir, `the npm agent clients (${Object.entries(pins).map(([n, v]) => `${n}@${v}`).join(', ')})`, async () => {
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'airlock-agent-clients', private: true, dependencies: pins }, null, 2));
    await run(process.env.npm_execpath && /pnpm/.test(process.env.npm_execpath) ? process.env.npm_execpath : 'pnpm', ['install', '--ignore-workspace', '--config.node-linker=hoisted', '--reporter=silent'], {
      cwd: dir,
      timeoutMs: 20 * 60_000,
    });
  });
  return path.join(dir, 'node_modules');
}

/** A venv holding `pins` from PyPI (installed once); returns its `bin` directory. */
async function ensureVenv(prefix: string, pins: Pins): Promise<string> {
  const dir = path.join(toolsDir(), dirName(prefix, pins));
  await once(dir, `${Object.entries(pins).map(([n, v]) => `${n}==${v}`).join(', ')} (PyPI)`, async () => {
    await run('python3', ['-m', 'venv', dir], { timeoutMs: 120_000 });
    await run(path.join(dir, 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', ...Object.entries(pins).map(([n, v]) => `${n}==${v}`)], { timeoutMs: 20 * 60_000 });
  });
  return path.join(dir, 'bin');
}

/** The venv `bin` directory with the official openai and anthropic Python SDKs. */
export const ensurePythonSdks = (): Promise<string> => ensureVenv('agent-clients-python', AGENT_CLIENT_VERSIONS.pythonSdks);

/** The venv `bin` directory with aider (its `aider` command). */
export const ensureAider = (): Promise<string> => ensureVenv('agent-clients-aider', AGENT_CLIENT_VERSIONS.aider);
