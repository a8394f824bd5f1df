/**
 * The Docker path (AIRLOCK_INFRA=testcontainers, or `auto` when a Docker engine answers): the same
 * components as containers, through testcontainers. It cannot be exercised on the project's machines,
 * which have a docker client but no engine, so it is kept deliberately small. Containers belong to the
 * process that started them (testcontainers' reaper removes them when it exits) and are tracked in
 * memory only, so nothing of this path is written to state.json.
 */
import net from 'node:net';
import { randomPassword } from './postgres-auth';
import { REDIS_ADMIN, aclPasswordHash } from './redis-auth';
import type { InfraComponent, InfraEndpoints } from './types';

/** Images pinned by tag, matching the local path: PostgreSQL 15, Redis 7.0, Kafka 3.9 (cp-kafka 7.9, KRaft). */
export const IMAGES = {
  // PostgreSQL 15 with pgvector (rag's vectors), from the pgvector project on the official postgres image.
  postgres: 'pgvector/pgvector:0.8.1-pg15',
  redis: 'redis:7.0.15-alpine',
  kafka: 'confluentinc/cp-kafka:7.9.0',
} as const;

interface Running {
  stop(): Promise<unknown>;
  endpoints: Partial<InfraEndpoints>;
}

const running: Partial<Record<InfraComponent, Running>> = {};

/** Whether a Docker engine answers `GET /_ping` on DOCKER_HOST (unix or tcp) or /var/run/docker.sock. */
export function dockerAnswers(timeoutMs = 1000): Promise<boolean> {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  let target: net.NetConnectOpts;
  if (host.startsWith('unix://')) target = { path: host.slice('unix://'.length) };
  else if (host.startsWith('tcp://')) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    target = { host: url.hostname, port: Number(url.port || 2375) };
  } else return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = net.connect(target);
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => socket.write('GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
    });
    socket.once('end', () => done(/^HTTP\/1\.[01] 200/.test(reply)));
    socket.once('error', () => done(false));
  });
}

/** The container definitions (not started); loading testcontainers is deferred until Docker is used. */
export async function defineContainers() {
  const [{ PostgreSqlContainer }, { RedisContainer }, { KafkaContainer }] = await Promise.all([
    import('@testcontainers/postgresql'),
    import('@testcontainers/redis'),
    import('@testcontainers/kafka'),
  ]);
  return {
    // The image's pg_hba.conf asks every host connection for a SCRAM password (its default since PostgreSQL 14).
    postgres: new PostgreSqlContainer(IMAGES.postgres).withDatabase('airlock').withUsername('airlock').withPassword(randomPassword()),
    redis: new RedisContainer(IMAGES.redis),
    kafka: new KafkaContainer(IMAGES.kafka).withKraft(),
  };
}

async function startOne(component: InfraComponent): Promise<Running> {
  const defs = await defineContainers();
  switch (component) {
    case 'postgres': {
      const c = await defs.postgres.start();
      const url = new URL(c.getConnectionUri());
      url.password = '';
      const postgres = { host: c.getHost(), port: c.getPort(), user: c.getUsername(), password: c.getPassword(), database: c.getDatabase(), url: url.toString() };
      return { stop: () => c.stop(), endpoints: { postgres } };
    }
    case 'redis': {
      // As the local path: an admin user, the default user off (no unauthenticated access), service users by ACL SETUSER.
      const password = randomPassword();
      const c = await defs.redis.withPassword(password).start();
      const redis = { host: c.getHost(), port: c.getPort(), url: `redis://${c.getHost()}:${c.getPort()}`, username: REDIS_ADMIN, password };
      const { Redis } = await import('ioredis');
      const client = new Redis({ host: redis.host, port: redis.port, password });
      try {
        await client.call('ACL', 'SETUSER', REDIS_ADMIN, 'on', aclPasswordHash(password), '~*', '&*', '+@all');
        await client.call('ACL', 'SETUSER', 'default', 'off', 'resetpass', 'resetkeys', 'resetchannels', '-@all');
      } finally {
        client.disconnect();
      }
      return { stop: () => c.stop(), endpoints: { redis } };
    }
    case 'kafka': {
      // cp-kafka's plaintext listener for clients outside the container is 9093.
      const c = await defs.kafka.start();
      return { stop: () => c.stop(), endpoints: { kafka: { brokers: [`${c.getHost()}:${c.getMappedPort(9093)}`] } } };
    }
  }
}

export async function startContainers(components: InfraComponent[]): Promise<Partial<InfraEndpoints>> {
  await Promise.all(
    components.map(async (c) => {
      running[c] ??= await startOne(c);
    }),
  );
  return Object.assign({}, ...Object.values(running).map((r) => r?.endpoints)) as Partial<InfraEndpoints>;
}

export async function stopContainers(): Promise<void> {
  const all = Object.entries(running);
  for (const [c] of all) delete running[c as InfraComponent];
  await Promise.all(all.map(([, r]) => r?.stop()));
}

export function containerRunning(component: InfraComponent): { running: boolean; port?: number } | undefined {
  const r = running[component];
  if (!r) return undefined;
  const port = r.endpoints.postgres?.port ?? r.endpoints.redis?.port ?? Number(r.endpoints.kafka?.brokers[0]?.split(':').pop());
  return { running: true, port };
}
