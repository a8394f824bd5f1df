import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { documentedRoutes, servedRoutes, undeclaredPathParameters } from '@airlock/testing';
import { AppModule } from '../src/app.module';

describe('openapi.yaml (usage HTTP)', () => {
  const text = readFileSync(path.join(__dirname, '..', 'openapi.yaml'), 'utf8');

  it('documents exactly the routes the controllers serve', () => {
    const routes = servedRoutes(AppModule, RequestMethod);
    expect(routes).toEqual(['GET /api/usage/v1/me', 'GET /api/usage/v1/reports', 'GET /api/usage/v1/reports/anomalies', 'GET /api/usage/v1/reports/budgets', 'GET /api/usage/v1/reports/series']);
    expect(documentedRoutes(text)).toEqual(routes);
  });

  it('is OpenAPI 3.1 and declares its path parameters', () => {
    expect(text.startsWith('openapi: 3.1.0\n')).toBe(true);
    expect(undeclaredPathParameters(text)).toEqual([]);
  });
});
