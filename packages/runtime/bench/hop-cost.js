#!/usr/bin/env node
// What one hop into an Airlock service costs in CPU, against the least Node can do for the same call, in one run.
// Every request on the AI hot path crosses several such hops (Envoy -> policy, Envoy -> gateway, gateway -> DLP
// twice), so this is the floor the path's CPU per request cannot go below while the services stay separate.
//   https:  a POST of a chat-sized JSON body over mTLS (TLS 1.3, client certificate), keep-alive.
//           bare:    node:https, the body read and parsed, a JSON answer;
//           service: a service booted by bootService, as every Airlock service runs: Nest on Express, the
//                    runtime's correlation, caller and JSON body middlewares, the exception filter and
//                    interceptor, and the telemetry SDK (metrics, HTTP instrumentation; no trace exporter).
//   grpc:   DlpService/ScanTexts (the gateway -> DLP call) over mTLS on one channel, a fixed answer.
//           bare:    a grpc-js server with the same proto definition;
//           service: the same method as a Nest controller in a service booted by bootService (call graph
//                    interceptor, gRPC instrumentation), called through @airlock/grpc's client as services do.
// Each server runs in a process of its own; its CPU comes from /proc, the caller's (this process: load generator
// and client) from process.cpuUsage. Bare and service alternate twice at each rate.
//
//   tools/airlock bootstrap pnpm exec turbo run build --filter @airlock/runtime...
//   tools/airlock bootstrap node packages/runtime/bench/hop-cost.js [--rates 500,1000] [--seconds 6] [--cpu-prof DIR]
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '500,1000' },
    seconds: { type: 'string', default: '6' },
    // V8 CPU profiles of the servers (<variant>.cpuprofile) there: tools/bench/gateway/profile-summary.js reads them.
    'cpu-prof': { type: 'string' },
    // Internal: run one server (the child processes).
    serve: { type: 'string' },
    certs: { type: 'string' },
  },
});

const HOST = '127.0.0.1';
const CHAT = JSON.stringify({ model: 'airlock-chat', messages: [{ role: 'user', content: 'explain this function in one line: '.repeat(4) }] });
const SCAN_REQUEST = { texts: ['explain this function in one line: '.repeat(4)], direction: 1, correlationId: 'bench' };
const SCAN_RESPONSE = { results: [{ text: SCAN_REQUEST.texts[0], action: 0, findings: [] }], action: 0 };

