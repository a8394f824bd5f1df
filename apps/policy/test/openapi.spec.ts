import { readFileSync } from 'node:fs';
import { RequestMethod } from '@nestjs/common';
import { documentedRoutes, servedRoutes, undeclaredPathParameters } from '@airlock/testing';
import { AppModule } from '../src/app.module';
import { OPENAPI_FILE } from '../src/http/policy-api.controller';

describe('openapi.yaml', () => {
  const text = readFileSync(OPENAPI_FILE, 'utf8');

  it('documents exactly the routes the controllers serve', () => {
    const routes = servedRoutes(AppModule, RequestMethod);
    expect(routes).toContain('PUT /api/policy/v1/drafts/{id}');
    expect(routes.length).toBeGreaterThan(15);
    expect(documentedRoutes(text)).toEqual(routes);
  });

  it('is OpenAPI 3.1 and declares each path parameter it uses', () => {
    expect(text.startsWith('openapi: 3.1.0\n')).toBe(true);
    for (const name of new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((n) => n === 'id' || n === 'version'))) {
      expect(text).toMatch(new RegExp(`name: ${name}\\n\\s+in: path`));
    }
    expect(undeclaredPathParameters(text)).toEqual([]);
  });
});
