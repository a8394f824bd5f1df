import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { infraStatus, listManaged, startInfra, stateDir, stopInfra } from '@airlock/testing';
import { loginHint, runningMesh, startMesh, stopMesh, SERVICES } from './mesh';

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
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    [
      '',
      `Airlock is up (${seconds}s).`,
      `  Edge (Envoy, HTTPS):  https://localhost:${mesh.envoy.httpsPort}   (trust ${path.relative(ROOT, mesh.caBundle)})`,
      `  Health:               https://localhost:${mesh.envoy.httpsPort}/healthz`,
      ...loginHint(mesh).map((l) => `  ${l}`),
      `  Dev token:            tools/airlock token`,
      `  Try the slice:        curl --cacert ${path.relative(ROOT, mesh.caBundle)} -H "authorization: Bearer $(tools/airlock token)" \\`,
      `                          -H 'content-type: application/json' https://localhost:${mesh.envoy.httpsPort}/v1/chat \\`,
      `                          -d '{"messages":[{"role":"user","content":"my key is AKIAIOSFODNN7EXAMPLE"}]}'`,
      `  SIEM sink (JSONL):    ${path.relative(ROOT, mesh.auditSinkPath)}`,
      `  Logs:                 ${path.relative(ROOT, mesh.logsDir)}/`,
      `  Metrics:              ${SERVICES.map((s) => `${s} :${mesh.services[s].metrics}`).join(', ')} (/metrics)`,
      `  Stop:                 tools/airlock down      Status: tools/airlock status`,
      '',
    ].join('\n'),
  );
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

/** Prints a bearer token for the demo developer (tenant `demo`, project `demo-project`). */
export async function token(): Promise<void> {
  const mesh = await runningMesh(MESH);
  if (!mesh) throw new Error('the mesh is not running; start it with `tools/airlock up`');
  const client = createClient(airlock.identity.v1.IdentityServiceClient, `127.0.0.1:${mesh.services.identity.grpc}`);
  try {
    const res = await unary(client.issueToken.bind(client), {
      principal: {
        subject: 'dev',
        userId: 'dev',
        tenantId: 'demo',
        projectId: 'demo-project',
        workspaceId: 'ws-dev',
        roles: ['developer'],
        kind: airlock.identity.v1.PrincipalKind.PRINCIPAL_KIND_USER,
      },
      ttlSeconds: 3600,
    });
    process.stdout.write(`${res.accessToken}\n`);
  } finally {
    client.close();
  }
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

  const buf = path.join(ROOT, 'packages/contracts/node_modules/.bin/buf');
  await step('contracts: generated code matches proto/', async () => (await pnpm(['--filter', '@airlock/contracts', 'run', 'gen:check'])) === 0);
  await step('contracts: buf lint', async () => (await run(buf, ['lint', 'proto'])) === 0);
  await step('contracts: buf breaking (against main)', async () => {
    if ((await run('git', ['rev-parse', '--verify', '--quiet', 'main'])) !== 0) {
      say('no main branch in this clone; nothing to compare against');
      return true;
    }
    return (await run(buf, ['breaking', 'proto', '--against', '.git#branch=main,subdir=proto'])) === 0;
  });
  await step('lint (eslint)', async () => (await pnpm(['exec', 'turbo', 'run', 'lint', '--continue', '--output-logs=errors-only'])) === 0);
  await step('typecheck (tsc)', async () => (await pnpm(['exec', 'turbo', 'run', 'typecheck', '--continue', '--output-logs=errors-only'])) === 0);
  await step('infrastructure (PostgreSQL, Redis, Kafka)', async () => {
    await startInfra({ profile: 'test' });
    return true;
  });
  await step('unit + integration tests', async () => (await pnpm(['exec', 'turbo', 'run', 'test', '--concurrency=2', '--continue', '--output-logs=new-only'], env)) === 0);
  await step('end-to-end through Envoy', async () => (await pnpm(['--filter', '@airlock/cli', 'run', 'test:e2e'], env)) === 0);

  if (!infraWasRunning && !(await runningMesh(MESH))) await stopInfra();

  let passed = 0;
  let failed = 0;
  for (const file of existsSync(resultsDir) ? readdirSync(resultsDir) : []) {
    const r = JSON.parse(readFileSync(path.join(resultsDir, file), 'utf8')) as { passed: number; failed: number };
    passed += r.passed;
    failed += r.failed;
  }
  const stepFailures = steps.filter((s) => !s.ok).length;
  process.stdout.write(`${os.EOL}${steps.map((s) => `${s.ok ? 'ok  ' : 'FAIL'}  ${s.name} (${s.seconds.toFixed(1)}s)`).join(os.EOL)}${os.EOL}`);
  process.stdout.write(`Tests: ${passed} passed, ${failed} failed${os.EOL}`);
  process.stdout.write(`Summary: ${passed} passed, ${failed + stepFailures} failed${os.EOL}`);
  return failed + stepFailures === 0 ? 0 : 1;
}
