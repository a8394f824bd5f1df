// Each service runs from its `pnpm deploy` artefact alone (deploy/artefact.sh, what deploy/Dockerfile copies into the
// image): deployed from the lockfile and the local store, started as `node <dir>/dist/main.js` from that directory with nothing but its own
// environment, against the real test infrastructure; SERVING on gRPC health, exit 0 on SIGTERM, exit 78 naming a
// missing variable. Representative services: dlp (no infrastructure), usage (PostgreSQL, Redis, Kafka
// consumer), gateway (Kafka producer with its spool, HTTP face), portal (the built SPA it serves travels with it).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkHealth } from '@airlock/grpc';
import { createTestDatabase, createTopics, freePort, startInfra, uniquePrefix, type InfraEndpoints, withRedisUser } from '@airlock/testing';
import { ROOT } from './manifests';

const execFileAsync = promisify(execFile);
const GRACE_MS = 10_000;

interface Case {
  service: 'dlp' | 'usage' | 'gateway' | 'portal';
  /** Removing it must stop the boot with exit 78 and its name. */
  required: string;
  env(ctx: Context): Promise<Record<string, string>>;
  /** Workspace packages the artefact must carry (copied); default: config, contracts, runtime, telemetry. */
  packages?: string[];
  /** Checked once the service is SERVING, against its own environment. */
  serves?(env: Record<string, string>): Promise<void>;
}

interface Context {
  infra: InfraEndpoints;
  prefix: string;
  dir: string;
  /** DATABASE_URL and DATABASE_PASSWORD_FILE of a fresh database with its own role. */
  databaseEnv: () => Promise<Record<string, string>>;
}

/** An address nothing listens on: dependencies are reached lazily, and these tests never call one. */
const nowhere = async () => `127.0.0.1:${await freePort()}`;

async function common(http: boolean): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    BIND_HOST: '127.0.0.1',
    // The artefacts start alone here: plaintext gRPC (a deployment gets MTLS_* files).
    MTLS_OFF_FOR_DEVELOPMENT: 'true',
    GRPC_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE_MS: String(GRACE_MS),
  };
  if (http) env.HTTP_PORT = String(await freePort());
  return env;
}

const CASES: Case[] = [
  {
    service: 'dlp',
    required: 'GRPC_PORT',
    // src/rules/policy-rules.source.ts imports @airlock/grpc at run time, but apps/dlp/package.json lists it under
    // devDependencies, so `pnpm deploy --prod` leaves it out: "Cannot find module '@airlock/grpc'" at boot.
    env: async () => ({ ...(await common(false)), POLICY_ADDR: await nowhere() }),
  },
  {
    service: 'usage',
    required: 'DATABASE_URL',
    env: async ({ infra, prefix, databaseEnv }) => ({
      ...(await common(true)),
      ...(await databaseEnv()),
      ...(await withRedisUser(infra.redis, 'usage', { REDIS_PREFIX: `${prefix}:usage:` })),
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
      TOPIC_PREFIX: prefix,
      USAGE_CONSUMER_GROUP: `${prefix}-usage`,
      IDENTITY_ASSERTION_JWKS_URL: `http://${await nowhere()}/api/policy/v1/assertion/jwks.json`,
    }),
  },
  {
    service: 'gateway',
    required: 'DLP_ADDR',
    env: async ({ infra, prefix, dir }) => ({
      ...(await common(true)),
      DLP_ADDR: await nowhere(),
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
      TOPIC_PREFIX: prefix,
      EVENT_SPOOL_DIR: path.join(dir, 'gateway-spool'),
      IDENTITY_ASSERTION_JWKS_URL: `http://${await nowhere()}/api/policy/v1/assertion/jwks.json`,
      GATEWAY_BACKENDS: JSON.stringify({ chat: { protocol: 'openai', baseUrl: `http://${await nowhere()}` } }),
    }),
  },
  {
    service: 'portal',
    required: 'HTTP_PORT',
    env: async () => ({
      ...(await common(true)),
      // Its health API takes the caller from the edge's assertion, verified with policy's JWKS (fetched when first needed).
      IDENTITY_ASSERTION_JWKS_URL: `http://${await nowhere()}/api/policy/v1/assertion/jwks.json`,
    }),
    packages: ['config', 'runtime'],
    serves: async (env) => {
      // The SPA's build is part of the artefact (dist/web): its page names a hashed script that is served too.
      const page = await fetch(`http://127.0.0.1:${env.HTTP_PORT}/`);
      expect(page.status).toBe(200);
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(await page.text())?.[1];
      expect(script).toBeDefined();
      expect((await fetch(`http://127.0.0.1:${env.HTTP_PORT}${script}`)).status).toBe(200);
    },
  },
];

