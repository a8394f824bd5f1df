import { createTopics, eventually, startInfra, uniquePrefix } from '@airlock/testing';
import { KafkaJSNonRetriableError } from 'kafkajs';
import { EventConsumer, EventProducer, createKafka } from './kafka';

jest.setTimeout(150_000);

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

// Against a real broker. A handler that throws kafkajs' non-retriable error makes kafkajs crash the consumer
// and give up on it (CRASH with restart=false), exactly as "the coordinator is not aware of this member" does
// after missed heartbeats on a busy machine.
describe('EventConsumer', () => {
  it('rejoins its group after kafkajs gives up on it, and the uncommitted message is delivered again', async () => {
    const infra = await startInfra({ components: ['kafka'] });
    const topic = `${uniquePrefix('rejoin')}.events`;
    await createTopics(infra, [topic]);
    const kafka = createKafka({ brokers: infra.kafka.brokers, clientId: 'rejoin-test', logger });
    const producer = new EventProducer(kafka);
    const consumer = new EventConsumer(kafka, { groupId: `${topic}-reader`, topics: [topic], logger });
    const deliveries: string[] = [];
    let failed = false;
    try {
      await consumer.start(async (m) => {
        deliveries.push(m.value.toString());
        if (!failed) {
          failed = true;
          throw new KafkaJSNonRetriableError('the coordinator is not aware of this member (simulated)');
        }
      });
      await producer.send(topic, 'k', Buffer.from('first'));
      await producer.send(topic, 'k', Buffer.from('second'));
      await eventually('both messages handled after the rejoin', () => (deliveries.includes('second') ? true : undefined), 60_000);
      expect(consumer.rejoins).toBe(1);
      // The first delivery threw before its commit, so the new member starts from it again.
      expect(deliveries.slice(0, 2)).toEqual(['first', 'first']);
      expect(deliveries.at(-1)).toBe('second');
    } finally {
      await consumer.stop();
      await producer.disconnect();
    }
  });

  it('reports its lag: what is on the topic and not yet committed by its group, 0 once it caught up', async () => {
    const infra = await startInfra({ components: ['kafka'] });
    const topic = `${uniquePrefix('lag')}.events`;
    await createTopics(infra, [topic]);
    const kafka = createKafka({ brokers: infra.kafka.brokers, clientId: 'lag-test', logger });
    const producer = new EventProducer(kafka);
    const consumer = new EventConsumer(kafka, { groupId: `${topic}-reader`, topics: [topic], logger });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    try {
      for (const value of ['a', 'b', 'c']) await producer.send(topic, 'k', Buffer.from(value));
      // Nothing committed yet (the group has not started): everything on the topic is behind.
      expect(await consumer.lag()).toBe(3);
      await consumer.start(async (m) => {
        await held;
        handled.push(m.value.toString());
      });
      expect(await consumer.lag()).toBe(3);
      release();
      await eventually('every message handled and committed', async () => (handled.length === 3 && (await consumer.lag()) === 0 ? true : undefined), 60_000);
    } finally {
      release();
      await consumer.stop();
      await producer.disconnect();
    }
  });
});
