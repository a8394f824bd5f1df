// pgvector (the `vector` extension: dense vectors, HNSW/IVFFlat indexes) for the local PostgreSQL. Debian
// bookworm's archive has no package of it, so it is compiled from source against Debian's PostgreSQL, once per
// machine, and installed into that server's extension and library directories.
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { installDebianPackages, systemInstaller } from './debian-package';
import { withLock } from './lock';
import { log } from './log';
import { toolsDir } from './paths';
import { infraMode } from './infra';
import { ensurePostgres } from './postgres';
import { run } from './proc';

/**
 * The pinned release. Its C source is fetched as the Go module github.com/pgvector/pgvector (the Go module proxy
 * serves any public GitHub repository's tags as module zips, and is a registry this project's machines reach, where
 * GitHub itself may not be), through the machine's own `go` and GOPROXY setting.
 */
export const PGVECTOR_VERSION = '0.8.1';
const PGVECTOR_MODULE = 'github.com/pgvector/pgvector';
/**
 * The module zip's `h1:` hash (what `go mod download -json` reports as Sum). Go checks it against the checksum
 * database already; pinning it here keeps the check when a machine turns that off (GONOSUMDB, GOSUMDB=off).
 */
const PGVECTOR_MODULE_SUM = 'h1:Yf1JTBT6v7uGBPaMumdtpBZ2MMiqVNODP6WLNV9wH1k=';

export interface PgvectorInstall {
  version: string;
  /** The PostgreSQL major it was built for. */
  major: string;
  /** `<sharedir>/extension/vector.control`. */
  controlFile: string;
  /** `<pkglibdir>/vector.so`. */
  library: string;
}

interface PgDirs {
  major: string;
  pgConfig: string;
  sharedir: string;
  pkglibdir: string;
  /** Where postgres.h is: present only with Debian's postgresql-server-dev-<major>. */
  includedirServer: string;
}

/**
 * The directories of the server in `bin`. Its pg_config comes with postgresql-client-<major>, which the server
 * package depends on, so it answers without server-dev (which adds only the headers the build needs).
 */
async function pgDirs(bin: string): Promise<PgDirs> {
  const major = path.basename(path.dirname(bin));
  const pgConfig = path.join(bin, 'pg_config');
  if (!existsSync(pgConfig)) throw new Error(`${pgConfig} is missing: reinstall Debian's postgresql-client-${major}`);
  const { stdout } = await run(pgConfig, ['--sharedir', '--pkglibdir', '--includedir-server'], { timeoutMs: 30_000 });
  const [sharedir, pkglibdir, includedirServer] = stdout.trim().split('\n');
  if (!sharedir || !pkglibdir || !includedirServer) throw new Error(`${pgConfig} printed no directories: ${stdout.trim()}`);
  return { major, pgConfig, sharedir, pkglibdir, includedirServer };
}

function installed(dirs: PgDirs): PgvectorInstall | undefined {
  const controlFile = path.join(dirs.sharedir, 'extension', 'vector.control');
  const library = path.join(dirs.pkglibdir, 'vector.so');
  let control: string;
  try {
    control = readFileSync(controlFile, 'utf8');
  } catch {
    return undefined;
  }
  // Another version (a newer one someone installed) is replaced by the pinned one: the tests assume its behaviour.
  if (/^\s*default_version\s*=\s*'([^']*)'/m.exec(control)?.[1] !== PGVECTOR_VERSION) return undefined;
  if (!existsSync(library) || !existsSync(path.join(dirs.sharedir, 'extension', `vector--${PGVECTOR_VERSION}.sql`))) return undefined;
  return { version: PGVECTOR_VERSION, major: dirs.major, controlFile, library };
}

/** How `make install` may write into the server's directories; decided before anything is downloaded or built. */
async function installMode(dirs: PgDirs): Promise<'root' | 'sudo'> {
  if (systemInstaller.isRoot()) return 'root';
  if (await systemInstaller.canSudo()) return 'sudo';
  throw new Error(
    `pgvector ${PGVECTOR_VERSION} is missing for PostgreSQL ${dirs.major} (${dirs.sharedir}/extension/vector.control) and cannot be ` +
      `installed: not root and sudo asks for a password. Run the harness once as root, or build pgvector ${PGVECTOR_VERSION} ` +
      `yourself: make OPTFLAGS="" with_llvm=no PG_CONFIG=${dirs.pgConfig} && sudo make install OPTFLAGS="" with_llvm=no PG_CONFIG=${dirs.pgConfig}`,
  );
}

/**
 * The pinned source, unpacked by `go mod download` into a module cache of the state dir. Only GOPATH, GOMODCACHE
 * and GOFLAGS change (-modcacherw: directories stay writable, so the cache can be deleted like any other); the
 * proxy, checksum database and toolchain are the machine's settings.
 */
async function downloadSource(): Promise<string> {
  const go = await goCommand();
  const gopath = path.join(toolsDir(), 'go');
  const env = {
    ...process.env,
    GOPATH: gopath,
    GOMODCACHE: path.join(gopath, 'pkg', 'mod'),
    GOFLAGS: [process.env.GOFLAGS, '-modcacherw'].filter(Boolean).join(' '),
  };
  const { stdout } = await run(go, ['mod', 'download', '-json', `${PGVECTOR_MODULE}@v${PGVECTOR_VERSION}`], { env, cwd: os.tmpdir(), timeoutMs: 10 * 60_000 });
  const info = JSON.parse(stdout) as { Version?: string; Dir?: string; Sum?: string; Error?: string };
  if (info.Error || !info.Dir) throw new Error(`go mod download ${PGVECTOR_MODULE}@v${PGVECTOR_VERSION}: ${info.Error ?? 'no Dir reported'}`);
  if (info.Version !== `v${PGVECTOR_VERSION}` || info.Sum !== PGVECTOR_MODULE_SUM) {
    throw new Error(`${PGVECTOR_MODULE}@v${PGVECTOR_VERSION} came as ${info.Version} with hash ${info.Sum}, expected ${PGVECTOR_MODULE_SUM}: refusing to build it`);
  }
  return info.Dir;
}

