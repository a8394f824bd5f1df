import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { parse } from 'yaml';
import { documentedRoutes, servedRoutes, undeclaredPathParameters } from '@airlock/testing';
import { AppModule } from '../src/app.module';

describe('openapi.yaml (the owner and fleet APIs)', () => {
  const text = readFileSync(path.join(__dirname, '..', 'openapi.yaml'), 'utf8');

  it('documents exactly the routes the controllers serve', () => {
    const routes = servedRoutes(AppModule, RequestMethod);
    expect(routes).toEqual([
      'DELETE /api/workspace/admin/v1/workspaces/{id}',
      'DELETE /api/workspace/v1/workspaces/{id}',
      'GET /api/workspace/admin/v1/workspaces',
      'GET /api/workspace/v1/options',
      'GET /api/workspace/v1/workspaces',
      'GET /api/workspace/v1/workspaces/{id}',
      'POST /api/workspace/admin/v1/workspaces/{id}/restart',
      'POST /api/workspace/admin/v1/workspaces/{id}/start',
      'POST /api/workspace/admin/v1/workspaces/{id}/stop',
      'POST /api/workspace/v1/workspaces',
      'POST /api/workspace/v1/workspaces/{id}/restart',
      'POST /api/workspace/v1/workspaces/{id}/start',
      'POST /api/workspace/v1/workspaces/{id}/stop',
    ]);
    expect(documentedRoutes(text)).toEqual(routes);
  });

  it('is OpenAPI 3.1 YAML and declares its path parameters', () => {
    expect(text.startsWith('openapi: 3.1.0\n')).toBe(true);
    expect(parse(text)).toMatchObject({ openapi: '3.1.0', components: { schemas: { Workspace: { type: 'object' } } } });
    expect(undeclaredPathParameters(text)).toEqual([]);
  });
});
