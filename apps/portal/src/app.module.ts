import { Module } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import type { portalConfig } from './config';
import { HealthController } from './health/health.controller';
import { GetPlatformHealth } from './health/platform-health.usecase';
import { ServiceProbe } from './health/service-probe';
import { ServeWeb } from './serve/serve-web.usecase';
import { WebAssets } from './serve/web-assets';
import { WebController } from './serve/web.controller';

@Module({
  // The health API before the catch-all that serves the SPA's pages.
  controllers: [HealthController, WebController],
  providers: [
    { provide: WebAssets, inject: [APP_CONFIG], useFactory: (config: ServiceConfig<typeof portalConfig>) => WebAssets.load(config.PORTAL_WEB_DIR) },
    ServeWeb,
    ServiceProbe,
    GetPlatformHealth,
  ],
})
export class AppModule {}
