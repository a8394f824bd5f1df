import { Injectable } from '@nestjs/common';
import type { EdgeIdentity } from '@airlock/runtime';
import { ChainKeeper } from '../chain/chain-keeper';
import { ChainVerification, type VerificationState } from '../chain/chain-verification';
import { DigestWriter } from '../chain/digest-writer';
import { TrailReads } from './trail-reads';

export interface ChainStatusEntry {
  /** `<topic>/<partition>`: one hash chain per partition. */
  id: string;
  /** The head: the last record written to the sinks. */
  seq: number;
  hash: string;
  /** The head as of the newest signed digest (null without digests or before the first). */
  signed_seq: number | null;
  /** How far the last verification walked this chain, and what it found there. */
  verified_seq: number | null;
  problem: { kind: string; line: number; message: string } | null;
}

export interface ChainStatus {
  chains: ChainStatusEntry[];
  digests: { enabled: boolean; latest_at: string | null };
  verification: { state: VerificationState; checked_at: string | null; running: boolean; records: number | null };
}

/** GET /api/audit/v1/chains: every partition's hash chain, its signed digest and the latest verification; audited. */
@Injectable()
export class GetChainStatus {
  constructor(
    private readonly chains: ChainKeeper,
    private readonly digests: DigestWriter,
    private readonly verification: ChainVerification,
    private readonly reads: TrailReads,
  ) {}

  async execute(caller: EdgeIdentity, correlationId: string): Promise<ChainStatus> {
    this.reads.authorize(caller);
    const heads = this.chains.snapshot();
    const digest = this.digests.latest;
    const verified = this.verification.status();
    const report = verified.report;
    const ids = [...new Set([...Object.keys(heads), ...Object.keys(report?.chains ?? {})])].sort(byPartition);
    await this.reads.record({ caller, correlationId, eventType: 'audit.read', endpoint: '/api/audit/v1/chains', action: 'chain status' });
    return {
      chains: ids.map((id) => ({
        id,
        seq: heads[id]?.seq ?? 0,
        hash: heads[id]?.hash ?? '',
        signed_seq: digest?.chains[id]?.seq ?? null,
        verified_seq: report?.chains[id]?.lastSeq ?? null,
        problem: report?.problem?.chain === id ? { kind: report.problem.kind, line: report.problem.line, message: report.problem.message } : null,
      })),
      digests: { enabled: this.digests.files !== undefined, latest_at: digest?.time ?? null },
      verification: { state: verified.state, checked_at: verified.checkedAt, running: verified.running, records: report?.records ?? null },
    };
  }
}

/** `topic/2` before `topic/10`. */
function byPartition(a: string, b: string): number {
  const [ta, pa] = splitId(a);
  const [tb, pb] = splitId(b);
  return ta === tb ? pa - pb : ta < tb ? -1 : 1;
}

function splitId(id: string): [string, number] {
  const at = id.lastIndexOf('/');
  return [id.slice(0, at), Number(id.slice(at + 1))];
}
