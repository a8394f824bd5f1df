import type { RunningService } from '@airlock/runtime';
import { freePort } from '@airlock/testing';
import { type Reference, bootDlp, bootGateway, edgeHeaders, startReference, stopReference } from './harness';

jest.setTimeout(60_000);

// No broker answers: an event becomes durable only through the local spool, after the broker attempt times
// out (2 s) — longer than the fail-closed bound, so a high-risk request cannot be answered.
describe('gateway fail-closed audit without a reachable broker', () => {
  let dlp: RunningService;
  let gateway: RunningService;
  let model: Reference;

  beforeAll(async () => {
    model = await startReference();
    dlp = await bootDlp({ logLevel: 'error' });
    gateway = await bootGateway({
      LOG_LEVEL: 'error',
      DLP_ADDR: dlp.grpcAddress,
      KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
      GATEWAY_AUDIT_BOUND_MS: '300',
      GATEWAY_BACKENDS: JSON.stringify({ agent: { protocol: 'openai', baseUrl: model.url } }),
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await dlp?.close();
    await stopReference(model);
  });

  const agent = (extra: Record<string, string>, stream: boolean) =>
    fetch(`http://${gateway.httpAddress}/v1/agent`, {
      method: 'POST',
      headers: { ...edgeHeaders('agent/reference-chat', extra), 'content-type': 'application/json' },
      body: JSON.stringify({ stream, messages: [{ role: 'user', content: 'change the payment code' }] }),
    });

  it('refuses with 503 audit_unavailable, streamed before any model call and not streamed before the answer', async () => {
    const before = model.requests;
    const streamed = await agent({ 'x-airlock-audit-mode': 'fail-closed', 'x-correlation-id': 'gw-fail-closed-1' }, true);
    expect(streamed.status).toBe(503);
    expect(await streamed.json()).toEqual({
      error: { code: 'audit_unavailable', message: expect.stringContaining('audit'), correlation_id: 'gw-fail-closed-1', retryable: true },
    });
    expect(model.requests).toBe(before);

    const whole = await agent({ 'x-airlock-audit-mode': 'fail-closed' }, false);
    expect(whole.status).toBe(503);
    expect(((await whole.json()) as { error: { code: string } }).error.code).toBe('audit_unavailable');
  });

  it('answers requests without the fail-closed mark (their events wait in the spool)', async () => {
    const res = await agent({}, false);
    expect(res.status).toBe(200);
  });
});
