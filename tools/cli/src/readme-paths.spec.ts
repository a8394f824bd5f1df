// The root README's "Follow one request" walks a newcomer through the code by file name; a rename that forgets
// the README would send them to a file that is gone.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function followOneRequestPaths(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Follow one request');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end);
  return [...section.matchAll(/`((?:apps|packages|envoy|tools)\/[^`\s]+)`/g)].map((m) => m[1]);
}

describe("the root README's request walk-through", () => {
  it('names files that exist, from the edge to audit and usage', () => {
    const paths = followOneRequestPaths();
    expect(paths.length).toBeGreaterThan(30);
    expect(paths.filter((p) => !existsSync(path.join(ROOT, p)))).toEqual([]);
    for (const step of ['envoy/', 'apps/policy/', 'apps/gateway/', 'apps/dlp/', 'apps/audit/', 'apps/usage/']) {
      expect(paths.some((p) => p.startsWith(step))).toBe(true);
    }
  });
});