/** Symbolic links under `root` whose target (resolved lexically) lies outside it, relative to `root`. */
function linksLeaving(root: string): string[] {
  const leaving: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        const target = path.resolve(dir, readlinkSync(file));
        if (path.relative(root, target).startsWith('..')) leaving.push(path.relative(root, file));
      } else if (entry.isDirectory()) {
        walk(file);
      }
    }
  };
  walk(root);
  return leaving.sort();
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

function start(dir: string, env: Record<string, string>): { child: ChildProcess; exited: Promise<Exit> } {
  // cwd is the artefact and the environment is only the service's own: nothing can come from the repository.
  const child = spawn(process.execPath, ['dist/main.js'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, output })));
  return { child, exited };
}

/** Resolves when the service reports SERVING; rejects, with its output, if it exits or does not get there. */
async function serving(address: string, exited: Promise<Exit>, timeoutMs = 30_000): Promise<void> {
  let exit: Exit | undefined;
  void exited.then((e) => (exit = e));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit) throw new Error(`exited (code ${exit.code}) before SERVING:\n${exit.output}`);
    if ((await checkHealth(address, '', 500)) === 'SERVING') return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not SERVING within ${timeoutMs} ms`);
}

describe('standalone deploy (pnpm deploy artefact)', () => {
  let infra: InfraEndpoints;
  let prefix: string;
  let tmp: string;
  const drops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    infra = await startInfra({ components: ['postgres', 'redis', 'kafka'] });
    prefix = uniquePrefix('standalone');
    tmp = mkdtempSync(path.join(os.tmpdir(), 'airlock-deploy-'));
    // usage subscribes at boot and kafkajs cannot subscribe to a missing topic.
    await createTopics(infra, [`${prefix}.airlock.usage.v1`, `${prefix}.airlock.audit.v1`]);
  }, 120_000);

  afterAll(async () => {
    for (const drop of drops) await drop().catch(() => undefined);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  describe.each(CASES)('$service', ({ service, required, env, packages, serves }) => {
    let dir: string;
    let context: Context;
    beforeAll(async () => {
      dir = path.join(tmp, service);
      // From the lockfile: the versions the rest of the suite ran against, with no registry metadata needed.
      await execFileAsync(path.join(ROOT, 'deploy', 'artefact.sh'), [service, dir], {
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      context = {
        infra,
        prefix,
        dir: tmp,
        databaseEnv: async () => {
          const db = await createTestDatabase(infra, `${prefix}_${service}`);
          drops.push(db.drop);
          return db.env;
        },
      };
    }, 90_000);

    it('links nothing outside itself, and carries its workspace packages as copies', () => {
      expect(linksLeaving(dir)).toEqual([]);
      const copied = readdirSync(path.join(dir, 'node_modules', '@airlock'));
      expect(copied).toEqual(expect.arrayContaining(packages ?? ['config', 'contracts', 'runtime', 'telemetry']));
      for (const name of copied) expect(existsSync(path.join(dir, 'node_modules', '@airlock', name, 'dist'))).toBe(true);
    });

    it(`exits 78 naming ${required} when it is missing`, async () => {
      const environment = await env(context);
      delete environment[required];
      const exit = await start(dir, environment).exited;
      expect(exit.code).toBe(78);
      expect(exit.output).toContain(`config error: ${required}:`);
    }, 30_000);

    it('reports SERVING with its own environment only, and exits 0 on SIGTERM within SHUTDOWN_GRACE_MS', async () => {
      const environment = await env(context);
      const { child, exited } = start(dir, environment);
      try {
        await serving(`127.0.0.1:${environment.GRPC_PORT}`, exited);
        await serves?.(environment);
      } catch (error) {
        child.kill('SIGKILL');
        throw error;
      }
      child.kill('SIGTERM');
      // The runtime exits 1 by itself when draining outlasts SHUTDOWN_GRACE_MS, so exit code 0 says it drained in time.
      const exit = await exited;
      expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    }, 60_000);
  });
});
