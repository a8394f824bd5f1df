import path from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createPool, migrate, type Pool } from '@airlock/postgres';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { workspaceConfig } from './config';

/** Beside dist/ and src/ alike, so the compiled service and the tests read the same files. */
export const MIGRATIONS_DIR = path.join(__dirname, '../migrations');
export const MIGRATIONS_TABLE = 'workspace_migrations';

/** The registry's connection pool: schema brought up to date before the service reports SERVING. */
@Injectable()
export class WorkspaceDatabase implements OnModuleInit, OnApplicationShutdown {
  readonly pool: Pool;
  private closed = false;

  constructor(
    @Inject(APP_CONFIG) config: ServiceConfig<typeof workspaceConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.pool = createPool(config.DATABASE_URL, { password: config.DATABASE_PASSWORD_FILE?.reveal() });
    // An idle client losing its connection emits here; unhandled, it would crash the process.
    this.pool.on('error', (error) => this.logger.warn({ err: error }, 'idle postgres client failed'));
  }

  async onModuleInit(): Promise<void> {
    try {
      const applied = await migrate(this.pool, MIGRATIONS_DIR, MIGRATIONS_TABLE);
      this.logger.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
    } catch (error) {
      // Boot is failing; a pool left open would keep the process alive with nothing to serve.
      await this.close();
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
