// code-server from the npm registry, pinned by the workspace image catalogue (version + SHA-256 of the npm
// tarball), installed once into <state>/tools/code-server-<version>/ and reused. Its postinstall compiles
// VS Code's native modules (node-pty, spdlog, kerberos, …): minutes of CPU, so it must be a one-time cost.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { installDebianPackages, systemInstaller, type DebianInstaller } from './debian-package';
import { withLock } from './lock';
import { NFT_PATH } from './nftables';
import { log } from './log';
import { repoRoot, toolsDir } from './paths';
import { run } from './proc';

export interface CodeServerPin {
  version: string;
  /** SHA-256 (hex) of the registry tarball `code-server-<version>.tgz`. */
  sha256: string;
}

export interface CodeServerInstall {
  version: string;
  /** The install prefix (holds node_modules/code-server). */
  dir: string;
  /** `out/node/entry.js`: run it with `node`. */
  entry: string;
  /** The Node binary it was built for (Node 24: code-server's native modules are built for its ABI). */
  node: string;
  /** Seconds the one-time install took (from the stamp; 0 if unknown). */
  installSeconds: number;
}

/** Packages the install needs from Debian: `kerberos` (a VS Code dependency) compiles against libkrb5. */
export const CODE_SERVER_DEBIAN_PACKAGES: readonly string[] = ['libkrb5-dev'];

const catalogueDir = (): string => path.join(repoRoot(), 'apps', 'workspace', 'catalogue');

function field(text: string, block: string, key: string): string | undefined {
  const start = text.search(new RegExp(`^${block}:\\s*$`, 'm'));
  if (start < 0) return undefined;
  const lines = text.slice(start).split('\n').slice(1);
  for (const line of lines) {
    if (!/^\s/.test(line)) break;
    const match = new RegExp(`^\\s+${key}:\\s*['"]?([^'"\\s#]+)`).exec(line);
    if (match) return match[1];
  }
  return undefined;
}

/**
 * The code-server pin of the catalogue's current image (apps/workspace/catalogue). A deliberately small
 * reader of the two keys it needs, so the harness does not depend on the workspace service's loader; the
 * service validates the full catalogue at boot.
 */
