import type { IncomingHttpHeaders } from 'node:http';
import { Controller, Get, Header, Param, Req, StreamableFile } from '@nestjs/common';
import { EdgeCaller } from '@airlock/runtime';
import { ReadRecordings, type RecordingReader } from '../recording/recordings.usecases';

type EdgeRequest = { headers: IncomingHttpHeaders };

/** Session recordings for auditors (openapi.yaml); the caller and roles only from the edge's identity assertion. */
@Controller('api/terminal/v1/recordings')
export class RecordingsController {
  constructor(
    private readonly edge: EdgeCaller,
    private readonly readRecordings: ReadRecordings,
  ) {}

  private async reader(req: EdgeRequest): Promise<RecordingReader> {
    const identity = await this.edge.callerFrom(req);
    const correlation = req.headers['x-correlation-id'];
    return { tenantId: identity.tenantId, userId: identity.userId, roles: identity.roles, correlationId: typeof correlation === 'string' ? correlation : undefined };
  }

  @Get()
  @Header('cache-control', 'no-store')
  async list(@Req() req: EdgeRequest) {
    return { recordings: await this.readRecordings.list(await this.reader(req)) };
  }

  @Get(':id/cast')
  @Header('cache-control', 'no-store')
  async cast(@Req() req: EdgeRequest, @Param('id') id: string): Promise<StreamableFile> {
    const text = await this.readRecordings.cast(await this.reader(req), id);
    return new StreamableFile(text, { type: 'application/x-asciicast; charset=utf-8' });
  }
}