/** The `go` on PATH, or Debian's (golang-go, installed first): any Go with modules can download a module. */
async function goCommand(): Promise<string> {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).find((dir) => dir && existsSync(path.join(dir, 'go')));
  if (onPath) return path.join(onPath, 'go');
  await installDebianPackages(['golang-go'], systemInstaller, "fetching pgvector's source needs Go (`go mod download`)", ', to fetch the pgvector source');
  if (!existsSync('/usr/bin/go')) throw new Error('apt-get installed golang-go but /usr/bin/go does not exist');
  return '/usr/bin/go';
}

/**
 * `make` arguments. OPTFLAGS="" drops pgvector's default -march=native, so the library runs on any CPU of the
 * architecture (a state dir or image may move to another machine). with_llvm=no: Debian builds PostgreSQL with
 * LLVM JIT, so PGXS would also emit LLVM bitcode with clang, which is not installed and is only an optimization.
 */
const makeArgs = (dirs: PgDirs): string[] => ['OPTFLAGS=', 'with_llvm=no', `PG_CONFIG=${dirs.pgConfig}`];

async function install(dirs: PgDirs): Promise<PgvectorInstall> {
  const started = Date.now();
  const mode = await installMode(dirs);
  const took: string[] = [];
  // One log line as each step starts (installDebianPackages logs its own); their durations end the last line.
  const step = async <T>(name: string, line: string | undefined, fn: () => Promise<T>): Promise<T> => {
    if (line) log(`pgvector: ${line}`);
    const began = Date.now();
    const result = await fn();
    took.push(`${name} ${((Date.now() - began) / 1000).toFixed(1)} s`);
    return result;
  };
  if (!existsSync(path.join(dirs.includedirServer, 'postgres.h'))) {
    const pkg = `postgresql-server-dev-${dirs.major}`;
    await step('apt', undefined, () =>
      installDebianPackages([pkg], systemInstaller, `building pgvector needs PostgreSQL's server headers (${pkg})`, `, to build pgvector for PostgreSQL ${dirs.major}`),
    );
    if (!existsSync(path.join(dirs.includedirServer, 'postgres.h'))) throw new Error(`apt-get installed ${pkg} but ${dirs.includedirServer}/postgres.h does not exist`);
  }
  const source = await step('download', `fetching the ${PGVECTOR_VERSION} source (Go module ${PGVECTOR_MODULE}) into ${path.join(toolsDir(), 'go')}`, downloadSource);
  // The module cache is read-only and shared: build in a copy, removed afterwards.
  const build = await mkdtemp(path.join(os.tmpdir(), 'airlock-pgvector-'));
  try {
    await cp(source, build, { recursive: true });
    await step('make', `compiling ${PGVECTOR_VERSION} for PostgreSQL ${dirs.major} (make -j2, portable: no -march=native)`, () =>
      run('make', ['-j2', ...makeArgs(dirs)], { cwd: build, timeoutMs: 20 * 60_000 }),
    );
    const [command, args] = mode === 'root' ? ['make', ['install', ...makeArgs(dirs)]] : ['sudo', ['-n', 'make', 'install', ...makeArgs(dirs)]];
    await step('install', `installing into ${dirs.sharedir}/extension and ${dirs.pkglibdir} (make install${mode === 'sudo' ? ' through sudo' : ''})`, () =>
      run(command, args, { cwd: build, timeoutMs: 5 * 60_000 }),
    );
  } finally {
    await rm(build, { recursive: true, force: true });
  }
  const done = installed(dirs);
  if (!done) throw new Error(`make install of pgvector ${PGVECTOR_VERSION} left no usable ${dirs.sharedir}/extension/vector.control or ${dirs.pkglibdir}/vector.so`);
  log(`pgvector ${PGVECTOR_VERSION} installed for PostgreSQL ${dirs.major} in ${Math.round((Date.now() - started) / 1000)} s (${took.join(', ')})`);
  return done;
}

let known: Promise<PgvectorInstall | undefined> | undefined;

/**
 * Makes `CREATE EXTENSION vector` possible on the local PostgreSQL (the major findPostgresBin finds, installed
 * first if need be): at once when the pinned version is there, otherwise built and installed once, under a
 * machine-wide lock (the files go to the server's own directories, whatever the checkout or state dir), which
 * parallel jest workers and processes wait on. A process asks pg_config once; later calls cost nothing. Nothing
 * (undefined) where the harness runs PostgreSQL in a container: its image carries pgvector (containers.ts).
 */
export function ensurePgvector(): Promise<PgvectorInstall | undefined> {
  known ??= (async () => {
    if ((await infraMode()) === 'testcontainers') return undefined;
    const dirs = await pgDirs(await ensurePostgres());
    const ready = installed(dirs);
    if (ready) return ready;
    return withLock(path.join(os.tmpdir(), 'airlock-pgvector.lock'), async () => installed(dirs) ?? install(dirs), {
      what: `the pgvector ${PGVECTOR_VERSION} install`,
      timeoutMs: 60 * 60_000,
    });
  })().catch((error: unknown) => {
    known = undefined;
    throw error;
  });
  return known;
}
