import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { createKafka } from '@airlock/events';

type Admin = ReturnType<ReturnType<typeof createKafka>['admin']>;

/** A throwaway self-signed server certificate for localhost / 127.0.0.1 (it is its own CA). */
export function selfSignedCert(dir: string): { caFile: string; certFile: string; keyFile: string } {
  const certFile = path.join(dir, 'server.crt');
  const keyFile = path.join(dir, 'server.key');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-keyout', keyFile, '-out', certFile,
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    { stdio: 'pipe' },
  );
  return { caFile: certFile, certFile, keyFile };
}

export interface SinkCount {
  lines: number;
  unique: number;
  duplicates: number;
  ids: Set<string>;
}

/**
 * Event ids in a jsonl sink file: lines, distinct ids, and lines beyond the first of each id. Only lines ended by a
 * newline count: the sink may be in the middle of a write, and a reader can see part of it.
 */
export async function countSink(file: string): Promise<SinkCount> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const lines = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
  const ids = new Set(lines.map((l) => (JSON.parse(l) as { event_id: string }).event_id));
  return { lines: lines.length, unique: ids.size, duplicates: lines.length - ids.size, ids };
}

/** Committed offsets of a group and the log-end offsets, summed over the topic's partitions (`admin` connected). */
export async function groupOffsets(admin: Admin, groupId: string, topic: string): Promise<{ committed: number; end: number; lag: number }> {
  const [group] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const ends = await admin.fetchTopicOffsets(topic);
  const committed = (group?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  const end = ends.reduce((sum, p) => sum + Number(p.high), 0);
  return { committed, end, lag: end - committed };
}

const DIST_MAIN = path.resolve(__dirname, '../dist/main.js');

/** The built service (`dist/main.js`) as a child process, output appended to `logFile`, for kill -9 tests. */
export function spawnBuiltService(env: Record<string, string>, logFile: string): ChildProcess {
  const out = openSync(logFile, 'a');
  return spawn(process.execPath, [DIST_MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
