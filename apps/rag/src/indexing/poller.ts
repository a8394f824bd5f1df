import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { INDEXER_ROLE, type ragConfig } from '../config';
import { RagStore } from '../store/rag-store';
import { IndexRepository } from './index-repository.usecase';

/**
 * Re-indexes every Git repository every RAG_POLL_INTERVAL_SECONDS, for Git servers without a webhook or pushes
 * whose webhook was lost. An unchanged branch costs one fetch. A round starts only after the last one ended.
 */
@Injectable()
export class Poller implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof ragConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly store: RagStore,
    private readonly indexer: IndexRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.RAG_POLL_INTERVAL_SECONDS > 0) this.schedule();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.round().finally(() => this.schedule()), this.config.RAG_POLL_INTERVAL_SECONDS * 1_000);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    try {
      for (const repo of await this.store.gitRepositories()) {
        if (this.stopped) return;
        const caller = { tenantId: repo.tenantId, userId: 'rag-poller', projectIds: [], roles: [INDEXER_ROLE], kind: 'service_account' };
        await this.indexer.run(repo, caller).catch((err: unknown) => this.logger.warn({ err, repository: repo.id }, 'polled re-index failed'));
      }
    } catch (err) {
      this.logger.warn({ err }, 'polling round failed');
    }
  }
}
