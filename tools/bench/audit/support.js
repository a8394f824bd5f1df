'use strict';
// What the event-pipeline benchmarks share: a realistic audit event, output lines, following a JSONL sink,
// and running a service's build as a child process, as deployed.
const { spawn } = require('node:child_process');
const { closeSync, openSync, readSync, statSync } = require('node:fs');
const path = require('node:path');

const { airlock } = require('@airlock/contracts');
const { newEventId } = require('@airlock/events');
const { freePort, waitForTcp, withRedisUser } = require('@airlock/testing');

const { AuditEvent } = airlock.events.v1;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ROOT = path.resolve(__dirname, '../../..');

/** A realistic gateway audit event (about 400 bytes encoded). */
function makeEvent() {
  return AuditEvent.fromPartial({
    eventId: newEventId(),
    eventType: 'ai.request',
    timestamp: new Date().toISOString(),
    correlationId: `corr-${newEventId()}`,
    tenantId: 'tenant-bench',
    projectId: 'project-bench',
    workspaceId: 'ws-bench-000001',
    userId: 'user-bench-0001',
    clientIp: '10.20.30.40',
    endpoint: '/v1/chat/completions',
    statusCode: 200,
    latencyMs: 734,
    promptTokens: 812,
    completionTokens: 233,
    routeTarget: 'vllm:qwen2.5-coder-32b',
    policyVersion: 'bundle-2026-11-01.3',
    dlpAction: 'allow',
    actor: 'user-bench-0001',
    action: 'chat',
    outcome: 'success',
    service: 'gateway',
  });
}
const encode = (e) => AuditEvent.encode(e).finish();

function header(title) {
  process.stdout.write(`\n== ${title}\n`);
}
function line(label, value) {
  process.stdout.write(`  ${label.padEnd(58)} ${value}\n`);
}

/** Follows a JSONL file: calls `onRecord` for every complete new line. Returns a function that stops it. */
function follow(file, onRecord) {
  let offset = 0;
  let carry = '';
  let stopped = false;
  const buf = Buffer.alloc(4 << 20);
  const tick = async () => {
    while (!stopped) {
      let size = 0;
      try {
        size = statSync(file).size;
      } catch {
        size = 0;
      }
      if (size > offset) {
        const fd = openSync(file, 'r');
        try {
          while (offset < size) {
            const n = readSync(fd, buf, 0, Math.min(buf.length, size - offset), offset);
            offset += n;
            const text = carry + buf.toString('utf8', 0, n);
            const lines = text.split('\n');
            carry = lines.pop();
            const now = Date.now();
            for (const l of lines) if (l) onRecord(JSON.parse(l), now);
          }
        } finally {
          closeSync(fd);
        }
      }
      await sleep(10);
    }
  };
  const done = tick();
  return async () => {
    stopped = true;
    await done;
  };
}

/**
 * Runs `main` (a service's dist/main.js) as a child with `env`, output to `logFile`; resolves once its gRPC port
 * answers. `nodePath`: where a build outside its app's directory (an earlier build, for a baseline) finds
 * its dependencies. BENCH_SERVICE_NODE_OPTIONS goes to the service only, e.g. `--cpu-prof --cpu-prof-dir=DIR`.
 */
async function startService(main, env, logFile, nodePath) {
  const out = openSync(logFile, 'a');
  const extra = {
    ...(process.env.BENCH_SERVICE_NODE_OPTIONS && { NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS }),
    ...(nodePath && { NODE_PATH: nodePath }),
  };
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env, ...extra }, stdio: ['ignore', out, out] });
  const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`${main} exited with ${code}; see ${logFile}`))));
  await Promise.race([waitForTcp('127.0.0.1', Number(env.GRPC_PORT), 30_000), exited]);
  return child;
}

async function stopService(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/**
 * The audit service's environment: plaintext gRPC (nothing calls it here), Redis de-duplication as audit's own
 * Redis user (granted its de-duplication marks only; the default user is off), a jsonl sink in `dir`.
 */
async function auditEnv(infra, prefix, dir) {
  return withRedisUser(infra.redis, 'audit', {
    MTLS_OFF_FOR_DEVELOPMENT: 'true',
    GRPC_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    KAFKA_BROKERS: infra.kafka.brokers.join(','),
    KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
    TOPIC_PREFIX: prefix,
    AUDIT_CONSUMER_GROUP: `${prefix}_audit`,
    AUDIT_SINK_JSONL_PATH: path.join(dir, 'audit.jsonl'),
    LOG_LEVEL: 'warn',
  });
}

module.exports = { ROOT, quiet, sleep, makeEvent, encode, header, line, follow, startService, stopService, auditEnv };
