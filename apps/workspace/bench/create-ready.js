#!/usr/bin/env node
// Create → ready for the local driver: from CreateWorkspace to the registry saying observed RUNNING (the
// workspace's code-server answers /healthz), one at a time and with N concurrent creations — next to a
// baseline measured in the same run: a bare code-server process (same flags, same socket setup) from
// spawn to its first /healthz answer. Not a test: nothing here asserts a time. Targets (issue 8):
// P50 ≤ 3 s, P95 ≤ 6 s.
//
//   tools/airlock bootstrap node apps/workspace/bench/create-ready.js [--runs 10] [--concurrent 10]
//
// Needs the workspace service built (turbo run build --filter @airlock/workspace...) and code-server
// installed (ensureCodeServer: a one-time build on a fresh machine). Uses the shared local Postgres and
// Kafka (own database and topics). The service runs in this process, as its integration tests do.
'use strict';
const { spawn } = require('node:child_process');
const { generateKeyPairSync } = require('node:crypto');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { airlock } = require('@airlock/contracts');
const { Metadata, createClient, unary } = require('@airlock/grpc');
const { bootService } = require('@airlock/runtime');
const { createTestDatabase, createTopics, ensureCodeServer, freePort, killLocalWorkspaces, startInfra, uniquePrefix } = require('@airlock/testing');
const { topicName } = require('@airlock/events');
const { workspaceService } = require('../dist/service');
const { probeHealth } = require('../dist/drivers/local/local-driver');

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '10' }, concurrent: { type: 'string', default: '10' } } });
const RUNS = Number(args.runs);
const CONCURRENT = Number(args.concurrent);
const { WorkspaceState: S } = airlock.workspace.v1;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
function summary(label, values, baseline) {
  const p50 = percentile(values, 50);
  const p95 = percentile(values, 95);
  const ratio = baseline ? `  (P50 ${(p50 / baseline).toFixed(2)}× baseline)` : '';
  console.log(`${label.padEnd(34)} n=${String(values.length).padStart(2)}  P50 ${fmt(p50)}  P95 ${fmt(p95)}  max ${fmt(Math.max(...values))}${ratio}`);
  return { p50, p95 };
}

/** Bare code-server: spawn → first /healthz answer, on a Unix socket like the driver's. */
async function bareStart(install) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-bench-'));
  const socket = path.join(dir, 'cs.sock');
  const started = performance.now();
  const child = spawn(
    install.node,
    [install.entry, '--auth', 'none', '--socket', socket, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-proxy',
      '--user-data-dir', path.join(dir, 'data'), '--extensions-dir', path.join(dir, 'ext'), '--config', path.join(dir, 'config.yaml'), dir],
    { env: { PATH: process.env.PATH, HOME: dir }, stdio: 'ignore', detached: true },
  );
  try {
    for (;;) {
      if (await probeHealth(socket, 500)) return performance.now() - started;
      if (child.exitCode !== null) throw new Error('bare code-server exited');
      await sleep(25);
    }
  } finally {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const install = await ensureCodeServer();
  console.log(`code-server ${install.version} (one-time install took ${install.installSeconds} s), ${os.cpus().length} CPUs`);
  const infra = await startInfra({ components: ['postgres', 'kafka'] });
  const prefix = uniquePrefix('wsbench');
  await createTopics(infra, [topicName('audit', prefix)]);
  const db = await createTestDatabase(infra, prefix);
  const root = mkdtempSync(path.join(os.tmpdir(), 'wsbench-'));
  // The service verifies its browser route's callers; nothing here uses the route, any P-256 key will do.
  const edgeKeyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'wsbench-edge-')), 'assertion-public.pem');
  writeFileSync(edgeKeyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));
  const service = await bootService(workspaceService, {
    IDENTITY_ASSERTION_PUBLIC_KEY_FILE: edgeKeyFile,
    GRPC_PORT: String(await freePort()),
    HTTP_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    EVENT_SPOOL_DIR: mkdtempSync(path.join(os.tmpdir(), 'wsbench-spool-')),
    ...db.env,
    KAFKA_BROKERS: infra.kafka.brokers.join(','),
    TOPIC_PREFIX: prefix,
    WORKSPACE_DRIVER: 'local',
    WORKSPACE_LOCAL_DIR: root,
    WORKSPACE_CODE_SERVER_ENTRY: install.entry,
    WORKSPACE_CODE_SERVER_NODE: install.node,
    WORKSPACE_MAX_PER_USER: '1000',
    WORKSPACE_USER_CPU_MILLIS: '100000000',
    WORKSPACE_USER_MEMORY_MIB: '100000000',
    WORKSPACE_USER_DISK_GIB: '100000000',
    WORKSPACE_IDLE_TIMEOUT_MS: '0',
  });
  const client = createClient(airlock.workspace.v1.WorkspaceServiceClient, service.grpcAddress);
  const tenantId = 'bench';
  let seq = 0;

  async function createReady(userIndex) {
    const metadata = new Metadata();
    metadata.set('x-user-id', `bench-user-${userIndex}`);
    const started = performance.now();
    const created = await new Promise((resolve, reject) =>
      client.createWorkspace(
        { tenantId, projectId: `p${Date.now().toString(36)}-${(seq += 1)}`, ownerUserId: `bench-user-${userIndex}`, image: '', resources: undefined },
        metadata,
        (e, r) => (e ? reject(e) : resolve(r)),
      ),
    );
    const id = created.workspace.workspaceId;
    for (;;) {
      const w = (await unary(client.getWorkspace.bind(client), { workspaceId: id })).workspace;
      if (w.observedState === S.WORKSPACE_STATE_RUNNING) return { id, ms: performance.now() - started };
      if (w.observedState === S.WORKSPACE_STATE_FAILED) throw new Error(`${id} failed: ${w.detail ?? ''}`);
      await sleep(20);
    }
  }
  async function deleteAll(ids) {
    await Promise.all(ids.map((workspaceId) => unary(client.deleteWorkspace.bind(client), { workspaceId })));
    for (;;) {
      const states = await Promise.all(ids.map(async (workspaceId) => (await unary(client.getWorkspace.bind(client), { workspaceId })).workspace.observedState));
      if (states.every((s) => s === S.WORKSPACE_STATE_DELETED)) return;
      await sleep(100);
    }
  }

  try {
    // Warm-up (first useradd, disk cache of the install), not counted.
    await bareStart(install);
    const warm = await createReady(0);
    await deleteAll([warm.id]);

    const baseline = [];
    for (let i = 0; i < RUNS; i += 1) baseline.push(await bareStart(install));
    const base = summary('baseline: bare code-server → /healthz', baseline).p50;

    const sequential = [];
    for (let i = 0; i < RUNS; i += 1) {
      const r = await createReady(i % CONCURRENT);
      sequential.push(r.ms);
      await deleteAll([r.id]);
    }
    summary('create → ready, one at a time', sequential, base);

    const parallel = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => createReady(i)));
    summary(`create → ready, ${CONCURRENT} concurrent`, parallel.map((r) => r.ms), base);
    await deleteAll(parallel.map((r) => r.id));
    console.log('targets: P50 ≤ 3.00 s, P95 ≤ 6.00 s');
  } finally {
    client.close();
    await service.close();
    await killLocalWorkspaces(root);
    await db.drop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