export function currentCodeServerPin(dir: string = catalogueDir()): CodeServerPin {
  const index = readFileSync(path.join(dir, 'index.yaml'), 'utf8');
  const current = /^current:\s*['"]?([^'"\s#]+)/m.exec(index)?.[1];
  if (!current) throw new Error(`${dir}/index.yaml names no current image`);
  for (const file of readdirSync(path.join(dir, 'images'))) {
    if (!/\.ya?ml$/.test(file)) continue;
    const text = readFileSync(path.join(dir, 'images', file), 'utf8');
    if (/^image:\s*['"]?([^'"\s#]+)/m.exec(text)?.[1] !== current) continue;
    const version = field(text, 'codeServer', 'version');
    const sha256 = field(text, 'codeServer', 'sha256');
    if (!version || !sha256 || !/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`${file}: codeServer.version/sha256 missing or malformed`);
    return { version, sha256 };
  }
  throw new Error(`the current image ${current} has no manifest under ${dir}/images`);
}

export const codeServerDir = (version: string): string => path.join(toolsDir(), `code-server-${version}`);

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function readStamp(dir: string, pin: CodeServerPin): { seconds: number } | undefined {
  try {
    const stamp = JSON.parse(readFileSync(path.join(dir, '.installed'), 'utf8')) as { version?: string; sha256?: string; seconds?: number };
    if (stamp.version !== pin.version || stamp.sha256 !== pin.sha256) return undefined;
    if (!existsSync(path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'))) return undefined;
    return { seconds: stamp.seconds ?? 0 };
  } catch {
    return undefined;
  }
}

async function debianPackageInstalled(name: string): Promise<boolean> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Status}', name], { timeoutMs: 30_000 });
    return stdout.includes('install ok installed');
  } catch {
    return false;
  }
}

/** Installs the Debian build dependencies with apt-get (as root, or through passwordless sudo) when missing. */
export async function ensureCodeServerBuildDeps(installer: DebianInstaller = systemInstaller): Promise<void> {
  if (!installer.exists('/usr/bin/apt-get')) return; // not Debian: the build says what is missing
  const missing: string[] = [];
  for (const name of CODE_SERVER_DEBIAN_PACKAGES) if (!(await debianPackageInstalled(name))) missing.push(name);
  if (missing.length === 0) return;
  await installDebianPackages(missing, installer, `code-server's build needs Debian ${missing.join(' ')}`, ", for code-server's native modules");
}

function buildEnv(): NodeJS.ProcessEnv {
  const nodeDir = path.dirname(path.dirname(process.execPath));
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` };
  // node-gyp must compile against this Node's headers: an environment variable beats a `nodedir` in the
  // user's ~/.npmrc (which may point at a system Node with another ABI), a CLI flag does not.
  if (existsSync(path.join(nodeDir, 'include', 'node', 'node.h'))) env.npm_config_nodedir = nodeDir;
  // The postinstall refuses to run without knowing the package manager; npm sets this itself, but an
  // inherited value from pnpm (the harness runs under pnpm) would make it give up.
  delete env.npm_config_user_agent;
  return env;
}

async function install(dir: string, pin: CodeServerPin): Promise<number> {
  const started = Date.now();
  const partial = `${dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const env = buildEnv();
  log(`installing code-server ${pin.version} from the npm registry into ${dir} (one-time: builds VS Code's native modules, 2-10 min on 2 cores)`);
  await run('npm', ['pack', '--silent', `code-server@${pin.version}`, '--pack-destination', partial], { env, cwd: partial, timeoutMs: 10 * 60_000 });
  const tarballs = (await readdir(partial)).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`npm pack code-server@${pin.version} left ${tarballs.length} tarballs in ${partial}`);
  const tarball = tarballs[0] as string;
  const actual = await sha256File(path.join(partial, tarball));
  if (actual !== pin.sha256) {
    await rm(partial, { recursive: true, force: true });
    throw new Error(`code-server ${pin.version} tarball SHA-256 ${actual} does not match the catalogue's ${pin.sha256}: refusing to install`);
  }
  // npm 11 runs dependencies' install scripts only for packages the project's allowScripts names:
  // code-server's postinstall builds VS Code (whose own package.json carries its allowScripts), argon2 its
  // native password hasher (unused with --auth none, but loaded at start).
  const manifest = {
    name: 'airlock-code-server',
    private: true,
    dependencies: { 'code-server': `file:${tarball}` },
    allowScripts: { [`code-server@${pin.version}`]: true, argon2: true },
  };
  await writeFile(path.join(partial, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await run('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', '--foreground-scripts'], { env, cwd: partial, timeoutMs: 45 * 60_000 });
  const entry = path.join(partial, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const { stdout } = await run(process.execPath, [entry, '--version'], { env, timeoutMs: 120_000 });
  if (!stdout.includes(pin.version)) throw new Error(`code-server --version reported "${stdout.trim()}", expected ${pin.version}`);
  // A build whose install scripts were silently skipped starts, but without VS Code's logging and storage
  // modules (compiled by their install scripts; node-pty ships prebuilds, so it proves nothing).
  const vscodeModules = path.join(partial, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules');
  for (const native of ['@vscode/spdlog/build/Release/spdlog.node', '@vscode/sqlite3/build/Release/vscode-sqlite3.node']) {
    if (!existsSync(path.join(vscodeModules, native))) throw new Error(`code-server installed without ${native}: its install scripts did not run`);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  await writeFile(path.join(partial, '.installed'), `${JSON.stringify({ version: pin.version, sha256: pin.sha256, seconds, node: process.version })}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  log(`code-server ${pin.version} installed in ${seconds} s`);
  return seconds;
}

/**
 * code-server at the catalogue's pin (or `pin`), installed once under <state>/tools, verified against the
 * tarball's SHA-256 before anything from it runs. Concurrent callers (parallel jest workers, two engineers)
 * wait on one lock; a half-finished install (crash, Ctrl-C) is redone from scratch.
 */
export async function ensureCodeServer(pin: CodeServerPin = currentCodeServerPin()): Promise<CodeServerInstall> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 24) throw new Error(`code-server ${pin.version} needs Node 24 (running ${process.version}); run through tools/airlock`);
  const dir = codeServerDir(pin.version);
  const result = (seconds: number): CodeServerInstall => ({
    version: pin.version,
    dir,
    entry: path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    node: process.execPath,
    installSeconds: seconds,
  });
  const done = readStamp(dir, pin);
  if (done) return result(done.seconds);
  return withLock(
    path.join(toolsDir(), 'code-server.lock'),
    async () => {
      const again = readStamp(dir, pin);
      if (again) return result(again.seconds);
      await ensureCodeServerBuildDeps();
      return result(await install(dir, pin));
    },
    { what: `the code-server ${pin.version} install`, timeoutMs: 60 * 60_000 },
  );
}

/**
 * Kills every process of every local workspace under `rootDir` (the workspace service's WORKSPACE_LOCAL_DIR):
 * they run detached so they survive a service restart, hence a mesh or test teardown must end them itself.
 * Found by the marker the local driver puts in their environment: AIRLOCK_WORKSPACE_KEY=<sha256(root)[:16]>/<id>.
 */
export async function killLocalWorkspaces(rootDir: string): Promise<number> {
  const prefix = `${createHash('sha256').update(path.resolve(rootDir)).digest('hex').slice(0, 16)}/`;
  const victims: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${name}/environ`, 'utf8');
    } catch {
      continue;
    }
    if (environ.split('\0').some((e) => e.startsWith(`AIRLOCK_WORKSPACE_KEY=${prefix}`))) victims.push(Number(name));
  }
  for (const pid of victims) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await removeWorkspaceFirewall(rootDir);
  return victims.length;
}

/**
 * Removes the local driver's egress firewall table of `rootDir` (`inet airlock_ws_<sha256(root)[:12]>`), which a
 * killed service leaves in the kernel. Best effort: without root or nft there is none to remove.
 */
async function removeWorkspaceFirewall(rootDir: string): Promise<void> {
  if (process.getuid?.() !== 0 || !existsSync(NFT_PATH)) return;
  const table = `airlock_ws_${createHash('sha256').update(path.resolve(rootDir)).digest('hex').slice(0, 12)}`;
  // Fails when there is no such table (nothing was started, or the driver removed it): nothing to do then.
  await run(NFT_PATH, ['delete', 'table', 'inet', table], { timeoutMs: 10_000 }).catch(() => undefined);
}
