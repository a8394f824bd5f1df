import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { aptInstall } from './apt';
import { log } from './log';
import { infraDir, toolsDir } from './paths';
import { spawnDetached, waitReady } from './proc';
import type { InfraRecord } from './state';
import type { InfraProfile } from './types';
import { prepareLogFile } from './log-files';
import { REDIS_ADMIN, ensureRedisAdminPassword, readRedisAdminPassword, renderAclFile } from './redis-auth';

/**
 * Debian's redis-tools carries the whole server as /usr/bin/redis-check-rdb; Redis picks its mode from
 * argv[0], so a symlink named redis-server runs the server. (The redis-server package would install and
 * start a system service, which the harness must never touch.)
 */
export const REDIS_BINARY = '/usr/bin/redis-check-rdb';

/** Installs redis-tools when missing and returns <state>/tools/bin/redis-server. */
export async function ensureRedis(): Promise<string> {
  if (!existsSync(REDIS_BINARY)) {
    log('installing Debian package redis-tools (for its redis server binary)');
    await aptInstall(['redis-tools']);
    if (!existsSync(REDIS_BINARY)) throw new Error(`redis-tools did not provide ${REDIS_BINARY}`);
  }
  const link = path.join(toolsDir(), 'bin', 'redis-server');
  if ((await readlink(link).catch(() => undefined)) !== REDIS_BINARY) {
    await mkdir(path.dirname(link), { recursive: true });
    await rm(link, { force: true });
    await symlink(REDIS_BINARY, link);
  }
  return link;
}

export function renderRedisArgs(c: { port: number; dataDir: string; logFile: string; aclFile: string }): string[] {
  return [
    // Users and their permissions (see redis-auth.ts); `ACL SAVE` writes service users back to it.
    '--aclfile', c.aclFile,
    '--port', String(c.port),
    '--bind', '127.0.0.1',
    '--dir', c.dataDir,
    '--save', '',
    '--appendonly', 'no',
    '--daemonize', 'no',
    '--protected-mode', 'yes',
    '--logfile', c.logFile,
  ];
}

/**
 * Writes `<dir>/users.acl` (0600: it holds password hashes) with the admin password, keeping the service users a
 * previous run saved; returns its path.
 */
export async function writeAclFile(dir: string): Promise<string> {
  const file = path.join(dir, 'users.acl');
  const existing = await readFile(file, 'utf8').catch(() => '');
  await writeFile(file, renderAclFile(existing, await ensureRedisAdminPassword()), { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

/**
 * Authenticates as the admin user, sends PING and expects +PONG. False without an admin password: a server of
 * the older layout (no ACL file, open to everyone) must not be taken for a ready one, so the harness restarts it.
 */
export function pingRedis(port: number, timeoutMs = 2000, host = '127.0.0.1'): Promise<boolean> {
  const password = readRedisAdminPassword();
  if (!password) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => socket.write(`AUTH ${REDIS_ADMIN} ${password}\r\nPING\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      const lines = reply.split('\r\n');
      if (lines.length >= 3) done(lines[0] === '+OK' && lines[1] === '+PONG');
      else if (reply.startsWith('-')) done(false);
    });
    socket.once('error', () => done(false));
  });
}

export async function startRedis(port: number, profile: InfraProfile): Promise<InfraRecord> {
  const binary = await ensureRedis();
  const dir = infraDir('redis');
  const dataDir = path.join(dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const logFile = path.join(dir, 'redis.log');
  prepareLogFile(logFile);
  const args = renderRedisArgs({ port, dataDir, logFile, aclFile: await writeAclFile(dir) });
  const { pid, startTime } = await spawnDetached({ name: 'redis', command: binary, args, cwd: dir, logFile: path.join(dir, 'redis.out') });
  await waitReady('redis', pid, [logFile, path.join(dir, 'redis.out')], 30_000, () => pingRedis(port, 1000));
  return { pid, startTime, command: binary, args, logFile, startedAt: new Date().toISOString(), port, ports: { redis: port }, profile };
}
