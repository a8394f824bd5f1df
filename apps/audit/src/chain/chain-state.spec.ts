import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readChainState, scanSinkTail } from './chain-state';

const H = (c: string) => c.repeat(64);
const line = (eventId: string, id: string, seq: number, hash: string) => JSON.stringify({ event_id: eventId, chain: { id, seq, prev_hash: H('0'), hash } });

describe('chain state file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'audit-chain-state-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replays the journal, a later line of a chain winning, and reads the old one-snapshot format as one line', async () => {
    const file = path.join(dir, 'chain.json');
    await writeFile(file, `${JSON.stringify({ version: 1, updated: 'x', chains: { 't/0': { seq: 3, hash: H('a') }, 't/1': { seq: 1, hash: H('b') } } })}\n`);
    expect(await readChainState(file)).toEqual(new Map([['t/0', { seq: 3, hash: H('a') }], ['t/1', { seq: 1, hash: H('b') }]]));
    await writeFile(file, `${JSON.stringify({ chains: { 't/0': { seq: 4, hash: H('c') } } })}\n`, { flag: 'a' });
    expect((await readChainState(file))?.get('t/0')).toEqual({ seq: 4, hash: H('c') });
  });

  it('skips a torn line of the journal', async () => {
    const file = path.join(dir, 'chain.json');
    await writeFile(file, `${JSON.stringify({ chains: { 't/0': { seq: 1, hash: H('a') } } })}\n{"chains":{"t/0":{"se`);
    expect(await readChainState(file)).toEqual(new Map([['t/0', { seq: 1, hash: H('a') }]]));
  });

  it('treats a missing or unreadable state file as absent', async () => {
    expect(await readChainState(path.join(dir, 'none.json'))).toBeUndefined();
    await writeFile(path.join(dir, 'bad.json'), '{"chains":');
    expect(await readChainState(path.join(dir, 'bad.json'))).toBeUndefined();
  });

  it('finds the last record of each chain and the newest event ids, skipping a torn line', async () => {
    const file = path.join(dir, 'audit.jsonl');
    await writeFile(file, [line('e1', 't/0', 1, H('1')), line('e2', 't/1', 1, H('2')), line('e3', 't/0', 2, H('3')), '{"event_id":"e4","cha'].join('\n'));
    const tail = await scanSinkTail(file, undefined, 10);
    expect(tail.heads).toEqual(new Map([['t/0', { seq: 2, hash: H('3') }], ['t/1', { seq: 1, hash: H('2') }]]));
    expect(tail.recentEventIds).toEqual(['e3', 'e2', 'e1']);
  });

  it('stops early once it has the wanted chains and enough ids, across chunk boundaries', async () => {
    const file = path.join(dir, 'audit.jsonl');
    const rows = [line('old', 't/9', 1, H('9'))];
    // ~3 MiB of records so the backwards read crosses several 1 MiB chunks.
    const pad = 'x'.repeat(1000);
    for (let i = 1; i <= 3000; i++) rows.push(JSON.stringify({ event_id: `e${i}`, pad, chain: { id: 't/0', seq: i, prev_hash: H('0'), hash: H('b') } }));
    await writeFile(file, `${rows.join('\n')}\n`);
    const early = await scanSinkTail(file, new Set(['t/0']), 5);
    expect(early.heads).toEqual(new Map([['t/0', { seq: 3000, hash: H('b') }]]));
    expect(early.recentEventIds).toEqual(['e3000', 'e2999', 'e2998', 'e2997', 'e2996']);
    const all = await scanSinkTail(file, undefined, 5);
    expect(all.heads.get('t/9')).toEqual({ seq: 1, hash: H('9') });
    const ids = await scanSinkTail(file, new Set(), 5000);
    expect(ids.recentEventIds).toHaveLength(3001);
    expect(ids.recentEventIds.at(-1)).toBe('old');
  });

  it('returns nothing for a missing sink file', async () => {
    expect(await scanSinkTail(path.join(dir, 'none.jsonl'), undefined, 10)).toEqual({ heads: new Map(), recentEventIds: [] });
  });
});
