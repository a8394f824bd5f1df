import { Controller } from '@nestjs/common';
import { GrpcMethod, GrpcStreamMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import type { Observable } from 'rxjs';
import { ScanStream } from './scan-stream.usecase';
import { ScanText } from './scan-text.usecase';

@Controller()
export class ScanController {
  constructor(
    private readonly scanText: ScanText,
    private readonly scanStream: ScanStream,
  ) {}

  @GrpcMethod('DlpService', 'Scan')
  scan(request: airlock.dlp.v1.ScanRequest): Promise<airlock.dlp.v1.ScanResponse> {
    return this.scanText.execute(request);
  }

  @GrpcMethod('DlpService', 'ScanTexts')
  scanTexts(request: airlock.dlp.v1.ScanTextsRequest): Promise<airlock.dlp.v1.ScanTextsResponse> {
    return this.scanText.executeMany(request);
  }

  @GrpcStreamMethod('DlpService', 'ScanStream')
  stream(requests: Observable<airlock.dlp.v1.ScanStreamRequest>): Observable<airlock.dlp.v1.ScanStreamResponse> {
    return this.scanStream.open(requests);
  }
}
