// Unit tests of state.json handling, the inter-process lock and the process helpers.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { acquireLock, withLock } from './lock';
import { freePort, isAlive, procStartTime, waitForTcp } from './proc';
import { emptyState, readState, updateState, writeState } from './state';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('state.json', () => {
  test('missing, corrupt or foreign-version files read as empty', async () => {
    const file = path.join(dir, 'state.json');
    expect(await readState(file)).toEqual(emptyState());
    await writeFile(file, '{ half');
    expect(await readState(file)).toEqual(emptyState());
    await writeFile(file, JSON.stringify({ version: 2, infra: { redis: {} } }));
    expect(await readState(file)).toEqual(emptyState());
  });

  test('round-trips and leaves no temp files', async () => {
    const file = path.join(dir, 'nested', 'state.json');
    const state = emptyState();
    state.services.api = { pid: 42, command: 'node', args: ['main.js'], logFile: '/l', startedAt: 'now' };
    state.lastPorts.kafka = { broker: 1, controller: 2 };
    await writeState(file, state);
    expect(await readState(file)).toEqual(state);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(state);
  });

  test('concurrent updates are serialized, none lost', async () => {
    const file = path.join(dir, 'state.json');
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        updateState(file, (s) => {
          s.services[`svc${i}`] = { pid: i + 1, command: 'x', args: [], logFile: '/l', startedAt: '' };
        }),
      ),
    );
    expect(Object.keys((await readState(file)).services)).toHaveLength(25);
  });
});

describe('lock', () => {
  test('excludes a second holder until released', async () => {
    const file = path.join(dir, 'x.lock');
    const order: string[] = [];
    const first = await acquireLock(file);
    const second = withLock(file, async () => {
      order.push('second');
    });
    await new Promise((r) => setTimeout(r, 300));
    order.push('first done');
    await first();
    await second;
    expect(order).toEqual(['first done', 'second']);
  });

  test('a lock left by a dead process is taken over', async () => {
    const file = path.join(dir, 'x.lock');
    await writeFile(file, JSON.stringify({ pid: await deadPid(), at: 'then' }));
    const release = await acquireLock(file, { timeoutMs: 2000 });
    expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(process.pid);
    await release();
  });

  test('a live holder makes others time out', async () => {
    const file = path.join(dir, 'x.lock');
    await writeFile(file, JSON.stringify({ pid: process.pid, startTime: procStartTime(process.pid), at: 'now' }));
    await expect(acquireLock(file, { timeoutMs: 300 })).rejects.toThrow(/timed out/);
  });
});

describe('process helpers', () => {
  test('isAlive tells a live process, a dead pid and a reused pid apart', async () => {
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(process.pid, procStartTime(process.pid))).toBe(true);
    expect(isAlive(process.pid, (procStartTime(process.pid) ?? 0) + 1)).toBe(false);
    expect(isAlive(await deadPid())).toBe(false);
  });

  test('freePort gives a bindable port and waitForTcp sees it listen', async () => {
    const port = await freePort();
    await expect(waitForTcp('127.0.0.1', port, 200)).rejects.toThrow(/within 200 ms/);
    const server = net.createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      await waitForTcp('127.0.0.1', port, 2000);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
