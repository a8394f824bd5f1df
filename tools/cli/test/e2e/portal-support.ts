// What the portal's browser specs share: the portal's own strings per language, a browser context in a locale,
// signing in at the dev IdP, the checks every page gets (axe, reflow at 200 % zoom, a screenshot), and the audit
// page as an auditor uses it (searched, an event opened, a correlation id followed, the CSV export read).
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, ensureChromium, eventually, stateDir, uniquePrefix } from '@airlock/testing';
import { startMesh, stopMesh, type MeshInfo, type MeshOptions } from '../../src/mesh';
import { submitPasswordAndTotp, type SeedUser } from './support';

/** What a browser spec runs against: its own mesh, the edge's origin and a headless Chromium. */
export interface BrowserSuite {
  readonly mesh: MeshInfo;
  readonly edge: string;
  readonly browser: Browser;
}

/**
 * One mesh and one headless Chromium for a spec file, started before its tests (after `prepare`, e.g. installing
 * code-server) and stopped after them. Read the fields inside tests and hooks, once the suite has started.
 */
export function browserSuite(prefix: string, options: Partial<Omit<MeshOptions, 'name'>> & { prepare?: () => Promise<unknown> } = {}): BrowserSuite {
  const { prepare, ...meshOptions } = options;
  const name = uniquePrefix(prefix);
  let started: BrowserSuite | undefined;
  beforeAll(async () => {
    const executablePath = await ensureChromium();
    await prepare?.();
    const mesh = await startMesh({ name, ports: 'free', log: (l) => process.stderr.write(`[e2e] ${l}\n`), ...meshOptions });
    const browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS] });
    mkdirSync(SCREENSHOTS, { recursive: true });
    started = { mesh, edge: `https://localhost:${mesh.envoy.httpsPort}`, browser };
  }, 30 * 60_000);
  afterAll(async () => {
    await started?.browser.close();
    await stopMesh(name);
  }, 60_000);
  const get = <K extends keyof BrowserSuite>(key: K): BrowserSuite[K] => {
    if (!started) throw new Error('the browser suite has not started');
    return started[key];
  };
  return {
    get mesh() {
      return get('mesh');
    },
    get edge() {
      return get('edge');
    },
    get browser() {
      return get('browser');
    },
  };
}

export const SCREENSHOTS = path.join(process.env.AIRLOCK_TEST_RESULTS_DIR ?? path.join(stateDir(), 'test-results'), 'screenshots', 'portal');
/** 1280x720 at 200 % zoom: the same layout width a 640x360 window gives. */
export const ZOOMED = { width: 640, height: 360 };

/** The portal's own strings, so a test finds what each language shows (apps/portal/web/src/i18n; the policy and FinOps consoles' and the operators' pages' load with them). */
const I18N = path.resolve(__dirname, '../../../../apps/portal/web/src/i18n');
const strings = (lang: 'ko' | 'en') => ({
  ...JSON.parse(readFileSync(path.join(I18N, `${lang}.json`), 'utf8')),
  ...JSON.parse(readFileSync(path.join(I18N, `policy.${lang}.json`), 'utf8')),
  ...JSON.parse(readFileSync(path.join(I18N, `finops.${lang}.json`), 'utf8')),
  ...JSON.parse(readFileSync(path.join(I18N, `ops.${lang}.json`), 'utf8')),
});
export const en = strings('en');
const ko = strings('ko');
export type Strings = typeof en;
export const LOCALES: { locale: string; lang: 'ko' | 'en'; s: Strings }[] = [
  { locale: 'ko-KR', lang: 'ko', s: ko },
  { locale: 'en-US', lang: 'en', s: en },
];
export const fill = (text: string, values: Record<string, string>) => text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => values[k] ?? '');

/** A fresh browser (its own cookie jar) in `locale`: Accept-Language and navigator.languages follow it. */
export function newContext(browser: Browser, locale: string): Promise<BrowserContext> {
  return browser.newContext({ locale, timezoneId: 'Europe/London', viewport: { width: 1280, height: 720 }, ignoreHTTPSErrors: true, acceptDownloads: true });
}

/** Opens `where` on the edge without a session: sign-in at the dev IdP, then back where the user was going. */
export async function signIn(page: Page, edge: string, user: SeedUser, where: string): Promise<void> {
  await page.goto(`${edge}${where}`);
  await page.waitForSelector('#username');
  await submitPasswordAndTotp(page, user);
  await page.waitForURL((url) => url.origin === edge && url.pathname === where, { timeout: 30_000 });
}

