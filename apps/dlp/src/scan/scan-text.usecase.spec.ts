import { loadConfig } from '@airlock/config';
import { airlock } from '@airlock/contracts';
import { createLogger } from '@airlock/telemetry';
import { RuleSets } from '../rules/rule-sets';
import { dlpConfig } from '../config';
import { InvalidContextError, ScanText, TextTooLargeError } from './scan-text.usecase';

const { Action, Direction } = airlock.dlp.v1;
const config = loadConfig(dlpConfig, { DLP_MAX_TEXT_CHARS: '10000', DLP_MAX_CHUNK_CHARS: '1000' });
const useCase = new ScanText(config, new RuleSets(config, createLogger('dlp-test', 'silent')));
const scan = (text: string, context?: airlock.dlp.v1.Pseudonyms) =>
  useCase.execute({ text, direction: Direction.DIRECTION_INBOUND, correlationId: 'c-12345678', context });

describe('ScanText', () => {
  it('masks an AWS access key id and reports only its digest', async () => {
    const key = 'AKIAQ3EGXTZ7V5LN2MWB';
    const result = await scan(`deploy with ${key} please`);
    expect(result.action).toBe(Action.ACTION_MASK);
    expect(result.text).toBe('deploy with [MASKED:secret.aws_access_key_id] please');
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ ruleId: 'secret.aws_access_key_id', start: 12, end: 32 });
    expect(result.findings[0].valueSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(result)).not.toContain(key);
  });

  it('allows clean text unchanged and names the built-in pack without policy', async () => {
    const result = await scan('const x = 1; // AKIA is just a prefix');
    expect(result).toMatchObject({ action: Action.ACTION_ALLOW, text: 'const x = 1; // AKIA is just a prefix', policyVersion: 'builtin' });
    expect(result.ruleSetVersion).toMatch(/^builtin-/);
  });

  it('blocks private keys and returns no text', async () => {
    const result = await scan('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----');
    expect(result.action).toBe(Action.ACTION_BLOCK);
    expect(result.text).toBe('');
    expect(result.pseudonyms?.entries).toEqual([]);
  });

  it('pseudonymises with placeholders stable within the request and returns the pairs for restore', async () => {
    const result = await scan('주민번호 900101-1234568 다시 900101-1234568, mail kim.cs@acme.co.kr');
    expect(result.action).toBe(Action.ACTION_PSEUDONYMIZE);
    expect(result.text).not.toContain('900101');
    const placeholders = result.text.match(/⟦PII_\d+⟧/g);
    expect(placeholders).toHaveLength(3);
    expect(placeholders![0]).toBe(placeholders![1]);
    expect(result.pseudonyms?.entries).toEqual([
      { placeholder: placeholders![0], original: '900101-1234568' },
      { placeholder: placeholders![2], original: 'kim.cs@acme.co.kr' },
    ]);
  });

  it('continues the numbering of the request context: new values get new placeholders, equal values their earlier one', async () => {
    const first = await scan('mail kim.cs@acme.co.kr');
    expect(first.text).toBe('mail ⟦PII_1⟧');
    const second = await scan('cc lee.dh@acme.co.kr, 주민번호 900101-1234568, again kim.cs@acme.co.kr', first.pseudonyms);
    expect(second.text).toBe('cc ⟦PII_2⟧, 주민번호 ⟦PII_3⟧, again ⟦PII_1⟧');
    // The full set so far, for the next Scan of the request and the answer's restore.
    expect(second.pseudonyms?.entries).toEqual([
      { placeholder: '⟦PII_1⟧', original: 'kim.cs@acme.co.kr' },
      { placeholder: '⟦PII_2⟧', original: 'lee.dh@acme.co.kr' },
      { placeholder: '⟦PII_3⟧', original: '900101-1234568' },
    ]);
    // A text without findings hands the context back unchanged.
    expect((await scan('nothing here', second.pseudonyms)).pseudonyms).toEqual(second.pseudonyms);
  });

  it('refuses a context with pairs it cannot have produced, naming positions, never values', async () => {
    const bad = [
      [{ placeholder: '[x]', original: 'hunter22' }],
      [{ placeholder: '⟦PII_0⟧', original: 'hunter22' }],
      [
        { placeholder: '⟦PII_1⟧', original: 'hunter22' },
        { placeholder: '⟦PII_1⟧', original: 'hunter23' },
      ],
      [{ placeholder: '⟦PII_1⟧', original: '' }],
      [{ placeholder: '⟦PII_1⟧', original: 'h'.repeat(10_001) }],
      Array.from({ length: 10_001 }, (_, i) => ({ placeholder: `⟦PII_${i + 1}⟧`, original: 'hunter22' })),
    ];
    for (const entries of bad) {
      const error = await scan('mail kim.cs@acme.co.kr', { entries }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidContextError);
      expect(error).toMatchObject({ code: 'dlp_invalid_context' });
      expect((error as Error).message).not.toContain('hunter');
    }
  });

  it('refuses oversized input before scanning', async () => {
    await expect(scan('x'.repeat(10_001))).rejects.toThrow(TextTooLargeError);
  });
});

