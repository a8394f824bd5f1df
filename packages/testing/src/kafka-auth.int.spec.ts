// Integration: a broker with authenticated clients and ACLs (a private one: the shared broker still runs PLAINTEXT).
// Clients without a user or with a wrong password are refused; the gateway's user may only produce to its topics,
// audit's may consume the audit topic with its own group. The idempotent producer (as @airlock/events sets it up)
// needs no more than WRITE on its topics (Kafka >= 2.8, KIP-679). The gateway's user is made on the running broker
// (ConfigCommand), audit's at format time (how a mesh's fresh broker gets its users): both must sign in alike.
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { adminKafka, createKafkaUser, grantKafkaUsers, kafkaSasl, randomPassword, startPrivateKafka, type PrivateKafka } from './index';

jest.setTimeout(240_000);

const AUDIT = 'airlock.audit.v1';
const USAGE = 'airlock.usage.v1';
const users = { gateway: randomPassword(), audit: randomPassword() };
let broker: PrivateKafka;
const closers: Array<() => Promise<void>> = [];

const client = (extra: Partial<KafkaConfig> = {}): Kafka =>
  new Kafka({ clientId: 'kafka-auth-spec', brokers: broker.brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3_000, requestTimeout: 5_000, retry: { retries: 0 }, ...extra });
// kafkajs requires retries of an idempotent producer; authorization errors are not retried anyway.
const as = (user: keyof typeof users): Kafka => client({ sasl: kafkaSasl(user, users[user]), retry: { retries: 2, initialRetryTime: 100 } });

/** A producer set up as @airlock/events sets its own (idempotent, acks -1, one in flight). */
async function producerOf(kafka: Kafka) {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  closers.push(() => producer.disconnect());
  return { send: (topic: string, value: string) => producer.send({ topic, acks: -1, messages: [{ value }] }) };
}

/** The error `promise` is rejected with (it must be rejected). */
async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

beforeAll(async () => {
  broker = await startPrivateKafka('kafka-auth', { auth: true, users: [{ username: 'audit', password: users.audit }] });
  expect(broker.formatted).toBe(true);
  const target = { brokers: broker.brokers, adminPassword: broker.adminPassword! };
  const admin = adminKafka(target).admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [AUDIT, USAGE, 'other'].map((topic) => ({ topic, numPartitions: 1 })) });
  await admin.disconnect();
  await createKafkaUser(target, 'gateway', users.gateway, { produce: [AUDIT, USAGE] });
  // Audit also produces: Envoy's access log as events, and dead letters.
  await grantKafkaUsers(target, [{ username: 'audit', grant: { produce: [AUDIT, `${AUDIT}.dlq`], consume: [AUDIT], groups: ['airlock-audit'] } }]);
});

afterAll(async () => {
  for (const close of closers) await close().catch(() => undefined);
  await broker?.destroy();
});

test('a client without credentials is refused (the listener speaks SASL only)', async () => {
  const admin = client().admin();
  await refusal(admin.connect().then(() => admin.listTopics()));
  await admin.disconnect();
});

test('a wrong password is refused by SCRAM', async () => {
  const admin = client({ sasl: kafkaSasl('gateway', 'not-the-password') }).admin();
  const error = await refusal(admin.connect());
  expect(error.name).toBe('KafkaJSSASLAuthenticationError');
});

test("the gateway's user produces to its topics only, and cannot read them", async () => {
  const producer = await producerOf(as('gateway'));
  await producer.send(AUDIT, 'from the gateway');
  await producer.send(USAGE, 'metered');
  expect((await refusal(producer.send('other', 'x'))).message).toMatch(/Topic authorization failed|Not authorized/);

  const consumer = as('gateway').consumer({ groupId: 'airlock-audit' });
  closers.push(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic: AUDIT, fromBeginning: true });
  const received: string[] = [];
  const crashed = new Promise<Error>((resolve) => consumer.on(consumer.events.CRASH, (e) => resolve(e.payload.error)));
  void consumer.run({ eachMessage: async ({ message }) => void received.push(String(message.value)) });
  // The broker answers FindCoordinator with GROUP_AUTHORIZATION_FAILED, which kafkajs reports as not finding one.
  expect((await crashed).message).toMatch(/authoriz|group coordinator/i);
  expect(received).toEqual([]);
});

test("audit's user consumes the audit topic with its group, and may not produce to usage", async () => {
  const consumer = as('audit').consumer({ groupId: 'airlock-audit' });
  closers.push(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic: AUDIT, fromBeginning: true });
  let timer: NodeJS.Timeout | undefined;
  const first = new Promise<string>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error('no message within 30 s')), 30_000);
    void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
  }).finally(() => clearTimeout(timer));
  expect(await first).toBe('from the gateway');

  const producer = await producerOf(as('audit'));
  expect((await refusal(producer.send(USAGE, 'forged'))).message).toMatch(/Topic authorization failed|Not authorized/);
});
