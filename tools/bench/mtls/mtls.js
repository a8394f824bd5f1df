#!/usr/bin/env node
// What mTLS between the services costs, measured in one run: two meshes on free ports side by side, one with every
// internal call in plaintext (the baseline: MTLS_OFF_FOR_DEVELOPMENT, Envoy's gRPC clusters without TLS, the
// reference model on plain HTTP) and one as deployed (mTLS everywhere), driven alternately at the same open-loop rate.
//   ext_authz path: a route Envoy answers itself behind ext_authz (Envoy -> policy, the hop mTLS adds to every request);
//   gateway path:   POST /v1/chat/completions (Envoy -> policy, Envoy -> gateway -> dlp (gRPC) -> reference model).
// Prints P50/P99 latency and the CPU the mesh's processes spent per request (from /proc), and mTLS/plaintext ratios.
//
//   tools/airlock bootstrap node tools/bench/mtls/mtls.js [--rate 200] [--seconds 10]
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const { parseArgs } = require('node:util');
const YAML = require('yaml');
const { issueDevTokenAt, operatorCredentials, startMesh, stopMesh } = require('@airlock/cli');
const { ensureEnvoy, listManaged, spawnManaged, stateDir, stopManaged } = require('@airlock/testing');
const { openLoop, percentile, fmt } = require('../lib/load');
const { unlimitedBundleFile } = require('../lib/bundle');
const { cpuMsOf } = require('../gateway/proc-cpu');

const { values: args } = parseArgs({ options: { rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '10' } } });
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const AUTHZ_PATH = '/v1/chat/completions';
const PROCESSES = ['envoy', 'policy', 'identity', 'gateway', 'dlp', 'reference-model'];
const CHAT = { model: 'airlock-chat', messages: [{ role: 'user', content: 'Summarise the release notes for the payments service.' }] };

/** Envoy answers this route itself after ext_authz: only the Envoy -> policy hop is measured. */
function authzRoute() {
  return { match: { path: AUTHZ_PATH, headers: [{ name: 'x-airlock-bench', string_match: { exact: 'authz' } }] }, direct_response: { status: 200, body: { inline_string: 'ok' } } };
}

/**
 * Restarts the mesh's Envoy with the bench route, without its access log (noise for both meshes alike), and for the
 * plaintext mesh without TLS on the clusters to policy and audit.
 */
async function restartEnvoy(name, mesh) {
  const configPath = path.join(stateDir(), 'run', name, 'envoy.yaml');
  const config = YAML.parse(readFileSync(configPath, 'utf8'), { intAsBigInt: true });
  const listener = config.static_resources.listeners.find((l) => Number(l.address.socket_address.port_value) === mesh.envoy.httpsPort);
  const hcm = listener.filter_chains[0].filters[0].typed_config;
  hcm.route_config.virtual_hosts[0].routes.unshift(authzRoute());
  delete hcm.access_log;
  if (!mesh.mtls) for (const cluster of config.static_resources.clusters) delete cluster.transport_socket;
  const benchConfig = path.join(stateDir(), 'run', name, 'envoy-bench.yaml');
  writeFileSync(benchConfig, YAML.stringify(config));
  const managed = await listManaged();
  await stopManaged(managed[`${name}.envoy`].pid, 15_000);
  await spawnManaged({
    name: `${name}.envoy`,
    command: await ensureEnvoy(),
    args: ['-c', benchConfig, '--use-dynamic-base-id', '--log-level', 'warn', '--concurrency', '1'],
    env: { PATH: process.env.PATH },
    logFile: path.join(mesh.logsDir, 'envoy-bench.log'),
    orphan: true,
  });
}

