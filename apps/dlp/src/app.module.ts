import { Module } from '@nestjs/common';
import { ScanController } from './scan/scan.controller';
import { ScanText } from './scan/scan-text.usecase';

@Module({ controllers: [ScanController], providers: [ScanText] })
export class AppModule {}
