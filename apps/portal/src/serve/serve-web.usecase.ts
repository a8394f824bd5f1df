import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { spaPageOf } from '../spa-routes';
import { AssetNotFoundError, PageNotFoundError } from './errors';
import { IMMUTABLE_CACHE, PAGE_CACHE, RESOURCE_CONTENT_SECURITY_POLICY, pageContentSecurityPolicy } from './security-headers';
import { WebAssets, chooseEncoding } from './web-assets';

/** What the controller writes: status, headers and body, decided here from the request alone. */
export interface WebAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

export interface WebRequest {
  path: string;
  accept?: string;
  acceptEncoding?: string;
}

/** A browser navigation asks for a document; fetch() and scripts ask for JSON or anything. */
function wantsHtml(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((type) => type.trim().toLowerCase().startsWith('text/html'));
}

/**
 * Answers one GET: a page of the SPA (index.html with a fresh CSP nonce), a built asset (compressed when the
 * client accepts it, cached for a year), or not found — as the SPA's own not-found page for a browser, as the
 * JSON error envelope for anything else.
 */
@Injectable()
export class ServeWeb {
  constructor(private readonly web: WebAssets) {}

  execute(req: WebRequest): WebAnswer {
    if (req.path.startsWith('/assets/')) return this.asset(req.path.slice('/assets/'.length), req.acceptEncoding);
    if (spaPageOf(req.path)) return this.page(200);
    // The SPA's router shows its not-found page in the user's language, with the navigation around it.
    if (wantsHtml(req.accept)) return this.page(404);
    throw new PageNotFoundError();
  }

  private page(status: number): WebAnswer {
    const nonce = randomBytes(18).toString('base64');
    return {
      status,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': PAGE_CACHE, 'content-security-policy': pageContentSecurityPolicy(nonce) },
      body: this.web.indexHtml(nonce),
    };
  }

  private asset(name: string, acceptEncoding: string | undefined): WebAnswer {
    const file = this.web.asset(name);
    if (!file) throw new AssetNotFoundError();
    const encoding = chooseEncoding(file, acceptEncoding);
    const headers: Record<string, string> = {
      'content-type': file.contentType,
      'cache-control': IMMUTABLE_CACHE,
      'content-security-policy': RESOURCE_CONTENT_SECURITY_POLICY,
      vary: 'accept-encoding',
    };
    if (encoding !== 'identity') headers['content-encoding'] = encoding;
    return { status: 200, headers, body: file.bodies[encoding]! };
  }
}
