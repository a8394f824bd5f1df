import { mkdtempSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventSpool } from './spool';

const msg = (n: number) => ({ topic: 't', key: `k${n}`, value: Buffer.from([n, 0, 255]), headers: { n: String(n) } });

describe('EventSpool', () => {
  const dir = () => mkdtempSync(path.join(os.tmpdir(), 'airlock-spool-'));

  it('keeps messages in order across instances (a restart) until acknowledged', () => {
    const d = dir();
    new EventSpool(d).append([msg(1), msg(2)]);
    new EventSpool(d).append([msg(3)]);
    const reopened = new EventSpool(d);
    expect(reopened.pending().map((m) => m.key)).toEqual(['k1', 'k2', 'k3']);
    expect(Buffer.from(reopened.pending()[0].value)).toEqual(Buffer.from([1, 0, 255]));
    reopened.ack(2);
    expect(new EventSpool(d).pending().map((m) => m.key)).toEqual(['k3']);
  });

  it('starts a fresh file once everything is delivered', () => {
    const d = dir();
    const spool = new EventSpool(d);
    spool.append([msg(1)]);
    spool.ack(1);
    expect(spool.size).toBe(0);
    spool.append([msg(2)]);
    expect(new EventSpool(d).pending().map((m) => m.key)).toEqual(['k2']);
  });

  it('drops a torn last line left by a crash mid-write, and keeps what is appended after it', () => {
    const d = dir();
    new EventSpool(d).append([msg(1)]);
    appendFileSync(path.join(d, 'events.spool'), '{"t":"t","k":"k2","v":"AQ');
    const reopened = new EventSpool(d);
    expect(reopened.pending().map((m) => m.key)).toEqual(['k1']);
    reopened.append([msg(3)]);
    expect(new EventSpool(d).pending().map((m) => m.key)).toEqual(['k1', 'k3']);
    expect(new EventSpool(d).size).toBe(2);
  });
});
