import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTopics, eventually, freePort, startInfra, uniquePrefix } from '@airlock/testing';
import { DurableEventProducer, EventNotDurableError } from './durable-producer';
import { EventConsumer, createKafka } from './kafka';

jest.setTimeout(90_000);

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

// Against a real broker: an unreachable broker is simulated by a producer pointed at a closed port, with
// the same spool directory a restarted process would find.
describe('DurableEventProducer', () => {
  it('spools while the broker is unreachable and drains in order to the real broker after a restart', async () => {
    const infra = await startInfra({ components: ['kafka'] });
    const topic = `${uniquePrefix('spool')}.events`;
    await createTopics(infra, [topic]);
    const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'airlock-spool-'));

    const dead = createKafka({ brokers: [`127.0.0.1:${await freePort()}`], clientId: 'spool-test', logger });
    const offline = new DurableEventProducer(dead, { spoolDir, logger, sendTimeoutMs: 300, drainIntervalMs: 60_000 });
    // Fail-closed callers get an error when durability takes longer than their bound (here the broker
    // attempt alone takes 300 ms); the event itself still lands in the spool afterwards.
    await expect(offline.publish(topic, 'first', Buffer.from('x'), { boundMs: 50 })).rejects.toBeInstanceOf(EventNotDurableError);
    await eventually('first event spooled', () => (offline.spooled === 1 ? true : undefined), 5_000);
    for (let i = 0; i < 20; i += 1) await offline.publish(topic, `k${i}`, Buffer.from(`event-${i}`));
    expect(offline.spooled).toBe(21);
    await offline.close().catch(() => undefined);

    const live = createKafka({ brokers: infra.kafka.brokers, clientId: 'spool-test', logger });
    const restarted = new DurableEventProducer(live, { spoolDir, logger, drainIntervalMs: 200 });
    await restarted.publish(topic, 'after', Buffer.from('event-after'));
    await eventually('spool drained', () => (restarted.spooled === 0 ? true : undefined), 30_000);
    await restarted.close();

    const received: string[] = [];
    const consumer = new EventConsumer(live, { groupId: `${topic}-reader`, topics: [topic], logger });
    await consumer.start(async (m) => {
      received.push(m.value.toString());
    });
    await eventually('all events consumed', () => (received.length >= 22 ? true : undefined), 30_000);
    await consumer.stop();
    const expected = ['x', ...Array.from({ length: 20 }, (_, i) => `event-${i}`), 'event-after'];
    expect(received.filter((v, i) => received.indexOf(v) === i)).toEqual(expected);
  });
});
