import { PassThrough, Readable } from 'node:stream';
import { dlpScan } from './dlp-scan';

async function scanToString(args: string[], input: string): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await dlpScan(args, Readable.from([input]), out);
  return Buffer.concat(chunks).toString('utf8');
}

describe('tools/airlock dlp scan --json', () => {
  it('prints the documented JSON shape with findings and the masked text', async () => {
    const result = JSON.parse(await scanToString(['--json'], 'aws_key = "AKIAQ3EGXTZ7V5LN2MWB"\n'));
    expect(result).toEqual({
      action: 'mask',
      findings: [{ ruleId: 'secret.aws_access_key_id', category: 'secret', start: 11, end: 31 }],
      text: 'aws_key = "[MASKED:secret.aws_access_key_id]"\n',
    });
  });

  it('resolves only after the whole of a large report has been written', async () => {
    const input = 'mail kim.cs@acme.co.kr\n'.repeat(20_000);
    const result = JSON.parse(await scanToString(['--json'], input));
    expect(result.findings).toHaveLength(20_000);
    expect(result.text.length).toBeGreaterThan(64 * 1024);
  });
});
