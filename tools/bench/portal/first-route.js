#!/usr/bin/env node
// The portal's weight and Lighthouse scores. Not a test: it prints numbers next to the targets.
//   1. First-route JavaScript: what a browser must fetch before the home page runs (the entry script and the
//      chunks index.html preloads), gzip -9 and brotli, against the 250 KB gzip budget; the lazy pages' chunks.
//   2. Lighthouse (performance, accessibility, best practices) of the home page, desktop, through a test mesh's
//      Envoy over HTTPS with a dev bearer token, in Debian's Chromium. Skipped with --no-lighthouse.
//
//   tools/airlock bootstrap pnpm exec turbo run build --filter=@airlock/portal --filter=@airlock/cli...
//   tools/airlock bootstrap node tools/bench/portal/first-route.js [--no-lighthouse] [--runs 3]
'use strict';
const { spawn } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { brotliCompressSync, gzipSync } = require('node:zlib');

const { values: args } = parseArgs({ options: { 'no-lighthouse': { type: 'boolean', default: false }, runs: { type: 'string', default: '3' } } });
const ROOT = path.resolve(__dirname, '..', '..', '..');
const WEB = path.join(ROOT, 'apps', 'portal', 'dist', 'web');
const BUDGET_KB = 250;
const kb = (bytes) => (bytes / 1024).toFixed(1);

function weights() {
  const html = readFileSync(path.join(WEB, 'index.html'), 'utf8');
  const first = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]);
  const sizes = (name) => {
    const body = readFileSync(path.join(WEB, 'assets', name));
    return { name, raw: body.length, gzip: gzipSync(body, { level: 9 }).length, br: brotliCompressSync(body).length };
  };
  const entry = first.map(sizes);
  const total = entry.reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip, br: t.br + f.br }), { raw: 0, gzip: 0, br: 0 });
  console.log('First-route JavaScript (index.html: entry script + modulepreloads)');
  for (const f of entry) console.log(`  ${f.name.padEnd(40)} ${kb(f.raw).padStart(8)} KB raw  ${kb(f.gzip).padStart(7)} KB gzip  ${kb(f.br).padStart(7)} KB br`);
  console.log(`  ${'total'.padEnd(40)} ${kb(total.raw).padStart(8)} KB raw  ${kb(total.gzip).padStart(7)} KB gzip  ${kb(total.br).padStart(7)} KB br`);
  console.log(`  budget ${BUDGET_KB} KB gzip: ${total.gzip <= BUDGET_KB * 1024 ? 'within' : 'OVER'} (${((total.gzip / (BUDGET_KB * 1024)) * 100).toFixed(0)} %)`);
  const lazy = require('node:fs')
    .readdirSync(path.join(WEB, 'assets'))
    .filter((n) => n.endsWith('.js') && !first.includes(n))
    .map(sizes)
    .sort((a, b) => b.gzip - a.gzip);
  console.log('Loaded later (other pages, the create dialog):');
  for (const f of lazy) console.log(`  ${f.name.padEnd(40)} ${kb(f.gzip).padStart(7)} KB gzip`);
}

/** Chromium with a DevTools port for Lighthouse to drive; the dev CA is not in its trust store. */
async function startChromium(port, userDataDir) {
  const { CHROMIUM_FLAGS, ensureChromium } = require('@airlock/testing');
  const chromium = spawn(await ensureChromium(), [...CHROMIUM_FLAGS, '--ignore-certificate-errors', `--remote-debugging-port=${port}`, `--user-data-dir=${userDataDir}`, 'about:blank'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${port}/json/version`).then((r) => r.ok, () => false)) return chromium;
    await new Promise((r) => setTimeout(r, 100));
  }
  chromium.kill('SIGKILL');
  throw new Error('Chromium did not open its DevTools port');
}

async function lighthouseScores() {
  const { freePort, uniquePrefix } = require('@airlock/testing');
  const { issueDevTokenAt, operatorCredentials, startMesh, stopMesh } = require('@airlock/cli');
  const { default: lighthouse } = await import('lighthouse');
  // Lighthouse's own desktop preset (its throttling: dense 4G, no CPU slowdown), at 1280x720.
  const { default: desktop } = await import('lighthouse/core/config/desktop-config.js');
  const name = uniquePrefix('bench-portal');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-portal-'));
  let chromium;
  console.log('\nLighthouse: starting a test mesh (free ports) ...');
  const mesh = await startMesh({ name, ports: 'free', logLevel: 'warn' });
  try {
    const token = await issueDevTokenAt(`127.0.0.1:${mesh.services.identity.grpc}`, {
      userId: 'alice',
      tenantId: 'acme',
      projectId: '',
      workspaceId: '',
      roles: ['developer'],
      ttlSeconds: 900,
    }, operatorCredentials(mesh));
    const port = await freePort();
    chromium = await startChromium(port, profile);
    const url = `https://localhost:${mesh.envoy.httpsPort}/`;
    const runs = [];
    for (let i = 0; i < Number(args.runs); i++) {
      const result = await lighthouse(
        url,
        { port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility', 'best-practices'], extraHeaders: { authorization: `Bearer ${token}` } },
        { ...desktop, settings: { ...desktop.settings, screenEmulation: { ...desktop.settings.screenEmulation, width: 1280, height: 720 } } },
      );
      const { categories, audits } = result.lhr;
      runs.push({
        performance: categories.performance.score * 100,
        accessibility: categories.accessibility.score * 100,
        'best-practices': categories['best-practices'].score * 100,
        fcp: audits['first-contentful-paint'].numericValue,
        lcp: audits['largest-contentful-paint'].numericValue,
        tbt: audits['total-blocking-time'].numericValue,
      });
      const failing = Object.values(audits).filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === 'binary').map((a) => a.id);
      if (failing.length) console.log(`  run ${i + 1}: audits not passed: ${failing.join(', ')}`);
    }
    const median = (key) => [...runs.map((r) => r[key])].sort((a, b) => a - b)[Math.floor(runs.length / 2)];
    console.log(`Home page ${url} (Lighthouse desktop preset at 1280x720), median of ${runs.length} runs:`);
    console.log(`  performance ${median('performance').toFixed(0)}   accessibility ${median('accessibility').toFixed(0)}   best practices ${median('best-practices').toFixed(0)}`);
    console.log(`  FCP ${median('fcp').toFixed(0)} ms   LCP ${median('lcp').toFixed(0)} ms   TBT ${median('tbt').toFixed(0)} ms`);
  } finally {
    chromium?.kill('SIGTERM');
    await stopMesh(name);
    rmSync(profile, { recursive: true, force: true });
  }
}

async function main() {
  weights();
  if (!args['no-lighthouse']) await lighthouseScores();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