/** A throwaway CA and one certificate per workload (ECDSA P-256, the workload in CN and the URI SAN). */
function issueCertificates(dir, workloads) {
  const openssl = (...a) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-subj', '/CN=hop-cost bench CA', '-days', '1');
  for (const name of workloads) {
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName = URI:spiffe://airlock/${name}, DNS:localhost, IP:127.0.0.1\n`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  }
  const files = (name) => ({ certFile: path.join(dir, `${name}.pem`), keyFile: path.join(dir, `${name}-key.pem`), caFile: path.join(dir, 'ca.pem') });
  return Object.fromEntries(workloads.map((name) => [name, files(name)]));
}

/** The environment bootService reads for a service with these certificate files. */
function serviceEnv(files, ports) {
  return {
    BIND_HOST: HOST,
    GRPC_PORT: String(ports.grpc),
    HTTP_PORT: String(ports.http),
    METRICS_PORT: String(ports.metrics),
    LOG_LEVEL: 'warn',
    MTLS_CERT_FILE: files.certFile,
    MTLS_KEY_FILE: files.keyFile,
    MTLS_CA_FILE: files.caFile,
  };
}

// ---------------------------------------------------------------------------------------------- the servers

async function serve(variant, certDir) {
  const { freePort } = require('@airlock/testing');
  const files = (name) => ({ certFile: path.join(certDir, `${name}.pem`), keyFile: path.join(certDir, `${name}-key.pem`), caFile: path.join(certDir, 'ca.pem') });
  const ports = { grpc: await freePort(), http: await freePort(), metrics: await freePort() };
  if (variant === 'https-bare') {
    const { mtlsHttpsServerOptions, readMtlsMaterial } = require('@airlock/grpc');
    const server = https.createServer(mtlsHttpsServerOptions(readMtlsMaterial(files('dlp'))), (req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(201, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ received: body.model }));
      });
    });
    server.keepAliveTimeout = 75_000;
    await new Promise((resolve) => server.listen(ports.http, HOST, resolve));
    return ports.http;
  }
  if (variant === 'grpc-bare') {
    const grpc = require('@grpc/grpc-js');
    const { PROTO_DIR, PROTO_FILES } = require('@airlock/contracts');
    const { loadProtos, mtlsServerCredentials, readMtlsMaterial } = require('@airlock/grpc');
    const definition = loadProtos([path.join(PROTO_DIR, PROTO_FILES.dlp)]);
    const service = grpc.loadPackageDefinition(definition).airlock.dlp.v1.DlpService.service;
    const server = new grpc.Server();
    server.addService(service, { scanTexts: (_call, callback) => callback(null, SCAN_RESPONSE) });
    await new Promise((resolve, reject) => server.bindAsync(`${HOST}:${ports.grpc}`, mtlsServerCredentials(readMtlsMaterial(files('dlp'))), (e) => (e ? reject(e) : resolve())));
    return ports.grpc;
  }
  // The service variants: one booted service answers both hops (POST /echo and DlpService/ScanTexts).
  require('reflect-metadata');
  const { Body, Controller, Module, Post } = require('@nestjs/common');
  const { GrpcMethod } = require('@nestjs/microservices');
  const { PROTO_FILES } = require('@airlock/contracts');
  const { bootService } = require('../dist');
  class EchoController {
    echo(body) {
      return { received: body.model };
    }
    scanTexts() {
      return SCAN_RESPONSE;
    }
  }
  Controller()(EchoController);
  Reflect.defineMetadata('design:paramtypes', [Object], EchoController.prototype, 'echo');
  Body()(EchoController.prototype, 'echo', 0);
  Post('echo')(EchoController.prototype, 'echo', Object.getOwnPropertyDescriptor(EchoController.prototype, 'echo'));
  GrpcMethod('DlpService', 'ScanTexts')(EchoController.prototype, 'scanTexts', Object.getOwnPropertyDescriptor(EchoController.prototype, 'scanTexts'));
  class EchoModule {}
  Module({ controllers: [EchoController] })(EchoModule);
  await bootService(
    {
      name: 'hop-cost',
      config: {},
      http: true,
      grpc: { protoFiles: [PROTO_FILES.dlp], packages: ['airlock.dlp.v1'], services: ['airlock.dlp.v1.DlpService'], allowedCallers: { gateway: ['airlock.dlp.v1.DlpService'] } },
      module: () => EchoModule,
    },
    serviceEnv(files('dlp'), ports),
  );
  return variant === 'https-service' ? ports.http : ports.grpc;
}

// ---------------------------------------------------------------------------------------------- the callers

function startServer(variant, certDir) {
  const profile = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(args['cpu-prof']), '--cpu-prof-name', `${variant}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profile, __filename, '--serve', variant, '--certs', certDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const match = /ready (\d+)/.exec(out);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${variant} server exited (${code}) before it was ready`)));
  });
}

