// Start/stop in a state dir of its own (so the shared infrastructure keeps running): concurrent starts
// share one process, stopInfra really stops it, and spawnManaged/stopManaged handle a plain process.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { infraStatus, listManaged, spawnManaged, startInfra, stopInfra, stopManaged } from './index';
import { isAlive } from './proc';

jest.setTimeout(5 * 60_000);

const savedState = process.env.AIRLOCK_STATE_DIR;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-lifecycle-'));
  process.env.AIRLOCK_STATE_DIR = dir;
});

afterAll(async () => {
  await stopInfra().catch(() => undefined);
  if (savedState === undefined) delete process.env.AIRLOCK_STATE_DIR;
  else process.env.AIRLOCK_STATE_DIR = savedState;
  await rm(dir, { recursive: true, force: true });
});

test('concurrent starts share one redis, and stopInfra stops it', async () => {
  const [a, b] = await Promise.all([startInfra({ components: ['redis'], profile: 'test' }), startInfra({ components: ['redis'], profile: 'test' })]);
  expect(a.redis.port).toBeGreaterThan(0);
  expect(b.redis).toEqual(a.redis);
  expect(a.kafka.brokers).toEqual([]);

  const status = await infraStatus();
  expect(status.redis.running).toBe(true);
  expect(status.postgres.running).toBe(false);
  const pid = status.redis.pid!;
  expect(isAlive(pid)).toBe(true);

  await stopInfra();
  expect(isAlive(pid)).toBe(false);
  expect((await infraStatus()).redis).toEqual({ running: false });
  const state = JSON.parse(await readFile(path.join(dir, 'infra', 'state.json'), 'utf8'));
  expect(state.infra).toEqual({});

  // A restart keeps the previous port when it is still free.
  const again = await startInfra({ components: ['redis'], profile: 'test' });
  expect(again.redis.port).toBe(a.redis.port);
  await stopInfra();
});

test('spawnManaged records a detached process and stopManaged ends it, SIGKILL if it ignores SIGTERM', async () => {
  const logFile = path.join(dir, 'svc', 'stubborn.log');
  // The shell ignores SIGTERM and has a child in its process group: both must be gone afterwards.
  const { pid } = await spawnManaged({
    name: 'stubborn',
    command: 'sh',
    args: ['-c', 'trap "" TERM; echo "up $GREETING"; sleep 300 & wait'],
    env: { ...process.env, GREETING: 'hi' },
    logFile,
  });
  expect(isAlive(pid)).toBe(true);
  expect((await listManaged()).stubborn).toEqual({ pid, running: true, logFile });
  for (let i = 0; i < 50 && !(await readFile(logFile, 'utf8')).includes('up hi'); i++) await new Promise((r) => setTimeout(r, 50));
  expect(await readFile(logFile, 'utf8')).toContain('up hi');

  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).trim().split(/\s+/).filter(Boolean).map(Number);
  const began = Date.now();
  await stopManaged(pid, 500);
  expect(Date.now() - began).toBeGreaterThanOrEqual(400);
  expect(isAlive(pid)).toBe(false);
  for (const child of children) expect(isAlive(child)).toBe(false);
  expect(await listManaged()).toEqual({});
});

test('spawnManaged rejects a command that does not exist', async () => {
  await expect(
    spawnManaged({ name: 'ghost', command: path.join(dir, 'no-such-binary'), args: [], logFile: path.join(dir, 'ghost.log') }),
  ).rejects.toThrow(/could not start ghost/);
  expect(existsSync(path.join(dir, 'ghost.log'))).toBe(true);
});
