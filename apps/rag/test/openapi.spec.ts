import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { documentedRoutes, servedRoutes, undeclaredPathParameters } from '@airlock/testing';
import { AppModule } from '../src/app.module';

describe('openapi.yaml (rag HTTP)', () => {
  const text = readFileSync(path.join(__dirname, '..', 'openapi.yaml'), 'utf8');

  it('documents exactly the routes the controllers serve', () => {
    const routes = servedRoutes(AppModule, RequestMethod);
    expect(routes).toEqual(['POST /api/rag/v1/hooks/push', 'POST /api/rag/v1/repositories/{project}/{name}/index', 'PUT /api/rag/v1/repositories/{project}/{name}']);
    expect(documentedRoutes(text)).toEqual(routes);
  });

  it('is OpenAPI 3.1 and declares its path parameters', () => {
    expect(text.startsWith('openapi: 3.1.0\n')).toBe(true);
    expect(undeclaredPathParameters(text)).toEqual([]);
  });
});
