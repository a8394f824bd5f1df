import { createServer, request } from 'node:http';
import { boot } from '../src/main';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('dev IdP boot and shutdown', () => {
  it('warns at boot that it is not for production, serves, and stops accepting connections on close', async () => {
    const port = await freePort();
    const lines: { level: string; msg: string; [k: string]: unknown }[] = [];
    const idp = await boot(
      { DEV_IDP_PORT: String(port), DEV_IDP_CLIENT_SECRET: 'boot-test-secret-123', DEV_IDP_REDIRECT_URIS: 'https://localhost:8443/auth/callback' },
      (level, msg, fields) => lines.push({ level, msg, ...fields }),
    );
    expect(lines[0]).toMatchObject({ level: 'warn', not_for_production: true });
    expect(lines[0].msg).toContain('NOT FOR PRODUCTION');
    expect(JSON.stringify(lines)).not.toContain('boot-test-secret-123');

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    // An idle keep-alive connection must not hold the shutdown open.
    const agentReq = request({ host: '127.0.0.1', port, path: '/healthz', headers: { connection: 'keep-alive' } });
    await new Promise((resolve) => agentReq.on('response', (r) => r.resume().on('end', resolve)).end());

    await idp.close();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
