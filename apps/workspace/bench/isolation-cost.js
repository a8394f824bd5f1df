#!/usr/bin/env node
// What confining a local workspace costs: the local driver's ensureRunning (start → code-server answers /healthz)
// with the pid namespace and egress firewall, next to a baseline from the same run — the same driver without
// them (service-user mode, WORKSPACE_LOCAL_ALLOW_UNISOLATED) — and one replacement of the firewall table
// (`nft -f`, what every start, adoption and stop does). Not a test: nothing here asserts a time.
//
//   tools/airlock bootstrap node apps/workspace/bench/isolation-cost.js [--runs 5]
//
// Needs root (accounts, nft, unshare), the workspace service built and code-server installed (ensureCodeServer).
'use strict';
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { ensureCodeServer, ensureNftables, killLocalWorkspaces } = require('@airlock/testing');
const { LocalDriver } = require('../dist/drivers/local/local-driver');
const { EgressFirewall } = require('../dist/drivers/local/egress-firewall');
const { networkConfigSchema } = require('../dist/drivers/kubernetes/network');

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(args.runs);

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function driverFor({ codeServer, root, confined }) {
  return new LocalDriver({
    rootDir: root,
    codeServerEntry: codeServer.entry,
    nodeBin: codeServer.node,
    isolation: confined ? 'per-user' : 'service-user',
    allowDownloads: false,
    allowUploads: false,
    startWaitMs: 60_000,
    readyTimeoutMs: 60_000,
    maxOpenFiles: 8192,
    maxProcesses: 1024,
    gatewayUrl: 'https://127.0.0.1:8443',
    network: networkConfigSchema.parse({}),
    allowUnisolated: !confined,
  });
}

const spec = (i) => ({
  id: `ws_bench${String(i).padStart(15, '0')}`,
  tenantId: 'bench',
  projectId: 'bench',
  ownerUserId: 'isolation-bench',
  image: 'workspace-base:2026.11.21-build1',
  imageRef: '',
  cpuMillis: 1000,
  memoryMib: 1024,
  diskGib: 1,
  generation: 0,
  clientFiles: [],
});

async function startTimes(codeServer, confined) {
  const root = mkdtempSync(path.join(os.tmpdir(), confined ? 'bench-confined-' : 'bench-baseline-'));
  const driver = driverFor({ codeServer, root, confined });
  const times = [];
  try {
    for (let i = 0; i < RUNS; i += 1) {
      const started = process.hrtime.bigint();
      const observation = await driver.ensureRunning(spec(i));
      if (observation.state !== 'RUNNING') throw new Error(`not running: ${observation.detail}`);
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      await driver.ensureDeleted(spec(i).id);
    }
  } finally {
    await killLocalWorkspaces(root);
    rmSync(root, { recursive: true, force: true });
  }
  return times;
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('needs root: per-user accounts, nft and unshare');
  const codeServer = await ensureCodeServer();
  const nft = await ensureNftables();
  const baseline = await startTimes(codeServer, false);
  const confined = await startTimes(codeServer, true);
  const firewall = new EgressFirewall({ rootDir: mkdtempSync(path.join(os.tmpdir(), 'bench-nft-')), nft, gatewayUrl: 'https://127.0.0.1:8443', network: networkConfigSchema.parse({}) });
  const applies = [];
  for (let i = 0; i < RUNS * 4; i += 1) {
    const started = process.hrtime.bigint();
    await firewall.apply(() => [65534]);
    applies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  await firewall.apply(() => []);
  const row = (label, values, base) => {
    const ratio = base ? ` (${(percentile(values, 50) / percentile(base, 50)).toFixed(2)}× baseline)` : '';
    console.log(`${label.padEnd(46)} P50 ${percentile(values, 50).toFixed(0)} ms, P95 ${percentile(values, 95).toFixed(0)} ms${ratio}`);
  };
  console.log(`runs: ${RUNS}`);
  row('baseline: start → /healthz, unconfined', baseline);
  row('start → /healthz, pid namespace + firewall', confined, baseline);
  row('firewall table replacement (nft -f)', applies);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
