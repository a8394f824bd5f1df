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

  /** Counts the sink's fdatasync calls, recording what the file held at each. */
  async function spyDatasync(file: string) {
    const probe = await open(path.join(dir, 'probe'), 'w');
    const fileHandleProto = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
    await probe.close();
    const realDatasync = fileHandleProto.datasync;
    const contentAtSync: string[] = [];
    const datasync = jest.spyOn(fileHandleProto, 'datasync').mockImplementation(async function (this: unknown) {
      contentAtSync.push(await readFile(file, 'utf8'));
      return realDatasync.call(this);
    });
    return { datasync, contentAtSync };
  }

  it('syncs each write before it resolves', async () => {
    const file = path.join(dir, 'audit.jsonl');
    const sink = await JsonlSink.open(file);
    const { datasync, contentAtSync } = await spyDatasync(file);
    await sink.write([record('e1')]);
    expect(datasync).toHaveBeenCalledTimes(1);
    expect(contentAtSync[0]).toContain('"event_id":"e1"');
    await sink.write([record('e2')]);
    expect(datasync).toHaveBeenCalledTimes(2);
    await sink.close();
  });

  it('writes batches handed over together with one sync, each batch contiguous and in call order', async () => {
    const file = path.join(dir, 'audit.jsonl');
    const sink = await JsonlSink.open(file);
    const { datasync } = await spyDatasync(file);
    await Promise.all([sink.write([record('a1'), record('a2')]), sink.write([record('b1')]), sink.write([record('c1'), record('c2')])]);
    expect(datasync).toHaveBeenCalledTimes(1);
    await sink.close();
    expect((await lines(file)).map((l) => JSON.parse(l).event_id)).toEqual(['a1', 'a2', 'b1', 'c1', 'c2']);
  });

  it('rejects writes after close', async () => {
    const sink = await JsonlSink.open(path.join(dir, 'audit.jsonl'));
    await sink.close();
    await expect(sink.write([record('e1')])).rejects.toThrow(/closed/);
  });
});
