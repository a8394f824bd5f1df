import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { createClient, unary, type ChannelCredentials } from '@airlock/grpc';
import { ensureAider, ensureNpmAgentClients, ensurePythonSdks, infraStatus, listManaged, startInfra, stateDir, stopInfra } from '@airlock/testing';
import { operatorCredentials, runningMesh, startMesh, stopMesh, type MeshInfo } from './mesh';
import { loginHint } from './mesh-idp';
import { DEV_PROMETHEUS_PORT, meshTargets, startPrometheus } from './prometheus';
import { SERVICES } from './service-env';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const MESH = 'mesh';
const say = (line: string) => process.stderr.write(`\x1b[1;34m[airlock]\x1b[0m ${line}\n`);

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const pnpm = (args: string[], env?: NodeJS.ProcessEnv) => run('pnpm', args, env);

export async function up(): Promise<void> {
  const started = Date.now();
  const httpsPort = Number(process.env.AIRLOCK_HTTPS_PORT ?? 8443);
  const mesh = await startMesh({ name: MESH, ports: 'fixed', httpsPort, log: say });
  const prometheus = await devPrometheus(mesh);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    [
      '',
      `Airlock is up (${seconds}s).`,
      `  Portal:               https://localhost:${mesh.envoy.httpsPort}/   (sign in, then your workspaces, API tokens and AI usage)`,
      `  Edge (Envoy, HTTPS):  https://localhost:${mesh.envoy.httpsPort}   (trust ${path.relative(ROOT, mesh.caBundle)})`,
      `  Health:               https://localhost:${mesh.envoy.httpsPort}/healthz`,
      ...loginHint(mesh).map((l) => `  ${l}`),
      `  Dev token:            tools/airlock token`,
      `  Try the slice:        curl --cacert ${path.relative(ROOT, mesh.caBundle)} -H "authorization: Bearer $(tools/airlock token)" \\`,
      `                          -H 'content-type: application/json' https://localhost:${mesh.envoy.httpsPort}/v1/chat \\`,
      `                          -d '{"messages":[{"role":"user","content":"my key is AKIAQ3EGXTZ7V5LN2MWB"}]}'`,
      `  MCP (reference):      https://localhost:${mesh.envoy.httpsPort}/mcp/reference   (Streamable HTTP, bearer: a dev token; the reference MCP server, not a real tool server)`,
      `  SIEM sink (JSONL):    ${path.relative(ROOT, mesh.auditSinkPath)}`,
      `  Logs:                 ${path.relative(ROOT, mesh.logsDir)}/`,
      `  Metrics:              ${SERVICES.map((s) => `${s} :${mesh.services[s].metrics}`).join(', ')} (/metrics)`,
      `  Prometheus:           ${prometheus}`,
      `  Stop:                 tools/airlock down      Status: tools/airlock status`,
      '',
    ].join('\n'),
  );
}

/**
 * Prometheus with the rules and alerts of deploy/observability on the dev port, or why there is none: it is a
 * convenience, so a missing package or a taken port never stops `up`.
 */
