import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PolicyEdgeCaller } from '../authz/edge-identity.module';
import { READERS, WRITERS, callerFrom } from '../http/caller';
import { ActiveBundle } from './active-bundle';
import type { PolicyBundle } from './bundle';
import { StoreErrorsInterceptor } from './bundle-store-errors.interceptor';
import { BundleWorkflow, DRAFT_STATES, draftStates, pageLimit, revisionFrom, versionNumber, type DraftView } from './bundle-workflow';

/** A version by number (`4`) or label (`2026.11.21-4`). */
function versionRef(raw: string): number | string {
  return /^\d{1,9}$/.test(raw) ? Number(raw) : raw;
}

const limitOf = (raw: string | undefined) => pageLimit(raw === undefined ? undefined : Number(raw));

function withEtag(res: Response, draft: DraftView): DraftView {
  res.setHeader('etag', draft.etag);
  return draft;
}

/**
 * Bundles, versions and drafts (the Policy API, behind Envoy's /api/policy/ route and ext_authz). Readers are
 * security-admins and auditors; every change needs security-admin — checked here on the caller the edge's
 * signed assertion names (../http/caller.ts), whatever the bundle's endpoint rules say. Static routes come before
 * `bundles/:version` (registration order).
 */
@Controller('api/policy/v1')
@UseInterceptors(StoreErrorsInterceptor)
export class BundlesController {
  constructor(
    private readonly workflow: BundleWorkflow,
    private readonly active: ActiveBundle,
    private readonly edge: PolicyEdgeCaller,
  ) {}

  @Get('bundles/active')
  async activeBundle(@Req() req: Request): Promise<PolicyBundle> {
    await callerFrom(this.edge, req, READERS);
    return this.active.bundle;
  }

  @Get('bundles')
  async listVersions(@Req() req: Request, @Query('limit') limit?: string, @Query('before') before?: string) {
    await callerFrom(this.edge, req, READERS);
    return { versions: await this.workflow.versions(limitOf(limit), before === undefined ? undefined : versionNumber(before)) };
  }

  @Get('activations')
  async activations(@Req() req: Request, @Query('limit') limit?: string) {
    await callerFrom(this.edge, req, READERS);
    return { activations: await this.workflow.activations(limitOf(limit)) };
  }

  @Get('bundles/:version')
  async getVersion(@Req() req: Request, @Param('version') version: string) {
    await callerFrom(this.edge, req, READERS);
    return this.workflow.version(versionRef(version));
  }

  @Get('bundles/:version/diff')
  async versionDiff(@Req() req: Request, @Param('version') version: string, @Query('against') against?: string) {
    await callerFrom(this.edge, req, READERS);
    return this.workflow.versionDiff(versionNumber(version), against === undefined ? undefined : versionNumber(against));
  }

  @Post('bundles/:version/rollback')
  async rollback(@Req() req: Request, @Param('version') version: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const caller = await callerFrom(this.edge, req, WRITERS);
    return withEtag(res, await this.workflow.rollback(caller, versionNumber(version), body));
  }

  @Post('bundles/:version/activate')
  @HttpCode(200)
  async activate(@Req() req: Request, @Param('version') version: string, @Body() body: unknown) {
    const caller = await callerFrom(this.edge, req, WRITERS);
    return this.workflow.activate(caller, versionNumber(version), body);
  }

  @Get('drafts')
  async listDrafts(@Req() req: Request, @Query('state') state?: string, @Query('limit') limit?: string) {
    await callerFrom(this.edge, req, READERS);
    const states = state === undefined ? DRAFT_STATES : draftStates(state.split(','));
    return { drafts: await this.workflow.drafts(states, limitOf(limit)) };
  }

  @Post('drafts')
  async createDraft(@Req() req: Request, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const caller = await callerFrom(this.edge, req, WRITERS);
    const draft = withEtag(res, await this.workflow.createDraft(caller, body));
    res.setHeader('location', `/api/policy/v1/drafts/${draft.id}`);
    return draft;
  }

  @Get('drafts/:id')
  async getDraft(@Req() req: Request, @Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    await callerFrom(this.edge, req, READERS);
    return withEtag(res, await this.workflow.draft(id));
  }

  @Put('drafts/:id')
  async updateDraft(@Req() req: Request, @Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const caller = await callerFrom(this.edge, req, WRITERS);
    return withEtag(res, await this.workflow.updateDraft(caller, id, revisionFrom(req.headers['if-match']), body));
  }

  @Get('drafts/:id/diff')
  async draftDiff(@Req() req: Request, @Param('id') id: string) {
    await callerFrom(this.edge, req, READERS);
    return this.workflow.draftDiff(id);
  }

  @Post('drafts/:id/propose')
  @HttpCode(200)
  async propose(@Req() req: Request, @Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    const caller = await callerFrom(this.edge, req, WRITERS);
    return withEtag(res, await this.workflow.propose(caller, id, revisionFrom(req.headers['if-match'])));
  }

  @Post('drafts/:id/approve')
  @HttpCode(200)
  async approve(@Req() req: Request, @Param('id') id: string, @Body() body: unknown) {
    const caller = await callerFrom(this.edge, req, WRITERS);
    return this.workflow.approve(caller, id, revisionFrom(req.headers['if-match']), body);
  }

  @Post('drafts/:id/reject')
  @HttpCode(200)
  async reject(@Req() req: Request, @Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const caller = await callerFrom(this.edge, req, WRITERS);
    return withEtag(res, await this.workflow.reject(caller, id, body));
  }
}
