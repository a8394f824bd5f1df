#!/usr/bin/env node
// What a developer waits for in the portal, in Debian's Chromium through the real Envoy, in one run:
//   1. Page load of the home page until it is usable (the "My workspaces" heading is shown), cold (a new
//      browser context each time) and warm (the same context, assets cached), against a baseline taken in the
//      same run: a navigation to one static file of the portal through the same edge.
//   2. Create -> Running as the user sees it: from the click on "Create" until the card shows Running, against
//      the same through the workspace API alone (POST, then GET until running), so the ratio is what the
//      portal's polling adds to what the driver takes.
// Not a test: nothing here asserts a time.
//
//   tools/airlock bootstrap pnpm exec turbo run build --filter=@airlock/bench...
//   tools/airlock bootstrap node tools/bench/portal/journey.js [--loads 20] [--creates 2]
//
// Starts its own mesh on free ports (namespace bench-portal, local workspace driver) and stops it at the end.
'use strict';
const { readFileSync, readdirSync } = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { chromium, request } = require('playwright-core');
const { issueDevTokenAt, operatorCredentials, startMesh, stopMesh } = require('@airlock/cli');
const { CHROMIUM_FLAGS, ensureChromium, ensureCodeServer } = require('@airlock/testing');
const { percentile, fmt } = require('../lib/load');

const { values: args } = parseArgs({ options: { loads: { type: 'string', default: '20' }, creates: { type: 'string', default: '2' } } });
const LOADS = Number(args.loads);
const CREATES = Number(args.creates);
const NAME = 'bench-portal';
const ROOT = path.resolve(__dirname, '..', '..', '..');
const EN = JSON.parse(readFileSync(path.join(ROOT, 'apps/portal/web/src/i18n/en.json'), 'utf8'));
const WORKSPACES = '/api/workspace/v1/workspaces';

const summary = (ms) => `P50 ${fmt(percentile(ms, 50))} ms  P95 ${fmt(percentile(ms, 95))} ms  (n=${ms.length})`;
const ratio = (ms, base) => `${(percentile(ms, 95) / percentile(base, 95)).toFixed(1)}x the baseline at P95`;

/** Milliseconds from the start of a navigation to `url` until `ready` resolves on the page. */
async function timedLoad(page, url, ready) {
  const started = performance.now();
  await page.goto(url);
  await ready(page);
  return performance.now() - started;
}

const homeUsable = (page) => page.getByRole('heading', { level: 1, name: EN.workspaces.title }).waitFor({ timeout: 30_000 });

async function pageLoads(browser, contextOptions, edge) {
  const asset = readdirSync(path.join(ROOT, 'apps/portal/dist/web/assets')).find((n) => n.endsWith('.css')) ?? 'index.html';
  const baseline = [];
  const cold = [];
  const warm = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext(contextOptions);
    const page = await context.newPage();
    baseline.push(await timedLoad(page, `${edge}/assets/${asset}`, async () => undefined));
    cold.push(await timedLoad(page, `${edge}/`, homeUsable));
    warm.push(await timedLoad(page, `${edge}/`, homeUsable));
    await context.close();
  }
  console.log('Home page until usable ("My workspaces" shown), 1280x720, en-US:');
  console.log(`  baseline: one static file, same edge   ${summary(baseline)}`);
  console.log(`  cold (new browser context)             ${summary(cold)}   ${ratio(cold, baseline)}`);
  console.log(`  warm (assets cached)                   ${summary(warm)}   ${ratio(warm, baseline)}`);
}

/** The owner API through the edge with the bench's bearer token (Playwright's client: the edge's CA is a dev one). */
async function api(client, method, route, body) {
  const res = await client.fetch(route, { method, data: body });
  if (!res.ok()) throw new Error(`${method} ${route}: ${res.status()} ${await res.text()}`);
  return res.status() === 204 ? undefined : res.json();
}

async function until(what, check, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Deletes the workspace and waits until the owner's list no longer has it (the next create would get 409). */
async function deleteAndWait(client, id) {
  await api(client, 'DELETE', `${WORKSPACES}/${id}`);
  await until(`${id} gone`, async () => !(await api(client, 'GET', WORKSPACES)).workspaces.some((w) => w.id === id));
}

async function createThroughApi(client) {
  const started = performance.now();
  const { id } = await api(client, 'POST', WORKSPACES, { project_id: 'payments', size: 'small' });
  await until(`${id} running`, async () => (await api(client, 'GET', `${WORKSPACES}/${id}`)).state === 'running');
  const ms = performance.now() - started;
  await deleteAndWait(client, id);
  return ms;
}

async function createInPortal(browser, contextOptions, edge, client) {
  const context = await browser.newContext(contextOptions);
  try {
    const page = await context.newPage();
    await page.goto(`${edge}/`);
    await homeUsable(page);
    await page.getByRole('button', { name: EN.workspaces.create }).click();
    const dialog = page.getByRole('dialog', { name: EN.create.title });
    await dialog.getByText('payments').waitFor();
    const created = page.waitForResponse((r) => r.url().endsWith(WORKSPACES) && r.request().method() === 'POST');
    const started = performance.now();
    await dialog.getByRole('button', { name: EN.create.submit }).click();
    const { id } = await (await created).json();
    await page.locator(`article[data-workspace-id="${id}"]`).getByTestId('workspace-state').filter({ hasText: EN.state.running }).waitFor({ timeout: 180_000 });
    const ms = performance.now() - started;
    await deleteAndWait(client, id);
    return ms;
  } finally {
    await context.close();
  }
}

async function creates(browser, contextOptions, edge, client) {
  const viaApi = [];
  const viaPortal = [];
  for (let i = 0; i < CREATES; i++) {
    viaApi.push(await createThroughApi(client));
    viaPortal.push(await createInPortal(browser, contextOptions, edge, client));
  }
  console.log('Create -> Running (local driver, a real code-server), size small:');
  console.log(`  baseline: workspace API, polled every 100 ms   ${summary(viaApi)}`);
  console.log(`  as the user sees it in the portal              ${summary(viaPortal)}   ${ratio(viaPortal, viaApi)}`);
}

async function main() {
  const executablePath = await ensureChromium();
  await ensureCodeServer();
  console.log(`Starting a test mesh (free ports, local workspace driver) ...`);
  const mesh = await startMesh({ name: NAME, ports: 'free', workspaceDriver: 'local', logLevel: 'warn' });
  const browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS] });
  try {
    const edge = `https://localhost:${mesh.envoy.httpsPort}`;
    const token = await issueDevTokenAt(`127.0.0.1:${mesh.services.identity.grpc}`, {
      userId: 'alice',
      tenantId: 'acme',
      projectId: 'payments',
      workspaceId: '',
      roles: ['developer'],
      ttlSeconds: 3600,
    }, operatorCredentials(mesh));
    const contextOptions = { locale: 'en-US', viewport: { width: 1280, height: 720 }, ignoreHTTPSErrors: true, extraHTTPHeaders: { authorization: `Bearer ${token}` } };
    const client = await request.newContext({ baseURL: edge, ignoreHTTPSErrors: true, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
    await pageLoads(browser, contextOptions, edge);
    await creates(browser, contextOptions, edge, client);
    await client.dispose();
  } finally {
    await browser.close();
    await stopMesh(NAME);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
