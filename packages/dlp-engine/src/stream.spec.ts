import { BUILTIN_RULES, BUILTIN_VERSION, DlpEngine, PseudonymVault, STREAM_HOLD_CAP, type StreamScanner } from './index';
import { prng } from './prng';
import { makeCard, makeRrn, randomString } from './test-helpers';

const engine = DlpEngine.compile(BUILTIN_RULES, { version: BUILTIN_VERSION, hashKey: Buffer.alloc(32, 1) });

function feed(scanner: StreamScanner, chunks: string[]): string[] {
  const out = chunks.map((c) => scanner.push(c));
  out.push(scanner.end());
  return out;
}

function chunk(text: string, rand: () => number, maxSize: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(rand() * maxSize);
    chunks.push(text.slice(i, i + n));
    i += n;
  }
  return chunks;
}

function document(rand: () => number): string {
  const pieces = [
    () => 'const result = compute(a, b); // plain code line\n',
    () => `연락처 010-${randomString(rand, 4, '0123456789')}-${randomString(rand, 4, '0123456789')} 입니다.\n`,
    () => `DB_PASSWORD=${randomString(rand, 20)}7\n`,
    () => `GITHUB_TOKEN=ghp_${randomString(rand, 36)}\n`,
    () => `mail kim.${randomString(rand, 5, 'abcdefgh')}@acme.co.kr ok\n`,
    () => `주민 ${makeRrn('900101', '1', randomString(rand, 5, '0123456789'))}\n`,
    () => `card ${makeCard('4532', 16)} paid\n`,
    () => `postgres://app:${randomString(rand, 12)}@db:5432/app\n`,
    () => '이것은 평범한 한국어 문장입니다. 특별한 정보는 없습니다.\n',
    () => 'x'.repeat(Math.floor(rand() * 600)) + '\n',
    () => `tel ０１０－１２３４－５６７８ and zero\u200Bwidth\n`,
    () => '😀 emoji 😀 line\n',
    () => 'Answer mentions ⟦PII_1⟧ and ⟦PII_2⟧ again.\n',
  ];
  let text = '';
  const n = 5 + Math.floor(rand() * 25);
  for (let i = 0; i < n; i++) text += pieces[Math.floor(rand() * pieces.length)]!();
  return text;
}

describe('StreamScanner', () => {
  it('states its bound', () => {
    expect(engine.streamScanner().holdBack).toBe(STREAM_HOLD_CAP);
  });

  it('emits exactly what a whole-text scan produces, for many random chunkings', () => {
    const rand = prng(20240601);
    for (let doc = 0; doc < 60; doc++) {
      const text = document(rand);
      const whole = engine.scan(text, { vault: new PseudonymVault() });
      expect(whole.action).not.toBe('block');
      for (const maxSize of [1, 3, 17, 200, 5000]) {
        const scanner = engine.streamScanner({ vault: new PseudonymVault() });
        const out = feed(scanner, chunk(text, rand, maxSize)).join('');
        expect(out).toBe(whole.text);
        expect(scanner.findings.map((f) => [f.ruleId, f.start, f.end])).toEqual(whole.findings.map((f) => [f.ruleId, f.start, f.end]));
        expect(scanner.action).toBe(whole.action);
      }
    }
  });

  it('never splits a vault placeholder across emitted chunks, so each chunk can be restored on its own', () => {
    const vault = new PseudonymVault();
    engine.scan(`mail kim.cs@acme.co.kr and ${makeRrn('900101', '1', '23456')}`, { vault });
    const answer = 'Reply to ⟦PII_1⟧ about ⟦PII_2⟧. '.repeat(80);
    const rand = prng(7);
    for (let i = 0; i < 20; i++) {
      const scanner = engine.streamScanner({ vault });
      const restored = feed(scanner, chunk(answer, rand, 1 + i * 3)).map((c) => vault.restore(c)).join('');
      expect(restored).toBe(vault.restore(answer));
      expect(restored).not.toContain('⟦');
    }
  });

  it('a secret split across tiny chunks never leaks', () => {
    const token = `ghp_${'R7x2Kq9LmZ4vT8nB3wY6cP1sD5fH0jG2kA7e'}`;
    const text = `${'lorem ipsum '.repeat(200)}token ${token} ${'dolor '.repeat(300)}`;
    const out = feed(engine.streamScanner(), text.split('')).join('');
    expect(out).not.toContain(token.slice(4, 14));
    expect(out).toContain('[MASKED:secret.github_token]');
  });

  it('a private key block is withheld until its END line, then the stream is blocked', () => {
    const body = Array.from({ length: 40 }, (_, i) => randomString(prng(i), 64, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')).join('\n');
    const before = 'Here is the config you asked for:\n'.repeat(40);
    const text = `${before}-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----\nand more text after`;
    const scanner = engine.streamScanner();
    const out = feed(scanner, chunk(text, prng(3), 40)).join('');
    expect(scanner.action).toBe('block');
    expect(out).not.toContain('BEGIN OPENSSH');
    expect(out).not.toContain(body.slice(0, 20));
    expect(out).not.toContain('more text after');
    expect(before.startsWith(out)).toBe(true);
    expect(engine.scan(text)).toMatchObject({ action: 'block', text: '' });
  });

  it('an unterminated key longer than the cap is still never emitted', () => {
    const line = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/\n';
    const text = `-----BEGIN RSA PRIVATE KEY-----\n${line.repeat(Math.ceil((STREAM_HOLD_CAP * 1.5) / line.length))}`;
    const scanner = engine.streamScanner();
    const out = feed(scanner, chunk(text, prng(5), 4096)).join('');
    expect(out).toBe('');
    expect(scanner.action).toBe('block');
  });

  it('block found mid-stream stops all further output', () => {
    const scanner = engine.streamScanner();
    const first = scanner.push('public notes. '.repeat(200));
    const rest = scanner.push('[대외비] 사업계획 ' + 'more '.repeat(500));
    const tail = scanner.end();
    expect(scanner.action).toBe('block');
    expect((first + rest + tail).includes('대외비')).toBe(false);
    expect((first + rest + tail).includes('more')).toBe(false);
  });
});
