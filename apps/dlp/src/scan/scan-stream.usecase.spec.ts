import { airlock } from '@airlock/contracts';
import { ConfigError, loadConfig } from '@airlock/config';
import { AppError } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import { from, lastValueFrom, toArray } from 'rxjs';
import { RuleSets } from '../rules/rule-sets';
import { dlpConfig } from '../config';
import { ScanStream, checkLimits } from './scan-stream.usecase';

const { Action, Direction } = airlock.dlp.v1;
type Req = airlock.dlp.v1.ScanStreamRequest;
type Res = airlock.dlp.v1.ScanStreamResponse;

const config = loadConfig(dlpConfig, { DLP_MAX_TEXT_CHARS: '10000', DLP_MAX_CHUNK_CHARS: '1000', DLP_MAX_STREAM_CHARS: '5000' });
const useCase = new ScanStream(config, new RuleSets(config, createLogger('dlp-test', 'silent')));

const start = (over: Partial<airlock.dlp.v1.ScanStreamStart> = {}): Req => ({
  start: { direction: Direction.DIRECTION_OUTBOUND, correlationId: 'c-1', policyVersion: '', restore: undefined, ...over },
});
const chunks = (...texts: string[]): Req[] => texts.map((chunk) => ({ chunk }));
const END: Req = { end: {} };
const run = (messages: Req[]): Promise<Res[]> => lastValueFrom(useCase.open(from(messages)).pipe(toArray()));
const fail = (messages: Req[]) => run(messages).then(
  () => {
    throw new Error('expected the stream to fail');
  },
  (error: AppError) => error,
);
const split = (text: string, size: number) => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));

describe('ScanStream', () => {
  it('answers start, every chunk and end once, and catches a token split across chunks', async () => {
    const token = 'ghp_R7x2Kq9LmZ4vT8nB3wY6cP1sD5fH0jG2kA7e';
    const text = `${'lorem ipsum '.repeat(60)}token ${token} ${'dolor '.repeat(80)}`;
    const pieces = split(text, 7);
    const responses = await run([start(), ...chunks(...pieces), END]);
    expect(responses).toHaveLength(pieces.length + 2);
    expect(responses[0]).toMatchObject({ holdBack: 65_536, policyVersion: 'builtin', text: '' });
    const out = responses.map((r) => r.text).join('');
    expect(out).not.toContain(token.slice(4, 12));
    expect(out).toBe(text.replace(token, '[MASKED:secret.github_token]'));
    const findings = responses.flatMap((r) => r.findings);
    expect(findings).toEqual([expect.objectContaining({ ruleId: 'secret.github_token', start: text.indexOf(token), end: text.indexOf(token) + token.length })]);
    expect(responses.at(-1)).toMatchObject({ done: true, action: Action.ACTION_MASK });
    expect(responses.slice(0, -1).every((r) => !r.done)).toBe(true);
  });

  it('restores the prompt placeholders after the scan, never half of a split one, and not the answer’s own', async () => {
    const restore = { entries: [{ placeholder: '⟦PII_1⟧', original: 'kim.cs@acme.co.kr' }] };
    const answer = `Write to ⟦PII_1⟧ or to park.j@acme.co.kr. ${'filler '.repeat(70)}Again ⟦PII_1⟧.`;
    for (const size of [1, 2, 5, 64]) {
      const responses = await run([start({ restore }), ...chunks(...split(answer, size)), END]);
      for (const r of responses) expect(r.text).not.toMatch(/⟦(?![^⟦]*⟧)|^[^⟦]*⟧/);
      const out = responses.map((r) => r.text).join('');
      expect(out).toBe(`Write to kim.cs@acme.co.kr or to ⟦PII_2⟧. ${'filler '.repeat(70)}Again kim.cs@acme.co.kr.`);
      expect(responses.at(-1)).toMatchObject({ action: Action.ACTION_PSEUDONYMIZE, done: true });
    }
  });

  it('a block ends the stream with a terminal BLOCK response that carries no text', async () => {
    const before = 'public notes. '.repeat(40);
    const responses = await run([start(), ...chunks(before, '[대외비] 사업계획 ', 'more '.repeat(100), 'even more'), END]);
    const last = responses.at(-1)!;
    expect(last).toMatchObject({ action: Action.ACTION_BLOCK, done: true, text: '' });
    expect(last.findings.map((f) => f.ruleId)).toEqual(['classification.daeoebi']);
    const out = responses.map((r) => r.text).join('');
    expect(`${before}[`.startsWith(out)).toBe(true);
    expect(out).not.toContain('대외비');
    // start; the notes go out as they come, the second chunk's up to the marking (held while its context
    // window is open); the third chunk settles the block and gets the terminal response; the last chunk and end
    // are not answered.
    expect(responses.map((r) => r.text.length > 0)).toEqual([false, true, true, false]);
  });

  it('refuses a chunk or a stream over its limit, and a stream closed without end, releasing nothing withheld', async () => {
    expect(await fail([start(), ...chunks('x'.repeat(1_001))])).toMatchObject({ code: 'dlp_chunk_too_large' });
    const big = await fail([start(), ...chunks(...Array.from({ length: 6 }, () => 'y'.repeat(1_000))), END]);
    expect(big).toMatchObject({ code: 'dlp_stream_too_large', grpcStatus: 8 });
    expect(await fail([start(), ...chunks('abc')])).toMatchObject({ code: 'dlp_stream_protocol' });
  });

  it('enforces the protocol and validates the restore map without naming values', async () => {
    expect(await fail(chunks('hello'))).toMatchObject({ code: 'dlp_stream_protocol', message: 'the first message must be start' });
    expect(await fail([start(), start()])).toMatchObject({ message: 'start sent twice' });
    // The stream is over once `end` is answered: anything after it is not read.
    expect((await run([start(), END, ...chunks('x')])).at(-1)).toMatchObject({ done: true, text: '' });
    const bad = await fail([start({ restore: { entries: [{ placeholder: '[secret]', original: 'hunter22' }] } })]);
    expect(bad).toMatchObject({ code: 'dlp_invalid_restore' });
    expect(bad.message).not.toContain('hunter22');
    const inbound = await fail([start({ direction: Direction.DIRECTION_INBOUND, restore: { entries: [{ placeholder: '⟦PII_1⟧', original: 'a@b.kr' }] } })]);
    expect(inbound).toMatchObject({ code: 'dlp_invalid_restore' });
  });

  it('refuses limits that contradict each other at boot', () => {
    expect(() => checkLimits({ DLP_MAX_CHUNK_CHARS: 10, DLP_MAX_STREAM_CHARS: 5 })).toThrow(ConfigError);
    expect(() => checkLimits({ DLP_MAX_CHUNK_CHARS: 5, DLP_MAX_STREAM_CHARS: 5 })).not.toThrow();
  });
});
