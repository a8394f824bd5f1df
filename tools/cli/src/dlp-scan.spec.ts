import { Readable } from 'node:stream';
import { dlpScan } from './dlp-scan';

describe('tools/airlock dlp scan --json', () => {
  it('prints the documented JSON shape with findings and the masked text', async () => {
    const out: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    try {
      await dlpScan(['--json'], Readable.from(['aws_key = "AKIAIOSFODNN7EXAMPLE"\n']));
    } finally {
      write.mockRestore();
    }
    const result = JSON.parse(out.join(''));
    expect(result).toEqual({
      action: 'mask',
      findings: [{ ruleId: 'secret.aws_access_key_id', category: 'secret', start: 11, end: 31 }],
      text: 'aws_key = "[MASKED:secret.aws_access_key_id]"\n',
    });
  });
});
