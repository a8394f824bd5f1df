import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { SAMPLE_CUSTOM_RULE, scanReport, scanWithBuiltinPack } from '@airlock/dlp-engine';
import { loadCorpus } from '@airlock/dlp-engine/corpus';
import { GrpcStatus, createClient, unary } from '@airlock/grpc';
import { bootService, type RunningService } from '@airlock/runtime';
import { freePort } from '@airlock/testing';
import { DEFAULT_BUNDLE_FILE, InvalidBundleError, loadBundleFile } from '../src/bundles/bundle';
import { policyService } from '../src/service';
import { policyAssertionKey } from './support/edge';

const projectRule = SAMPLE_CUSTOM_RULE;

/** What `tools/airlock dlp scan --json` prints for the text (the same function, as JSON travels). */
const cliJson = (text: string): unknown => JSON.parse(JSON.stringify(scanReport(scanWithBuiltinPack(text))));

const edge = policyAssertionKey();
afterAll(() => edge.remove());

async function boot(bundleFile?: string): Promise<RunningService> {
  return bootService(policyService, {
    MTLS_OFF_FOR_DEVELOPMENT: 'true',
    ...edge.env,
    GRPC_PORT: String(await freePort()),
    HTTP_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    IDENTITY_ADDR: '127.0.0.1:1',
    LOG_LEVEL: 'warn',
    ...(bundleFile ? { POLICY_BUNDLE_FILE: bundleFile } : {}),
  });
}

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-policy-dlp-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bundleWith(name: string, dlp: unknown, version = 'dlp-test-1'): string {
  const bundle = { ...JSON.parse(JSON.stringify(loadBundleFile(DEFAULT_BUNDLE_FILE))), version, dlp };
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(bundle));
  return file;
}

