import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, type ClientConfig } from 'pg';
import { aptInstall } from './apt';
import { log } from './log';
import { infraDir, stateDir } from './paths';
import { PG_USER, adminPasswordFile, ensureAdminPassword, readAdminPassword, renderPgHba } from './postgres-auth';
import { isAlive, lookupUser, readProcStat, run, sleep, spawnDetached, stopPid, waitReady, type UserIds } from './proc';
import type { InfraRecord } from './state';
import type { InfraProfile } from './types';

export { PG_USER };
export const PG_DATABASE = 'airlock';
const PG_ROOT = '/usr/lib/postgresql';

/** The bin dir of the highest PostgreSQL major installed from Debian's packages, if any. */
export function findPostgresBin(root = PG_ROOT): string | undefined {
  let versions: string[];
  try {
    versions = readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v));
  } catch {
    return undefined;
  }
  versions.sort((a, b) => Number(b) - Number(a));
  const found = versions.find((v) => existsSync(path.join(root, v, 'bin', 'postgres')) && existsSync(path.join(root, v, 'bin', 'initdb')));
  return found && path.join(root, found, 'bin');
}

/**
 * Installs Debian's `postgresql` when no server binaries are there. createcluster.conf (written only if
 * it does not exist) tells the package not to create, and so not to start, a system cluster.
 */
export async function ensurePostgres(): Promise<string> {
  const existing = findPostgresBin();
  if (existing) return existing;
  log("installing Debian package postgresql (binaries only: create_main_cluster = false)");
  const conf = '/etc/postgresql-common/createcluster.conf';
  if (!existsSync(conf)) {
    await mkdir(path.dirname(conf), { recursive: true });
    await writeFile(conf, '# Written by @airlock/testing: no system cluster; the harness runs its own.\ncreate_main_cluster = false\n');
  }
  await aptInstall(['postgresql']);
  const bin = findPostgresBin();
  if (!bin) throw new Error(`installing postgresql left no server under ${PG_ROOT}`);
  return bin;
}

export interface PostgresConfigInput {
  dataDir: string;
  port: number;
  socketDir: string;
  profile: InfraProfile;
}

