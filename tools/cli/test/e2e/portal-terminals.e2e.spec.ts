import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { eventually } from '@airlock/testing';
import { restartService } from '../../src/mesh';
import { LOCALES, browserSuite, fill, newContext, noSeriousA11yViolations, shoot, signIn } from './portal-support';
import { edgeCaller, issueToken, seedUser } from './support';

// The terminals page in a real Chromium through Envoy, in Korean and in English: alice runs a counter in one
// terminal and vi in another, types Hangul through the browser's text input, closes the browser; the terminal
// service is restarted; in a new browser context (another device) both come back: the counter kept counting, its
// earlier lines are in the scrollback, vi's screen is there and takes input. bob is refused (403) until alice
// shares the counter read-only in the share dialog; then he watches it live and his keystrokes are refused.
// The sessions are created through the API: this mesh has no workspace driver, so the page's create form has no
// running workspace to offer (the terminal service runs standalone and takes any workspace id).
// The mesh's bundle records acme's terminals (output and keystrokes): erin, an auditor, plays alice's editor
// session on the audit page.
const T = '/api/terminal/v1/sessions';
const I18N = path.resolve(__dirname, '../../../../apps/portal/web/src/i18n');
const terminalStrings = (lang: 'ko' | 'en') => JSON.parse(readFileSync(path.join(I18N, `terminals.${lang}.json`), 'utf8')).terminals;
const recordingStrings = (lang: 'ko' | 'en') => JSON.parse(readFileSync(path.join(I18N, `recordings.${lang}.json`), 'utf8')).recordings;
const alice = seedUser('alice');
const bob = seedUser('bob');
const erin = seedUser('erin');

/** The built-in bundle, and acme's terminals recorded (policy section `terminals`). */
function recordingBundle(): string {
  const bundle = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../apps/policy/src/bundles/default.json'), 'utf8'));
  bundle.terminals = { tenants: { acme: { recording: 'output_and_input', retentionDays: 30 } } };
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'airlock-pterm-')), 'policy-bundle.json');
  writeFileSync(file, JSON.stringify(bundle));
  return file;
}

