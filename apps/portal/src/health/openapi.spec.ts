import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { documentedRoutes, servedRoutes, undeclaredPathParameters } from '@airlock/testing';
import { AppModule } from '../app.module';

describe('openapi.yaml (the health API)', () => {
  const text = readFileSync(path.join(__dirname, '..', '..', 'openapi.yaml'), 'utf8');

  it('documents exactly the API routes the controllers serve (the rest is the SPA catch-all)', () => {
    const routes = servedRoutes(AppModule, RequestMethod).filter((route) => route.includes(' /api/'));
    expect(routes).toEqual(['GET /api/health/v1/status']);
    expect(documentedRoutes(text)).toEqual(routes);
    expect(text.startsWith('openapi: 3.1.0\n')).toBe(true);
    expect(undeclaredPathParameters(text)).toEqual([]);
  });
});
