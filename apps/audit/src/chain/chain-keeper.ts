import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { linkRecord, type ChainHead } from '@airlock/audit-chain';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { AuditRecord, ChainedAuditRecord } from '../events/audit-record';
import type { auditConfig } from '../config';
import { ChainStateJournal } from './chain-journal';
import { type ChainHeads, readChainState, scanSinkTail } from './chain-state';

type AuditConfig = ServiceConfig<typeof auditConfig>;

/** What the chain keeper reads of the configuration. */
export type ChainKeeperConfig = Pick<AuditConfig, 'AUDIT_SINKS' | 'AUDIT_SINK_JSONL_PATH' | 'AUDIT_CHAIN_STATE_PATH' | 'AUDIT_DEDUP_WINDOW'>;

/** Where the chain heads are kept: AUDIT_CHAIN_STATE_PATH, else beside the jsonl sink file. */
export function chainStatePath(config: Pick<AuditConfig, 'AUDIT_SINK_JSONL_PATH' | 'AUDIT_CHAIN_STATE_PATH'>): string {
  return config.AUDIT_CHAIN_STATE_PATH ?? `${config.AUDIT_SINK_JSONL_PATH}.chain.json`;
}

/**
 * Owns the head (last seq and hash) of each `topic/partition` chain. Heads advance only once every sink has
 * the record, and are persisted (appended to the state journal) before the Kafka offset is committed, so a
 * restart continues each chain.
 */
@Injectable()
export class ChainKeeper implements OnModuleInit, OnApplicationShutdown {
  private readonly heads: ChainHeads = new Map();
  private recovered: string[] = [];
  private journal?: ChainStateJournal;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ChainKeeperConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const stateFile = chainStatePath(this.config);
    const state = await readChainState(stateFile);
    for (const [id, head] of state ?? []) this.heads.set(id, head);

    const sinkFile = this.config.AUDIT_SINKS.includes('jsonl') ? this.config.AUDIT_SINK_JSONL_PATH : undefined;
    if (sinkFile) {
      // Without a state file every chain in the sink must be found, so the whole file is read.
      const tail = await scanSinkTail(sinkFile, state ? new Set(state.keys()) : undefined, this.config.AUDIT_DEDUP_WINDOW);
      for (const [id, head] of tail.heads) {
        const saved = this.heads.get(id);
        // The sink file is fsynced before the state is written, so it is the newer truth; a state ahead of it
        // means the file was replaced or cut, which verification will show.
        if (saved && (saved.seq !== head.seq || saved.hash !== head.hash)) {
          this.logger.warn({ chain: id, state_seq: saved.seq, sink_seq: head.seq }, 'chain state disagrees with the sink file; continuing from the sink file');
        }
        this.heads.set(id, head);
      }
      this.recovered = tail.recentEventIds;
    }
    this.journal = await ChainStateJournal.open(stateFile, () => this.heads);
    this.logger.info({ chains: this.heads.size, state_file: stateFile }, 'audit chains loaded');
  }

  /** Event ids of the last records in the sink file, newest first: redeliveries after a crash are dropped against them. */
  takeRecoveredEventIds(): string[] {
    const ids = this.recovered;
    this.recovered = [];
    return ids;
  }

  head(id: string): ChainHead | undefined {
    const head = this.heads.get(id);
    return head && { ...head };
  }

  snapshot(): Record<string, ChainHead> {
    return Object.fromEntries([...this.heads].map(([id, head]) => [id, { ...head }]));
  }

  /** The record as the next link of chain `id`; the head does not move until `advance`. */
  link(id: string, record: AuditRecord): ChainedAuditRecord {
    return linkRecord(record, id, this.heads.get(id));
  }

  /** Moves the head to a record every sink has acknowledged and persists the heads. */
  async advance(record: ChainedAuditRecord): Promise<void> {
    const current = this.heads.get(record.chain.id);
    if ((current?.seq ?? 0) + 1 !== record.chain.seq) {
      throw new Error(`chain ${record.chain.id} is at seq ${current?.seq ?? 0}, cannot advance to ${record.chain.seq}`);
    }
    await this.moveHead(record.chain.id, { seq: record.chain.seq, hash: record.chain.hash });
  }

  /** Moves the head past consecutive records (one chain, in seq order) every sink has, persisting once. */
  async advanceAll(records: readonly ChainedAuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const id = records[0]!.chain.id;
    let seq = this.heads.get(id)?.seq ?? 0;
    for (const record of records) {
      if (record.chain.id !== id || record.chain.seq !== seq + 1) {
        throw new Error(`chain ${id} is at seq ${seq}, cannot advance to ${record.chain.id}#${record.chain.seq}`);
      }
      seq = record.chain.seq;
    }
    const last = records[records.length - 1]!;
    await this.moveHead(id, { seq: last.chain.seq, hash: last.chain.hash });
  }

  private moveHead(id: string, head: ChainHead): Promise<void> {
    if (!this.journal) return Promise.reject(new Error('chain keeper is not initialised'));
    this.heads.set(id, head);
    return this.journal.commit(new Map([[id, head]]));
  }

  // After the consumer has stopped (onModuleDestroy): no batch is still advancing a head.
  async onApplicationShutdown(): Promise<void> {
    const journal = this.journal;
    this.journal = undefined;
    await journal?.close();
  }
}
