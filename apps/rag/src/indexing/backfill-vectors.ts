import { Inject, Injectable } from '@nestjs/common';
import { APP_LOGGER, AppError } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { EmbeddingsClient, embeddedText } from '../embeddings/embeddings-client';
import { RagStore } from '../store/rag-store';

/** Chunks read, embedded and written per round: a few embeddings requests' worth. */
const CHUNKS_PER_ROUND = 256;

/**
 * Vectors for the chunks a source already had when an embeddings backend was configured: runs after every index
 * run of the source (an unchanged repository included), so enabling vectors needs no full re-index. Embeds the
 * stored, masked text, as an index run does. The backend failing stops the backfill, not the run that called
 * it (its own chunks are stored with their vectors already): a warning, and the next run goes on from there.
 */
@Injectable()
export class BackfillVectors {
  constructor(
    private readonly store: RagStore,
    private readonly embeddings: EmbeddingsClient,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  /** The number of chunks that got their vector. */
  async run(repositoryId: number): Promise<number> {
    if (!this.embeddings.enabled) return 0;
    let done = 0;
    try {
      for (;;) {
        const chunks = await this.store.chunksWithoutVector(repositoryId, CHUNKS_PER_ROUND);
        if (chunks.length === 0) break;
        const vectors = await this.embeddings.embed(chunks.map(embeddedText));
        await this.store.storeVectors(chunks.map((c) => c.id), vectors);
        done += chunks.length;
      }
    } catch (error) {
      this.logger.warn({ repository: repositoryId, chunks: done, err: error instanceof AppError ? error.code : 'internal' }, 'adding vectors to chunks stored without stopped');
    }
    if (done > 0) this.logger.info({ repository: repositoryId, chunks: done }, 'vectors added to chunks stored without');
    return done;
  }
}
