'use strict';
// The processes and HTTP plumbing the gateway benchmarks share (gateway.js, translation.js).
const { spawn } = require('node:child_process');
const http = require('node:http');
const https = require('node:https');
const { mkdtempSync, openSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ASSERTION_HEADER, AssertionSigner } = require('@airlock/identity-assertion');
const { freePort, startInfra, uniquePrefix, waitForTcp } = require('@airlock/testing');

const ROOT = path.join(__dirname, '..', '..', '..');
const HOST = '127.0.0.1';

/** A place requests go: plain HTTP to 127.0.0.1, or HTTPS (`localhost`, the dev CA; `cert`/`key`: a client certificate). */
function target(port, { tls = false, ca, cert, key } = {}) {
  const transport = tls ? https : http;
  return { port, transport, host: tls ? 'localhost' : HOST, agent: new transport.Agent({ keepAlive: true, maxSockets: 512, ca, cert, key }) };
}

/** The platform envelope's `error.code` (for the error summary), else the start of the body. */
function errorCode(body) {
  try {
    return JSON.parse(body).error.code;
  } catch {
    return body.slice(0, 80);
  }
}

/**
 * One POST; resolves with times (ms from start) of the first byte and of the first content, and the end. A
 * keep-alive socket the server closed while it sat idle in the pool is retried once on a new one (the race
 * node's http docs describe), so it is not counted as a failure of the server under test.
 */
function post(to, urlPath, headers, body, retried = false) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstByte;
    let firstContent;
    const req = to.transport.request(
      {
        host: to.host,
        port: to.port,
        path: urlPath,
        method: 'POST',
        agent: to.agent,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        res.setEncoding('utf8');
        let failure = '';
        res.on('data', (chunk) => {
          if (res.statusCode !== 200 && failure.length < 300) failure += chunk;
          firstByte ??= performance.now() - t0;
          if (firstContent === undefined && /"content":"[^"]/.test(chunk)) firstContent = performance.now() - t0;
        });
        res.on('end', () => (res.statusCode === 200 ? resolve({ firstByte, firstContent, total: performance.now() - t0 }) : reject(new Error(`HTTP ${res.statusCode} ${errorCode(failure)}`))));
      },
    );
    req.on('error', (error) => {
      if (req.reusedSocket && error.code === 'ECONNRESET' && !retried) post(to, urlPath, headers, body, true).then(resolve, reject);
      else reject(error);
    });
    req.end(payload);
  });
}

const children = [];

async function start(name, main, env, port, nodeArgs = []) {
  const logFile = path.join(mkdtempSync(path.join(os.tmpdir(), `airlock-bench-${name}-`)), 'out.log');
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, path.resolve(ROOT, main)], {
    // Plain HTTP between the processes: the bench measures the services' work, not mTLS (tools/bench/mtls does).
    env: { ...process.env, BIND_HOST: HOST, LOG_LEVEL: 'warn', MTLS_OFF_FOR_DEVELOPMENT: 'true', ...env },
    stdio: ['ignore', out, 'inherit'],
  });
  children.push(child);
  child.once('exit', (code, signal) => code && process.stderr.write(`${name} exited with ${code ?? signal}\n`));
  await waitForTcp(HOST, port, 30_000);
  return child.pid;
}

/**
 * The gateway alone: reference backend, dlp and gateway as separate Node processes (dist builds); the edge's
 * assertion and route headers made up here with a stand-in policy key. `cpuProf`: a directory for V8 CPU profiles
 * of dlp and the gateway; `gatewayMain`: the gateway's main.js; `logLevel`: the gateway's.
 */
async function startGatewayAlone({ cpuProf, gatewayMain, logLevel }) {
  const infra = await startInfra({ components: ['kafka'] });
  const ports = { model: await freePort(), dlp: await freePort(), gw: await freePort() };
  process.stdout.write('starting reference backend, dlp and gateway...\n');
  const pids = {};
  pids['reference-model'] = await start('reference-model', 'apps/reference-model/dist/main.js', { HTTP_PORT: String(ports.model) }, ports.model);
  // Each profile is written when its process exits (SIGTERM → graceful shutdown → process.exit).
  const prof = cpuProf ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(cpuProf)] : [];
  pids.dlp = await start('dlp', 'apps/dlp/dist/main.js', { GRPC_PORT: String(ports.dlp), METRICS_PORT: String(await freePort()) }, ports.dlp, prof);
  const edgeSigner = AssertionSigner.generate();
  const keyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-assertion-')), 'assertion-public.pem');
  writeFileSync(keyFile, edgeSigner.publicKeyPem);
  pids.gateway = await start(
    'gateway',
    gatewayMain,
    {
      LOG_LEVEL: logLevel,
      HTTP_PORT: String(ports.gw),
      GRPC_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      DLP_ADDR: `${HOST}:${ports.dlp}`,
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
      TOPIC_PREFIX: uniquePrefix('bench-gw'),
      EVENT_SPOOL_DIR: mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-spool-')),
      IDENTITY_ASSERTION_PUBLIC_KEY_FILE: keyFile,
      GATEWAY_BACKENDS: JSON.stringify({
        chat: { protocol: 'openai', baseUrl: `http://${HOST}:${ports.model}` },
        autocomplete: { protocol: 'openai', baseUrl: `http://${HOST}:${ports.model}` },
      }),
    },
    ports.gw,
    prof,
  );
  // Like policy, one signed assertion is reused for half its 60 s life, so the gateway mostly hits its
  // verified-assertion cache, as it does behind the real edge.
  const caller = { subject: 'bench', userId: 'bench', tenantId: 'bench', projectId: 'bench', workspaceId: 'ws-bench', roles: [], kind: 'user' };
  let signed = { token: '', at: 0 };
  // The route policy would give each request type (its default bundle: backend and model).
  const routes = { chat: ['chat', 'reference-chat'], autocomplete: ['autocomplete', 'reference-code'] };
  const edgeHeaders = (requestType = 'chat') => {
    if (Date.now() - signed.at > 30_000) signed = { token: edgeSigner.sign(caller).token, at: Date.now() };
    return {
      [ASSERTION_HEADER]: signed.token,
      'x-airlock-route-backend': routes[requestType][0],
      'x-airlock-route-model': routes[requestType][1],
      'x-airlock-policy-version': 'bench',
    };
  };
  return { pids, edgeHeaders, backend: target(ports.model), gateway: target(ports.gw) };
}

module.exports = { HOST, children, post, start, startGatewayAlone, target };
