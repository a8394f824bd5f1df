#!/usr/bin/env node
// Rate-limiter cost: `node apps/policy/bench/limits.js` after building policy (turbo run build --filter
// @airlock/policy...). Uses the harness's real local Redis (startInfra; its keys are removed afterwards).
// Prints, each the median of 5 rounds:
//  1. µs per limiter check (one atomic GCRA script; 1 and 3 buckets) against the baseline measured in the same run,
//     a plain Redis PING round trip on its own connection — as a ratio;
//  2. the same pipelined (64 in flight): checks/s vs PINGs/s;
//  3. ext_authz Check in-process (cached principal, reused assertion), P50/P99 µs, with the built-in bundle and
//     with the same bundle plus two rate limits — the limiter's effect on Check latency.
'use strict';
const { join } = require('node:path');
const { Redis } = require('ioredis');
const { startInfra, uniquePrefix, withRedisUser } = require('@airlock/testing');
const { loadConfig, redisAuthShape } = require('@airlock/config');
const { airlock, envoy } = require('@airlock/contracts');
const { createLogger } = require('@airlock/telemetry');

const dist = (p) => require(join(__dirname, '..', 'dist', p));
const { RateLimiter } = dist('limits/rate-limiter');
const { CompiledLimits } = dist('limits/compiled-limits');
const { limitsSection } = dist('limits/limits-schema');
const { LimitsGuard } = dist('limits/limits-guard');
const { TokenBudgets } = dist('limits/token-budgets');
const { CheckRequestUseCase } = dist('authz/check.usecase');
const { ActiveBundle } = dist('bundles/active-bundle');
const { DEFAULT_BUNDLE_FILE, loadBundleFile } = dist('bundles/bundle');
const { DecisionMetrics } = dist('decision/decision-metrics');
const { PrincipalCache } = dist('authz/principal-cache');
const { AssertionIssuer } = dist('authz/assertion-issuer');

const ROUNDS = 5;
const logger = createLogger('policy-limits-bench', 'fatal');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const principal = (i) => ({
  subject: `u-${i}`,
  userId: `u-${i}`,
  tenantId: 't-bench',
  projectId: `p-${i % 10}`,
  workspaceId: '',
  roles: ['developer'],
  kind: airlock.identity.v1.PrincipalKind.PRINCIPAL_KIND_USER,
});
// Generous limits: the bench measures the cost of a check, not refusals (which cost the same script).
const LIMITS = {
  rateLimits: [
    { id: 'rl.all.user', key: ['user'], rate: { requests: 1_000_000, perSeconds: 1 }, burst: 1_000_000 },
    { id: 'rl.chat.project', match: { pathPrefix: '/v1/chat' }, key: ['project'], rate: { requests: 1_000_000, perSeconds: 1 }, burst: 1_000_000 },
    { id: 'rl.chat.user', match: { pathPrefix: '/v1/chat' }, key: ['user'], rate: { requests: 1_000_000, perSeconds: 1 }, burst: 1_000_000 },
  ],
};

/** µs per call, sequential, median of ROUNDS. */
async function sequential(n, fn) {
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < n / 10; i++) await fn(i);
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn(i);
    rounds.push(Number(process.hrtime.bigint() - start) / n / 1000);
  }
  return median(rounds);
}

/** Calls per second with `inFlight` concurrent callers, median of ROUNDS. */
async function throughput(n, inFlight, fn) {
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    let next = 0;
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < n) await fn(next++);
    }));
    rounds.push(n / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  return median(rounds);
}

/** P50/P99 µs of single calls, all rounds pooled. */
async function percentiles(n, fn) {
  const samples = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < n / 10; i++) await fn(i);
    for (let i = 0; i < n; i++) {
      const start = process.hrtime.bigint();
      await fn(i);
      samples.push(Number(process.hrtime.bigint() - start) / 1000);
    }
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length * 0.5)], p99: samples[Math.floor(samples.length * 0.99)] };
}

async function checkUseCase(bundle, limiter, issuer) {
  const config = { POLICY_BUNDLE_FILE: { path: 'bench', bundle } };
  const active = new ActiveBundle(config);
  const cache = new PrincipalCache({ POLICY_AUTH_CACHE_TTL_MS: 3_600_000, POLICY_AUTH_CACHE_MAX: 10_000 }, logger);
  const verifier = { verify: async (token) => ({ valid: true, principal: principal(Number(token.slice(4))), errorCode: '', expiresAtUnix: 0 }) };
  const guard = new LimitsGuard(active, limiter, new TokenBudgets({}, logger), logger);
  return new CheckRequestUseCase(active, verifier, new DecisionMetrics(), logger, cache, issuer, guard);
}

