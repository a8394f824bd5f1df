import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { memoryLogger } from '@airlock/telemetry';
import type { NextFunction, Request, Response } from 'express';
import { correlationMiddleware } from './correlation.interceptor';

/** A plain HTTP server behind the middleware, answering each path's status (`/status/404` → 404). */
async function serve(level: string) {
  const { logger, lines } = memoryLogger('probe', level);
  const middleware = correlationMiddleware(logger);
  let finished = Promise.resolve();
  const server = http.createServer((req, res) => {
    // express sets `req.path`; the middleware reads only that of express's additions.
    Object.assign(req, { path: req.url });
    middleware(req as Request, res as Response, (() => res.writeHead(Number(req.url!.split('/')[2])).end()) as NextFunction);
    // After the middleware's own 'finish' listener: its line is written once this settles.
    finished = new Promise((r) => res.once('finish', r));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (status: number) => {
    const res = await fetch(`${url}/status/${status}`);
    await res.arrayBuffer();
    await finished;
    return res;
  };
  return { lines, get, close: () => new Promise((r) => server.close(r)) };
}

describe('correlationMiddleware', () => {
  it('logs a succeeded request at debug only and a refused one at info, with its correlation id echoed', async () => {
    const s = await serve('info');
    try {
      const ok = await s.get(200);
      await s.get(404);
      expect(ok.headers.get('x-correlation-id')).toMatch(/.+/);
      expect(s.lines.filter((l) => l.msg === 'http request')).toEqual([expect.objectContaining({ level: 'info', status: 404, path: '/status/404', correlation_id: expect.any(String) })]);
    } finally {
      await s.close();
    }
  });

  it('logs every request at debug level', async () => {
    const s = await serve('debug');
    try {
      await s.get(204);
      expect(s.lines.filter((l) => l.msg === 'http request')).toEqual([expect.objectContaining({ level: 'debug', status: 204, method: 'GET' })]);
    } finally {
      await s.close();
    }
  });
});
