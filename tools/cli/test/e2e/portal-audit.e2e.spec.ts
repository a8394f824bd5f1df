import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { eventually } from '@airlock/testing';
import { LOCALES, browserSuite, ZOOMED, newContext, noSeriousA11yViolations, reflows, shoot, signIn } from './portal-support';
import { edgeCaller, issueToken, seedUser } from './support';

// The auditor's console in a real Chromium through Envoy, in Korean and in English: erin (auditor) finds alice's
// /v1/chat request on the audit page, opens its detail (hash chain verified), follows its correlation id to every
// event of that request, exports the whole search as CSV and sees every hash chain verified intact; alice
// (developer) has no entry for it in the header and is refused /audit at the edge (403), with a page in her
// language. axe on every page, 200 % zoom, screenshots.
const erin = seedUser('erin');
const alice = seedUser('alice');

describe("the portal's audit trail page in a real browser through Envoy (headless Chromium)", () => {
  const suite = browserSuite('e2e-paud');

  describe.each(LOCALES)('in $locale', ({ locale, lang, s }) => {
    let context: BrowserContext;
    let page: Page;
    const consoleErrors: string[] = [];
    const correlationId = `e2e-${Date.now()}-portal-audit-${lang}`;

    beforeAll(async () => {
      // The request to find: alice's chat call (a script with a dev token) with a correlation id of our own.
      const token = await issueToken(suite.mesh, { userId: 'alice', tenantId: 'acme', projectId: 'payments' });
      const chat = await edgeCaller(suite.mesh)('/v1/chat', { token, headers: { 'x-correlation-id': correlationId }, body: { messages: [{ role: 'user', content: `audit console in ${lang}` }] } });
      expect(chat.status).toBe(200);
      context = await newContext(suite.browser, locale);
      page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(`${m.text()} ${m.location().url}`);
      });
    });
    afterAll(async () => {
      await context?.close();
    });

    const results = () => page.getByRole('region', { name: s.audit.resultsLabel });
    /** The search has answered and the page shows it (the table is no longer busy, the button no longer spins). */
    const answered = () => results().locator('table:not([aria-busy])').waitFor();
    /** Submits the form and waits for the search API's answer to be shown. */
    async function search(): Promise<void> {
      const button = page.getByRole('form', { name: s.audit.formLabel }).getByRole('button', { name: s.audit.search });
      await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/api/audit/v1/events'), button.click()]);
      await answered();
      // The pointer leaves the button: axe checks the resting colours, not the hover state's fade.
      await page.mouse.move(0, 0);
    }
    const rowsOf = (text: string) => results().locator('tbody tr').filter({ hasText: text });

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
      await eventually(
        'the request in the results',
        async () => {
          await search();
          return (await rowsOf(correlationId).filter({ hasText: 'ai.request' }).count()) > 0 ? true : undefined;
        },
        60_000,
      );
      await noSeriousA11yViolations(page, 'audit search');
      await shoot(page, `${lang}-audit-1-search`);
    });

    it('opens its detail with the keyboard: every field and the verified link in the hash chain', async () => {
      // With the keyboard: the row's time is a button.
      await rowsOf(correlationId).filter({ hasText: 'ai.request' }).first().locator('td').first().getByRole('button').focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: s.audit.detailTitle });
      await dialog.getByTestId('audit-verified').filter({ hasText: s.audit.verifiedYes }).waitFor();
      const fields = await dialog.getByTestId('audit-fields').innerText();
      for (const text of ['event_type', 'ai.request', 'correlation_id', correlationId, 'user_id', 'alice', 'policy_version', 'dlp_action']) expect(fields).toContain(text);
      await noSeriousA11yViolations(page, 'audit detail');
      await shoot(page, `${lang}-audit-2-detail`);
    });

    it('follows its correlation id: every event of that request, the other filters cleared', async () => {
      await page.getByRole('dialog').getByRole('button', { name: s.audit.follow }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      expect(await page.getByLabel(s.audit.correlation_id, { exact: true }).inputValue()).toBe(correlationId);
      expect(await page.getByLabel(s.audit.user_id, { exact: true }).inputValue()).toBe('');
      await answered();
      const rows = results().locator('tbody tr');
      // The gateway's ai.request and the edge's and usage's events of the same request, as the index has them.
      const texts = await eventually(
        'more than one event of the request',
        async () => {
          const all = await rows.allInnerTexts();
          if (all.length > 1 && all.every((row) => row.includes(correlationId))) return all;
          await search();
          return undefined;
        },
        30_000,
      );
      expect(texts.some((row) => row.includes('ai.request'))).toBe(true);
      await shoot(page, `${lang}-audit-3-correlation`);
    });

    it('exports the whole current search as CSV', async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: s.audit.export }).click()]);
      expect(download.suggestedFilename()).toBe('audit-events.csv');
      const csv = readFileSync(await download.path(), 'utf8');
      const [header, ...lines] = csv.split('\r\n').filter(Boolean);
      expect(header).toMatch(/^event_id,.*correlation_id.*,chain_hash$/);
      // Every event the search shows, and only those: the file is the search, not a page of it.
      const shown = await results().locator('tbody tr').count();
      expect(lines.length).toBe(shown);
      expect(lines.every((line) => line.includes(correlationId))).toBe(true);
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
});
