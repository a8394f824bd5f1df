import { indexableText } from './ingest';

describe('indexableText', () => {
  it('keeps source text and refuses binary, oversized and minified files', () => {
    expect(indexableText('def a():\n    return 1\n', 1_000)).toBe('def a():\n    return 1\n');
    expect(indexableText(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]), 1_000)).toBeUndefined();
    expect(indexableText('x'.repeat(2_000), 1_000)).toBeUndefined();
    expect(indexableText(`${'var a=1;'.repeat(100)}\n`, 10_000)).toBeUndefined();
  });
});
