// The mesh's own Kafka: SASL/SCRAM-SHA-512 clients and ACLs (a PLAINTEXT broker would take anything from any
// process on the machine, an audit event forged in a workspace included). One user per service of
// @airlock/events' KAFKA_CLIENTS, allowed what that registry says and nothing else; each user's password in a
// 0600 file of the mesh's secrets. `up`'s broker keeps its data, users and ACLs across `up`s; a test mesh gets
// a fresh one.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { KAFKA_CLIENT_NAMES, kafkaAcl, kafkaTopics, type KafkaClient } from '@airlock/events';
import { adminKafka, createKafkaUser, grantKafkaUsers, startPrivateKafka, type KafkaAuthTarget } from '@airlock/testing';
import { keptSecret } from './mesh-secrets';

/** A service's Kafka user: its name and the 0600 file with its password (KAFKA_USERNAME, KAFKA_PASSWORD_FILE). */
export interface MeshKafkaUser {
  username: string;
  passwordFile: string;
}

export interface MeshKafka {
  brokers: string[];
  users: Record<KafkaClient, MeshKafkaUser>;
}

export interface MeshKafkaOptions {
  /** The mesh's name: the broker is recorded as `<name>.kafka` (so `down` stops it). */
  name: string;
  /** The broker's directory (data, its 0600 server.properties and kept passwords). */
  dir: string;
  secretsDir: string;
  topicPrefix: string;
  /** Prefix of the services' consumer groups (`<prefix>-audit`, `<prefix>-usage`). */
  groupPrefix: string;
  /** Start from an empty broker (a test mesh) instead of the kept one. */
  fresh: boolean;
  log?: (line: string) => void;
}

/** The managed name of a mesh's broker. */
export const meshKafkaName = (mesh: string): string => `${mesh}.kafka`;

/** The Kafka user of a service: the name a cluster gives it too (deploy/README.md). */
export const kafkaUsername = (client: KafkaClient): string => `airlock-${client}`;

/**
 * Users made on this broker, by name, with the digest of their password and of their rights: a user is made (its
 * ConfigCommand is a JVM start, seconds each) only when it is new or either changed.
 */
const provisionedFile = (dir: string): string => path.join(dir, 'users.json');

export async function startMeshKafka(options: MeshKafkaOptions): Promise<MeshKafka> {
  if (options.fresh) rmSync(options.dir, { recursive: true, force: true });
  const wanted = await Promise.all(
    KAFKA_CLIENT_NAMES.map(async (client) => {
      const passwordFile = path.join(options.secretsDir, `kafka-${client}.password`);
      const password = await keptSecret(passwordFile);
      const acl = kafkaAcl(client, { topicPrefix: options.topicPrefix, groupPrefix: options.groupPrefix });
      const digest = createHash('sha256').update(JSON.stringify({ password, acl })).digest('hex');
      return { client, username: kafkaUsername(client), password, passwordFile, acl, digest };
    }),
  );
  // A broker formatted by this start (every test mesh's, `up`'s first) gets the users in its first metadata.
  const broker = await startPrivateKafka(`mesh-${options.name}`, {
    auth: true,
    dir: options.dir,
    managedName: meshKafkaName(options.name),
    users: wanted.map(({ username, password }) => ({ username, password })),
  });
  const target: KafkaAuthTarget = { brokers: broker.brokers, adminPassword: broker.adminPassword! };
  await createTopics(target, kafkaTopics(options.topicPrefix));

  const provisioned: Record<string, string> = broker.formatted || !existsSync(provisionedFile(options.dir)) ? {} : JSON.parse(readFileSync(provisionedFile(options.dir), 'utf8'));
  const stale = wanted.filter((u) => provisioned[u.username] !== u.digest);
  if (broker.formatted) {
    await grantKafkaUsers(target, stale.map(({ username, acl }) => ({ username, grant: acl })));
  } else {
    await inBatches(stale, availableParallelism(), async ({ username, password, acl }) => {
      options.log?.(`creating the Kafka user ${username}`);
      await createKafkaUser(target, username, password, acl);
    });
  }
  for (const u of stale) provisioned[u.username] = u.digest;
  writeFileSync(provisionedFile(options.dir), JSON.stringify(provisioned), { mode: 0o600 });
  return { brokers: broker.brokers, users: Object.fromEntries(wanted.map((u) => [u.client, { username: u.username, passwordFile: u.passwordFile }])) as Record<KafkaClient, MeshKafkaUser> };
}

/**
 * `work` for every item, at most `width` at a time. Each user is a JVM start: all of them at once on a loaded
 * two-core machine pushed single ConfigCommands past their 60 s timeout, while one per core takes no longer.
 */
async function inBatches<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.max(1, width) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

/** The topics every client uses: the broker creates none on its own, and no service's user may. */
async function createTopics(target: KafkaAuthTarget, topics: string[]): Promise<void> {
  const admin = adminKafka(target).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic })) });
  } finally {
    await admin.disconnect();
  }
}
