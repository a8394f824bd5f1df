import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import type { InfraEndpoints } from './types';

/**
 * `${label}_${random}`: lower-case letters, digits and underscores, starting with a letter, at most 40
 * characters, so it is valid as a database name, a Kafka topic name and a Redis key prefix.
 */
export function uniquePrefix(label: string): string {
  let clean = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 26);
  if (!/^[a-z]/.test(clean)) clean = `t_${clean}`.replace(/_+$/, '').slice(0, 26);
  return `${clean}_${Date.now().toString(36).slice(-4)}${randomBytes(4).toString('hex')}`;
}

/** A database name from a prefix: sanitized, a short random suffix, within PostgreSQL's 63 bytes. */
export function testDatabaseName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^[^a-z]+/, '') || 'test';
  return `${clean.slice(0, 56)}_${randomBytes(3).toString('hex')}`;
}

async function withAdmin<T>(endpoints: InfraEndpoints, fn: (client: Client) => Promise<T>): Promise<T> {
  const { host, port, user, password, database } = endpoints.postgres;
  const client = new Client({ host, port, user, password, database, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates a fresh, empty database for one suite; `drop()` removes it, closing whatever still uses it. */
export async function createTestDatabase(endpoints: InfraEndpoints, prefix: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = testDatabaseName(prefix);
  await withAdmin(endpoints, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(endpoints.postgres.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      await withAdmin(endpoints, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** Creates the topics that do not exist yet (replication factor 1) and waits for their leaders. */
export async function createTopics(endpoints: InfraEndpoints, topics: string[], partitions = 1): Promise<void> {
  const kafka = new Kafka({ clientId: 'airlock-harness', brokers: endpoints.kafka.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
}