async function devPrometheus(mesh: MeshInfo): Promise<string> {
  say('starting Prometheus (rules and alerts of deploy/observability)');
  try {
    const { url } = await startPrometheus({
      meshName: MESH,
      targets: meshTargets(mesh),
      port: DEV_PROMETHEUS_PORT,
      runDir: path.join(stateDir(), 'run', MESH),
      logFile: path.join(mesh.logsDir, 'prometheus.log'),
    });
    return `${url}   (alerts: ${url}/alerts; Grafana dashboard: deploy/observability/grafana/airlock-overview.json)`;
  } catch (error) {
    return `not started: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

export async function down(): Promise<void> {
  await stopMesh(MESH);
  await stopInfra();
  say('stopped the mesh and local infrastructure');
}

export async function status(): Promise<void> {
  const infra = await infraStatus();
  const managed = await listManaged();
  const rows: string[] = [];
  for (const [name, s] of Object.entries(infra)) rows.push(`${name.padEnd(28)} ${s.running ? 'running' : 'stopped'}${s.port ? `  port ${s.port}` : ''}`);
  for (const [name, m] of Object.entries(managed)) rows.push(`${name.padEnd(28)} ${m.running ? 'running' : 'stopped'}  pid ${m.pid}`);
  process.stdout.write(`${rows.join('\n')}\n`);
}

/** Who `tools/airlock token` mints a token for (identity's dev-only IssueToken). */
export interface DevTokenRequest {
  userId: string;
  tenantId: string;
  projectId: string;
  workspaceId: string;
  roles: string[];
  ttlSeconds: number;
}

export const TOKEN_USAGE = `usage: tools/airlock token [--user <id>] [--role <role>]... [--tenant <id>] [--project <id>] [--workspace <id>] [--ttl <seconds>]
  Prints a dev bearer token (dev/test mesh only: identity's IssueToken). Without options: the demo developer
  (user dev, tenant demo, project demo-project, workspace ws-dev, role developer).
  --user <id>        another user; the workspace then defaults to none (ws-dev is the demo developer's)
  --role <role>      repeatable or comma-separated, replaces developer (e.g. security-admin, auditor)
  --tenant, --project, --workspace <id>   the scope; an empty value (--project=) means none
  --ttl <seconds>    lifetime, 1 to 86400 (default 3600)`;

const TOKEN_OPTIONS = ['user', 'role', 'tenant', 'project', 'workspace', 'ttl'] as const;
type TokenOption = (typeof TOKEN_OPTIONS)[number];

/** The principal `tools/airlock token [options]` asks for; throws with the usage on a bad option. */
export function parseTokenArgs(args: readonly string[]): DevTokenRequest {
  const given: Partial<Record<TokenOption, string[]>> = {};
  for (let i = 0; i < args.length; i++) {
    const match = /^--([a-z]+)(?:=(.*))?$/s.exec(args[i]);
    const option = match?.[1] as TokenOption | undefined;
    if (!match || !option || !TOKEN_OPTIONS.includes(option)) throw new Error(`unknown argument ${JSON.stringify(args[i])}\n${TOKEN_USAGE}`);
    const value = match[2] ?? args[++i];
    if (value === undefined) throw new Error(`--${option} needs a value\n${TOKEN_USAGE}`);
    if (option !== 'role' && given[option]) throw new Error(`--${option} given twice\n${TOKEN_USAGE}`);
    (given[option] ??= []).push(value);
  }
  const one = (option: TokenOption, fallback: string) => given[option]?.[0] ?? fallback;
  const userId = one('user', 'dev');
  const roles = (given.role ?? ['developer']).flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
  if (roles.length === 0) throw new Error(`--role needs at least one role\n${TOKEN_USAGE}`);
  const ttl = one('ttl', '3600');
  if (!/^\d+$/.test(ttl) || Number(ttl) < 1 || Number(ttl) > 86_400) throw new Error(`--ttl must be 1 to 86400 seconds\n${TOKEN_USAGE}`);
  return {
    userId,
    tenantId: one('tenant', 'demo'),
    projectId: one('project', 'demo-project'),
    workspaceId: one('workspace', userId === 'dev' ? 'ws-dev' : ''),
    roles: [...new Set(roles)],
    ttlSeconds: Number(ttl),
  };
}

/** A bearer token from the identity service of the running mesh `meshName` (IssueToken: dev/test meshes only). */
export async function issueDevToken(meshName: string, request: DevTokenRequest): Promise<string> {
  const mesh = await runningMesh(meshName);
  if (!mesh) throw new Error('the mesh is not running; start it with `tools/airlock up`');
  return issueDevTokenAt(`127.0.0.1:${mesh.services.identity.grpc}`, request, operatorCredentials(mesh));
}

/**
 * The same from the identity service at `address` (host:port of its gRPC face), calling as the mesh's `operator`
 * (`operatorCredentials(mesh)`): identity's call graph admits no one else to IssueToken.
 */
export async function issueDevTokenAt(address: string, request: DevTokenRequest, credentials: ChannelCredentials): Promise<string> {
  const client = createClient(airlock.identity.v1.IdentityServiceClient, address, { credentials });
  try {
    const res = await unary(client.issueToken.bind(client), {
      principal: {
        subject: request.userId,
        userId: request.userId,
        tenantId: request.tenantId,
        projectId: request.projectId,
        workspaceId: request.workspaceId,
        roles: request.roles,
        kind: airlock.identity.v1.PrincipalKind.PRINCIPAL_KIND_USER,
      },
      ttlSeconds: request.ttlSeconds,
    });
    return res.accessToken;
  } finally {
    client.close();
  }
}

/** `tools/airlock token [options]`: prints a bearer token (default: the demo developer; see TOKEN_USAGE). */
export async function token(args: readonly string[] = []): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${TOKEN_USAGE}\n`);
    return;
  }
  process.stdout.write(`${await issueDevToken(MESH, parseTokenArgs(args))}\n`);
}

interface StepResult {
  name: string;
  ok: boolean;
  seconds: number;
}

/** Every test: contracts, lint, types, unit + integration (real infra), end-to-end through Envoy. */
export async function test(): Promise<number> {
  const resultsDir = path.join(stateDir(), 'test-results');
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  const env = { AIRLOCK_TEST_RESULTS_DIR: resultsDir, CI: process.env.CI ?? 'true', FORCE_COLOR: '0' };
  const infraWasRunning = Object.values(await infraStatus()).every((s) => s.running);
  const steps: StepResult[] = [];
  const step = async (name: string, fn: () => Promise<boolean>) => {
    say(`── ${name}`);
    const t = Date.now();
    let ok = false;
    try {
      ok = await fn();
    } catch (error) {
      say(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    steps.push({ name, ok, seconds: (Date.now() - t) / 1000 });
  };

  // The real agent clients the end-to-end suite drives are minutes of downloads on a fresh machine: fetched beside
  // the steps before it, so its spec (which waits on the same install lock) finds them ready. A failure here only
  // leaves the install to that spec.
  const agentClients = Promise.all([ensureNpmAgentClients(), ensurePythonSdks(), ensureAider()]).catch((error: unknown) =>
    say(`installing the agent clients beforehand failed (the end-to-end spec tries again): ${error instanceof Error ? error.message : String(error)}`),
  );

  const buf = path.join(ROOT, 'packages/contracts/node_modules/.bin/buf');
  await step('contracts: generated code matches proto/', async () => (await pnpm(['--filter', '@airlock/contracts', 'run', 'gen:check'])) === 0);
  await step('contracts: portal API types match the OpenAPI documents', async () => (await pnpm(['--filter', '@airlock/portal', 'run', 'gen:check'])) === 0);
  await step('contracts: buf lint', async () => (await run(buf, ['lint', 'proto'])) === 0);
  await step('contracts: buf breaking (against main)', async () => {
    if ((await run('git', ['rev-parse', '--verify', '--quiet', 'main'])) !== 0) {
      say('no main branch in this clone; nothing to compare against');
      return true;
    }
    return (await run(buf, ['breaking', 'proto', '--against', '.git#branch=main,subdir=proto'])) === 0;
  });
  // Every app's and package's src/, type-only imports included (.dependency-cruiser.cjs).
  await step('no import cycles (dependency-cruiser)', async () => (await pnpm(['run', 'cycles'])) === 0);
  await step('lint (eslint)', async () => (await pnpm(['exec', 'turbo', 'run', 'lint', '--continue', '--output-logs=errors-only'])) === 0);
  await step('typecheck (tsc)', async () => (await pnpm(['exec', 'turbo', 'run', 'typecheck', '--continue', '--output-logs=errors-only'])) === 0);
  await step('infrastructure (PostgreSQL, Redis, Kafka)', async () => {
    await startInfra({ profile: 'test' });
    return true;
  });
  await step('unit + integration tests', async () => (await pnpm(['exec', 'turbo', 'run', 'test', '--concurrency=2', '--continue', '--output-logs=new-only'], env)) === 0);
  await step('end-to-end through Envoy', async () => (await pnpm(['--filter', '@airlock/cli', 'run', 'test:e2e'], env)) === 0);

  await agentClients;
  if (!infraWasRunning && !(await runningMesh(MESH))) await stopInfra();

  let passed = 0;
  let failed = 0;
  const failures: string[] = [];
  // Each jest run's counts are a JSON file; tests may leave other things there too (screenshots in a folder).
  for (const file of existsSync(resultsDir) ? readdirSync(resultsDir).filter((f) => f.endsWith('.json')) : []) {
    const r = JSON.parse(readFileSync(path.join(resultsDir, file), 'utf8')) as { passed: number; failed: number; failures?: string[] };
    passed += r.passed;
    failed += r.failed;
    failures.push(...(r.failures ?? []));
  }
  const stepFailures = steps.filter((s) => !s.ok).length;
  // Repeated at the end because a CI log is often read from its tail only.
  if (failures.length > 0) process.stdout.write(`${os.EOL}Failed:${os.EOL}${failures.map((f) => `  ✕ ${f}`).join(os.EOL)}${os.EOL}`);
  process.stdout.write(`${os.EOL}${steps.map((s) => `${s.ok ? 'ok  ' : 'FAIL'}  ${s.name} (${s.seconds.toFixed(1)}s)`).join(os.EOL)}${os.EOL}`);
  process.stdout.write(`Tests: ${passed} passed, ${failed} failed${os.EOL}`);
  process.stdout.write(`Summary: ${passed} passed, ${failed + stepFailures} failed${os.EOL}`);
  return failed + stepFailures === 0 ? 0 : 1;
}
