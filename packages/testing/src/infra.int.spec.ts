// Integration: starts (or reuses) the real local Kafka, Redis and PostgreSQL and uses each of them.
// The infrastructure is left running afterwards on purpose: `tools/airlock down` decides when it stops.
import Redis from 'ioredis';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { Client } from 'pg';
import { createTestDatabase, createTopics, infraStatus, startInfra, uniquePrefix, type InfraEndpoints } from './index';

// A cold machine installs redis-tools with apt and Kafka's jars with Maven first.
jest.setTimeout(10 * 60_000);

let endpoints: InfraEndpoints;

beforeAll(async () => {
  endpoints = await startInfra({ profile: 'test' });
});

test('every component reports running with a pid and a port', async () => {
  const status = await infraStatus();
  for (const c of ['postgres', 'redis', 'kafka'] as const) {
    expect(status[c].running).toBe(true);
    expect(status[c].pid).toBeGreaterThan(0);
    expect(status[c].port).toBeGreaterThan(0);
  }
  expect(endpoints.kafka.brokers).toEqual([`127.0.0.1:${status.kafka.port}`]);
  expect(endpoints.postgres.port).toBe(status.postgres.port);
  expect(endpoints.redis.url).toBe(`redis://127.0.0.1:${status.redis.port}`);
});

test('postgres: each test database is distinct and answers queries', async () => {
  const prefix = uniquePrefix('harness spec');
  const a = await createTestDatabase(endpoints, prefix);
  const b = await createTestDatabase(endpoints, prefix);
  try {
    expect(a.name).not.toBe(b.name);
    expect(a.url).not.toBe(b.url);
    // Each as its own role (pg lets a connection string's absent password override one given beside it).
    const { host, port } = endpoints.postgres;
    const ca = new Client({ host, port, user: a.role, password: a.password, database: a.name });
    const cb = new Client({ host, port, user: b.role, password: b.password, database: b.name });
    await ca.connect();
    await cb.connect();
    try {
      await ca.query('CREATE TABLE item (id int PRIMARY KEY, label text)');
      await ca.query("INSERT INTO item VALUES (1, 'one'), (2, 'two')");
      const rows = await ca.query('SELECT current_database() AS db, count(*)::int AS n FROM item');
      expect(rows.rows[0]).toEqual({ db: a.name, n: 2 });
      // The other database does not see the table.
      const other = await cb.query("SELECT current_database() AS db, to_regclass('public.item') AS t");
      expect(other.rows[0]).toEqual({ db: b.name, t: null });
    } finally {
      await ca.end();
      await cb.end();
    }
  } finally {
    await a.drop();
    await b.drop();
  }
  const { host, port, user, password, database } = endpoints.postgres;
  const admin = new Client({ host, port, user, password, database });
  await admin.connect();
  try {
    const left = await admin.query('SELECT datname FROM pg_database WHERE datname = ANY($1)', [[a.name, b.name]]);
    expect(left.rowCount).toBe(0);
    // drop() takes the database's role with it.
    const roles = await admin.query('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [[a.role, b.role]]);
    expect(roles.rowCount).toBe(0);
  } finally {
    await admin.end();
  }
});

test('redis: SET and GET under a unique key prefix (as the admin user: the default user is off)', async () => {
  const { username, password } = endpoints.redis;
  const redis = new Redis(endpoints.redis.url, { username, password, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const key = `${uniquePrefix('redis')}:greeting`;
    expect(await redis.set(key, 'hello', 'EX', 60)).toBe('OK');
    expect(await redis.get(key)).toBe('hello');
    expect(await redis.ttl(key)).toBeGreaterThan(0);
  } finally {
    redis.disconnect();
  }
});

test('kafka: create a topic, produce a message and consume it', async () => {
  const topic = uniquePrefix('events');
  await createTopics(endpoints, [topic], 2);
  await createTopics(endpoints, [topic], 2); // idempotent
  const kafka = new Kafka({ clientId: 'harness-spec', brokers: endpoints.kafka.brokers, logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  await admin.disconnect();
  expect(metadata.topics[0]?.partitions).toHaveLength(2);

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: uniquePrefix('group') });
  await producer.connect();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = new Promise<{ key: string; value: string }>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => resolve({ key: String(message.key), value: String(message.value) }),
      });
    });
    await producer.send({ topic, messages: [{ key: 'k1', value: 'hello kafka' }] });
    let timer: NodeJS.Timeout | undefined;
    const message = await Promise.race([
      received,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no message within 30 s')), 30_000);
      }),
    ]).finally(() => clearTimeout(timer));
    expect(message).toEqual({ key: 'k1', value: 'hello kafka' });
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
});

test('a second startInfra reuses the running processes', async () => {
  const before = await infraStatus();
  const again = await startInfra();
  const after = await infraStatus();
  expect(again).toEqual(endpoints);
  for (const c of ['postgres', 'redis', 'kafka'] as const) expect(after[c].pid).toBe(before[c].pid);
});