function httpsCaller(port, files) {
  const { mtlsHttpsClientOptions, readMtlsMaterial } = require('@airlock/grpc');
  const agent = new https.Agent({ keepAlive: true, maxSockets: 256, ...mtlsHttpsClientOptions(readMtlsMaterial(files), 'dlp') });
  const urlPath = '/echo';
  return () =>
    new Promise((resolve, reject) => {
      const req = https.request({ host: HOST, port, path: urlPath, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(CHAT) } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(CHAT);
    });
}

function grpcCaller(port, files) {
  const { airlock } = require('@airlock/contracts');
  const { createClient, unary } = require('@airlock/grpc');
  const { grpcClientCredentials } = require('../dist');
  const credentials = grpcClientCredentials({ MTLS_CERT_FILE: files.certFile, MTLS_KEY_FILE: files.keyFile, MTLS_CA_FILE: files.caFile });
  const client = createClient(airlock.dlp.v1.DlpServiceClient, `${HOST}:${port}`, { credentials });
  return () => unary(client.scanTexts.bind(client), SCAN_REQUEST);
}

async function main() {
  const { openLoop, percentile, fmt } = require('../../../tools/bench/lib/load');
  const { cpuMsOf } = require('../../../tools/bench/gateway/proc-cpu');
  const rates = args.rates.split(',').map(Number);
  const seconds = Number(args.seconds);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-hop-cost-'));
  const children = [];
  try {
    const certs = issueCertificates(dir, ['dlp', 'envoy', 'gateway']);
    const hops = [
      { hop: 'https', bare: 'https-bare', service: 'https-service', caller: (port) => httpsCaller(port, certs.envoy) },
      { hop: 'grpc', bare: 'grpc-bare', service: 'grpc-service', caller: (port) => grpcCaller(port, certs.gateway) },
    ];
    const out = (line) => process.stdout.write(`${line}\n`);
    out(`CPU per call of one hop (ms), bare Node vs an Airlock service; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.availableParallelism()} cores`);
    out('hop    rate/s  variant   server CPU        caller CPU    P50 / P99 ms        errors');
    for (const { hop, bare, service, caller } of hops) {
      const servers = {};
      for (const variant of [bare, service]) {
        const server = await startServer(variant, dir);
        children.push(server.child);
        servers[variant] = { ...server, call: caller(server.port) };
        // Warm: the channel or keep-alive connections, and V8's compiled code.
        for (let i = 0; i < 2000; i++) await servers[variant].call();
      }
      for (const rate of rates) {
        const results = {};
        for (let round = 0; round < 2; round++) {
          for (const variant of [bare, service]) {
            const { child, call } = servers[variant];
            const r = (results[variant] ??= { latencies: [], errors: 0, serverMs: 0, callerMs: 0, sent: 0 });
            const serverBefore = cpuMsOf(child.pid);
            const callerBefore = process.cpuUsage();
            const run = await openLoop({ rate, seconds: seconds / 2, warmupSeconds: 1, request: call });
            const callerUsed = process.cpuUsage(callerBefore);
            r.serverMs += cpuMsOf(child.pid) - serverBefore;
            r.callerMs += (callerUsed.user + callerUsed.system) / 1000;
            r.sent += Math.round((seconds / 2 + 1) * rate);
            r.latencies.push(...run.latenciesMs);
            r.errors += run.errors;
          }
        }
        const base = results[bare];
        for (const variant of [bare, service]) {
          const r = results[variant];
          const ratio = (mine, theirs) => (variant === bare ? '' : ` (${fmt(mine / theirs)}x)`);
          const server = `${fmt(r.serverMs / r.sent, 3)}${ratio(r.serverMs, base.serverMs)}`;
          const callerCpu = `${fmt(r.callerMs / r.sent, 3)}${ratio(r.callerMs, base.callerMs)}`;
          out(
            `${hop.padEnd(6)} ${String(rate).padEnd(7)} ${variant.replace(`${hop}-`, '').padEnd(9)} ${server.padEnd(17)} ${callerCpu.padEnd(13)} ` +
              `${`${fmt(percentile(r.latencies, 50))} / ${fmt(percentile(r.latencies, 99))}`.padEnd(19)} ${r.errors}`,
          );
        }
      }
      await Promise.all(Object.values(servers).map(({ child }) => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM'))));
    }
    out('caller CPU is this process: the load generator and the client (node:https or @airlock/grpc over grpc-js)');
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args.serve) {
  // An exit of its own on SIGTERM, so --cpu-prof writes the profile.
  process.once('SIGTERM', () => process.exit(0));
  serve(args.serve, args.certs).then(
    (port) => process.stdout.write(`ready ${port}\n`),
    (error) => {
      process.stderr.write(`${error.stack ?? error}\n`);
      process.exit(1);
    },
  );
} else {
  main().catch((error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exitCode = 1;
  });
}
