import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import { ScanText } from './scan-text.usecase';

@Controller()
export class ScanController {
  constructor(private readonly scanText: ScanText) {}

  @GrpcMethod('DlpService', 'Scan')
  scan(request: airlock.dlp.v1.ScanRequest): airlock.dlp.v1.ScanResponse {
    return this.scanText.execute(request);
  }
}