describe('ScanText.executeMany (ScanTexts)', () => {
  const scanMany = (texts: string[], context?: airlock.dlp.v1.Pseudonyms) =>
    useCase.executeMany({ texts, direction: Direction.DIRECTION_INBOUND, correlationId: 'c-12345678', context });
  const texts = ['mail kim.cs@acme.co.kr', 'cc lee.dh@acme.co.kr, again kim.cs@acme.co.kr', 'nothing here', 'key AKIAQ3EGXTZ7V5LN2MWB'];

  it('answers exactly as one Scan per text in order, each with the pairs so far as its context', async () => {
    const batch = await scanMany(texts);
    let context: airlock.dlp.v1.Pseudonyms | undefined;
    const oneByOne = [];
    for (const text of texts) {
      const r = await scan(text, context);
      oneByOne.push({ action: r.action, text: r.text, findings: r.findings });
      context = r.pseudonyms;
    }
    expect(batch.results).toEqual(oneByOne);
    expect(batch.results.map((r) => r.text)).toEqual(['mail ⟦PII_1⟧', 'cc ⟦PII_2⟧, again ⟦PII_1⟧', 'nothing here', 'key [MASKED:secret.aws_access_key_id]']);
    expect(batch.pseudonyms).toEqual(context);
    // The strongest action over the texts; the rule set as Scan names it.
    expect(batch).toMatchObject({ action: Action.ACTION_PSEUDONYMIZE, policyVersion: 'builtin' });
    expect(batch.ruleSetVersion).toMatch(/^builtin-/);
  });

  it('continues a context, and returns no pairs once any text is blocked', async () => {
    const first = await scanMany(texts.slice(0, 1));
    expect((await scanMany(['cc lee.dh@acme.co.kr'], first.pseudonyms)).results[0].text).toBe('cc ⟦PII_2⟧');
    const blocked = await scanMany([...texts, '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----']);
    expect(blocked.action).toBe(Action.ACTION_BLOCK);
    expect(blocked.results.map((r) => r.action)).toEqual([Action.ACTION_PSEUDONYMIZE, Action.ACTION_PSEUDONYMIZE, Action.ACTION_ALLOW, Action.ACTION_MASK, Action.ACTION_BLOCK]);
    expect(blocked.results[4].text).toBe('');
    expect(blocked.pseudonyms?.entries).toEqual([]);
  });

  it('holds the batch to the limit of one text, and answers an empty batch', async () => {
    await expect(scanMany(['x'.repeat(6_000), 'y'.repeat(4_001)])).rejects.toThrow(TextTooLargeError);
    expect(await scanMany([])).toMatchObject({ results: [], action: Action.ACTION_ALLOW });
  });
});
