import { Module } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import type { portalConfig } from './config';
import { ServeWeb } from './serve/serve-web.usecase';
import { WebAssets } from './serve/web-assets';
import { WebController } from './serve/web.controller';

@Module({
  controllers: [WebController],
  providers: [
    { provide: WebAssets, inject: [APP_CONFIG], useFactory: (config: ServiceConfig<typeof portalConfig>) => WebAssets.load(config.PORTAL_WEB_DIR) },
    ServeWeb,
  ],
})
export class AppModule {}
