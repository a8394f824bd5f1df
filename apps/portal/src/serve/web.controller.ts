import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { COMMON_HEADERS, RESOURCE_CONTENT_SECURITY_POLICY } from './security-headers';
import { ServeWeb } from './serve-web.usecase';

/** Every GET (and HEAD) the edge sends the portal: pages, assets, and the not-found answers. */
@Controller()
export class WebController {
  constructor(private readonly serve: ServeWeb) {}

  @Get('{*path}')
  get(@Req() req: Request, @Res() res: Response): void {
    // Set before deciding, so the JSON not-found envelope (written by the runtime's filter) carries them too.
    res.set({ ...COMMON_HEADERS, 'content-security-policy': RESOURCE_CONTENT_SECURITY_POLICY });
    const answer = this.serve.execute({ path: req.path, accept: req.get('accept'), acceptEncoding: req.get('accept-encoding') });
    res.status(answer.status).set(answer.headers).send(answer.body);
  }
}
