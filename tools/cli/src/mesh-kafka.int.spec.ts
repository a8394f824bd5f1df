// The mesh's own broker as `up` runs it (startMeshKafka): a client without a user is refused, each service's user
// may do exactly what @airlock/events' KAFKA_CLIENTS says, and a second start keeps data, users and passwords.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventConsumer, EventProducer, KAFKA_CLIENT_NAMES, createKafka, topicName, type KafkaClient } from '@airlock/events';
import { eventually, listManaged, stopManaged, uniquePrefix } from '@airlock/testing';
import { meshKafkaName, startMeshKafka, type MeshKafka, type MeshKafkaOptions } from './mesh-kafka';

jest.setTimeout(300_000);

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

interface BrokerSetupOptions {
  /** Start from an empty directory (a test mesh), else from what the last start left. */
  fresh: boolean;
}

describe("the mesh's Kafka (SASL/SCRAM users and ACLs from KAFKA_CLIENTS)", () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'mesh-kafka-'));
  const name = uniquePrefix('meshkafka');
  const topicPrefix = name;
  const created: string[] = [];
  let kafka: MeshKafka;

  const start = ({ fresh }: BrokerSetupOptions) => {
    const options: MeshKafkaOptions = { name, dir: path.join(work, 'broker'), secretsDir: path.join(work, 'secrets'), topicPrefix, groupPrefix: name, fresh, log: (line) => created.push(line) };
    return startMeshKafka(options);
  };
  const stop = async () => {
    const broker = (await listManaged())[meshKafkaName(name)];
    if (broker) await stopManaged(broker.pid, 30_000);
  };
  const signedIn = (client: KafkaClient) => {
    const user = kafka.users[client];
    return createKafka({ brokers: kafka.brokers, clientId: `test-${client}`, logger, credentials: { username: user.username, password: readFileSync(user.passwordFile, 'utf8').trim() } });
  };
  const producerOf = (client: KafkaClient) => new EventProducer(signedIn(client));

  beforeAll(async () => {
    kafka = await start({ fresh: true });
  });

  afterAll(async () => {
    await stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("keeps each service's password in a 0600 file and records the broker for `down`", async () => {
    // A fresh broker gets its users when it is formatted: no ConfigCommand JVM per user.
    expect(created.filter((line) => line.startsWith('creating the Kafka user'))).toEqual([]);
    expect(Object.keys(kafka.users).sort()).toEqual([...KAFKA_CLIENT_NAMES].sort());
    for (const user of Object.values(kafka.users)) expect(statSync(user.passwordFile).mode & 0o777).toBe(0o600);
    expect((await listManaged())[meshKafkaName(name)]?.running).toBe(true);
  });

  it('refuses a client without a user', async () => {
    const anonymous = new EventProducer(createKafka({ brokers: kafka.brokers, clientId: 'anonymous', logger }));
    try {
      await expect(anonymous.send(topicName('audit', topicPrefix), 'k', Buffer.from('forged'))).rejects.toThrow();
    } finally {
      await anonymous.disconnect().catch(() => undefined);
    }
  });

  it("lets the gateway write usage events, and refuses identity's user the usage topic it does not own", async () => {
    const gateway = producerOf('gateway');
    const identity = producerOf('identity');
    try {
      await gateway.send(topicName('usage', topicPrefix), 'k', Buffer.from('metered'));
      await identity.send(topicName('audit', topicPrefix), 'k', Buffer.from('signed in'));
      await expect(identity.send(topicName('usage', topicPrefix), 'k', Buffer.from('forged usage'))).rejects.toThrow(/authoriz/i);
    } finally {
      await gateway.disconnect().catch(() => undefined);
      await identity.disconnect().catch(() => undefined);
    }
  });

  it('lets usage read its topic with its own group, and refuses it the audit trail', async () => {
    const seen: string[] = [];
    const usage = new EventConsumer(signedIn('usage'), { groupId: `${name}-usage`, topics: [topicName('usage', topicPrefix)], logger });
    try {
      await usage.start(async (m) => void seen.push(m.value.toString()));
      await eventually('usage to read the metered event', () => (seen.includes('metered') ? true : undefined), 60_000);
    } finally {
      await usage.stop();
    }
    const snooping = new EventConsumer(signedIn('usage'), { groupId: `${name}-usage`, topics: [topicName('audit', topicPrefix)], logger });
    await expect(snooping.start(async () => undefined)).rejects.toThrow();
    await snooping.stop().catch(() => undefined);
  });

  it('starts again on the same data, users and passwords, making no user twice', async () => {
    await stop();
    created.length = 0;
    const before = kafka;
    kafka = await start({ fresh: false });
    expect(kafka).toEqual(before);
    expect(created).toEqual([]);
    const seen: string[] = [];
    const audit = new EventConsumer(signedIn('audit'), { groupId: `${name}-audit`, topics: [topicName('audit', topicPrefix)], logger });
    try {
      await audit.start(async (m) => void seen.push(m.value.toString()));
      await eventually('audit to read the event written before the restart', () => (seen.includes('signed in') ? true : undefined), 60_000);
    } finally {
      await audit.stop();
    }
  });
});
