#!/usr/bin/env node
// Latency that ext_authz adds at the edge, measured through the real Envoy over TLS in one run:
// the same route (a direct response at Envoy, so no upstream service is in the numbers) with ext_authz
// disabled (the baseline) and enabled (policy service -> credential check), at fixed open-loop rates.
//
//   tools/airlock bootstrap node tools/bench/edge/ext-authz.js [--rates 200,1000] [--seconds 10] [--cpu-prof DIR]
//
// `--cpu-prof DIR`: every service of the mesh writes its V8 CPU profile there when it stops (DIR/policy.cpuprofile;
// tools/bench/gateway/profile-summary.js).
//
// Starts its own mesh on free ports (namespace bench-edge) and stops it at the end.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const { parseArgs } = require('node:util');
const YAML = require('yaml');
const { issueDevTokenAt, operatorCredentials, startMesh, stopMesh } = require('@airlock/cli');
const { listManaged, stopManaged, spawnManaged, stateDir, ensureEnvoy } = require('@airlock/testing');
const { openLoop, percentile, fmt } = require('../lib/load');
const { unlimitedBundleFile } = require('../lib/bundle');

const { values: args } = parseArgs({
  options: { rates: { type: 'string', default: '200,1000' }, seconds: { type: 'string', default: '10' }, 'cpu-prof': { type: 'string' } },
});
const RATES = args.rates.split(',').map(Number);
const SECONDS = Number(args.seconds);
const NAME = 'bench-edge';
const BENCH_PATH = '/v1/chat/completions';

// Two routes on the same path, told apart by a header, both answered by Envoy itself. The policy sees an
// ordinary chat request, so the measured check is the production one (credential, decision, headers).
function benchRoutes() {
  const direct = { status: 200, body: { inline_string: 'ok' } };
  const header = (value) => [{ name: 'x-airlock-bench', string_match: { exact: value } }];
  return [
    {
      match: { path: BENCH_PATH, headers: header('open') },
      direct_response: direct,
      typed_per_filter_config: {
        'envoy.filters.http.ext_authz': {
          '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute',
          disabled: true,
        },
      },
    },
    { match: { path: BENCH_PATH, headers: header('authz') }, direct_response: direct },
  ];
}

async function restartEnvoyWithBenchRoutes(mesh) {
  const configPath = path.join(stateDir(), 'run', NAME, 'envoy.yaml');
  // BigInt keeps int64 values (the body-size range match) exact through the round trip.
  const config = YAML.parse(readFileSync(configPath, 'utf8'), { intAsBigInt: true });
  const listener = config.static_resources.listeners.find((l) => Number(l.address.socket_address.port_value) === mesh.envoy.httpsPort);
  const hcm = listener.filter_chains[0].filters[0].typed_config;
  hcm.route_config.virtual_hosts[0].routes.unshift(...benchRoutes());
  // Every request would otherwise write an access-log line; both variants pay it, but it is noise here.
  delete hcm.access_log;
  const benchConfig = path.join(stateDir(), 'run', NAME, 'envoy-bench.yaml');
  writeFileSync(benchConfig, YAML.stringify(config));

  const managed = await listManaged();
  await stopManaged(managed[`${NAME}.envoy`].pid, 15_000);
  await spawnManaged({
    name: `${NAME}.envoy`,
    command: await ensureEnvoy(),
    args: ['-c', benchConfig, '--use-dynamic-base-id', '--log-level', 'warn', '--concurrency', '1'],
    env: { PATH: process.env.PATH },
    logFile: path.join(mesh.logsDir, 'envoy-bench.log'),
    orphan: true,
  });
}

function mintToken(mesh) {
  return issueDevTokenAt(`127.0.0.1:${mesh.services.identity.grpc}`, {
    userId: 'bench',
    tenantId: 'demo',
    projectId: 'demo-project',
    workspaceId: 'ws-bench',
    roles: ['developer'],
    ttlSeconds: 3600,
  }, operatorCredentials(mesh));
}

function requester(mesh, ca, token, variant) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 256, ca });
  return () =>
    new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: 'localhost',
          port: mesh.envoy.httpsPort,
          path: BENCH_PATH,
          method: 'GET',
          agent,
          headers: { authorization: `Bearer ${token}`, 'x-airlock-bench': variant },
        },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`, { cause: res.statusCode }))));
        },
      );
      req.on('error', reject);
      req.end();
    });
}

async function waitReady(fn) {
  for (let i = 0; i < 100; i++) {
    try {
      return await fn();
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error('Envoy with the bench routes did not answer');
}

async function main() {
  process.stdout.write('starting a mesh on free ports (bench-edge)...\n');
  const mesh = await startMesh({ name: NAME, ports: 'free', policyBundleFile: unlimitedBundleFile(), cpuProfileDir: args['cpu-prof'] && path.resolve(args['cpu-prof']) });
  try {
    await restartEnvoyWithBenchRoutes(mesh);
    const ca = readFileSync(mesh.caBundle, 'utf8');
    const token = await mintToken(mesh);
    const open = requester(mesh, ca, token, 'open');
    const authz = requester(mesh, ca, token, 'authz');
    await waitReady(open);
    await waitReady(authz);

    const rows = [];
    for (const rate of RATES) {
      // Alternate baseline and candidate twice so drift on a shared machine hits both alike.
      const runs = { open: [], authz: [] };
      let errors = 0;
      const errorKinds = {};
      for (let round = 0; round < 2; round++) {
        for (const [variant, fn] of [['open', open], ['authz', authz]]) {
          const r = await openLoop({ rate, seconds: SECONDS / 2, warmupSeconds: 1, request: fn });
          runs[variant].push(...r.latenciesMs);
          errors += r.errors;
          for (const [k, v] of Object.entries(r.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + v;
        }
      }
      const s = (v) => ({ p50: percentile(runs[v], 50), p99: percentile(runs[v], 99) });
      rows.push({ rate, open: s('open'), authz: s('authz'), errors, errorKinds, n: runs.authz.length });
    }

    process.stdout.write('\next_authz latency through Envoy (TLS, keep-alive), same route with and without ext_authz\n');
    process.stdout.write('rate/s  n      baseline p50/p99 ms   ext_authz p50/p99 ms   added p50/p99 ms   p99 ratio  errors\n');
    for (const r of rows) {
      process.stdout.write(
        `${String(r.rate).padEnd(7)} ${String(r.n).padEnd(6)} ${`${fmt(r.open.p50)} / ${fmt(r.open.p99)}`.padEnd(21)} ` +
          `${`${fmt(r.authz.p50)} / ${fmt(r.authz.p99)}`.padEnd(22)} ` +
          `${`${fmt(r.authz.p50 - r.open.p50)} / ${fmt(r.authz.p99 - r.open.p99)}`.padEnd(18)} ` +
          `${fmt(r.authz.p99 / r.open.p99)}x      ${r.errors}${r.errors ? ` ${JSON.stringify(r.errorKinds)}` : ''}\n`,
      );
    }
    process.stdout.write('target (issue 3): added P99 <= 2 ms at 1000 req/s; OPA-Envoy publishes 3.0 ms plugin P99 at 1000 req/s\n');
  } finally {
    await stopMesh(NAME);
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
