import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { documentedRoutes, servedRoutes, undeclaredPathParameters } from '@airlock/testing';
import { AppModule } from '../src/app.module';

describe('openapi.yaml (terminal HTTP)', () => {
  const text = readFileSync(path.join(__dirname, '..', 'openapi.yaml'), 'utf8');

  it('documents exactly the routes the controllers serve, and the WebSocket upgrade', () => {
    const routes = servedRoutes(AppModule, RequestMethod);
    expect(routes).toEqual([
      'DELETE /api/terminal/v1/sessions/{id}',
      'DELETE /api/terminal/v1/sessions/{id}/shares/{user_id}',
      'GET /api/terminal/v1/recordings',
      'GET /api/terminal/v1/recordings/{id}/cast',
      'GET /api/terminal/v1/sessions',
      'GET /api/terminal/v1/sessions/{id}',
      'PATCH /api/terminal/v1/sessions/{id}',
      'POST /api/terminal/v1/sessions',
      'POST /api/terminal/v1/sessions/{id}/tickets',
      'PUT /api/terminal/v1/sessions/{id}/shares',
    ]);
    // The upgrade is taken off the HTTP server before Nest routes (stream/terminal-sockets.ts).
    expect(documentedRoutes(text)).toEqual([...routes, 'GET /ws/terminal/v1/sessions/{id}'].sort());
  });

  it('is OpenAPI 3.1 and declares its path parameters', () => {
    expect(text.startsWith('openapi: 3.1.0\n')).toBe(true);
    expect(undeclaredPathParameters(text)).toEqual([]);
  });
});
