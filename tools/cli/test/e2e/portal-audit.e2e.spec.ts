import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { eventually } from '@airlock/testing';
import { LOCALES, auditPage, browserSuite, ZOOMED, newContext, noSeriousA11yViolations, reflows, shoot, signIn } from './portal-support';
import { edgeCaller, issueToken, seedUser } from './support';

// The auditor's console in a real Chromium through Envoy, in Korean and in English: erin (auditor) finds alice's
// /v1/chat request on the audit page, opens its detail (hash chain verified), follows its correlation id to every
// event of that request, exports the whole search as CSV and sees every hash chain verified intact; alice
// (developer) has no entry for it in the header and is refused /audit at the edge (403), with a page in her
// language. axe on every page, 200 % zoom, screenshots.
const erin = seedUser('erin');
const alice = seedUser('alice');
// The FinOps console on the same mesh (one mesh start for both consoles): fiona (finops) sees the usage alice's and
// bob's /v1/chat calls produced, as a chart and its table, budgets and anomalies, groups it by model and exports
// the CSV; a project-admin's reports are their own project's; alice is refused the console and its API.
const fiona = seedUser('fiona');
type Series = { rows: { period: string; key: string; requests: number; total_tokens: number }[]; totals: { total_tokens: number } };

describe("the portal's audit trail page in a real browser through Envoy (headless Chromium)", () => {
  const suite = browserSuite('e2e-paud');

  describe.each(LOCALES)('in $locale', ({ locale, lang, s }) => {
    let context: BrowserContext;
    let page: Page;
    let audit: ReturnType<typeof auditPage>;
    const consoleErrors: string[] = [];
    const correlationId = `e2e-${Date.now()}-portal-audit-${lang}`;

    beforeAll(async () => {
      // The request to find: alice's chat call (a script with a dev token) with a correlation id of our own.
      const token = await issueToken(suite.mesh, { userId: 'alice', tenantId: 'acme', projectId: 'payments' });
      const chat = await edgeCaller(suite.mesh)('/v1/chat', { token, headers: { 'x-correlation-id': correlationId }, body: { messages: [{ role: 'user', content: `audit console in ${lang}` }] } });
      expect(chat.status).toBe(200);
      context = await newContext(suite.browser, locale);
      page = await context.newPage();
      audit = auditPage(page, s);
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(`${m.text()} ${m.location().url}`);
      });
    });
    afterAll(async () => {
      await context?.close();
    });

    it("erin opens the audit page from the header and finds alice's request", async () => {
      // Her home page: an auditor has no workspaces, and is told so (no refused request) and pointed to the trail.
      await signIn(page, suite.edge, erin, '/');
      await page.getByRole('heading', { level: 1, name: s.workspaces.noneForRoleTitle }).waitFor();
      expect(await page.getByRole('navigation').getByRole('link', { name: s.nav.workspaces }).count()).toBe(0);
      await noSeriousA11yViolations(page, 'home without workspaces');
      await shoot(page, `${lang}-audit-0-home`);
      await page.getByRole('link', { name: s.workspaces.openAudit }).click();
      await page.getByRole('heading', { level: 1, name: s.audit.title }).waitFor();
      await page.getByRole('navigation').getByRole('link', { name: s.nav.audit }).click();
      await page.getByRole('heading', { level: 1, name: s.audit.title }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/audit');
      await page.getByLabel(s.audit.user_id, { exact: true }).fill('alice');
      await page.getByLabel(s.audit.endpoint, { exact: true }).fill('/v1/chat');
      await audit.searchUntilShown(correlationId, 'ai.request');
      await noSeriousA11yViolations(page, 'audit search');
      await shoot(page, `${lang}-audit-1-search`);
    });

    it('opens its detail with the keyboard: every field and the verified link in the hash chain', async () => {
      await audit.openEvent(correlationId, 'ai.request');
      const fields = await audit.detail().getByTestId('audit-fields').innerText();
      for (const text of ['event_type', 'ai.request', 'correlation_id', correlationId, 'user_id', 'alice', 'policy_version', 'dlp_action']) expect(fields).toContain(text);
      await noSeriousA11yViolations(page, 'audit detail');
      await shoot(page, `${lang}-audit-2-detail`);
    });

    it('follows its correlation id: every event of that request, the other filters cleared', async () => {
      await audit.follow();
      expect(await page.getByLabel(s.audit.correlation_id, { exact: true }).inputValue()).toBe(correlationId);
      expect(await page.getByLabel(s.audit.user_id, { exact: true }).inputValue()).toBe('');
      // The gateway's ai.request and the edge's and usage's events of the same request, as the index has them.
      const texts = await audit.eventsOfRequest(correlationId);
      expect(texts.some((row) => row.includes('ai.request'))).toBe(true);
      await shoot(page, `${lang}-audit-3-correlation`);
    });

    it('exports the whole current search as CSV', async () => {
      const { filename, text, records } = await audit.exportCsv();
      expect(filename).toBe('audit-events.csv');
      expect(text.split('\r\n')[0]).toMatch(/^event_id,.*correlation_id.*,chain_hash$/);
      // Every event the search shows, and only those: the file is the search, not a page of it.
      const shown = await audit.rows().count();
      expect(records).toHaveLength(shown);
      expect(records.map((r) => r.correlation_id)).toEqual(Array(shown).fill(correlationId));
      expect(await page.getByTestId('audit-export-error').count()).toBe(0);
    });

    it("shows the trail's integrity: each partition's chain verified intact up to its signed digest", async () => {
      const panel = page.getByRole('region', { name: s.audit.chains.title });
      await panel.scrollIntoViewIfNeeded();
      // The first read starts a verification in the service; the panel asks again while it runs.
      await panel.getByTestId('audit-chains-state').filter({ hasText: s.audit.chains.states.ok }).waitFor({ timeout: 60_000 });
      const rows = panel.locator('tbody tr');
      expect(await rows.count()).toBeGreaterThan(0);
      for (const row of await rows.allInnerTexts()) expect(row).toContain(s.audit.chains.intact);
      expect(await panel.innerText()).toContain(s.audit.chains.digestAt.split('{{when}}')[0]!.trim());
      await page.mouse.move(0, 0);
      await noSeriousA11yViolations(page, 'audit chains');
      await shoot(page, `${lang}-audit-3b-chains`);
    });

    it('holds at 200 % zoom, and logged nothing to the console', async () => {
      await page.setViewportSize(ZOOMED);
      await reflows(page);
      await noSeriousA11yViolations(page, 'audit search zoomed');
      await shoot(page, `${lang}-audit-4-zoom`);
      await page.setViewportSize({ width: 1280, height: 720 });
      expect(consoleErrors).toEqual([]);
    });

    it('alice, a developer, has no audit entry in the header, and /audit is refused at the edge with a page in her language', async () => {
      const other = await newContext(suite.browser, locale);
      try {
        const tab = await other.newPage();
        await signIn(tab, suite.edge, alice, '/help');
        await tab.getByRole('navigation').getByRole('link', { name: s.nav.workspaces }).waitFor();
        expect(await tab.getByRole('navigation').getByRole('link', { name: s.nav.audit }).count()).toBe(0);
        const refused = (await tab.goto(`${suite.edge}/audit`))!;
        expect([refused.status(), refused.headers()['content-type']]).toEqual([403, 'text/html; charset=utf-8']);
        expect(await tab.textContent('h1')).toBe(lang === 'ko' ? '접근이 거부되었습니다' : 'Access denied');
        await noSeriousA11yViolations(tab, 'audit refused at the edge');
        await shoot(tab, `${lang}-audit-5-not-allowed`);
      } finally {
        await other.close();
      }
    });
  });
  describe.each(LOCALES)('the FinOps console in $locale', ({ locale, lang, s }) => {
    let context: BrowserContext;
    let page: Page;
    const consoleErrors: string[] = [];
    let call: ReturnType<typeof edgeCaller>;
    let fionaToken: string;
    /** payments' requests in the default range before this run's calls. */
    let paymentsBefore: number;

    beforeAll(async () => {
      call = edgeCaller(suite.mesh);
      fionaToken = await issueToken(suite.mesh, { userId: 'fiona', tenantId: 'acme', roles: ['finops'] });
      paymentsBefore = paymentsRequests(await apiSeries());
      // Usage to report: alice's chat calls in payments and bob's in lending, through the edge like any client.
      for (const [userId, projectId] of [['alice', 'payments'], ['alice', 'payments'], ['bob', 'lending']]) {
        const token = await issueToken(suite.mesh, { userId, tenantId: 'acme', projectId });
        const chat = await call('/v1/chat', { token, body: { messages: [{ role: 'user', content: `finops console in ${lang}` }] } });
        expect(chat.status).toBe(200);
      }
      context = await newContext(suite.browser, locale);
      page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(`${m.text()} ${m.location().url}`);
      });
    });
    afterAll(async () => {
      await context?.close();
    });

    const table = () => page.getByRole('region', { name: s.finops.tableTitle });
    /** Asks again (the Show button) until the series answer is shown. */
    async function show(): Promise<void> {
      await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/usage/v1/reports/series'),
        page.getByRole('form', { name: s.finops.formLabel }).getByRole('button', { name: s.finops.apply }).click(),
      ]);
      await table().locator('table').waitFor();
      await page.mouse.move(0, 0);
    }
    /** The series the API answers fiona for the page's default filter or another. */
    const apiSeries = async (query = '') => {
      const reply = await call(`/api/usage/v1/reports/series${query}`, { token: fionaToken });
      expect(reply.status).toBe(200);
      return reply.body as Series;
    };
    const paymentsRequests = (series: Series) => series.rows.filter((r) => r.key === 'payments').reduce((sum, r) => sum + r.requests, 0);

    it('fiona opens the console from the header: usage per project as a chart and a table, budgets, anomalies', async () => {
      await signIn(page, suite.edge, fiona, '/help');
      await page.getByRole('navigation').getByRole('link', { name: s.nav.finops }).click();
      await page.getByRole('heading', { level: 1, name: s.finops.title }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/finops');
      // Metering follows the calls by a moment: ask until the API has payments' two calls of this run, then the page.
      const series = await eventually('the calls metered', async () => {
        const answer = await apiSeries();
        return paymentsRequests(answer) >= paymentsBefore + 2 && answer.rows.some((r) => r.key === 'lending') ? answer : undefined;
      });
      await show();
      const rows = table().locator('tbody tr');
      expect(await rows.count()).toBe(series.rows.length);
      expect(await rows.filter({ hasText: 'payments' }).count()).toBeGreaterThan(0);
      expect(await rows.filter({ hasText: 'lending' }).count()).toBeGreaterThan(0);
      const totals = await page.getByTestId('finops-totals').innerText();
      expect(totals.replace(/[^\d]/g, '')).toContain(String(series.totals.total_tokens));
      // The chart is drawn (ECharts' canvas, in one image named for what it shows) once its chunk has loaded.
      const chart = page.getByTestId('finops-chart');
      await chart.locator('canvas').first().waitFor();
      expect([await chart.getAttribute('role'), await chart.getAttribute('aria-label')]).toEqual(['img', expect.stringContaining(s.finops.metrics.total_tokens)]);
      // The default bundle's daily budget of each project with usage: payments' shows what its calls spent.
      const budgets = page.getByTestId('finops-budgets');
      await budgets.waitFor();
      expect(await budgets.innerText()).toContain('tb.project.day');
      expect(await budgets.getByRole('progressbar').count()).toBeGreaterThan(1);
      await page.getByRole('heading', { level: 2, name: s.finops.anomalies.title }).waitFor();
      await noSeriousA11yViolations(page, 'finops console');
      await shoot(page, `${lang}-finops-1-console`);
    });

    it('groups by model, and exports exactly the table as CSV', async () => {
      await page.getByLabel(s.finops.groupBy, { exact: true }).selectOption({ label: s.finops.groups.model });
      await show();
      await table().locator('tbody tr').filter({ hasText: 'reference-chat' }).first().waitFor();
      const shown = await table().locator('tbody tr').count();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: s.finops.export }).click()]);
      expect(download.suggestedFilename()).toMatch(/^usage-model-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
      const [header, ...records] = readFileSync(await download.path(), 'utf8').split('\r\n').filter(Boolean);
      expect(header).toBe('tenant_id,period,model,requests,prompt_tokens,completion_tokens,total_tokens,cost_units');
      expect(records).toHaveLength(shown);
      expect(records.every((r) => r.startsWith('acme,'))).toBe(true);
      expect(records.some((r) => r.split(',')[2] === 'reference-chat')).toBe(true);
      expect(await page.getByTestId('finops-export-error').count()).toBe(0);
      // The pointer leaves the button: axe checks the resting colours, not the hover state's fade.
      await page.mouse.move(0, 0);
      await noSeriousA11yViolations(page, 'finops by model');
      await shoot(page, `${lang}-finops-2-by-model`);
    });

    it('holds at 200 % zoom, and logged nothing to the console', async () => {
      await page.setViewportSize(ZOOMED);
      await reflows(page);
      await noSeriousA11yViolations(page, 'finops zoomed');
      await shoot(page, `${lang}-finops-3-zoom`);
      await page.setViewportSize({ width: 1280, height: 720 });
      expect(consoleErrors).toEqual([]);
    });

    it("a project-admin's reports are their own project's; alice, a developer, is refused the console and its API", async () => {
      const lead = await issueToken(suite.mesh, { userId: 'lena', tenantId: 'acme', projectId: 'lending', roles: ['project-admin'] });
      const own = await call('/api/usage/v1/reports/series?group_by=project', { token: lead });
      expect([own.status, [...new Set((own.body.rows as { key: string }[]).map((r) => r.key))]]).toEqual([200, ['lending']]);
      expect((await call('/api/usage/v1/reports/budgets?project_id=payments', { token: lead })).body.error.code).toBe('usage_project_forbidden');
      const developer = await issueToken(suite.mesh, { userId: 'alice', tenantId: 'acme', projectId: 'payments' });
      for (const route of ['series', 'budgets', 'anomalies']) expect([route, (await call(`/api/usage/v1/reports/${route}`, { token: developer })).status]).toEqual([route, 403]);
      const other = await newContext(suite.browser, locale);
      try {
        const tab = await other.newPage();
        await signIn(tab, suite.edge, alice, '/help');
        await tab.getByRole('navigation').getByRole('link', { name: s.nav.workspaces }).waitFor();
        expect(await tab.getByRole('navigation').getByRole('link', { name: s.nav.finops }).count()).toBe(0);
        const refused = (await tab.goto(`${suite.edge}/finops`))!;
        expect([refused.status(), refused.headers()['content-type']]).toEqual([403, 'text/html; charset=utf-8']);
        expect(await tab.textContent('h1')).toBe(lang === 'ko' ? '접근이 거부되었습니다' : 'Access denied');
        await noSeriousA11yViolations(tab, 'finops refused at the edge');
      } finally {
        await other.close();
      }
    });
  });
});
