import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CHECK_HEADERS } from './check.usecase';

// The edge sends Check only the headers in its ext_authz filter's allowed_headers: a header Check reads but the
// edge leaves out would silently read as absent (a browser never redirected to sign in, a credential ignored).
const TEMPLATE = path.join(__dirname, '..', '..', '..', '..', 'envoy', 'envoy.template.yaml');

/** The `- exact:` entries of the ext_authz filter's allowed_headers in the edge's template. */
function allowedHeaders(template: string): string[] {
  const block = /\n(\s*)allowed_headers:\n\s*patterns:\n((?:\1\s+- exact: \S+\n)+)/.exec(template);
  if (!block) throw new Error('no allowed_headers block with exact patterns in the edge template');
  return [...block[2].matchAll(/- exact: (\S+)/g)].map((m) => m[1]);
}

describe('the headers Check reads', () => {
  it('are exactly the ones the edge sends it', () => {
    expect(allowedHeaders(readFileSync(TEMPLATE, 'utf8')).sort()).toEqual([...CHECK_HEADERS].sort());
  });
});