/** Ant Design's enter/leave animations have finished: what axe checks and the screenshot shows is the resting page. */
export async function settled(page: Page): Promise<void> {
  // Polled through locators: a string predicate would be evaluated in the page, where the CSP forbids eval.
  const moving = page.locator('[class*="-appear"], [class*="-enter"], [class*="-leave"]');
  for (const deadline = Date.now() + 10_000; (await moving.count()) > 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
}

export async function noSeriousA11yViolations(page: Page, label: string): Promise<void> {
  // The pointer rests where the last click left it, often on a button: axe checks the resting colours, not hover's.
  await page.mouse.move(0, 0);
  await settled(page);
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious).toEqual([]);
}

export async function shoot(page: Page, file: string): Promise<void> {
  await settled(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${file}.png`), fullPage: true });
}

/** The page neither scrolls sideways nor cuts its content at this viewport (a table may scroll inside itself). */
export async function reflows(page: Page): Promise<void> {
  const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  // A chart redraws at its new width on the frame after a ResizeObserver tells it: give the layout a moment to settle.
  for (const deadline = Date.now() + 3_000; (await overflow()) > 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
  expect(await overflow()).toBeLessThanOrEqual(0);
}

/** RFC 4180 text (quoted fields, doubled quotes, CRLF records) as one object per record, keyed by the header's names. */
export function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    record.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') field += text[++i];
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\r' && text[i + 1] === '\n') {
      endField();
      records.push(record);
      record = [];
      i++;
    } else field += c;
  }
  if (field || record.length > 0) {
    endField();
    records.push(record);
  }
  const [header = [], ...rows] = records;
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ''])));
}

/**
 * The audit page (/audit) as an auditor uses it in `page`, in the language of `s`: the search form and its
 * results, one event's detail dialog, following a correlation id, and the CSV export of the current search.
 */
export function auditPage(page: Page, s: Strings) {
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
  const rows = () => results().locator('tbody tr');
  const rowsOf = (text: string) => rows().filter({ hasText: text });
  /** Searches again until `eventType`'s event of `correlationId` is among the results (the index follows the sinks by a moment). */
  const searchUntilShown = (correlationId: string, eventType: string, timeoutMs = 60_000) =>
    eventually(
      `${eventType} of ${correlationId} in the results`,
      async () => {
        await search();
        return (await rowsOf(correlationId).filter({ hasText: eventType }).count()) > 0 ? true : undefined;
      },
      timeoutMs,
    );
  const detail = () => page.getByRole('dialog', { name: s.audit.detailTitle });
  /** Opens the first shown `eventType` event of `correlationId` with the keyboard (the row's time is a button); resolves once its hash-chain link is verified. */
  async function openEvent(correlationId: string, eventType: string): Promise<void> {
    await rowsOf(correlationId).filter({ hasText: eventType }).first().locator('td').first().getByRole('button').focus();
    await page.keyboard.press('Enter');
    await detail().getByTestId('audit-verified').filter({ hasText: s.audit.verifiedYes }).waitFor();
  }
  /** The value the open event's detail shows for the record field `name`. */
  const fieldOf = (name: string) => detail().getByTestId('audit-fields').locator(`xpath=dt[normalize-space(.)="${name}"]/following-sibling::dd[1]`).innerText();
  /** "Follow this correlation id" in the open event's detail: the dialog closes and that request's events are searched. */
  async function follow(): Promise<void> {
    await page.getByRole('dialog').getByRole('button', { name: s.audit.follow }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await answered();
  }
  /**
   * Searches again until more than one event is shown, every one `correlationId`'s, among them one of each of
   * `eventTypes`; resolves to the rows' texts in the page's order.
   */
  const eventsOfRequest = (correlationId: string, eventTypes: readonly string[] = [], timeoutMs = 30_000) =>
    eventually(
      `more than one event of the request${eventTypes.length ? ` (${eventTypes.join(', ')})` : ''}`,
      async () => {
        const all = await rows().allInnerTexts();
        const complete = eventTypes.every((type) => all.some((row) => row.includes(type)));
        if (all.length > 1 && complete && all.every((row) => row.includes(correlationId))) return all;
        await search();
        return undefined;
      },
      timeoutMs,
    );
  /** Exports the current search: the file's suggested name, its text, and its records parsed. */
  async function exportCsv(): Promise<{ filename: string; text: string; records: Record<string, string>[] }> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: s.audit.export }).click()]);
    const text = readFileSync(await download.path(), 'utf8');
    return { filename: download.suggestedFilename(), text, records: parseCsv(text) };
  }
  return { page, results, answered, search, rows, rowsOf, searchUntilShown, detail, openEvent, fieldOf, follow, eventsOfRequest, exportCsv };
}
