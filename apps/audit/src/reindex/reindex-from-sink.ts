import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { auditVerify, type VerifyReport } from '@airlock/audit-chain';
import type { Logger } from '@airlock/telemetry';
import type { ChainedAuditRecord } from '../events/audit-record';
import { AuditIndexStore } from '../event-index/audit-index-store';
import { dayKey, keptDays } from '../event-index/index-days';

/** Rows per insert: one multi-row statement each, like the index writer's merged batches. */
const ROWS_PER_INSERT = 2_000;

export interface ReindexOptions {
  sinkFile: string;
  digestFile?: string;
  publicKeyFile?: string;
  retentionDays: number;
  daysAhead: number;
  /** Index the file although its verification failed (what was read is still only what the file holds). */
  unverified: boolean;
  now?: Date;
}

export interface ReindexSummary {
  verified: boolean;
  /** The verifier's first problem, when there was one. */
  problem?: VerifyReport['problem'];
  records: number;
  /** New rows; the rest were in the index already (the primary key skips them). */
  inserted: number;
  alreadyIndexed: number;
  outsideRetention: number;
  /** Lines that are not a JSON record (only with --unverified: a verified file has none). */
  malformed: number;
}

export class SinkNotVerifiedError extends Error {
  constructor(readonly report: VerifyReport) {
    super(`the sink does not verify (${report.problem?.kind} at line ${report.problem?.line}): not indexed; pass --unverified to index it anyway`);
  }
}

/**
 * Rebuilds the audit index from a jsonl sink file — the system of record — after the index was lost, restored
 * from an older backup, or created after the sinks. Step one verifies the file's hash chains (and its signed
 * digests when the public key is given), so a tampered file is not quietly made searchable; step two replays it
 * in order into the daily partitions the retention keeps. Idempotent: an event already indexed is skipped.
 */
export class ReindexFromSink {
  constructor(
    private readonly store: AuditIndexStore,
    private readonly logger: Logger,
  ) {}

  async execute(options: ReindexOptions): Promise<ReindexSummary> {
    const report = await this.verify(options);
    if (!report.ok && !options.unverified) throw new SinkNotVerifiedError(report);
    await this.store.migrate();
    const counts = await this.replay(options);
    return { verified: report.ok, ...(report.problem ? { problem: report.problem } : {}), ...counts };
  }

  private async verify(options: ReindexOptions): Promise<VerifyReport> {
    const digestFile = options.digestFile ?? (await exists(`${options.sinkFile}.digests.jsonl`));
    const publicKeyPem = options.publicKeyFile ? await readFile(options.publicKeyFile, 'utf8') : undefined;
    const report = await auditVerify(options.sinkFile, { digestFile, publicKeyPem });
    this.logger.info({ ok: report.ok, records: report.records, digests: report.digests?.count ?? 0, signatures_checked: report.digests?.signaturesChecked ?? false }, 'sink verified');
    return report;
  }

  private async replay(options: ReindexOptions): Promise<Omit<ReindexSummary, 'verified' | 'problem'>> {
    const kept = keptDays(options.now ?? new Date(), options.retentionDays, options.daysAhead);
    const counts = { records: 0, inserted: 0, alreadyIndexed: 0, outsideRetention: 0, malformed: 0 };
    let batch: ChainedAuditRecord[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await this.store.ensureDays(batch.map((r) => dayKey(new Date(r.timestamp))));
      const inserted = await this.store.insert(batch);
      counts.inserted += inserted;
      counts.alreadyIndexed += batch.length - inserted;
      batch = [];
    };
    const lines = createInterface({ input: createReadStream(options.sinkFile, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      const record = parseRecord(line);
      if (!record) {
        counts.malformed += 1;
        continue;
      }
      counts.records += 1;
      const day = Number.isNaN(Date.parse(record.timestamp)) ? '' : dayKey(new Date(record.timestamp));
      if (day < kept.first || day > kept.last) {
        counts.outsideRetention += 1;
        continue;
      }
      batch.push(record);
      if (batch.length >= ROWS_PER_INSERT) await flush();
    }
    await flush();
    return counts;
  }
}

async function exists(file: string): Promise<string | undefined> {
  return access(file).then(
    () => file,
    () => undefined,
  );
}

function parseRecord(line: string): ChainedAuditRecord | undefined {
  try {
    const value = JSON.parse(line) as ChainedAuditRecord;
    return typeof value === 'object' && value !== null && typeof value.event_id === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
