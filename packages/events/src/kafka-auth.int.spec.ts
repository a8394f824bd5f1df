// Against a broker with authenticated clients and ACLs (a private one of @airlock/testing): a service's
// `credentials` sign it in with SASL/SCRAM-SHA-512, and the broker's ACLs decide what its user may do.
import { adminKafka, createKafkaUser, eventually, randomPassword, startPrivateKafka, type PrivateKafka } from '@airlock/testing';
import { EventConsumer, EventProducer, createKafka } from './kafka';
import { topicName } from './topics';

jest.setTimeout(180_000);

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const AUDIT = topicName('audit', 'auth');
const USAGE = topicName('usage', 'auth');

describe('createKafka with credentials', () => {
  let broker: PrivateKafka;
  const passwords = { gateway: randomPassword(), audit: randomPassword() };

  beforeAll(async () => {
    broker = await startPrivateKafka('events-auth', { auth: true });
    const target = { brokers: broker.brokers, adminPassword: broker.adminPassword! };
    const admin = adminKafka(target).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [AUDIT, USAGE].map((topic) => ({ topic, numPartitions: 1 })) });
    await admin.disconnect();
    await createKafkaUser(target, 'gateway', passwords.gateway, { produce: [AUDIT, USAGE] });
    await createKafkaUser(target, 'audit', passwords.audit, { produce: [AUDIT], consume: [AUDIT], groups: ['audit-readers'] });
  });

  afterAll(async () => broker?.destroy());

  it("delivers the gateway's events to audit, each signed in as its own user", async () => {
    const producer = new EventProducer(createKafka({ brokers: broker.brokers, clientId: 'gateway', logger, credentials: { username: 'gateway', password: passwords.gateway } }));
    const consumer = new EventConsumer(createKafka({ brokers: broker.brokers, clientId: 'audit', logger, credentials: { username: 'audit', password: passwords.audit } }), {
      groupId: 'audit-readers',
      topics: [AUDIT],
      logger,
    });
    const seen: string[] = [];
    try {
      await consumer.start(async (m) => void seen.push(m.value.toString()));
      await producer.send(AUDIT, 'k', Buffer.from('audited'));
      await eventually('audit to read the event', () => (seen.includes('audited') ? true : undefined), 60_000);
    } finally {
      await consumer.stop();
      await producer.disconnect();
    }
  });

  it('refuses a producer whose user may not write the topic, and one without credentials', async () => {
    const audit = new EventProducer(createKafka({ brokers: broker.brokers, clientId: 'audit', logger, credentials: { username: 'audit', password: passwords.audit } }));
    const anonymous = new EventProducer(createKafka({ brokers: broker.brokers, clientId: 'anonymous', logger }));
    try {
      await expect(audit.send(USAGE, 'k', Buffer.from('forged'))).rejects.toThrow(/authoriz/i);
      await expect(anonymous.send(AUDIT, 'k', Buffer.from('forged'))).rejects.toThrow();
    } finally {
      await audit.disconnect().catch(() => undefined);
      await anonymous.disconnect().catch(() => undefined);
    }
  });
});