describe("the portal's terminals page in a real browser through Envoy (headless Chromium)", () => {
  const suite = browserSuite('e2e-pterm', { policyBundleFile: recordingBundle() });
  let call: ReturnType<typeof edgeCaller>;
  let aliceToken: string;
  let bobToken: string;

  beforeAll(async () => {
    call = edgeCaller(suite.mesh);
    aliceToken = await issueToken(suite.mesh, { userId: 'alice', tenantId: 'acme', projectId: 'payments' });
    bobToken = await issueToken(suite.mesh, { userId: 'bob', tenantId: 'acme', projectId: 'lending' });
  });

  describe.each(LOCALES)('in $locale', ({ locale, lang, s: common }) => {
    const s = terminalStrings(lang);
    const contexts: BrowserContext[] = [];
    const ids: Record<'counter' | 'editor', string> = { counter: '', editor: '' };
    const names = { counter: `counter-${lang}`, editor: `editor-${lang}` };
    const consoleErrors: string[] = [];

    async function browse(user: typeof alice): Promise<Page> {
      const context = await newContext(suite.browser, locale);
      contexts.push(context);
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(`${m.text()} ${m.location().url}`);
      });
      await signIn(page, suite.edge, user, '/terminals');
      await page.getByRole('heading', { level: 1, name: s.title }).waitFor();
      return page;
    }
    const terminal = (page: Page, which: keyof typeof ids) => page.getByTestId(`terminal-${ids[which]}`);
    /** The terminal's panel, which says the state of its link in data-link. */
    const panel = (page: Page, which: keyof typeof ids) => page.locator(`[data-link]:has([data-testid="terminal-${ids[which]}"])`);
    /** What the terminal's visible rows show now. */
    const screen = (page: Page, which: keyof typeof ids) => terminal(page, which).locator('.xterm-rows').innerText();
    async function openTab(page: Page, which: keyof typeof ids): Promise<void> {
      await page.getByRole('button', { name: fill(s.openNamed, { name: names[which] }) }).click();
      await terminal(page, which).locator('.xterm-rows').waitFor();
      try {
        await panel(page, which).and(page.locator('[data-link="open"]')).waitFor({ timeout: 30_000 });
        await eventually(`${which} shows its shell`, async () => (/\S/.test(await screen(page, which)) ? true : undefined));
      } catch (error) {
        await shoot(page, `${lang}-terminals-failed-${which}`);
        throw new Error(`${String(error)}; link ${await panel(page, which).getAttribute('data-link', { timeout: 1_000 }).catch(() => 'none')}; console ${consoleErrors.join(' | ')}`, { cause: error });
      }
      await terminal(page, which).click();
    }
    /** The largest number on the counter's screen. */
    const lastCount = async (page: Page) => Math.max(0, ...(await screen(page, 'counter')).split(/\s+/).filter((w) => /^\d+$/.test(w)).map(Number));

    beforeAll(async () => {
      for (const which of ['counter', 'editor'] as const) {
        const created = await call(T, { token: aliceToken, body: { workspace_id: 'ws-alice', name: names[which] } });
        expect(created.status).toBe(201);
        ids[which] = created.body.id as string;
      }
    });
    afterAll(async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      for (const id of Object.values(ids)) if (id) await call(`${T}/${id}`, { token: aliceToken, method: 'DELETE' });
    });

    it('alice runs a counter and vi, types Hangul; both survive the browser closing and a terminal service restart', async () => {
      const page = await browse(alice);
      await page.getByRole('navigation').getByRole('link', { name: common.nav.terminals }).waitFor();
      await noSeriousA11yViolations(page, 'terminal list');
      await shoot(page, `${lang}-terminals-0-list`);

      await openTab(page, 'counter');
      await page.keyboard.type('for i in $(seq 1 100000); do echo $i; sleep 0.1; done');
      await page.keyboard.press('Enter');
      await eventually('the counter counts', async () => ((await lastCount(page)) >= 20 ? true : undefined), 30_000);
      // Read while its tab is shown: a hidden tab's rows have no layout, so their text runs together.
      const before = await lastCount(page);

      await openTab(page, 'editor');
      // Korean through the browser's text input (what an IME commits), echoed back by cat.
      await page.keyboard.type('cat');
      await page.keyboard.press('Enter');
      await eventually('cat started', async () => ((await screen(page, 'editor')).includes('cat') ? true : undefined));
      await page.keyboard.insertText('안녕하세요 터미널');
      // The committed text reaches the terminal from the input event, Enter from its own key event: in order.
      await eventually('Hangul typed', async () => ((await screen(page, 'editor')).includes('안녕하세요 터미널') ? true : undefined));
      await page.keyboard.press('Enter');
      // Typed once, echoed once by cat.
      await eventually('Hangul echoed', async () => ((await screen(page, 'editor')).split('안녕하세요 터미널').length >= 3 ? true : undefined)).catch(async (error: unknown) => {
        await shoot(page, `${lang}-terminals-failed-hangul`);
        throw new Error(`${String(error)}; the screen: ${await screen(page, 'editor')}`, { cause: error });
      });
      await page.keyboard.press('Control+D');
      // A file of this run alone: one left by an earlier run (or its swap file) would change what vi shows.
      await page.keyboard.type(`vi /tmp/${suite.mesh.name}-${lang}.txt`);
      await page.keyboard.press('Enter');
      await eventually('vi started', async () => ((await screen(page, 'editor')).includes('~') ? true : undefined));
      // vim asks the terminal a few questions as it starts (answered by xterm.js): keys typed meanwhile can be taken as answers.
      await page.waitForTimeout(1_000);
      await page.keyboard.type('ibefore-restart');
      await page.keyboard.press('Escape');
      await eventually('typed in vi', async () => ((await screen(page, 'editor')).includes('before-restart') ? true : undefined));
      await noSeriousA11yViolations(page, 'terminal tabs');
      await shoot(page, `${lang}-terminals-1-vi`);
      await page.context().close();

      await restartService(suite.mesh, 'terminal');

      const again = await browse(alice);
      await openTab(again, 'counter');
      await eventually('the counter kept counting', async () => ((await lastCount(again)) > before + 10 ? true : undefined), 30_000);
      // The earlier lines are in the scrollback: scrolled to the top, the command that started the counter shows.
      await terminal(again, 'counter').hover();
      await eventually('scrollback', async () => {
        // The wheel scrolls the viewport a bounded step per event: keep scrolling up until the top shows.
        await again.mouse.wheel(0, -5_000);
        return (await screen(again, 'counter')).includes('seq 1 100000') ? true : undefined;
      });
      await shoot(again, `${lang}-terminals-2-scrollback`);

      await openTab(again, 'editor');
      expect(await screen(again, 'editor')).toContain('before-restart');
      await again.keyboard.press('o');
      await again.keyboard.type('after-restart');
      await again.keyboard.press('Escape');
      await eventually('vi takes input', async () => ((await screen(again, 'editor')).includes('after-restart') ? true : undefined));
      await shoot(again, `${lang}-terminals-3-restored`);
      expect(consoleErrors).toEqual([]);
    }, 5 * 60_000);

    it('erin, an auditor, plays the editor session recorded by policy on the audit page', async () => {
      const r = recordingStrings(lang);
      // Not among `contexts`: the next test takes the last of those as alice's browser.
      const context = await newContext(suite.browser, locale);
      const page = await context.newPage();
      await signIn(page, suite.edge, erin, '/audit');
      await page.getByRole('heading', { level: 2, name: r.title }).waitFor();
      const play = page.getByRole('button', { name: fill(r.playNamed, { name: names.editor, owner: 'alice' }) });
      await play.waitFor();
      await noSeriousA11yViolations(page, 'recordings list');
      await play.click();
      const dialog = page.getByRole('dialog');
      await dialog.locator('[data-playback="done"]').waitFor({ timeout: 60_000 });
      // The end of the recording: vi's screen as alice left it, before and after the service restart.
      const screenText = await dialog.getByTestId('recording-screen').locator('.xterm-rows').innerText();
      expect(screenText).toContain('before-restart');
      expect(screenText).toContain('after-restart');
      // Keystrokes were recorded too (policy output_and_input); their count is said, they are not replayed.
      expect(await dialog.getByRole('status').innerText()).toContain(r.keystrokes.split('{{count}}')[0]);
      await noSeriousA11yViolations(page, 'recording player');
      await shoot(page, `${lang}-terminals-6-recording`);
      await context.close();
      // alice (a developer) gets nothing of it.
      expect((await call('/api/terminal/v1/recordings', { token: aliceToken })).status).toBe(403);
    }, 3 * 60_000);

    it('bob is refused until alice shares read-only; then he watches and his keystrokes are refused', async () => {
      expect((await call(`${T}/${ids.counter}`, { token: bobToken })).status).toBe(403);
      expect((await call(`${T}/${ids.counter}/tickets`, { token: bobToken, method: 'POST' })).status).toBe(403);
      const owner = contexts.at(-1)!.pages()[0];
      const viewer = await browse(bob);
      expect(await viewer.getByRole('button', { name: fill(s.openNamed, { name: names.counter }) }).count()).toBe(0);

      await owner.getByRole('button', { name: fill(s.shareNamed, { name: names.counter }) }).click();
      const dialog = owner.getByRole('dialog');
      await dialog.getByLabel(s.share.user).fill('bob');
      await dialog.getByRole('button', { name: s.share.invite }).click();
      await dialog.getByRole('region', { name: s.share.listCaption }).getByText('bob').waitFor();
      // The pointer leaves the button: axe checks the resting colours, not the hover state's fade.
      await owner.mouse.move(0, 0);
      await noSeriousA11yViolations(owner, 'share dialog');
      await shoot(owner, `${lang}-terminals-4-share`);
      await owner.keyboard.press('Escape');

      await viewer.reload();
      await openTab(viewer, 'counter');
      await viewer.getByTestId('terminal-read-only').waitFor();
      const seen = await lastCount(viewer);
      await eventually('bob watches live', async () => ((await lastCount(viewer)) > seen ? true : undefined), 30_000);
      await viewer.keyboard.type('x');
      await viewer.getByTestId('terminal-refused').waitFor();
      await noSeriousA11yViolations(viewer, 'read-only viewer');
      await shoot(viewer, `${lang}-terminals-5-viewer`);
    }, 3 * 60_000);
  });
});
