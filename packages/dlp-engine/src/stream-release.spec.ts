// When the stream scanner releases text: as soon as no rule or view can still be matching across the end of what
// has arrived (open-matches.ts), and never a character of what a whole-text scan would mask.
import RE2 from 're2';
import { loadCorpus } from './corpus';
import { BUILTIN_RULES, BUILTIN_VERSION, DlpEngine, PseudonymVault, STREAM_WINDOW_BASE, type RuleDefinition, type StreamScanner } from './index';
import { OpenMatches } from './open-matches';
import { prng } from './prng';
import { makeCard } from './test-helpers';

const engine = DlpEngine.compile(BUILTIN_RULES, { version: BUILTIN_VERSION, hashKey: Buffer.alloc(32, 1) });

/** Pushes each chunk; returns the output and, after each push, how many characters were still withheld. */
function stream(scanner: StreamScanner, chunks: string[]): { out: string; held: number[] } {
  let out = '';
  let pushed = 0;
  const held: number[] = [];
  for (const c of chunks) {
    out += scanner.push(c);
    pushed += c.length;
    held.push(pushed - out.length);
  }
  return { out: out + scanner.end(), held };
}

/** Word-sized pieces with random splits, as model tokens arrive. */
function tokens(text: string, rand: () => number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(rand() * 6);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

const ENGLISH =
  'Sure! To sort a list in Python you can call the built-in sorted function, which returns a new list, or the ' +
  'sort method, which sorts the list in place. Both accept a key function and a reverse flag. For example, ' +
  'sorting words by their length is a one-liner. Let me know if you would like more examples or an explanation ' +
  'of how the sort stays stable when two keys compare equal.';
const KOREAN =
  '네, 파이썬에서 리스트를 정렬하려면 내장 함수 sorted를 쓰거나 리스트의 sort 메서드를 쓰면 됩니다. 두 방법 모두 ' +
  '키 함수와 역순 옵션을 받습니다. 예를 들어 단어를 길이 순으로 정렬하는 것은 한 줄이면 충분합니다. 더 궁금한 점이 ' +
  '있으면 말씀해 주세요.';

describe('stream release point', () => {
  it.each([
    ['English', ENGLISH, 16],
    ['Korean', KOREAN, 8],
  ])('releases ordinary %s prose within a few characters of its end', (_, text, bound) => {
    const rand = prng(11);
    const scanner = engine.streamScanner();
    const chunks = tokens(text, rand);
    const { out, held } = stream(scanner, chunks);
    expect(out).toBe(text);
    // Until now the scanner withheld the last 336 characters: nothing came out of an answer this short before its end.
    expect(Math.max(...held)).toBeLessThanOrEqual(bound);
    expect(held[0]).toBeLessThanOrEqual(chunks[0]!.length);
  });

  it('withholds a value that may still grow into a secret, and releases what comes before it', () => {
    const scanner = engine.streamScanner();
    const first = scanner.push('Your token is ghp_R7x2Kq9LmZ4v');
    expect(first).toBe('Your token is');
    const rest = scanner.push('T8nB3wY6cP1sD5fH0jG2kA7e. Keep it safe') + scanner.end();
    expect(first + rest).toBe('Your token is [MASKED:secret.github_token]. Keep it safe');
  });

  it('masks the value of a match that closed while its start was already released', () => {
    // The URL's password is the finding; the match starts at "postgres", and an e-mail address may still be
    // growing from the password on, so the release point falls between the two.
    const chunks = ['hello\np', 'o', 's', 'tgres', '://app:', 'lDn', '6V9tZ', 'w72', 'Y@db', ':5432', '/app\n', 'more'];
    const { out } = stream(engine.streamScanner(), chunks);
    expect(out).toBe(engine.scan(chunks.join('')).text);
    expect(out).toContain('postgres://app:[MASKED:secret.url_password]@db');
  });

  it('withholds a card number while its digits keep coming, even split one digit at a time', () => {
    const scanner = engine.streamScanner();
    const text = `Charge it to ${makeCard('4532', 16)} please.`;
    const outs = text.split('').map((c) => scanner.push(c));
    const out = outs.join('') + scanner.end();
    expect(out).toBe(engine.scan(text).text);
    expect(outs.join('')).not.toMatch(/4532/);
  });
});

describe('stream release soundness', () => {
  const prose = (rand: () => number) => ['Here is the value: ', 'See below.\n', '다음 값을 확인하세요: ', '', ' and then '][Math.floor(rand() * 5)]!;

  /** Streams `text` in random chunks and checks it against the whole-text scan. */
  function agrees(text: string, rand: () => number, maxChunk: number): void {
    const whole = engine.scan(text, { vault: new PseudonymVault() });
    const scanner = engine.streamScanner({ vault: new PseudonymVault() });
    const chunks: string[] = [];
    for (let i = 0; i < text.length; ) {
      const n = 1 + Math.floor(rand() * maxChunk);
      chunks.push(text.slice(i, i + n));
      i += n;
    }
    const { out } = stream(scanner, chunks);
    expect({ text, action: scanner.action }).toEqual({ text, action: whole.action });
    if (whole.action === 'block') {
      // What went out before the block is the scan of the text before the first blocking finding, or less of it.
      const first = whole.findings.find((f) => f.action === 'block')!;
      const before = engine.scan(text.slice(0, first.start), { vault: new PseudonymVault() }).text;
      expect({ text, out, before: before.startsWith(out) }).toEqual({ text, out, before: true });
      return;
    }
    expect({ text, out }).toEqual({ text, out: whole.text });
    expect(scanner.findings.map((f) => [f.ruleId, f.start, f.end])).toEqual(whole.findings.map((f) => [f.ruleId, f.start, f.end]));
  }

  it("every built-in rule's examples, in prose, come out of any chunking as from a whole-text scan", () => {
    const rand = prng(2026);
    for (const rule of BUILTIN_RULES) {
      for (const example of [...rule.examples.positive, ...rule.examples.negative]) {
        const text = prose(rand) + example + prose(rand);
        for (const maxChunk of [1, 4, 9]) agrees(text, rand, maxChunk);
      }
    }
  });

  it('an evasion the views undo (encoded, joined, split, spaced, spelled out) comes out as from a whole-text scan', () => {
    const token = 'ghp_R7x2Kq9LmZ4vT8nB3wY6cP1sD5fH0jG2kA7e';
    const evasions = [
      `echo ${Buffer.from(`token=${token}`).toString('base64')} | base64 -d`,
      `hex ${Buffer.from('password=Tiger#2024').toString('hex')} done`,
      `const t = "${token.slice(0, 15)}" + "${token.slice(15)}";`,
      `const t = '${token.slice(0, 9)}'\n  + '${token.slice(9)}' + suffix;`,
      `here:\n${token.slice(0, 20)}\n${token.slice(20)} and the rest of the line`,
      `key: ${'AKIAQ3EGXTZ7V5LN2MWB'.split('').join(' ')}`,
      '연락처는 공일공 이삼사오 육칠팔구 입니다',
      `GITHUB_TOKEN=g\u04bbp_${token.slice(4)} ok`,
    ];
    const rand = prng(404);
    for (const evasion of evasions) {
      for (const text of [evasion, `${ENGLISH}\n${evasion}\n${KOREAN}`]) {
        expect(engine.scan(text).findings.length).toBeGreaterThan(0);
        for (const maxChunk of [1, 2, 5]) agrees(text, rand, maxChunk);
      }
    }
  });

  it('every corpus line comes out of random chunkings as from a whole-text scan', () => {
    const rand = prng(99);
    const lines = loadCorpus();
    for (let i = 0; i < lines.length; i += 3) {
      const text = lines
        .slice(i, i + 3)
        .map((l) => l.text)
        .join('\n');
      for (const maxChunk of [1, 7]) agrees(text, rand, maxChunk);
    }
  });

  it('no proper prefix of a built-in match is ever judged closed: the analysis holds from the match start', () => {
    const om = new OpenMatches(
      BUILTIN_RULES.map((r) => ({ pattern: r.pattern, window: r.context?.window ?? 0 })),
      (w) => STREAM_WINDOW_BASE + 2 * w,
    );
    expect(om.fallbackWindow).toBe(0);
    for (const rule of BUILTIN_RULES) {
      const re = new RE2(rule.pattern, 'gu');
      for (const example of rule.examples.positive) {
        const text = `lead ${example}`;
        re.lastIndex = 0;
        for (let m = re.exec(text); m; m = re.exec(text)) {
          if (m[0].length === 0) {
            re.lastIndex++;
            continue;
          }
          for (let k = m.index + 1; k < m.index + m[0].length; k++) {
            const prefix = text.slice(0, k);
            expect({ rule: rule.id, prefix, holdFrom: Math.max(om.run().holdFrom(prefix, 0, 0).holdFrom, m.index) }).toEqual({
              rule: rule.id,
              prefix,
              holdFrom: m.index,
            });
          }
        }
      }
    }
  });
});

describe('user-defined rules', () => {
  const custom = (extra: Partial<RuleDefinition>): RuleDefinition => ({
    id: 'custom.employee_id',
    category: 'pii',
    description: 'employee numbers',
    pattern: 'EMP[0-9]{5}',
    action: 'mask',
    severity: 'medium',
    examples: { positive: ['EMP12345'], negative: ['EMP1'] },
    ...extra,
  });

  it('a pattern the analysis cannot express keeps the fixed window, and stays safe', () => {
    const rules = [...BUILTIN_RULES, custom({ pattern: 'EMP[[:^alpha:]][0-9]{5}' })];
    const eng = DlpEngine.compile(rules, { version: 'custom', checkExamples: false });
    const text = `${ENGLISH} Employee EMP-12345 is on leave. ${ENGLISH}`;
    const scanner = eng.streamScanner();
    const { out, held } = stream(scanner, tokens(text, prng(5)));
    expect(out).toBe(eng.scan(text).text);
    expect(out).toContain('[MASKED:custom.employee_id]');
    expect(Math.max(...held)).toBeGreaterThanOrEqual(STREAM_WINDOW_BASE);
  });

  it('a match of a rule with a required context word is withheld until its window has passed', () => {
    const rule = custom({ context: { words: ['employee'], window: 30, required: true } });
    const eng = DlpEngine.compile([rule], { version: 'custom', checkExamples: false });
    const scanner = eng.streamScanner();
    const early = scanner.push('Number EMP12345 belongs to ');
    expect(early).not.toContain('EMP');
    const out = early + scanner.push('the new employee.') + scanner.end();
    expect(out).toBe('Number [MASKED:custom.employee_id] belongs to the new employee.');
    const far = eng.streamScanner();
    const after = ' is on the project team in the main office; the ';
    const released = far.push(`Number EMP12345${after}`);
    expect(released).toContain('EMP12345');
    expect(released + far.push('employee') + far.end()).toBe(eng.scan(`Number EMP12345${after}employee`).text);
  });
});
