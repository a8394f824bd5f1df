import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { policyConfig } from '../config';
import { ActiveBundle } from './active-bundle';
import { BundleStore } from './bundle-store';
import { BundleSync } from './bundle-sync';
import { BundleWorkflow } from './bundle-workflow';
import { BundlesController } from './bundles.controller';
import { PolicyAudit } from './policy-audit';

type Config = ServiceConfig<typeof policyConfig>;

/**
 * The active bundle and, with DATABASE_URL, the versioned store behind it, and the Policy API's bundle routes.
 * Global: the decision engine, ext_authz and the DLP rules all read the one ActiveBundle. Without DATABASE_URL
 * the store and its sync are null and the file bundle is the only version.
 */
@Global()
@Module({
  controllers: [BundlesController],
  providers: [
    ActiveBundle,
    {
      provide: BundleStore,
      inject: [APP_CONFIG, APP_LOGGER],
      useFactory: (config: Config, logger: Logger) => (config.DATABASE_URL ? new BundleStore(config, logger) : null),
    },
    {
      provide: PolicyAudit,
      inject: [APP_CONFIG, APP_LOGGER, BundleStore],
      useFactory: (config: Config, logger: Logger, store: BundleStore | null) => new PolicyAudit(config, logger, store),
    },
    {
      provide: BundleSync,
      inject: [APP_CONFIG, APP_LOGGER, ActiveBundle, BundleStore],
      useFactory: (config: Config, logger: Logger, active: ActiveBundle, store: BundleStore | null) =>
        store ? new BundleSync(config, logger, active, store) : null,
    },
    {
      provide: BundleWorkflow,
      inject: [BundleStore, BundleSync, PolicyAudit],
      useFactory: (store: BundleStore | null, sync: BundleSync | null, audit: PolicyAudit) => new BundleWorkflow(store, sync, audit),
    },
  ],
  exports: [ActiveBundle, BundleStore, BundleSync, BundleWorkflow, PolicyAudit],
})
export class BundlesModule {}
