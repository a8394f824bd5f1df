import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { AuditPublisher } from './audit-publisher';
import { newEventId } from './event-id';

const logged: { level: string; obj: object; msg?: string }[] = [];
const logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (obj: object, msg?: string) => logged.push({ level: 'error', obj, msg }),
};

describe('AuditPublisher', () => {
  it('never throws into the caller: an event it cannot make durable is logged by type, without its content', async () => {
    // No broker on port 1, and a spool file that cannot be appended to (a directory in its place): a failing disk.
    const spoolDir = mkdtempSync(path.join(tmpdir(), 'audit-publisher-'));
    const publisher = new AuditPublisher({ brokers: ['127.0.0.1:1'], clientId: 'audit-publisher-spec', logger, spoolDir });
    mkdirSync(path.join(spoolDir, 'events.spool'));
    const event = airlock.events.v1.AuditEvent.fromPartial({ eventId: newEventId(), eventType: 'spec.event', action: 'secret-looking action' });
    await expect(publisher.publish(event, 'key-1')).resolves.toBeUndefined();
    // (kafkajs's own connection errors go to the same logger.)
    expect(logged.filter((l) => l.msg === 'audit event could not be made durable')).toEqual([
      { level: 'error', obj: { err: expect.any(String), event_type: 'spec.event' }, msg: 'audit event could not be made durable' },
    ]);
    expect(JSON.stringify(logged)).not.toContain('secret-looking action');
    await publisher.close();
  }, 30_000);
});
