import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { DurableEventProducer } from './durable-producer';

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A stand-in for kafkajs that records produce requests; `down` makes them fail. */
function fakeKafka() {
  const requests: string[][] = [];
  let producers = 0;
  const state: { down: boolean; hold?: Promise<void> } = { down: false };
  const kafka = {
    producer: () => {
      producers += 1;
      return {
        connect: async () => undefined,
        disconnect: async () => undefined,
        sendBatch: async ({ topicMessages }: { topicMessages: Array<{ messages: Array<{ value: Buffer }> }> }) => {
          if (state.down) throw new Error('broker down');
          requests.push(topicMessages.flatMap((t) => t.messages.map((m) => m.value.toString())));
          await state.hold;
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, requests, state, producers: () => producers };
}

describe('DurableEventProducer group commit', () => {
  const spoolDir = () => mkdtempSync(path.join(os.tmpdir(), 'airlock-batch-'));

  it('sends the events published meanwhile as one produce request, in publish order', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new DurableEventProducer(kafka, { spoolDir: spoolDir(), logger, drainIntervalMs: 60_000 });
    await Promise.all(Array.from({ length: 500 }, (_, i) => producer.publish('t', `k${i}`, Buffer.from(String(i)))));
    expect(requests).toEqual([Array.from({ length: 500 }, (_, i) => String(i))]);
    await producer.close();
  });

  it('caps a request at maxBatchSize', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new DurableEventProducer(kafka, { spoolDir: spoolDir(), logger, drainIntervalMs: 60_000, maxBatchSize: 100 });
    await Promise.all(Array.from({ length: 250 }, (_, i) => producer.publish('t', 'k', Buffer.from(String(i)))));
    expect(requests.map((r) => r.length)).toEqual([100, 100, 50]);
    await producer.close();
  });

  it('spools a failed batch with one append, replaces the producer, keeps order while the spool drains', async () => {
    const { kafka, requests, state, producers } = fakeKafka();
    const producer = new DurableEventProducer(kafka, { spoolDir: spoolDir(), logger, drainIntervalMs: 60_000 });
    state.down = true;
    await Promise.all(['a', 'b', 'c'].map((v) => producer.publish('t', 'k', Buffer.from(v))));
    expect(producer.spooled).toBe(3);
    expect(producers()).toBe(2);
    // The spool holds events: later ones queue behind them, even with the broker back.
    state.down = false;
    await producer.publish('t', 'k', Buffer.from('d'));
    expect(requests).toEqual([]);
    await producer.drain();
    expect(requests).toEqual([['a', 'b', 'c', 'd']]);
    expect(producer.spooled).toBe(0);
    await producer.publish('t', 'k', Buffer.from('e'));
    expect(requests).toEqual([['a', 'b', 'c', 'd'], ['e']]);
    await producer.close();
  });

  it('lingers: events published over a few ticks within lingerMs go out as one request', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new DurableEventProducer(kafka, { spoolDir: spoolDir(), logger, drainIntervalMs: 60_000, lingerMs: 50 });
    const first = producer.publish('t', 'k', Buffer.from('a'));
    await new Promise((r) => setTimeout(r, 5));
    const second = producer.publish('t', 'k', Buffer.from('b'));
    await Promise.all([first, second]);
    expect(requests).toEqual([['a', 'b']]);
    await producer.close();
  });

  it('lingers before every batch: events published while a request is in flight wait for company too', async () => {
    const { kafka, requests, state } = fakeKafka();
    const producer = new DurableEventProducer(kafka, { spoolDir: spoolDir(), logger, drainIntervalMs: 60_000, lingerMs: 500 });
    let release!: () => void;
    state.hold = new Promise((r) => (release = r));
    const first = producer.publish('t', 'k', Buffer.from('a'));
    while (requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    // 'b' arrives while ['a'] is unacknowledged; sending it alone right after the ack would make a request per event or two.
    const second = producer.publish('t', 'k', Buffer.from('b'));
    release();
    await first;
    await new Promise((r) => setTimeout(r, 20));
    expect(requests).toEqual([['a']]);
    const third = producer.publish('t', 'k', Buffer.from('c'));
    await Promise.all([second, third]);
    expect(requests).toEqual([['a'], ['b', 'c']]);
    await producer.close();
  });

  it('close sends what lingers at once', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new DurableEventProducer(kafka, { spoolDir: spoolDir(), logger, drainIntervalMs: 60_000, lingerMs: 60_000 });
    const lingering = producer.publish('t', 'k', Buffer.from('a'));
    await producer.close();
    await lingering;
    expect(requests).toEqual([['a']]);
  });

  it('sends at once for a caller waiting within a bound, taking the lingering events along', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new DurableEventProducer(kafka, { spoolDir: spoolDir(), logger, drainIntervalMs: 60_000, lingerMs: 60_000 });
    // A linger of a minute: were it not cut short, the test would time out.
    const lingering = producer.publish('t', 'k', Buffer.from('a'));
    await new Promise((r) => setTimeout(r, 5));
    await producer.publish('t', 'k', Buffer.from('b'), { boundMs: 5_000 });
    await lingering;
    expect(requests).toEqual([['a', 'b']]);
    // Alone on an idle producer, an urgent publish does not linger either.
    await producer.publish('t', 'k', Buffer.from('c'), { boundMs: 5_000 });
    expect(requests).toEqual([['a', 'b'], ['c']]);
    await producer.close();
  });

  it('drains on the timer even after idle ticks found the spool empty', async () => {
    const { kafka, requests, state } = fakeKafka();
    const producer = new DurableEventProducer(kafka, { spoolDir: spoolDir(), logger, drainIntervalMs: 20 });
    await new Promise((r) => setTimeout(r, 60));
    state.down = true;
    await producer.publish('t', 'k', Buffer.from('late'));
    state.down = false;
    for (let i = 0; i < 50 && producer.spooled > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(producer.spooled).toBe(0);
    expect(requests).toEqual([['late']]);
    await producer.close();
  });
});
