import { airlock } from '@airlock/contracts';
import { ScanText, TextTooLargeError } from './scan-text.usecase';

const { Action, Direction } = airlock.dlp.v1;
const config = { DLP_MAX_TEXT_CHARS: 10_000 } as never;
const scan = (text: string) => new ScanText(config).execute({ text, direction: Direction.DIRECTION_INBOUND, correlationId: 'c-12345678' });

describe('ScanText', () => {
  it('masks an AWS access key id and reports only its digest', () => {
    const key = 'AKIAIOSFODNN7EXAMPLE';
    const result = scan(`deploy with ${key} please`);
    expect(result.action).toBe(Action.ACTION_MASK);
    expect(result.text).toBe('deploy with [MASKED:secret.aws_access_key_id] please');
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ ruleId: 'secret.aws_access_key_id', start: 12, end: 32 });
    expect(result.findings[0].valueSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(result)).not.toContain(key);
  });

  it('allows clean text unchanged', () => {
    const result = scan('const x = 1; // AKIA is just a prefix');
    expect(result.action).toBe(Action.ACTION_ALLOW);
    expect(result.text).toBe('const x = 1; // AKIA is just a prefix');
  });

  it('blocks private keys and returns no text', () => {
    const result = scan('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----');
    expect(result.action).toBe(Action.ACTION_BLOCK);
    expect(result.text).toBe('');
  });

  it('pseudonymises a resident registration number with a placeholder stable within the request', () => {
    const result = scan('주민번호 900101-1234568 다시 900101-1234568');
    expect(result.action).toBe(Action.ACTION_PSEUDONYMIZE);
    expect(result.text).not.toContain('900101');
    const placeholders = result.text.match(/⟦PII_\d+⟧/g);
    expect(placeholders).toHaveLength(2);
    expect(placeholders![0]).toBe(placeholders![1]);
  });

  it('refuses oversized input', () => {
    expect(() => scan('x'.repeat(10_001))).toThrow(TextTooLargeError);
  });
});
