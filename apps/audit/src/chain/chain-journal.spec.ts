import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChainHead } from '@airlock/audit-chain';
import { ChainStateJournal } from './chain-journal';
import { readChainState, type ChainHeads } from './chain-state';

const H = (c: string) => c.repeat(64);
const head = (seq: number, c = 'a'): ChainHead => ({ seq, hash: H(c) });
const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter(Boolean);

describe('ChainStateJournal', () => {
  let dir: string;
  let file: string;
  const heads: ChainHeads = new Map();
  const open = (compactBytes?: number) => ChainStateJournal.open(file, () => heads, { compactBytes });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'audit-chain-journal-'));
    file = path.join(dir, 'chain.json');
    heads.clear();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends one line per commit with the heads that moved; the replay gives the latest head of every chain', async () => {
    const journal = await open();
    await journal.commit(new Map([['t/0', head(1)]]));
    await journal.commit(new Map([['t/1', head(1, 'b')]]));
    await journal.commit(new Map([['t/0', head(2, 'c')]]));
    await journal.close();
    expect(await lines(file)).toHaveLength(3);
    expect(await readChainState(file)).toEqual(new Map([['t/0', head(2, 'c')], ['t/1', head(1, 'b')]]));
    await expect(readFile(`${file}.tmp`)).rejects.toThrow();
  });

  it('writes commits made while one is in flight as one line', async () => {
    const journal = await open();
    await Promise.all([journal.commit(new Map([['t/0', head(1)]])), journal.commit(new Map([['t/1', head(1)]])), journal.commit(new Map([['t/2', head(1)]]))]);
    await journal.close();
    expect(await lines(file)).toHaveLength(1);
    expect((await readChainState(file))?.size).toBe(3);
  });

  it('starts a new line after a torn one, so the next commit is not lost with it', async () => {
    await writeFile(file, `${JSON.stringify({ chains: { 't/0': head(1) } })}\n{"chains":{"t/0":{"seq":2,"ha`);
    const journal = await open();
    await journal.commit(new Map([['t/1', head(5)]]));
    await journal.close();
    expect(await readChainState(file)).toEqual(new Map([['t/0', head(1)], ['t/1', head(5)]]));
  });

  it('rewrites itself as one snapshot line of every head once it outgrows the bound', async () => {
    const journal = await open(400);
    for (let seq = 1; seq <= 20; seq++) {
      heads.set('t/0', head(seq));
      await journal.commit(new Map([['t/0', head(seq)]]));
    }
    heads.set('t/1', head(9, 'b'));
    await journal.commit(new Map([['t/1', head(9, 'b')]]));
    await journal.close();
    expect((await readFile(file)).length).toBeLessThanOrEqual(400 + 200);
    expect(await readChainState(file)).toEqual(new Map([['t/0', head(20)], ['t/1', head(9, 'b')]]));
    await expect(readFile(`${file}.tmp`)).rejects.toThrow();
  });

  it('refuses commits once closed', async () => {
    const journal = await open();
    await journal.close();
    await expect(journal.commit(new Map([['t/0', head(1)]]))).rejects.toThrow(/closed/);
  });
});