/** postgres server arguments: loopback only, its own socket dir, SCRAM; the test profile drops durability. */
export function renderPostgresArgs(c: PostgresConfigInput): string[] {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(c.port),
    unix_socket_directories: c.socketDir,
    // Only this account may connect through the socket: workspace accounts on this host must not reach it.
    unix_socket_permissions: '0700',
    max_connections: '200',
    ssl: 'off',
    logging_collector: 'off',
    log_min_messages: 'warning',
    // CREATE/DROP DATABASE force checkpoints; tests make many databases.
    log_checkpoints: 'off',
    log_line_prefix: '%m [%p] %q%u@%d ',
    // Passwords are stored (and checked) as SCRAM-SHA-256 verifiers; pg_hba.conf (renderPgHba) accepts nothing else.
    password_encryption: 'scram-sha-256',
  };
  if (c.profile === 'test') {
    Object.assign(settings, { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' });
  }
  return ['-D', c.dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
}

/** Unix socket paths are limited to 107 bytes; a deep state dir gets a short directory under /tmp. */
export function socketDirFor(preferred: string, port: number): string {
  if (`${preferred}/.s.PGSQL.${port}`.length <= 100) return preferred;
  return path.join('/tmp', `airlock-pg-${createHash('sha256').update(preferred).digest('hex').slice(0, 12)}`);
}

/** The admin role's URL; without its password, which is in adminPasswordFile() (endpoints carry it apart). */
export function postgresUrl(port: number, database: string, host = '127.0.0.1'): string {
  return `postgres://${PG_USER}@${host}:${port}/${encodeURIComponent(database)}`;
}

/**
 * A pg client on `config`, closed after `fn`. An error the server sends later (it ended the session) is not
 * allowed to crash the process: `fn`'s own queries still fail with it.
 */
export async function withClient<T>(config: ClientConfig, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client(config);
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A client of the admin role, with the password of adminPasswordFile(). */
export function withPgClient<T>(port: number, database: string, fn: (client: Client) => Promise<T>, timeoutMs = 5000): Promise<T> {
  return withClient({ host: '127.0.0.1', port, user: PG_USER, password: readAdminPassword(), database, connectionTimeoutMillis: timeoutMs }, fn);
}

/**
 * Whether the admin role gets an answer. False without an admin password file: a cluster of the older layout
 * (trust) must not be taken for a ready one, so the harness restarts it and startPostgres recreates it.
 */
export async function pingPostgres(port: number, timeoutMs = 2000): Promise<boolean> {
  if (!readAdminPassword()) return false;
  return withPgClient(port, 'postgres', async (c) => (await c.query('SELECT 1 AS ok')).rows[0]?.ok === 1, timeoutMs).catch(() => false);
}

/** As root, postgres must reach its data dir: give "other" search (x, not read) permission where missing. */
async function ensureTraversable(dir: string, user: UserIds): Promise<void> {
  const state = stateDir();
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const s = await stat(d);
    const ok = (s.mode & 0o001) !== 0 || (s.uid === user.uid && (s.mode & 0o100) !== 0) || (s.gid === user.gid && (s.mode & 0o010) !== 0);
    if (!ok) {
      if (!d.startsWith(state)) log(`making ${d} traversable (o+x) so the ${user.name} user reaches its data dir`);
      await chmod(d, (s.mode & 0o7777) | 0o001);
    }
    if (d === path.dirname(d)) break;
  }
}

/**
 * postmaster.pid left by an earlier postmaster: a live one we lost track of (state.json removed while it
 * ran) is stopped; a killed one may linger as a zombie until init reaps it, and postgres takes a zombie's
 * pid for a running postmaster, so once it is dead its pid file goes (postgres still refuses to start while
 * old backends hold its shared memory).
 */
async function clearPostmasterPid(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const old = Number((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0]);
  if (!(old > 0)) return;
  if (isAlive(old)) {
    log(`stopping a postgres (pid ${old}) left running on ${dataDir} without a record`);
    await stopPid(old, { signal: 'SIGINT', group: false, timeoutMs: 20_000 });
  }
  for (let i = 0; i < 50 && readProcStat(old); i++) await sleep(100);
  if (readProcStat(old)) await rm(pidFile, { force: true });
}

type RunAs = { user?: string; env: NodeJS.ProcessEnv };

/**
 * initdb with SCRAM for every connection and the admin password (made now, or kept from an initdb that did not
 * finish) handed over in a file only the server's OS user can read, removed right after.
 */
async function initCluster(bin: string, dataDir: string, osUser: UserIds | undefined, runAs: RunAs): Promise<void> {
  const password = await ensureAdminPassword();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'airlock-pg-init-'));
  const pwfile = path.join(tmp, 'pwfile');
  try {
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (osUser) for (const p of [tmp, pwfile]) await chown(p, osUser.uid, osUser.gid);
    await run(
      path.join(bin, 'initdb'),
      ['-D', dataDir, '-U', PG_USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-sync'],
      { ...runAs, cwd: dataDir, timeoutMs: 120_000 },
    );
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The project's pg_hba.conf (renderPgHba), over whatever initdb or anyone else left there. */
async function writeHba(dataDir: string, osUser: UserIds | undefined): Promise<void> {
  const file = path.join(dataDir, 'pg_hba.conf');
  await writeFile(file, renderPgHba(), { mode: 0o600 });
  await chmod(file, 0o600);
  if (osUser) await chown(file, osUser.uid, osUser.gid);
}

export async function startPostgres(port: number, profile: InfraProfile): Promise<InfraRecord> {
  const bin = await ensurePostgres();
  const dir = infraDir('postgres');
  const dataDir = path.join(dir, 'data');
  const socketDir = socketDirFor(path.join(dir, 'run'), port);
  // Postgres refuses to run as root: as root, run it as the `postgres` user the Debian package created.
  const osUser = process.getuid?.() === 0 ? lookupUser('postgres') : undefined;
  await mkdir(dir, { recursive: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await mkdir(socketDir, { recursive: true });
  if (osUser) {
    await ensureTraversable(dataDir, osUser);
    for (const d of [dataDir, socketDir]) await chown(d, osUser.uid, osUser.gid);
  }
  await chmod(dataDir, 0o700);
  const runAs = { user: osUser?.name, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } };

  const versionFile = path.join(dataDir, 'PG_VERSION');
  const binMajor = path.basename(path.dirname(bin));
  if (existsSync(versionFile) && !existsSync(adminPasswordFile())) {
    // Clusters of the older layout trusted every local connection and have no admin password; their data is
    // development data, so the cluster is made again rather than migrated.
    log(`${dataDir} holds a PostgreSQL cluster of an older layout (trust, no admin password): recreating it with SCRAM passwords; its dev data is dropped`);
    await clearPostmasterPid(dataDir);
    for (const entry of await readdir(dataDir)) await rm(path.join(dataDir, entry), { recursive: true, force: true });
  }
  if (!existsSync(versionFile)) {
    await initCluster(bin, dataDir, osUser, runAs);
  } else {
    const dataMajor = (await readFile(versionFile, 'utf8')).trim();
    if (dataMajor !== binMajor) {
      throw new Error(`${dataDir} holds a PostgreSQL ${dataMajor} cluster but the binaries are ${binMajor}: delete the directory to start afresh`);
    }
  }
  await writeHba(dataDir, osUser);

  await clearPostmasterPid(dataDir);

  const command = path.join(bin, 'postgres');
  const args = renderPostgresArgs({ dataDir, port, socketDir, profile });
  const logFile = path.join(dir, 'postgres.log');
  const { pid, startTime } = await spawnDetached({ name: 'postgres', command, args, cwd: dataDir, logFile, ...runAs });
  await waitReady('postgres', pid, [logFile], 60_000, () => pingPostgres(port, 1000));
  await withPgClient(port, 'postgres', async (c) => {
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [PG_DATABASE]);
    if (exists.rowCount === 0) await c.query(`CREATE DATABASE "${PG_DATABASE}"`);
    // The admin's databases are no one else's: service roles connect to their own database only.
    await c.query(`REVOKE CONNECT, TEMPORARY ON DATABASE postgres, "${PG_DATABASE}" FROM PUBLIC`);
  });
  return { pid, startTime, command, args, logFile, startedAt: new Date().toISOString(), user: osUser?.name, port, ports: { postgres: port }, profile };
}
