import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { toAuditRecord } from '../events/audit-record';
import { JsonlSink } from './jsonl-sink';

const record = (eventId: string) => toAuditRecord(airlock.events.v1.AuditEvent.fromPartial({ eventId, dlpAction: 'allow' }));
const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter(Boolean);

describe('JsonlSink', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'audit-sink-'));
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates missing directories and appends one JSON object per line', async () => {
    const file = path.join(dir, 'nested', 'audit.jsonl');
    const sink = await JsonlSink.open(file);
    await sink.write([record('e1')]);
    await sink.write([record('e2'), record('e3')]);
    await sink.close();
    const parsed = (await lines(file)).map((l) => JSON.parse(l) as { event_id: string; dlp_action: string });
    expect(parsed.map((r) => r.event_id)).toEqual(['e1', 'e2', 'e3']);
    expect(parsed[0].dlp_action).toBe('allow');
  });

  it('appends to an existing file after a reopen, never truncating it', async () => {
    const file = path.join(dir, 'audit.jsonl');
    const first = await JsonlSink.open(file);
    await first.write([record('e1')]);
    await first.close();
    const second = await JsonlSink.open(file);
    await second.write([record('e2')]);
    await second.close();
    expect((await lines(file)).map((l) => JSON.parse(l).event_id)).toEqual(['e1', 'e2']);
  });

  it('starts on a fresh line after a torn last line', async () => {
    const file = path.join(dir, 'audit.jsonl');
    await writeFile(file, '{"event_id":"e1"}\n{"event_id":"e2","tor');
    const sink = await JsonlSink.open(file);
    await sink.write([record('e3')]);
    await sink.close();
    const all = await lines(file);
    expect(all).toHaveLength(3);
    expect(JSON.parse(all[2]).event_id).toBe('e3');
  });

  it('fsyncs each write before it resolves', async () => {
    const probe = await open(path.join(dir, 'probe'), 'w');
    const fileHandleProto = Object.getPrototypeOf(probe) as { sync(): Promise<void> };
    await probe.close();
    const file = path.join(dir, 'audit.jsonl');
    const sink = await JsonlSink.open(file);
    const realSync = fileHandleProto.sync;
    const sync = jest.spyOn(fileHandleProto, 'sync');
    let contentAtSync = '';
    sync.mockImplementation(async function (this: unknown) {
      contentAtSync = await readFile(file, 'utf8');
      return realSync.call(this);
    });
    await sink.write([record('e1')]);
    expect(sync).toHaveBeenCalledTimes(1);
    expect(contentAtSync).toContain('"event_id":"e1"');
    await sink.write([record('e2')]);
    expect(sync).toHaveBeenCalledTimes(2);
    await sink.close();
  });

  it('rejects writes after close', async () => {
    const sink = await JsonlSink.open(path.join(dir, 'audit.jsonl'));
    await sink.close();
    await expect(sink.write([record('e1')])).rejects.toThrow(/closed/);
  });
});
