import path from 'node:path';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { ensureCodeServer, eventually } from '@airlock/testing';
import { LOCALES, browserSuite, SCREENSHOTS, ZOOMED, en, fill, newContext, noSeriousA11yViolations, reflows, shoot, signIn } from './portal-support';
import { SERVICES } from '../../src/service-env';
import { edgeCaller, issueToken, seedUser, submitPasswordAndTotp } from './support';

// The portal's journey in a real Chromium through Envoy, once in Korean and once in English: alice signs in from
// the portal's own address, lands on her empty workspaces page, creates a workspace for `payments` with the
// keyboard alone, watches it reach Running (polled with ETags), opens it (the VS Code workbench loads), stops and
// deletes it; her tokens, usage and help pages work; bob sees only his own workspaces; sam, an SRE, finds her
// workspace in the fleet, stops and restarts it, and reads the platform's health, while alice is refused both
// operators' pages and their APIs. axe finds no serious or critical violation on any page, at 1280x720 and at
// 200 % zoom, and every page is screenshotted.
const alice = seedUser('alice');
const bob = seedUser('bob');
const sam = seedUser('sam');

describe('the portal in a real browser through Envoy (headless Chromium)', () => {
  const suite = browserSuite('e2e-portal', { workspaceDriver: 'local', prepare: ensureCodeServer });

  /** The element has the keyboard focus. */
  const focused = (locator: ReturnType<Page['locator']>) => locator.evaluate((el) => el === el.ownerDocument.activeElement);

  describe.each(LOCALES)('in $locale', ({ locale, lang, s }) => {
    let context: BrowserContext;
    let page: Page;
    let workspaceId: string;
    const card = () => page.locator(`article[data-workspace-id="${workspaceId}"]`);
    const stateOf = () => card().getByTestId('workspace-state');
    const consoleErrors: string[] = [];

    beforeAll(async () => {
      context = await newContext(suite.browser, locale);
      page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
    });
    afterAll(async () => {
      await context?.close();
    });

    it('alice opens the portal, signs in and lands on her empty workspaces page, in her language', async () => {
      await signIn(page, suite.edge, alice, '/');
      await page.getByRole('heading', { level: 1, name: s.workspaces.title }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      await page.getByRole('heading', { name: s.workspaces.emptyTitle }).waitFor();
      await page.getByText(fill(s.app.signedInAs, { name: 'Alice Developer' })).waitFor();
      // The tenant's zone (Asia/Seoul), not the browser's (Europe/London).
      expect(await page.locator('footer').innerText()).toContain('Asia/Seoul');
      await noSeriousA11yViolations(page, 'home (empty)');
      await shoot(page, `${lang}-1-home-empty`);
    });

    it('creates a workspace for payments with the keyboard alone, and watches it reach Running', async () => {
      const polls: Response[] = [];
      page.on('response', (r) => {
        if (/\/api\/workspace\/v1\/workspaces\/[^/]+$/.test(new URL(r.url()).pathname)) polls.push(r);
      });
      await page.getByRole('button', { name: s.workspaces.create }).focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: s.create.title });
      await dialog.waitFor();
      // alice belongs to one project: it is chosen already. The first size the quota allows is chosen too.
      await dialog.getByText('payments').waitFor();
      await page.getByLabel(s.size.small).waitFor();
      await shoot(page, `${lang}-2-create-dialog`);
      await noSeriousA11yViolations(page, 'create dialog');
      // Tab to the dialog's OK button, as a keyboard user would.
      const ok = dialog.getByRole('button', { name: s.create.submit });
      for (let i = 0; i < 12 && !(await focused(ok)); i++) await page.keyboard.press('Tab');
      expect(await focused(ok)).toBe(true);
      const created = page.waitForResponse((r) => r.url().endsWith('/api/workspace/v1/workspaces') && r.request().method() === 'POST');
      await page.keyboard.press('Enter');
      const answer = await created;
      expect(answer.status()).toBe(201);
      workspaceId = ((await answer.json()) as { id: string }).id;
      await dialog.waitFor({ state: 'hidden' });

      const firstState = await stateOf().innerText();
      expect([s.state.requested, s.state.provisioning, s.state.running]).toContain(firstState);
      await stateOf().filter({ hasText: s.state.running }).waitFor({ timeout: 180_000 });
      // The state moved by polling that workspace with If-None-Match: an unchanged workspace answers 304, a 200 comes
      // only with a new ETag. (How many of each depends on how fast the workspace starts: every poll may see a change.)
      expect(polls.length).toBeGreaterThan(0);
      let conditional = 0;
      for (const r of polls) {
        const sent = (await r.request().allHeaders())['if-none-match'];
        if (!sent) continue;
        conditional += 1;
        if (r.status() === 304) continue;
        expect(r.status()).toBe(200);
        expect((await r.allHeaders())['etag']).not.toBe(sent);
      }
      expect(conditional).toBeGreaterThanOrEqual(polls.length - 1);
      await noSeriousA11yViolations(page, 'home (running)');
      await shoot(page, `${lang}-3-home-running`);
    });

    it('marks a workspace that runs without isolation with a badge in words (and this one carries none when confined)', async () => {
      const badge = card().getByTestId('workspace-unisolated');
      // This mesh confines workspaces when root (pid namespace + nftables); without root it runs them unisolated.
      expect(await badge.count()).toBe(process.getuid?.() === 0 ? 0 : 1);
      // The badge as a developer machine shows it: the same API answers with the flag set, seen in a second tab.
      const tab = await context.newPage();
      try {
        await tab.route(/\/api\/workspace\/v1\/workspaces(\/[^/]+)?$/, async (route) => {
          const response = await route.fetch();
          const headers = { ...response.headers() };
          delete headers.etag;
          const body = (await response.json()) as { workspaces?: Array<{ unisolated: boolean }>; unisolated?: boolean };
          for (const w of body.workspaces ?? [body]) w.unisolated = true;
          await route.fulfill({ response, headers, json: body });
        });
        await tab.goto(`${suite.edge}/`);
        const marked = tab.locator(`article[data-workspace-id="${workspaceId}"]`);
        await marked.getByTestId('workspace-unisolated').filter({ hasText: s.workspaces.unisolated }).waitFor();
        await marked.getByText(s.workspaces.unisolatedHint).waitFor();
        await noSeriousA11yViolations(tab, 'home (unisolated)');
        await shoot(tab, `${lang}-3b-home-unisolated`);
      } finally {
        await tab.close();
      }
    });

    it('bob signs in and sees only his own workspaces, not alice’s', async () => {
      const other = await newContext(suite.browser, locale);
      try {
        const tab = await other.newPage();
        await signIn(tab, suite.edge, bob, '/');
        await tab.getByRole('heading', { level: 1, name: s.workspaces.title }).waitFor();
        await tab.getByRole('heading', { name: s.workspaces.emptyTitle }).waitFor();
        expect(await tab.locator(`article[data-workspace-id="${workspaceId}"]`).count()).toBe(0);
        const mine = (await (await tab.request.get(`${suite.edge}/api/workspace/v1/workspaces`)).json()) as { workspaces: { owner_user_id: string }[] };
        expect(mine.workspaces.filter((w) => w.owner_user_id !== 'bob')).toEqual([]);
        expect((await tab.request.get(`${suite.edge}/api/workspace/v1/workspaces/${workspaceId}`)).status()).toBe(403);
      } finally {
        await other.close();
      }
    });

    it('opens the workspace in a new tab: the VS Code workbench loads', async () => {
      const opened = context.waitForEvent('page');
      await card().getByRole('link', { name: fill(s.workspaces.openLabel, { project: 'payments' }) }).click();
      const ide = await opened;
      // The first navigation to a workspace can take over 30 s on a busy two-core runner (seen in a fresh-machine run).
      await ide.waitForURL(`${suite.edge}/w/${workspaceId}/**`, { timeout: 120_000 });
      await ide.waitForSelector('.monaco-workbench', { timeout: 120_000 });
      await ide.screenshot({ path: path.join(SCREENSHOTS, `${lang}-4-workbench.png`) });
      await ide.close();
    }, 300_000);

    it('sam, an SRE, finds alice\'s workspace in the fleet and stops, starts and restarts it, each confirmed first', async () => {
      const other = await newContext(suite.browser, locale);
      try {
        const tab = await other.newPage();
        await signIn(tab, suite.edge, sam, '/fleet');
        await tab.getByRole('heading', { level: 1, name: s.fleet.title }).waitFor();
        const row = tab.getByRole('row').filter({ hasText: 'alice' }).filter({ hasText: 'payments' });
        const state = row.getByTestId('fleet-state');
        await state.filter({ hasText: s.state.running }).waitFor();
        expect(await row.getByRole('cell').nth(3).innerText()).toMatch(/^workspace-base:/);
        await noSeriousA11yViolations(tab, 'fleet');
        await shoot(tab, `${lang}-5a-fleet`);
        const act = async (action: 'stop' | 'start' | 'restart') => {
          const names = { owner: 'alice', project: 'payments' };
          await row.getByRole('button', { name: fill(s.fleet.forWorkspace, { action: s.actions[action], ...names }) }).click();
          const confirm = tab.getByRole('dialog').filter({ hasText: fill(s.fleet.confirm[action].title, names) });
          await confirm.waitFor();
          // The safe answer has the focus.
          expect(await focused(confirm.getByRole('button', { name: s.actions.cancel }))).toBe(true);
          const answered = tab.waitForResponse((r) => r.url().endsWith(`/api/workspace/admin/v1/workspaces/${workspaceId}/${action}`));
          await confirm.getByRole('button', { name: s.actions[action] }).click();
          expect((await answered).status()).toBe(200);
        };
        await act('stop');
        await state.filter({ hasText: s.state.stopped }).waitFor({ timeout: 90_000 });
        await shoot(tab, `${lang}-5b-fleet-stopped`);
        await act('start');
        await state.filter({ hasText: s.state.running }).waitFor({ timeout: 180_000 });
        await act('restart');
        await state.filter({ hasText: s.state.running }).waitFor({ timeout: 180_000 });
        await noSeriousA11yViolations(tab, 'fleet after restart');
        await tab.setViewportSize(ZOOMED);
        await reflows(tab);
        await noSeriousA11yViolations(tab, 'fleet at 200 %');
        await shoot(tab, `${lang}-5c-fleet-zoom`);
      } finally {
        await other.close();
      }
    }, 600_000);

    it('sam reads the platform\'s health: every service up with its version, the active policy version, the audit pipeline', async () => {
      const other = await newContext(suite.browser, locale);
      try {
        const tab = await other.newPage();
        await signIn(tab, suite.edge, sam, '/fleet');
        await tab.getByRole('navigation').getByRole('link', { name: s.nav.health }).click();
        await tab.getByRole('heading', { level: 1, name: s.health.title }).waitFor();
        await tab.getByTestId('health-overall').filter({ hasText: s.health.overall.ok }).waitFor({ timeout: 30_000 });
        for (const service of SERVICES) await tab.getByTestId(`health-status-${service}`).filter({ hasText: s.health.states.serving }).waitFor();
        // Every service reports its package's version.
        const policyRow = tab.getByRole('row').filter({ has: tab.getByTestId('health-status-policy') });
        expect(await policyRow.getByRole('cell').nth(2).innerText()).toMatch(/^\d+\.\d+\.\d+/);
        // The version policy decides with, as its own API tells a security admin.
        const carol = await issueToken(suite.mesh, { userId: 'carol', tenantId: 'acme', roles: ['security-admin'] });
        const bundles = await edgeCaller(suite.mesh)('/api/policy/v1/bundles', { token: carol });
        const active = (bundles.body as { versions: { number: number; active: boolean }[] }).versions.find((v) => v.active)!;
        expect(await tab.getByTestId('health-policy-version').innerText()).toBe(fill(s.health.versionNumber, { number: String(active.number) }));
        // The audit consumer's lag and the gateway's spool are known numbers (not "unknown").
        for (const id of ['health-audit-lag', 'health-audit-spool']) expect(await tab.getByTestId(id).innerText()).toMatch(/\d/);
        await noSeriousA11yViolations(tab, 'health');
        await shoot(tab, `${lang}-5d-health`);
        await tab.setViewportSize(ZOOMED);
        await reflows(tab);
        await noSeriousA11yViolations(tab, 'health at 200 %');
        await shoot(tab, `${lang}-5e-health-zoom`);
      } finally {
        await other.close();
      }
    });

    it('alice, a developer, has no fleet or health entry, and the edge refuses both pages and their APIs (403)', async () => {
      const other = await newContext(suite.browser, locale);
      try {
        const tab = await other.newPage();
        await signIn(tab, suite.edge, alice, '/help');
        const nav = tab.getByRole('navigation');
        await nav.getByRole('link', { name: s.nav.workspaces }).waitFor();
        expect(await nav.getByRole('link', { name: s.nav.fleet }).count()).toBe(0);
        expect(await nav.getByRole('link', { name: s.nav.health }).count()).toBe(0);
        for (const route of ['/fleet', '/health']) {
          const refused = (await tab.goto(`${suite.edge}${route}`))!;
          expect([route, refused.status(), refused.headers()['content-type']]).toEqual([route, 403, 'text/html; charset=utf-8']);
        }
        await noSeriousA11yViolations(tab, 'fleet refused at the edge');
        await shoot(tab, `${lang}-5f-fleet-refused`);
        const apis = [
          tab.request.get(`${suite.edge}/api/workspace/admin/v1/workspaces`),
          tab.request.post(`${suite.edge}/api/workspace/admin/v1/workspaces/${workspaceId}/stop`),
          tab.request.delete(`${suite.edge}/api/workspace/admin/v1/workspaces/${workspaceId}`),
          tab.request.get(`${suite.edge}/api/health/v1/status`),
        ];
        // Refused by the edge's policy (no rule admits a developer; the edge names no reason), not by a CSRF check
        // (`csrf_rejected`): these carry no Origin.
        const answers = await Promise.all(apis);
        expect(await Promise.all(answers.map(async (r) => [r.status(), ((await r.json()) as { error: { code: string } }).error.code]))).toEqual(
          Array(4).fill([403, 'forbidden']),
        );
      } finally {
        await other.close();
      }
    });

    it('stops it (confirmed first), then deletes it: the card leaves the list', async () => {
      await page.bringToFront();
      const act = async (action: 'stop' | 'delete') => {
        await card().getByRole('button', { name: fill(s.actions.forWorkspace, { action: s.actions[action], project: 'payments' }) }).click();
        const confirm = page.getByRole('dialog').filter({ hasText: fill(s.actions.confirm[action].title, { project: 'payments' }) });
        await confirm.waitFor();
        // The safe answer has the focus.
        expect(await focused(confirm.getByRole('button', { name: s.actions.cancel }))).toBe(true);
        await confirm.getByRole('button', { name: s.actions[action] }).click();
      };
      await act('stop');
      await stateOf().filter({ hasText: s.state.stopped }).waitFor({ timeout: 90_000 });
      await shoot(page, `${lang}-5-home-stopped`);
      await act('delete');
      await card().waitFor({ state: 'detached', timeout: 90_000 });
      await page.getByRole('heading', { name: s.workspaces.emptyTitle }).waitFor();
    });

    it('creates an API token shown once, keeps it out of browser storage, and revokes it', async () => {
      await page.getByRole('link', { name: s.nav.tokens }).click();
      await page.getByRole('heading', { level: 1, name: s.tokens.title }).waitFor();
      await page.getByRole('button', { name: s.tokens.create }).click();
      const dialog = page.getByRole('dialog', { name: s.tokens.create });
      await dialog.getByLabel(s.tokens.name).fill(`portal e2e ${lang}`);
      await dialog.getByRole('button', { name: s.tokens.submit }).click();
      const value = await page.getByTestId('new-token-value').innerText();
      expect(value).toMatch(/^alk_[A-Za-z0-9_-]{43}$/);
      const stored = await page.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie');
      expect(stored).not.toContain(value);
      await page.getByRole('button', { name: s.tokens.close }).click();
      await page.getByTestId('new-token-value').waitFor({ state: 'detached' });
      expect(await page.content()).not.toContain(value);

      const row = page.getByRole('row').filter({ hasText: `portal e2e ${lang}` });
      await row.getByText(s.tokens.active).waitFor();
      await noSeriousA11yViolations(page, 'tokens');
      await shoot(page, `${lang}-6-tokens`);
      await row.getByRole('button', { name: fill(s.tokens.revokeLabel, { name: `portal e2e ${lang}` }) }).click();
      await page.getByRole('dialog').getByRole('button', { name: s.tokens.revoke }).click();
      await row.getByText(s.tokens.revoked).waitFor();
    });

    it('shows AI usage and the help page; every page reflows at 200 % zoom', async () => {
      // One chat request as alice (a script with a dev token), metered by usage from the gateway's event.
      const token = await issueToken(suite.mesh, { userId: 'alice', tenantId: 'acme', projectId: 'payments' });
      const chat = await edgeCaller(suite.mesh)('/v1/chat', { token, body: { messages: [{ role: 'user', content: `usage for the portal in ${lang}` }] } });
      expect(chat.status).toBe(200);
      await page.getByRole('link', { name: s.nav.usage }).click();
      await page.getByRole('heading', { level: 1, name: s.usage.title }).waitFor();
      await page.getByRole('heading', { name: s.usage.budgetTitle }).waitFor();
      const byModel = page.getByRole('region', { name: s.usage.byModel });
      await eventually(
        'the chat request in the usage table',
        async () => {
          if ((await byModel.getByRole('cell', { name: /chat/ }).count()) > 0) return true;
          await page.reload();
          await page.getByRole('heading', { name: s.usage.budgetTitle }).waitFor();
          return undefined;
        },
        60_000,
      );
      await noSeriousA11yViolations(page, 'usage');
      await shoot(page, `${lang}-7-usage`);
      await page.getByRole('link', { name: s.nav.help }).click();
      await page.getByRole('heading', { level: 1, name: s.help.title }).waitFor();
      await page.getByRole('heading', { name: s.help.maskedTitle }).waitFor();
      await noSeriousA11yViolations(page, 'help');
      await shoot(page, `${lang}-8-help`);

      await page.setViewportSize(ZOOMED);
      for (const [link, heading, file] of [
        [s.nav.workspaces, s.workspaces.title, 'home'],
        [s.nav.tokens, s.tokens.title, 'tokens'],
        [s.nav.usage, s.usage.title, 'usage'],
        [s.nav.help, s.help.title, 'help'],
      ]) {
        await page.getByRole('link', { name: link, exact: true }).click();
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        await reflows(page);
        await noSeriousA11yViolations(page, `${file} at 200 %`);
        await shoot(page, `${lang}-9-zoom-${file}`);
      }
      await page.setViewportSize({ width: 1280, height: 720 });
    });

    it('switches language in the header and keeps the choice', async () => {
      const other = LOCALES.find((l) => l.lang !== lang)!;
      await page.getByText(other.lang === 'ko' ? '한국어' : 'English', { exact: true }).click();
      await page.getByRole('heading', { level: 1, name: other.s.help.title }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe(other.lang);
      await page.reload();
      await page.getByRole('heading', { level: 1, name: other.s.help.title }).waitFor();
      await page.getByText(lang === 'ko' ? '한국어' : 'English', { exact: true }).click();
      await page.getByRole('heading', { level: 1, name: s.help.title }).waitFor();
    });

    it('logged nothing to the console (no CSP violation, no failed request)', () => {
      expect(consoleErrors).toEqual([]);
    });
  });

  it('a session that ends mid-use sends the browser through sign-in and back to the same page', async () => {
    const context = await newContext(suite.browser, 'en-US');
    try {
      const page = await context.newPage();
      await signIn(page, suite.edge, alice, '/usage');
      await page.getByRole('heading', { level: 1, name: en.usage.title }).waitFor();
      // The session ends (here: the cookie is gone, as after an expiry or a logout elsewhere); the next call is a 401.
      await context.clearCookies();
      await page.getByRole('link', { name: en.nav.tokens }).click();
      await page.waitForSelector('#username');
      await submitPasswordAndTotp(page, alice);
      await page.waitForURL((url) => url.origin === suite.edge && url.pathname === '/tokens', { timeout: 30_000 });
      await page.getByRole('heading', { level: 1, name: en.tokens.title }).waitFor();
    } finally {
      await context.close();
    }
  });
});