describe('bundle dlp section', () => {
  it('is checked with the engine at load, naming every problem', () => {
    const file = bundleWith('bad.json', {
      builtinPack: true,
      overrides: [{ ruleId: 'no.such.rule', disabled: true }],
      customRules: [
        { ...projectRule, id: 'custom.lookbehind', pattern: '(?<=x)y' },
        { ...projectRule, id: 'custom.silent', examples: { positive: ['nothing'], negative: ['x'] } },
      ],
    });
    expect(() => loadBundleFile(file)).toThrow(InvalidBundleError);
    expect(() => loadBundleFile(file)).toThrow(/no\.such\.rule.*built-in pack/);
    const message = (() => {
      try {
        loadBundleFile(bundleWith('bad-rules.json', { builtinPack: true, customRules: [{ ...projectRule, id: 'custom.lookbehind', pattern: '(?<=x)y' }, { ...projectRule, id: 'custom.silent', examples: { positive: ['nothing'], negative: ['x'] } }] }));
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/custom\.lookbehind.*RE2/);
    expect(message).toMatch(/custom\.silent.*positive example #1 is not detected/);
  });

  it('is optional, and the default bundle carries the built-in pack unchanged', () => {
    expect(loadBundleFile(DEFAULT_BUNDLE_FILE).dlp).toEqual({ builtinPack: true, overrides: [], customRules: [] });
  });
});

describe('PolicyService.GetDlpRules', () => {
  let service: RunningService;
  let client: airlock.policy.v1.PolicyServiceClient;

  beforeAll(async () => {
    service = await boot(
      bundleWith('custom.json', {
        builtinPack: true,
        overrides: [{ ruleId: 'pii.email', action: 'mask' }, { ruleId: 'classification.confidential', disabled: true }],
        customRules: [{ ...projectRule, entropy: 1.5, context: { words: ['project'], window: 20, required: false } }],
      }),
    );
    client = createClient(airlock.policy.v1.PolicyServiceClient, service.grpcAddress);
  });
  afterAll(async () => {
    client?.close();
    await service?.close();
  });

  it('returns the active version’s rule set, complete', async () => {
    const res = await unary(client.getDlpRules.bind(client), { policyVersion: '' });
    expect(res.policyVersion).toBe('dlp-test-1');
    expect(res.ruleSet).toEqual({
      builtinPack: true,
      overrides: [
        { ruleId: 'pii.email', disabled: false, action: 'mask' },
        { ruleId: 'classification.confidential', disabled: true, action: '' },
      ],
      customRules: [
        {
          ...projectRule,
          keywords: [],
          validator: '',
          entropy: 1.5,
          context: { words: ['project'], window: 20, required: false, forbidden: [] },
          examples: projectRule.examples,
        },
      ],
      // No allow-list in the bundle: absent on the wire, and the dlp service uses the engine's default list.
      allowList: undefined,
    });
    expect((await unary(client.getDlpRules.bind(client), { policyVersion: 'dlp-test-1' })).policyVersion).toBe('dlp-test-1');
  });

  it('answers NOT_FOUND for a version it does not hold', async () => {
    const error = await unary(client.getDlpRules.bind(client), { policyVersion: 'nope' }).catch((e: { code: number; metadata: { get(k: string): unknown[] } }) => e);
    expect(error).toMatchObject({ code: GrpcStatus.NOT_FOUND });
    expect((error as { metadata: { get(k: string): unknown[] } }).metadata.get('x-error-code')).toEqual(['policy_version_unknown']);
  });
});

describe('POST /api/policy/v1/dlp/test', () => {
  let service: RunningService;
  let url: string;
  const post = (body: unknown, headers: Record<string, string> = edge.as({ userId: 'u-security', roles: ['security-admin'] })) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    service = await boot();
    url = `http://${service.httpAddress}/api/policy/v1/dlp/test`;
  });
  afterAll(async () => service?.close());

  it('returns the same result as `tools/airlock dlp scan --json` for every corpus text', async () => {
    const corpus = loadCorpus();
    expect(corpus.length).toBeGreaterThan(150);
    const active = loadBundleFile(DEFAULT_BUNDLE_FILE).version;
    for (const line of corpus) {
      const res = await post({ text: line.text });
      expect(res.status).toBe(200);
      const api = (await res.json()) as object;
      const cli = cliJson(line.text) as object;
      expect({ source: line.source, ...api }).toEqual({ source: line.source, ...cli, policy_version: active });
    }
    // The CLI compiles the pack on every run, ~40 ms each.
  }, 90_000);

  it('adds draft custom rules to the active ones', async () => {
    const res = await post({ text: 'status of PROJECT-ZEUS, key AKIAQ3EGXTZ7V5LN2MWB', rules: [projectRule], direction: 'outbound' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      action: 'block',
      text: '',
      findings: [
        { ruleId: 'custom.project_code', category: 'classification', start: 10, end: 22 },
        { ruleId: 'secret.aws_access_key_id', category: 'secret', start: 28, end: 48 },
      ],
    });
  });

  it('refuses invalid draft rules with 400 listing every problem', async () => {
    const res = await post({
      text: 'x',
      rules: [
        { ...projectRule, id: 'custom.lookbehind', pattern: '(?<=x)y' },
        { ...projectRule, id: 'custom.silent', examples: { positive: ['nothing'], negative: ['PROJECT-ABCD'] } },
        { ...projectRule, id: 'pii.email' },
      ],
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('invalid_dlp_rules');
    expect(error.message).toMatch(/custom\.lookbehind.*RE2/);
    expect(error.message).toMatch(/custom\.silent.*positive example #1 is not detected/);
    expect(error.message).toMatch(/custom\.silent.*negative example #1 is detected/);
    const dup = await post({ text: 'x', rules: [{ ...projectRule, id: 'pii.email' }] });
    expect(dup.status).toBe(400);
    expect(((await dup.json()) as { error: { message: string } }).error.message).toMatch(/pii\.email.*duplicate id/);
  });

  it("cannot test a draft's rules without a bundle store", async () => {
    const res = await post({ text: 'x', draft_id: '00000000-0000-4000-8000-000000000000' });
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([503, 'bundle_store_not_configured']);
  });

  it('refuses a malformed body and an unauthenticated caller', async () => {
    expect((await post({ rules: [] })).status).toBe(400);
    expect((await post({ text: 'x', direction: 'sideways' })).status).toBe(400);
    expect((await post({ text: 'x' }, {})).status).toBe(401);
    expect((await post({ text: 'x' }, edge.refused({ userId: 'u-security', roles: ['security-admin'] }).forged)).status).toBe(401);
  });
});
