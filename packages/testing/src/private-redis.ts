import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { infraRoot } from './paths';
import { freePort, isAlive, spawnDetached, stopPid, waitReady } from './proc';
import { ensureRedis, pingRedis, renderRedisArgs, writeAclFile } from './redis';
import { prepareLogFile } from './log-files';
import { REDIS_ADMIN, readRedisAdminPassword } from './redis-auth';
import type { RedisEndpoint } from './types';

export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>`; the same across restarts. */
  url: string;
  /** Its address and admin user, for createTestRedisUser (users it makes survive `stop`/`start`). */
  endpoint: RedisEndpoint;
  /** Kills the server (SIGKILL: an outage, not a shutdown); `start` brings it back empty on the same port. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop`). */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
}

/**
 * A Redis of its own — same binary and arguments as the shared one of `startInfra`, but its own directory
 * (under <state>/infra/private-redis/) and a free port; the same admin user and password — so a test can take it away and bring it back without
 * disturbing anyone else's. Not recorded in state.json: call `destroy()` when done.
 */
export async function startPrivateRedis(label = 'redis'): Promise<PrivateRedis> {
  const binary = await ensureRedis();
  const base = path.join(infraRoot(), 'private-redis');
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(path.join(base, `${label.replace(/[^a-zA-Z0-9_-]/g, '_')}-`));
  const port = await freePort();
  const logFile = path.join(dir, 'redis.log');
  prepareLogFile(logFile);
  const args = renderRedisArgs({ port, dataDir: dir, logFile, aclFile: await writeAclFile(dir) });
  let current: { pid: number; startTime?: number } | undefined;

  const start = async (): Promise<void> => {
    if (current && isAlive(current.pid, current.startTime)) return;
    current = await spawnDetached({ name: `private-redis-${label}`, command: binary, args, cwd: dir, logFile: path.join(dir, 'redis.out') });
    await waitReady(`private Redis ${label}`, current.pid, [logFile, path.join(dir, 'redis.out')], 30_000, () => pingRedis(port, 500));
  };
  const stop = async (): Promise<void> => {
    const proc = current;
    current = undefined;
    if (proc) await stopPid(proc.pid, { startTime: proc.startTime, signal: 'SIGKILL', timeoutMs: 10_000 });
  };

  await start();
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    endpoint: { host: '127.0.0.1', port, url, username: REDIS_ADMIN, password: readRedisAdminPassword() },
    start,
    stop,
    destroy: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
