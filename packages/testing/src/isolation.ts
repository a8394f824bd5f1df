import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { randomPassword, writeSecretFile } from './postgres-auth';
import { dropServiceDatabase, provisionServiceDatabase, type ServiceDatabase, type ServiceDatabaseOptions } from './service-database';
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

/** A database (and role) name from a prefix: sanitized, a short random suffix, within PostgreSQL's 63 bytes. */
export function testDatabaseName(prefix: string): string {
  let clean = prefix.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^[^a-z]+/, '') || 'test';
  // The database's role has its name, and PostgreSQL reserves role names starting with pg_.
  if (clean.startsWith('pg_')) clean = `t_${clean}`;
  return `${clean.slice(0, 56)}_${randomBytes(3).toString('hex')}`;
}

export interface TestDatabase extends ServiceDatabase {
  /** The 0600 file holding `password`. */
  passwordFile: string;
  /** What a service booted on this database needs: DATABASE_URL and DATABASE_PASSWORD_FILE. */
  env: { DATABASE_URL: string; DATABASE_PASSWORD_FILE: string };
  drop(): Promise<void>;
}

export interface TestDatabaseOptions extends ServiceDatabaseOptions {
  /** Where the password file goes (a mesh's secrets dir); default: a fresh 0700 temp dir, removed by drop(). */
  secretsDir?: string;
}

/**
 * A fresh, empty database for one suite, owned by a role of its own with a random password (the shape every
 * service database has: see provisionServiceDatabase); `drop()` removes database, role and password file.
 */
export async function createTestDatabase(endpoints: InfraEndpoints, prefix: string, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = testDatabaseName(prefix);
  const db = await provisionServiceDatabase(endpoints, name, randomPassword(), { extensions: options.extensions });
  const dir = options.secretsDir ?? (await mkdtemp(path.join(os.tmpdir(), 'airlock-pg-secret-')));
  const passwordFile = path.join(dir, `postgres-${name}.password`);
  await writeSecretFile(passwordFile, db.password);
  return {
    ...db,
    passwordFile,
    env: { DATABASE_URL: db.url, DATABASE_PASSWORD_FILE: passwordFile },
    drop: async () => {
      await dropServiceDatabase(endpoints, name);
      await rm(options.secretsDir ? passwordFile : dir, { recursive: true, force: true });
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
