import { Inject, Injectable } from '@nestjs/common';
import { readFile, stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { VerifyReport } from '@airlock/audit-chain';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { auditConfig } from '../config';
import { DigestWriter } from './digest-writer';

type AuditConfig = ServiceConfig<typeof auditConfig>;

/** What the verification reads of the configuration. */
export type ChainVerificationConfig = Pick<AuditConfig, 'AUDIT_SINKS' | 'AUDIT_SINK_JSONL_PATH' | 'AUDIT_CHAIN_VERIFY_INTERVAL_MS' | 'AUDIT_CHAIN_VERIFY_MAX_BYTES'>;

/**
 * `never`: not run yet (one is starting); `unavailable`: this instance has no jsonl sink to verify;
 * `too_large`: the sink file is over AUDIT_CHAIN_VERIFY_MAX_BYTES; `failed`: the verifier itself could not run.
 */
export type VerificationState = 'ok' | 'problem' | 'never' | 'unavailable' | 'too_large' | 'failed';

export interface ChainVerificationStatus {
  state: VerificationState;
  /** When the shown result was computed (null before the first). */
  checkedAt: string | null;
  /** A newer verification is under way; read the status again for its result. */
  running: boolean;
  report?: VerifyReport;
}

// The verifier reads the sink whole and hashes every line: run in a worker thread so the consumer's event loop
// never waits on it. The module is resolved here and handed over, so the same code runs from src (tests) and dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { auditVerify } = require(workerData.module);
auditVerify(workerData.file, workerData.options).then((report) => parentPort.postMessage({ report }), (error) => parentPort.postMessage({ error: String(error && error.message || error) }));
`;

/**
 * The answer to "is the trail intact?": the same verifier as `airlock audit verify` (hash chains, signed
 * digests) run over this instance's jsonl sink, at most once per AUDIT_CHAIN_VERIFY_INTERVAL_MS and only when
 * someone asks — a status read gets the latest result at once and, when it is stale, starts the next one.
 */
@Injectable()
export class ChainVerification {
  private last?: { state: VerificationState; checkedAt: string; report?: VerifyReport };
  private running?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ChainVerificationConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly digests: DigestWriter,
  ) {}

  status(): ChainVerificationStatus {
    if (!this.config.AUDIT_SINKS.includes('jsonl')) return { state: 'unavailable', checkedAt: null, running: false };
    const stale = !this.last || Date.now() - Date.parse(this.last.checkedAt) >= this.config.AUDIT_CHAIN_VERIFY_INTERVAL_MS;
    if (stale && !this.running) {
      this.running = this.verify().finally(() => {
        this.running = undefined;
      });
    }
    return { state: this.last?.state ?? 'never', checkedAt: this.last?.checkedAt ?? null, running: this.running !== undefined, report: this.last?.report };
  }

  /** The verification under way, if any (tests and shutdown wait on it). */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async verify(): Promise<void> {
    const checkedAt = new Date().toISOString();
    const file = this.config.AUDIT_SINK_JSONL_PATH;
    try {
      const size = await stat(file).then((s) => s.size, () => 0);
      if (size > this.config.AUDIT_CHAIN_VERIFY_MAX_BYTES) {
        this.last = { state: 'too_large', checkedAt };
        return;
      }
      const digests = this.digests.files;
      const publicKeyPem = digests ? await readFile(digests.publicKeyFile, 'utf8') : undefined;
      const report = await runVerifier(file, digests ? { digestFile: digests.digestFile, publicKeyPem } : {});
      this.last = { state: report.ok ? 'ok' : 'problem', checkedAt, report };
      if (!report.ok) this.logger.error({ problem: report.problem }, 'audit trail verification found a problem');
    } catch (err) {
      this.logger.error({ err }, 'audit trail verification could not run');
      this.last = { state: 'failed', checkedAt };
    }
  }
}

function runVerifier(file: string, options: { digestFile?: string; publicKeyPem?: string }): Promise<VerifyReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: require.resolve('@airlock/audit-chain'), file, options } });
    // The worker's script ends after its one message, so the thread exits by itself.
    worker.once('message', (message: { report?: VerifyReport; error?: string }) => {
      if (message.report) resolve(message.report);
      else reject(new Error(message.error ?? 'verifier failed'));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`verifier exited with ${code}`))));
  });
}
