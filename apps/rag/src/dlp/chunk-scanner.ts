import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { APP_CONFIG, grpcClientCredentials, type ServiceConfig } from '@airlock/runtime';
import { currentCorrelationId } from '@airlock/telemetry';
import type { ragConfig } from '../config';
import { DlpUnavailableError } from '../errors';

const { Action, Direction } = airlock.dlp.v1;

export interface ScannedText {
  /** DLP's output: masked (or pseudonymised) where it found something; undefined when DLP blocks the text. */
  text?: string;
  masked: boolean;
}

/** Consecutive runs of texts whose characters together stay within `maxChars` (a longer text goes alone). */
export function batchesOf(texts: string[], maxChars: number): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const text of texts) {
    if (current.length > 0 && size + text.length > maxChars) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(text);
    size += text.length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Every chunk's text through the DLP service before it is stored: what the index holds is what DLP let
 * through, so a secret committed to a repository is never served back by a query. DLP down means nothing is
 * stored (DlpUnavailableError), never that chunks go in unscanned.
 */
@Injectable()
export class ChunkScanner implements OnApplicationShutdown {
  private readonly client: airlock.dlp.v1.DlpServiceClient;
  private readonly batchChars: number;

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof ragConfig>) {
    this.batchChars = config.RAG_DLP_BATCH_CHARS;
    this.client = createClient(airlock.dlp.v1.DlpServiceClient, config.DLP_ADDR, {
      credentials: grpcClientCredentials(config),
      deadlineMs: config.RAG_DLP_DEADLINE_MS,
      idempotent: ['airlock.dlp.v1.DlpService'],
    });
  }

  /** The texts' DLP results, in order. */
  async scan(texts: string[]): Promise<ScannedText[]> {
    const out: ScannedText[] = [];
    try {
      for (const batch of batchesOf(texts, this.batchChars)) {
        // Chunks are unrelated texts: no pseudonym context is carried between them.
        const r = await unary(this.client.scanTexts.bind(this.client), { texts: batch, direction: Direction.DIRECTION_INBOUND, correlationId: currentCorrelationId() ?? '' });
        for (const result of r.results) {
          out.push(result.action === Action.ACTION_BLOCK ? { masked: true } : { text: result.text, masked: result.action === Action.ACTION_MASK || result.action === Action.ACTION_PSEUDONYMIZE });
        }
      }
    } catch (error) {
      throw new DlpUnavailableError(error);
    }
    return out;
  }

  onApplicationShutdown(): void {
    this.client.close();
  }
}
