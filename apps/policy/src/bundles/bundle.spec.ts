import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '@airlock/config';
import { policyConfig } from '../config';
import { DEFAULT_BUNDLE_FILE, bundleProblems, loadBundleFile, parseCidr } from './bundle';

describe('policy bundle loading', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-policy-bundle-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: unknown) => {
    const file = path.join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };
  const base = () => JSON.parse(JSON.stringify(loadBundleFile(DEFAULT_BUNDLE_FILE)));

  it('loads the built-in bundle when POLICY_BUNDLE_FILE is unset', () => {
    const cfg = loadConfig(policyConfig, { IDENTITY_ADDR: '127.0.0.1:1' });
    expect(cfg.POLICY_BUNDLE_FILE.path).toBe(DEFAULT_BUNDLE_FILE);
    expect(cfg.POLICY_BUNDLE_FILE.bundle.rules.map((r) => r.id)).toContain('ep.chat.allow');
    expect(cfg.POLICY_IDENTITY_DEADLINE_MS).toBe(800);
  });

  it('fails configuration naming POLICY_BUNDLE_FILE and the problem', () => {
    const broken = base();
    broken.rules[1].allow.roles = [];
    broken.rules[2].id = broken.rules[0].id;
    const file = write('broken.json', broken);
    try {
      loadConfig(policyConfig, { IDENTITY_ADDR: '127.0.0.1:1', POLICY_BUNDLE_FILE: file });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const [problem] = (error as ConfigError).problems;
      expect(problem.variable).toBe('POLICY_BUNDLE_FILE');
      expect(problem.message).toContain(file);
      expect(problem.message).toContain('rules.1.allow.roles');
      expect(problem.message).toContain('duplicate rule id "ep.chat.allow"');
    }
  });

  it('refuses unknown fields, bad JSON, missing files, header-unsafe routes and non-canonical prefixes', () => {
    const extra = base();
    extra.rules[0].allow.everyone = true;
    expect(() => loadBundleFile(write('extra.json', extra))).toThrow(/rules\.0\.allow/);
    expect(() => loadBundleFile(write('bad.json', '{ nope'))).toThrow(/bad\.json/);
    expect(() => loadBundleFile(path.join(dir, 'absent.json'))).toThrow(/absent\.json/);
    const unsafe = base();
    unsafe.rules[0].route.model = 'evil\r\nx-user-id: root';
    expect(() => loadBundleFile(write('unsafe.json', unsafe))).toThrow(/rules\.0\.route\.model/);
    const dotted = base();
    dotted.rules[0].match.pathPrefix = '/v1/../admin';
    expect(() => loadBundleFile(write('dotted.json', dotted))).toThrow(/pathPrefix/);
  });
});

describe('bundle references', () => {
  const base = () => JSON.parse(JSON.stringify(loadBundleFile(DEFAULT_BUNDLE_FILE)));

  it('lists every broken reference: backends, aliases, duplicates, conditions', () => {
    const b = base();
    b.backends.push('chat');
    b.modelAliases.push({ ...b.modelAliases[0] }, { alias: 'x', backend: 'gone', model: 'm' });
    // Indexes of what was pushed, whatever the default bundle holds.
    const [backend, alias] = [b.backends.length - 1, b.modelAliases.length - 2];
    b.rules[0].route.backend = 'nowhere';
    b.rules[1].models = ['airlock-code', 'missing'];
    b.rules[2].when = { projects: ['p1'], project: 'forbidden', clientIps: ['10.0.0.0/33', 'fd00::/8'] };
    // All at once: field problems and references are reported together.
    expect(bundleProblems(b).problems).toEqual([
      expect.stringMatching(/^rules\.2\.when\.clientIps\.0: an IPv4\/IPv6 address or CIDR block/),
      `backends.${backend}: duplicate backend "chat"`,
      `modelAliases.${alias}.alias: duplicate model alias "airlock-chat"`,
      `modelAliases.${alias + 1}.backend: unknown backend "gone" (not in backends)`,
      'rules.0.route.backend: unknown backend "nowhere" (not in backends)',
      'rules.1.models.1: unknown model alias "missing" (not in modelAliases)',
      'rules.2.when: projects listed but project is forbidden',
    ]);
  });

  it('accepts the realistic bench bundle', () => {
    expect(bundleProblems(JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'bench', 'realistic-bundle.json'), 'utf8'))).problems).toEqual([]);
  });

  it('parses addresses and blocks', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ type: 'ipv4', address: '10.0.0.0', prefix: 8 });
    expect(parseCidr('::1')).toEqual({ type: 'ipv6', address: '::1', prefix: 128 });
    for (const bad of ['10.0.0.0/x', '10.0.0.0/8/8', 'host', '10.0.0.0/', '::/129']) expect(parseCidr(bad)).toBeUndefined();
  });
});
