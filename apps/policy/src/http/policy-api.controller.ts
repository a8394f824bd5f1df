import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Body, Controller, Get, Header, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { PolicyEdgeCaller } from '../authz/edge-identity.module';
import { Simulate } from '../decision/decide.usecase';
import { READERS, callerFrom } from './caller';
import { parseRequestContext } from './request-context';

/** Checked in beside package.json; the same relative path from src/http (tests) and dist/http (runtime). */
export const OPENAPI_FILE = path.resolve(__dirname, '..', '..', 'openapi.yaml');

/**
 * Policy API behind Envoy: ext_authz has already authenticated the caller and checked the roles (rules
 * api.policy.*); a request without a valid identity assertion did not come through the edge (401).
 */
@Controller('api/policy/v1')
export class PolicyApiController {
  private openapi?: string;

  constructor(
    private readonly simulate: Simulate,
    private readonly edge: PolicyEdgeCaller,
  ) {}

  @Post('simulate')
  @HttpCode(200)
  async simulateDecision(@Req() req: Request, @Body() body: unknown) {
    await callerFrom(this.edge, req, READERS);
    const { decision, explanations } = this.simulate.execute(parseRequestContext(body));
    return { decision: { ...decision!, route: decision?.route ?? null }, explanations };
  }

  /** The API's description (OpenAPI 3.1), for readers of the API like the rest of it. */
  @Get('openapi.yaml')
  @Header('content-type', 'application/yaml; charset=utf-8')
  async openapiDocument(@Req() req: Request): Promise<string> {
    await callerFrom(this.edge, req, READERS);
    this.openapi ??= readFileSync(OPENAPI_FILE, 'utf8');
    return this.openapi;
  }
}
