// Generates the TypeScript shapes of the HTTP APIs the portal calls from the services' own OpenAPI documents
// (apps/<service>/openapi.yaml), so the SPA cannot drift from what the services promise. Deterministic:
// `--check` generates in memory and fails when the committed files differ (CI runs it).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const portal = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const apps = path.resolve(portal, '..');
const out = path.join(portal, 'web', 'src', 'api', 'generated');
const SERVICES = ['identity', 'workspace', 'usage', 'audit', 'policy', 'terminal', 'portal'];
const check = process.argv.includes('--check');

const stale = [];
for (const service of SERVICES) {
  const source = path.join(apps, service, 'openapi.yaml');
  const ast = await openapiTS(readFileSync(source, 'utf8'), { alphabetize: true });
  const text = `// Generated from apps/${service}/openapi.yaml by \`pnpm gen\` (apps/portal/scripts/gen-api-types.mjs). Do not edit.\n${astToString(ast)}`;
  const file = path.join(out, `${service}.ts`);
  if (check) {
    let committed = '';
    try {
      committed = readFileSync(file, 'utf8');
    } catch {
      // missing: stale
    }
    if (committed !== text) stale.push(path.relative(portal, file));
  } else {
    mkdirSync(out, { recursive: true });
    writeFileSync(file, text);
  }
}
if (stale.length) {
  process.stderr.write(`portal API types are stale; run \`pnpm gen\`:\n  ${stale.join('\n  ')}\n`);
  process.exit(1);
}
if (check) process.stdout.write(`portal API types match the OpenAPI documents (${SERVICES.length} files)\n`);
