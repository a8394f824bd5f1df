// The edge when a service is out of reach or out of connections, against the real Envoy binary: each kind of
// gateway request has its own pool of connections, a full pool sheds with 503 busy in the error envelope, a service
// that takes no connection answers service_unavailable, and a person's browser gets a page in its language.
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS, ensureChromium } from '@airlock/testing';
import { startEdge, type EdgeUnderTest } from './envoy-edge';
import { LOCALES, SCREENSHOTS, newContext, noSeriousA11yViolations, shoot } from './portal-support';

describe('Envoy edge under overload and outage (real binary, rendered template)', () => {
  let edge: EdgeUnderTest;

  beforeAll(async () => {
    edge = await startEdge();
  }, 240_000);

  afterAll(() => edge?.close());

  const requestsTo = async (cluster: string) => Number(/: (\d+)/.exec(await edge.admin(`/stats?filter=^cluster\\.${cluster}\\.upstream_rq_total$`))?.[1] ?? 0);

  it('inline completion, the model routes and MCP sessions each have their own pool of connections to the gateway', async () => {
    const routes: Array<[string, string]> = [
      ['/v1/completions', 'gateway_inline'],
      ['/v1/autocomplete', 'gateway_inline'],
      ['/tabby/v1/health', 'gateway_inline'],
      ['/v1/chat/completions', 'gateway_http'],
      ['/v1/completions/other', 'gateway_http'],
      ['/mcp/tools', 'gateway_mcp'],
    ];
    for (const [p, cluster] of routes) {
      const before = await requestsTo(cluster);
      const res = await edge.request(p, { authorization: 'Bearer good' });
      expect([p, res.status, JSON.parse(res.body).upstream]).toEqual([p, 200, 'gateway']);
      expect([p, await requestsTo(cluster)]).toEqual([p, before + 1]);
    }
  });

  it('a pool with no connection left: 503 busy in the error envelope with Retry-After and the correlation id, the gateway not reached', async () => {
    // The circuit breaker's limit, lowered at runtime as a burst would exhaust it.
    await edge.admin('/runtime_modify?circuit_breakers.gateway_http.default.max_requests=0', 'POST');
    try {
      const before = edge.gateway.seen.length;
      const res = await edge.request('/v1/chat/completions', { authorization: 'Bearer good', 'x-correlation-id': 'corr-busy-1' });
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(res.body)).toEqual({
        error: { code: 'busy', message: 'too many requests in flight for this service; retry shortly', correlation_id: 'corr-busy-1', retryable: true },
      });
      expect(edge.gateway.seen.length).toBe(before);
      // The other pools are not affected.
      expect((await edge.request('/v1/completions', { authorization: 'Bearer good' })).status).toBe(200);
    } finally {
      await edge.admin('/runtime_modify?circuit_breakers.gateway_http.default.max_requests=', 'POST');
    }
    expect((await edge.request('/v1/chat/completions', { authorization: 'Bearer good' })).status).toBe(200);
  });

  it('a service that takes no connection: 503 service_unavailable in the error envelope with the correlation id', async () => {
    await edge.identity.close();
    const res = await edge.request('/auth/login', { 'x-correlation-id': 'corr-down-1' });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toEqual({
      error: { code: 'service_unavailable', message: 'the service is not reachable; retry shortly', correlation_id: 'corr-down-1', retryable: true },
    });

    // A person's browser navigating there gets a page in the language it asks for first, naming the reference.
    const navigate = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };
    const ko = await edge.request('/auth/login', { ...navigate, 'accept-language': 'ko-KR,ko;q=0.9,en;q=0.8' });
    expect([ko.status, ko.headers['content-type'], ko.headers['content-language']]).toEqual([503, 'text/html; charset=utf-8', 'ko']);
    expect(ko.body).toContain('<h1>일시적으로 사용할 수 없습니다</h1>');
    expect(ko.body).toMatch(/참조 번호: <code>[0-9a-f-]{36}<\/code>/);
    expect(ko.headers['content-security-policy']).toContain("default-src 'none'");
    const en = await edge.request('/auth/login', { ...navigate, 'accept-language': 'en-US,en;q=0.9' });
    expect([en.status, en.headers['content-language']]).toEqual([503, 'en']);
    expect(en.body).toContain('<h1>Temporarily unavailable</h1>');
  });

  it.each(LOCALES)('a person navigating to the service that is down in $locale sees the page in that language (Chromium, axe)', async ({ locale, lang }) => {
    const browser = await chromium.launch({ executablePath: await ensureChromium(), headless: true, args: [...CHROMIUM_FLAGS] });
    try {
      const page = await (await newContext(browser, locale)).newPage();
      const reply = (await page.goto(`https://localhost:${edge.httpsPort}/auth/login`))!;
      expect([reply.status(), reply.headers()['content-language']]).toEqual([503, lang]);
      expect(await page.textContent('h1')).toBe(lang === 'ko' ? '일시적으로 사용할 수 없습니다' : 'Temporarily unavailable');
      expect(await page.getByRole('link').getAttribute('href')).toBe('/');
      await noSeriousA11yViolations(page, 'edge 503 page');
      mkdirSync(SCREENSHOTS, { recursive: true });
      await shoot(page, `${lang}-edge-unavailable`);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