function request(mesh, agent, token, options) {
  return () =>
    new Promise((resolve, reject) => {
      const req = https.request(
        { host: 'localhost', port: mesh.envoy.httpsPort, path: AUTHZ_PATH, agent, ...options, headers: { authorization: `Bearer ${token}`, ...options.headers } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
}

async function prepare(name, mtls) {
  process.stdout.write(`starting mesh ${name} (${mtls ? 'mTLS' : 'plaintext'} inside)...\n`);
  const mesh = await startMesh({ name, ports: 'free', mtls, policyBundleFile: unlimitedBundleFile(), logLevel: 'warn' });
  await restartEnvoy(name, mesh);
  const token = await issueDevTokenAt(
    `127.0.0.1:${mesh.services.identity.grpc}`,
    { userId: 'bench', tenantId: 'demo', projectId: 'demo-project', workspaceId: 'ws-bench', roles: ['developer'], ttlSeconds: 3600 },
    operatorCredentials(mesh),
  );
  const agent = new https.Agent({ keepAlive: true, maxSockets: 256, ca: readFileSync(mesh.caBundle) });
  const body = JSON.stringify(CHAT);
  const paths = {
    ext_authz: request(mesh, agent, token, { method: 'GET', headers: { 'x-airlock-bench': 'authz' } }),
    gateway: request(mesh, agent, token, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, body }),
  };
  // A fresh mesh may refuse for a moment (Envoy restarting, the gateway fetching policy's JWKS).
  for (const fn of Object.values(paths)) {
    for (let attempt = 0; ; attempt++) {
      try {
        await fn();
        break;
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
  const managed = await listManaged();
  const pids = PROCESSES.map((p) => managed[`${name}.${p}`]?.pid).filter(Boolean);
  return { name, mesh, paths, cpu: () => pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0) };
}

async function main() {
  const variants = { plaintext: 'bench-mtls-plain', mtls: 'bench-mtls-on' };
  const started = [];
  try {
    const setups = {};
    for (const [variant, name] of Object.entries(variants)) {
      started.push(name);
      setups[variant] = await prepare(name, variant === 'mtls');
    }
    const results = {};
    for (const pathName of ['ext_authz', 'gateway']) {
      const acc = { plaintext: { latencies: [], cpuMs: 0, n: 0, errors: 0 }, mtls: { latencies: [], cpuMs: 0, n: 0, errors: 0 } };
      // Alternate baseline and candidate twice so drift on a shared machine hits both alike.
      for (let round = 0; round < 2; round++) {
        for (const variant of ['plaintext', 'mtls']) {
          const setup = setups[variant];
          const before = setup.cpu();
          const r = await openLoop({ rate: RATE, seconds: SECONDS / 2, warmupSeconds: 1, request: setup.paths[pathName] });
          const a = acc[variant];
          a.cpuMs += setup.cpu() - before;
          // CPU covers the warm-up second too: divide by every request sent.
          a.n += Math.round(r.sent * (1 + 1 / (SECONDS / 2)));
          a.latencies.push(...r.latenciesMs);
          a.errors += r.errors;
        }
      }
      results[pathName] = Object.fromEntries(
        Object.entries(acc).map(([v, a]) => [v, { p50: percentile(a.latencies, 50), p99: percentile(a.latencies, 99), cpu: a.cpuMs / a.n, errors: a.errors, n: a.latencies.length }]),
      );
    }
    process.stdout.write(`\nmTLS inside the mesh vs plaintext, through Envoy (TLS at the edge in both), ${RATE} req/s open loop, ${SECONDS} s per variant\n`);
    process.stdout.write('path       variant     n      p50 ms   p99 ms   CPU ms/req (mesh)   errors\n');
    for (const [pathName, r] of Object.entries(results)) {
      for (const v of ['plaintext', 'mtls']) {
        process.stdout.write(
          `${pathName.padEnd(10)} ${v.padEnd(11)} ${String(r[v].n).padEnd(6)} ${fmt(r[v].p50).padEnd(8)} ${fmt(r[v].p99).padEnd(8)} ${fmt(r[v].cpu, 3).padEnd(19)} ${r[v].errors}\n`,
        );
      }
      process.stdout.write(
        `${pathName.padEnd(10)} ratio       mTLS/plaintext: p50 ${fmt(r.mtls.p50 / r.plaintext.p50)}x  p99 ${fmt(r.mtls.p99 / r.plaintext.p99)}x  CPU/req ${fmt(r.mtls.cpu / r.plaintext.cpu)}x\n`,
      );
    }
  } finally {
    for (const name of started) await stopMesh(name);
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
