// Another service of the repository, run as it is deployed: its build (`apps/<app>/dist/main.js`) as a child
// process on free loopback ports. A service's tests use this for a real peer (policy's tests need identity, and
// identity's need policy) instead of importing the peer's sources, which would tie the two packages together.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkHealth } from '@airlock/grpc';
import { freePort } from './proc';
import { repoRoot } from './paths';

export interface BuiltServiceOptions {
  /** The directory under `apps/`, e.g. `identity`; built with turbo first when its `dist/main.js` is missing. */
  app: string;
  /** The service's environment; GRPC_PORT, HTTP_PORT and METRICS_PORT are chosen here unless given. */
  env: Record<string, string>;
  /** Whether the service is ready (its gRPC health check, say), asked every 100 ms until true. */
  ready: (addresses: { grpcAddress: string; httpAddress: string }) => Promise<boolean>;
  /** How long it may take to become ready; default 30 s. */
  readyTimeoutMs?: number;
}

export interface BuiltService {
  grpcAddress: string;
  httpAddress: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would; resolves when the process has exited. */
  crash(): Promise<void>;
}

export async function startBuiltService(opts: BuiltServiceOptions): Promise<BuiltService> {
  const root = repoRoot();
  const main = path.join(root, 'apps', opts.app, 'dist', 'main.js');
  if (!existsSync(main)) execFileSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter', `./apps/${opts.app}`], { cwd: root, stdio: 'inherit' });
  const env = {
    GRPC_PORT: String(await freePort()),
    HTTP_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    BIND_HOST: '127.0.0.1',
    SHUTDOWN_GRACE_MS: '500',
    ...opts.env,
  };
  // Only what the service is given (and PATH, HOME for its tools): nothing of this test process's environment.
  const child = spawn(process.execPath, [main], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  child.stderr!.on('data', (c: Buffer) => chunks.push(c));
  const output = () => Buffer.concat(chunks).toString('utf8');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
  };
  const crash = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  const addresses = { grpcAddress: `127.0.0.1:${env.GRPC_PORT}`, httpAddress: `127.0.0.1:${env.HTTP_PORT}` };
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  while (!(await opts.ready(addresses).catch(() => false))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${opts.app} did not become ready:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ...addresses, output, stop, crash };
}

/** A `ready` check: the service's gRPC health check answers SERVING for `service` (e.g. `airlock.policy.v1.PolicyService`). */
export function grpcServing(service: string): BuiltServiceOptions['ready'] {
  return async ({ grpcAddress }) => (await checkHealth(grpcAddress, service)) === 'SERVING';
}

/**
 * The smallest policy bundle policy accepts — one backend, deny by default, one rule — plus the sections a test
 * gives (`sessions`, `dlp`, `limits`), for the tests of services that ask policy something.
 */
export function policyTestBundle(version: string, sections: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version,
    description: 'a test bundle',
    backends: ['chat'],
    defaultRule: { id: 'default.deny', reasonCode: 'endpoint_not_allowed' },
    rules: [{ id: 'test.chat.allow', match: { pathPrefix: '/v1/chat' }, allow: { kinds: ['user'], roles: ['developer'] }, route: { backend: 'chat', model: 'test-model' } }],
    ...sections,
  };
}

/**
 * The real policy service from its build, deciding with `bundle` (its one version: no database), written to
 * `dir`. `env` adds to or overrides its environment (IDENTITY_ADDR, Redis for limits, …).
 */
export async function startBuiltPolicy(opts: { dir: string; bundle: Record<string, unknown>; env?: Record<string, string> }): Promise<BuiltService> {
  const file = path.join(opts.dir, 'policy-bundle.json');
  writeFileSync(file, JSON.stringify(opts.bundle));
  return startBuiltService({
    app: 'policy',
    env: { MTLS_OFF_FOR_DEVELOPMENT: 'true', LOG_LEVEL: 'warn', IDENTITY_ADDR: '127.0.0.1:1', POLICY_BUNDLE_FILE: file, ...opts.env },
    ready: grpcServing('airlock.policy.v1.PolicyService'),
  });
}
