import type { IncomingHttpHeaders } from 'node:http';
import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Put, Req } from '@nestjs/common';
import { EdgeCaller } from '@airlock/runtime';
import type { Caller } from '../sessions/session';
import { CreateSession, parseCreateSession, parseName, ReadSessions, RenameSession, TerminateSession } from '../sessions/sessions.usecases';
import { IssueTicket, parseShare, ShareSession } from '../sessions/share.usecases';

type EdgeRequest = { headers: IncomingHttpHeaders };

/** The browser's API behind Envoy (openapi.yaml); the caller only from the edge's identity assertion. */
@Controller('api/terminal/v1/sessions')
export class SessionsController {
  constructor(
    private readonly edge: EdgeCaller,
    private readonly createSession: CreateSession,
    private readonly readSessions: ReadSessions,
    private readonly renameSession: RenameSession,
    private readonly terminateSession: TerminateSession,
    private readonly shareSession: ShareSession,
    private readonly issueTicket: IssueTicket,
  ) {}

  private async caller(req: EdgeRequest): Promise<Caller> {
    const identity = await this.edge.callerFrom(req);
    return { tenantId: identity.tenantId, userId: identity.userId };
  }

  @Post()
  @HttpCode(201)
  async create(@Req() req: EdgeRequest, @Body() body: unknown) {
    const caller = await this.caller(req);
    return this.createSession.execute(caller, parseCreateSession(body));
  }

  @Get()
  @Header('cache-control', 'no-store')
  async list(@Req() req: EdgeRequest) {
    return { sessions: await this.readSessions.list(await this.caller(req)) };
  }

  @Get(':id')
  @Header('cache-control', 'no-store')
  async get(@Req() req: EdgeRequest, @Param('id') id: string) {
    return this.readSessions.get(await this.caller(req), id);
  }

  @Patch(':id')
  async rename(@Req() req: EdgeRequest, @Param('id') id: string, @Body() body: unknown) {
    const caller = await this.caller(req);
    return this.renameSession.execute(caller, id, parseName((body as { name?: unknown } | undefined)?.name));
  }

  @Delete(':id')
  @HttpCode(204)
  async terminate(@Req() req: EdgeRequest, @Param('id') id: string): Promise<void> {
    await this.terminateSession.byOwner(await this.caller(req), id);
  }

  @Post(':id/tickets')
  @HttpCode(201)
  @Header('cache-control', 'no-store')
  async ticket(@Req() req: EdgeRequest, @Param('id') id: string) {
    return this.issueTicket.execute(await this.caller(req), id);
  }

  @Put(':id/shares')
  async share(@Req() req: EdgeRequest, @Param('id') id: string, @Body() body: unknown) {
    const caller = await this.caller(req);
    return this.shareSession.share(caller, id, parseShare(body));
  }

  @Delete(':id/shares/:user_id')
  @HttpCode(204)
  async unshare(@Req() req: EdgeRequest, @Param('id') id: string, @Param('user_id') userId: string): Promise<void> {
    await this.shareSession.unshare(await this.caller(req), id, userId);
  }
}
