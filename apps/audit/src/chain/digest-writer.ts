import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { signDigest, type DigestRecord } from '@airlock/audit-chain';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { type Logger, metrics } from '@airlock/telemetry';
import type { auditConfig } from '../config';
import { ChainKeeper } from './chain-keeper';
import { loadSigningKey, publicKeyPath } from './signing-key';

type AuditConfig = ServiceConfig<typeof auditConfig>;

/** What the digest writer reads of the configuration. */
export type DigestWriterConfig = Pick<AuditConfig, 'AUDIT_SINK_JSONL_PATH' | 'AUDIT_DIGEST_PATH' | 'AUDIT_SIGNING_KEY_FILE' | 'AUDIT_GENERATE_KEY' | 'AUDIT_DIGEST_INTERVAL_MS'>;

export function digestPath(config: Pick<AuditConfig, 'AUDIT_SINK_JSONL_PATH' | 'AUDIT_DIGEST_PATH'>): string {
  return config.AUDIT_DIGEST_PATH ?? `${config.AUDIT_SINK_JSONL_PATH}.digests.jsonl`;
}

/**
 * Every AUDIT_DIGEST_INTERVAL_MS, and once more on shutdown, appends a signed digest of all chain heads
 * (CloudTrail's digest files): it is what exposes a cut tail or a consistently re-hashed chain, which the
 * chain alone cannot. Off (with a warning) when AUDIT_SIGNING_KEY_FILE is not set.
 */
@Injectable()
export class DigestWriter implements OnModuleInit, OnApplicationShutdown {
  private key?: KeyObject;
  private file = '';
  private last?: DigestRecord;
  private timer?: NodeJS.Timeout;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly counter = metrics.getMeter('airlock-audit').createCounter('airlock_audit_digests_written_total', { description: 'Signed chain digests appended' });

  constructor(
    @Inject(APP_CONFIG) private readonly config: DigestWriterConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly chains: ChainKeeper,
  ) {}

  async onModuleInit(): Promise<void> {
    const keyFile = this.config.AUDIT_SIGNING_KEY_FILE;
    if (!keyFile) {
      this.logger.warn({}, 'AUDIT_SIGNING_KEY_FILE is not set: no signed digests, so a cut tail of the audit trail cannot be detected');
      return;
    }
    const { privateKey, generated } = await loadSigningKey(keyFile, this.config.AUDIT_GENERATE_KEY);
    this.key = privateKey;
    this.file = digestPath(this.config);
    await mkdir(path.dirname(path.resolve(this.file)), { recursive: true });
    this.last = await readLastDigest(this.file);
    await endWithNewline(this.file);
    this.logger.info({ digest_file: this.file, public_key: publicKeyPath(keyFile), generated_key: generated }, 'signing audit digests');
    this.timer = setInterval(() => {
      this.write().catch((err: unknown) => this.logger.error({ err }, 'writing audit digest failed'));
    }, this.config.AUDIT_DIGEST_INTERVAL_MS);
    this.timer.unref();
  }

  /** The newest digest in the file (written by this instance or found at boot); undefined when there is none. */
  get latest(): DigestRecord | undefined {
    return this.last;
  }

  /** Where digests are appended and the public key verifiers check them with; undefined when digests are off. */
  get files(): { digestFile: string; publicKeyFile: string } | undefined {
    const keyFile = this.config.AUDIT_SIGNING_KEY_FILE;
    return this.key && keyFile ? { digestFile: this.file, publicKeyFile: publicKeyPath(keyFile) } : undefined;
  }

  /** Appends one digest of the current heads (fsynced) and returns it; undefined when digests are off. */
  write(): Promise<DigestRecord | undefined> {
    const key = this.key;
    if (!key) return Promise.resolve(undefined);
    const run = async () => {
      const digest = signDigest({ time: new Date().toISOString(), chains: this.chains.snapshot() }, this.last, key);
      const handle = await open(this.file, 'a', 0o640);
      try {
        await handle.appendFile(`${JSON.stringify(digest)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      this.last = digest;
      this.counter.add(1);
      return digest;
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  // After the consumer has stopped (onModuleDestroy), so the final digest covers the last records written.
  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.key) return;
    await this.write().catch((err: unknown) => this.logger.error({ err }, 'writing the final audit digest failed'));
    this.key = undefined;
  }
}

/** A torn last line (crash mid-append) stays its own line instead of swallowing the next digest. */
async function endWithNewline(file: string): Promise<void> {
  const handle = await open(file, 'a+', 0o640);
  try {
    const { size } = await handle.stat();
    if (size === 0) return;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] !== 0x0a) {
      await handle.appendFile('\n');
      await handle.sync();
    }
  } finally {
    await handle.close();
  }
}

/** The last parsable digest in the file (its last 1 MiB is plenty: a digest line is well under 1 KiB per chain). */
async function readLastDigest(file: string): Promise<DigestRecord | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 1 << 20);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').reverse();
    for (const line of lines) {
      try {
        const parsed = JSON.parse(line) as DigestRecord;
        if (parsed?.type === 'digest') return parsed;
      } catch {
        // a torn line: keep looking further back
      }
    }
    return undefined;
  } finally {
    await handle.close();
  }
}