const checkRequest = (i) =>
  envoy.service.auth.v3.CheckRequest.fromPartial({
    attributes: {
      source: { address: { socketAddress: { address: '198.51.100.23', portValue: 50123 } } },
      request: { http: { method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer tok-${i % 100}`, 'x-correlation-id': `corr-bench-${i}-0000` } } },
    },
  });

async function main() {
  const infra = await startInfra({ components: ['redis'] });
  const prefix = `${uniquePrefix('policy_bench')}:`;
  // Both as policy's own Redis user (the default user is off), so the baseline pays the same sign-in and ACL checks.
  const auth = loadConfig(redisAuthShape, await withRedisUser(infra.redis, 'policy', { POLICY_LIMITS_REDIS_PREFIX: prefix }));
  const ping = new Redis(infra.redis.url, { username: auth.REDIS_USERNAME, password: auth.REDIS_PASSWORD_FILE.reveal() });
  const limiter = new RateLimiter({ REDIS_URL: infra.redis.url, ...auth, POLICY_LIMITS_REDIS_PREFIX: prefix, POLICY_LIMITS_REDIS_TIMEOUT_MS: 1_000, POLICY_LIMITS_REPLICAS: 1 }, logger);
  await limiter.onModuleInit();
  await ping.ping();
  const compiled = new CompiledLimits(limitsSection.parse(LIMITS));
  const one = Array.from({ length: 100 }, (_, i) => compiled.buckets(principal(i), '/v1/autocomplete', 'POST'));
  const three = Array.from({ length: 100 }, (_, i) => compiled.buckets(principal(i), '/v1/chat', 'POST'));

  const pingUs = await sequential(5_000, () => ping.ping());
  const oneUs = await sequential(5_000, (i) => limiter.check(one[i % 100]));
  const threeUs = await sequential(5_000, (i) => limiter.check(three[i % 100]));
  console.log(`Redis ${infra.redis.url.replace(/\/\/.*@/, '//')} — sequential, µs per call (median of ${ROUNDS} rounds)`);
  console.log(`  baseline PING round trip          ${pingUs.toFixed(1).padStart(7)} µs   1.00x`);
  console.log(`  limiter check, 1 bucket           ${oneUs.toFixed(1).padStart(7)} µs   ${(oneUs / pingUs).toFixed(2)}x PING`);
  console.log(`  limiter check, 3 buckets          ${threeUs.toFixed(1).padStart(7)} µs   ${(threeUs / pingUs).toFixed(2)}x PING`);

  const pingRate = await throughput(20_000, 64, () => ping.ping());
  const checkRate = await throughput(20_000, 64, (i) => limiter.check(three[i % 100]));
  console.log(`64 in flight, calls/s (median of ${ROUNDS} rounds)`);
  console.log(`  baseline PING                     ${Math.round(pingRate).toString().padStart(7)} /s`);
  console.log(`  limiter check, 3 buckets          ${Math.round(checkRate).toString().padStart(7)} /s   ${(checkRate / pingRate).toFixed(2)}x PING`);

  const base = loadBundleFile(DEFAULT_BUNDLE_FILE);
  const issuer = new AssertionIssuer({ POLICY_ASSERTION_TTL_SECONDS: 60, POLICY_ASSERTION_REUSE_MS: 30_000, POLICY_AUTH_CACHE_MAX: 10_000, POLICY_ASSERTION_GENERATE_KEY: false }, logger);
  await issuer.onModuleInit();
  const without = await checkUseCase(base, limiter, issuer);
  const withLimits = await checkUseCase({ ...base, limits: limitsSection.parse(LIMITS) }, limiter, issuer);
  for (const uc of [without, withLimits]) {
    const res = await uc.execute(checkRequest(0));
    if (res.status.code !== 0) throw new Error(`bench Check was denied: ${res.deniedResponse && res.deniedResponse.body}`);
  }
  const a = await percentiles(5_000, (i) => without.execute(checkRequest(i)));
  const b = await percentiles(5_000, (i) => withLimits.execute(checkRequest(i)));
  console.log('ext_authz Check in-process (cached principal), µs');
  console.log(`  without limits                    P50 ${a.p50.toFixed(1).padStart(7)}   P99 ${a.p99.toFixed(1).padStart(7)}`);
  console.log(`  with 3 rate limits (Redis)        P50 ${b.p50.toFixed(1).padStart(7)}   P99 ${b.p99.toFixed(1).padStart(7)}   +${(b.p50 - a.p50).toFixed(1)} µs at P50 (${(b.p50 / pingUs).toFixed(2)}x PING)`);

  const keys = await ping.keys(`${prefix}*`);
  for (let i = 0; i < keys.length; i += 500) await ping.del(...keys.slice(i, i + 500));
  await limiter.onApplicationShutdown();
  await ping.quit();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
