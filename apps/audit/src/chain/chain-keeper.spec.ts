import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { memoryLogger } from '@airlock/telemetry';
import { toAuditRecord } from '../events/audit-record';
import { ChainKeeper, chainStatePath, type ChainKeeperConfig } from './chain-keeper';

const record = (eventId: string) => toAuditRecord(airlock.events.v1.AuditEvent.fromPartial({ eventId }));

describe('ChainKeeper', () => {
  let dir: string;
  let sink: string;
  const config = (extra: Partial<ChainKeeperConfig> = {}): ChainKeeperConfig => ({ AUDIT_SINKS: ['jsonl'], AUDIT_SINK_JSONL_PATH: sink, AUDIT_DEDUP_WINDOW: 100, ...extra });
  const opened: ChainKeeper[] = [];
  const keeper = async (log = memoryLogger('audit-test')) => {
    const k = new ChainKeeper(config(), log.logger);
    await k.onModuleInit();
    opened.push(k);
    return k;
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'audit-chain-keeper-'));
    sink = path.join(dir, 'audit.jsonl');
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((k) => k.onApplicationShutdown()));
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps its state beside the sink file unless AUDIT_CHAIN_STATE_PATH says otherwise', () => {
    expect(chainStatePath(config())).toBe(`${sink}.chain.json`);
    expect(chainStatePath(config({ AUDIT_CHAIN_STATE_PATH: '/x/state.json' }))).toBe('/x/state.json');
  });

  it('advances only to the next seq and persists the heads', async () => {
    const k = await keeper();
    const first = k.link('t/0', record('e1'));
    expect(k.head('t/0')).toBeUndefined(); // linking alone does not move the head
    await k.advance(first);
    expect(k.head('t/0')).toEqual({ seq: 1, hash: first.chain.hash });
    await expect(k.advance(first)).rejects.toThrow(/cannot advance to 1/);
    const state = JSON.parse(await readFile(`${sink}.chain.json`, 'utf8')) as { chains: unknown };
    expect(state.chains).toEqual({ 't/0': { seq: 1, hash: first.chain.hash } });
  });

  it('continues each chain after a restart', async () => {
    const a = await keeper();
    const r1 = a.link('t/0', record('e1'));
    await writeFile(sink, `${JSON.stringify(r1)}\n`);
    await a.advance(r1);
    const b = await keeper();
    expect(b.link('t/0', record('e2')).chain).toMatchObject({ seq: 2, prev_hash: r1.chain.hash });
    expect(b.takeRecoveredEventIds()).toEqual(['e1']);
    expect(b.takeRecoveredEventIds()).toEqual([]);
  });

  it('trusts the sink file over a state file that disagrees with it (crash between fsync and state write)', async () => {
    const a = await keeper();
    const r1 = a.link('t/0', record('e1'));
    await a.advance(r1);
    const r2 = a.link('t/0', record('e2'));
    await writeFile(sink, `${JSON.stringify(r1)}\n${JSON.stringify(r2)}\n`); // r2 written, state still at seq 1
    const log = memoryLogger('audit-test');
    const b = await keeper(log);
    expect(b.head('t/0')).toEqual({ seq: 2, hash: r2.chain.hash });
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'warn', chain: 't/0', state_seq: 1, sink_seq: 2, msg: expect.any(String) }));
  });

  it('keeps chains from the state file that the sink file no longer holds', async () => {
    await writeFile(`${sink}.chain.json`, `${JSON.stringify({ chains: { 't/5': { seq: 7, hash: 'c'.repeat(64) } } })}\n`);
    const k = await keeper();
    expect(k.link('t/5', record('e8')).chain).toMatchObject({ seq: 8, prev_hash: 'c'.repeat(64) });
  });
});
