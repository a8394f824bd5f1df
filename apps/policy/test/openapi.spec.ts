import { readFileSync } from 'node:fs';
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { AppModule } from '../src/app.module';
import { OPENAPI_FILE } from '../src/http/policy-api.controller';

/** Every controller of the module tree, imports included. */
function controllers(module: Type, seen = new Set<Type>()): Type[] {
  if (seen.has(module)) return [];
  seen.add(module);
  const own: Type[] = Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, module) ?? [];
  const imports: Type[] = Reflect.getMetadata(MODULE_METADATA.IMPORTS, module) ?? [];
  return [...own, ...imports.flatMap((m) => controllers(m, seen))];
}

const join = (...parts: string[]) => `/${parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;

/** "GET /api/policy/v1/drafts/{id}" for every HTTP handler (gRPC handlers have no request method). */
function served(): string[] {
  const routes: string[] = [];
  for (const controller of controllers(AppModule)) {
    const base: string = Reflect.getMetadata(PATH_METADATA, controller) ?? '';
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[name];
      const method: RequestMethod | undefined = typeof handler === 'function' ? Reflect.getMetadata(METHOD_METADATA, handler) : undefined;
      if (method === undefined || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      const path = join(base, Reflect.getMetadata(PATH_METADATA, handler)).replace(/:(\w+)/g, '{$1}');
      routes.push(`${RequestMethod[method]} ${path}`);
    }
  }
  return routes.sort();
}

/** Paths and operations of the checked-in document (its layout: two-space path keys, four-space methods). */
function documented(text: string): string[] {
  const routes: string[] = [];
  let path: string | undefined;
  let inPaths = false;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) inPaths = line.startsWith('paths:');
    if (!inPaths) continue;
    const p = /^ {2}(\/\S*):\s*$/.exec(line);
    if (p) path = p[1];
    const m = /^ {4}(get|put|post|delete|patch|head|options):\s*$/.exec(line);
    if (m && path) routes.push(`${m[1].toUpperCase()} ${path}`);
  }
  return routes.sort();
}

describe('openapi.yaml', () => {
  const text = readFileSync(OPENAPI_FILE, 'utf8');

  it('documents exactly the routes the controllers serve', () => {
    const routes = served();
    expect(routes).toContain('PUT /api/policy/v1/drafts/{id}');
    expect(routes.length).toBeGreaterThan(15);
    expect(documented(text)).toEqual(routes);
  });

  it('is OpenAPI 3.1 and declares each path parameter it uses', () => {
    expect(text.startsWith('openapi: 3.1.0\n')).toBe(true);
    for (const name of new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((n) => n === 'id' || n === 'version'))) {
      expect(text).toMatch(new RegExp(`name: ${name}\\n\\s+in: path`));
    }
  });
});
