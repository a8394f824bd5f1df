import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { checkHealth, createClient } from '@airlock/grpc';
import { AssertionSigner } from '@airlock/identity-assertion';
import { freePort, uniquePrefix, withRedisUser, type RedisEndpoint } from '@airlock/testing';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const IDENTITY_MAIN = path.join(ROOT, 'apps', 'identity', 'dist', 'main.js');

export interface RunningIdentity {
  /** IDENTITY_ADDR for the workspace service. */
  address: string;
  client: airlock.identity.v1.IdentityServiceClient;
  output(): string;
  stop(): Promise<void>;
}

/**
 * The real identity service (`apps/identity/dist/main.js`, built first when missing) as a child process on
 * free loopback ports: its own Redis prefix, PostgreSQL database and signing key; audit events to its log.
 * Not a dependency of this package, so it is run, not imported.
 */
export async function startIdentity(opts: { redis: RedisEndpoint; database: { DATABASE_URL: string; DATABASE_PASSWORD_FILE: string } }): Promise<RunningIdentity> {
  if (!existsSync(IDENTITY_MAIN)) execFileSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter', '@airlock/identity'], { cwd: ROOT, stdio: 'inherit' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-ws-identity-'));
  // Required by identity's token API (not used here): any assertion key will do.
  const assertionKey = path.join(dir, 'assertion-public.pem');
  writeFileSync(assertionKey, AssertionSigner.generate().publicKeyPem);
  const grpcPort = await freePort();
  const child = spawn(process.execPath, [IDENTITY_MAIN], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BIND_HOST: '127.0.0.1',
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      GRPC_PORT: String(grpcPort),
      HTTP_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '500',
      ...(await withRedisUser(opts.redis, 'identity', { REDIS_PREFIX: `${uniquePrefix('ws-identity')}:` })),
      ...opts.database,
      IDENTITY_SIGNING_KEY_FILE: path.join(dir, 'signing.pem'),
      IDENTITY_GENERATE_KEY: 'true',
      IDENTITY_ASSERTION_PUBLIC_KEY_FILE: assertionKey,
    },
  });
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  child.stderr!.on('data', (c: Buffer) => chunks.push(c));
  const output = () => Buffer.concat(chunks).toString('utf8');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `127.0.0.1:${grpcPort}`;
  const client = createClient(airlock.identity.v1.IdentityServiceClient, address);

  const stop = async () => {
    client.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while ((await checkHealth(address, 'airlock.identity.v1.IdentityService')) !== 'SERVING') {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`identity did not become healthy:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { address, client, output, stop };
}
