// Evasions the views undo, the allow-list of vendor examples, and chat scanning across messages.
import { BUILTIN_RULES, BUILTIN_VERSION, DlpEngine, DEFAULT_ALLOW_LIST, checkRuleSet, compileRuleSet } from './index';
import { decodeRun } from './views';

const compile = ({ views = true, allowList }: { views?: boolean; allowList?: string[] } = {}) =>
  DlpEngine.compile(BUILTIN_RULES, { version: BUILTIN_VERSION, hashKey: Buffer.alloc(32, 3), views, allowList });
const engine = compile();
const plain = compile({ views: false });

const TOKEN = 'ghp_R7x2Kq9LmZ4vT8nB3wY6cP1sD5fH0jG2kA7e';
const spans = (e: DlpEngine, text: string) => e.scan(text).findings.map((f) => [f.category, text.slice(f.start, f.end)]);

describe('views', () => {
  it('decodes a base64 run and reports the encoded span', () => {
    const encoded = Buffer.from(`token=${TOKEN}`).toString('base64');
    const text = `echo ${encoded} | base64 -d`;
    expect(spans(engine, text)).toEqual([['secret', encoded]]);
    expect(spans(plain, text)).toEqual([]);
  });

  it('decodes a base64 run at either end of the text, with its padding', () => {
    const encoded = Buffer.from('password=Tiger#2024').toString('base64');
    expect(encoded.endsWith('=')).toBe(true);
    for (const text of [encoded, `${encoded} | base64 -d`, `echo ${encoded}`]) expect(spans(engine, text)).toEqual([['secret', encoded]]);
  });

  it('decodes a Kubernetes Secret data value with its key', () => {
    const encoded = Buffer.from('Tiger#2024').toString('base64');
    expect(spans(engine, `kind: Secret\ndata:\n  password: ${encoded}`)).toEqual([['secret', encoded]]);
  });

  it('decodes hex, and leaves hashes that decode to binary alone', () => {
    expect(decodeRun(Buffer.from('password=Tiger#2024').toString('hex'))).toBe('password=Tiger#2024');
    expect(decodeRun('da39a3ee5e6b4b0d3255bfef95601890afd80709')).toBeNull();
    expect(decodeRun('processedOrderCountForUser')).toBeNull();
  });

  it('joins concatenated string literals', () => {
    const text = `const t = "${TOKEN.slice(0, 15)}" + "${TOKEN.slice(15)}";`;
    expect(spans(engine, text)).toEqual([['secret', `${TOKEN.slice(0, 15)}" + "${TOKEN.slice(15)}`]]);
    expect(spans(plain, text)).toEqual([]);
  });

  it('joins a token split over two lines', () => {
    const text = `here:\n${TOKEN.slice(0, 20)}\n${TOKEN.slice(20)}`;
    expect(spans(engine, text)).toEqual([['secret', `${TOKEN.slice(0, 20)}\n${TOKEN.slice(20)}`]]);
  });

  it('removes spaces between spaced-out letters', () => {
    const spaced = 'AKIAQ3EGXTZ7V5LN2MWB'.split('').join(' ');
    expect(spans(engine, `key: ${spaced}`)).toEqual([['secret', spaced]]);
  });

  it('folds Cyrillic look-alikes in a token prefix (UTS #39 skeleton) and strips a byte-order mark', () => {
    const disguised = `g\u04bbp_${TOKEN.slice(4)}`;
    expect(spans(engine, `GITHUB_TOKEN=${disguised}`)).toEqual([['secret', disguised]]);
    expect(spans(engine, `GITHUB_TOKEN=\ufeff${TOKEN}`)).toEqual([['secret', TOKEN]]);
    expect(spans(engine, 'Привет, как дела? Всё хорошо.')).toEqual([]);
  });

  it('leaves ordinary code with long identifiers and split lines alone', () => {
    const code = 'const processedOrderCountForUser = repository.findAllByCustomerIdentifier(id);\nreturn processedOrderCountForUser;';
    expect(spans(engine, code)).toEqual([]);
  });
});

describe('allow-list of vendor examples', () => {
  it('is on by default and configurable per policy', () => {
    expect(DEFAULT_ALLOW_LIST).toContain('AKIAIOSFODNN7EXAMPLE');
    expect(spans(engine, 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE')).toEqual([]);
    expect(spans(engine, 'test card 4111 1111 1111 1111')).toEqual([]);
    expect(spans(engine, 'STRIPE_KEY=sk_test_51EXAMPLEaB3dE5fG7hJ9kL1mN3p')).toEqual([]);
    expect(spans(compile({ allowList: [] }), 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE')).toEqual([['secret', 'AKIAIOSFODNN7EXAMPLE']]);
    const policy = compileRuleSet({ builtinPack: true, allowList: ['AKIAQ3EGXTZ7V5LN2MWB'] }, 'v1');
    expect(policy.scan('key AKIAQ3EGXTZ7V5LN2MWB').findings).toEqual([]);
    expect(policy.scan('key AKIAIOSFODNN7EXAMPLE').findings).toHaveLength(1);
  });

  it('is checked as policy data', () => {
    const bad = checkRuleSet({ builtinPack: true, allowList: ['ok-value', 42, '***'] });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems).toEqual([
      'allowList[1]: must be a string of 4 to 256 characters besides *',
      'allowList[2]: must be a string of 4 to 256 characters besides *',
    ]);
  });
});

describe('scanMessages', () => {
  it('finds a token split over two chat messages and masks each part in its own message', () => {
    const messages = [`my token is ${TOKEN.slice(0, 18)}`, `${TOKEN.slice(18)} why does it fail?`];
    const result = engine.scanMessages(messages);
    expect(result.action).toBe('mask');
    expect(result.messages.map((m) => m.text)).toEqual(['my token is [MASKED:secret.github_token]', '[MASKED:secret.github_token] why does it fail?']);
    expect(result.messages.map((m) => m.findings.map((f) => [f.start, f.end]))).toEqual([[[12, 30]], [[0, TOKEN.length - 18]]]);
  });

  it('scans each message like a single text when nothing spans two', () => {
    const result = engine.scanMessages(['hello', 'mail kim.cs@acme.co.kr']);
    expect(result.messages[0]).toEqual({ text: 'hello', findings: [] });
    expect(result.messages[1]!.findings.map((f) => f.ruleId)).toEqual(['pii.email']);
  });
});
