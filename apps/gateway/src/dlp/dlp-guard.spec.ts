import { airlock } from '@airlock/contracts';
import { mergePseudonyms } from './dlp-guard';

const scan = (entries: [string, string][]) => airlock.dlp.v1.ScanResponse.fromPartial({ pseudonyms: { entries: entries.map(([placeholder, original]) => ({ placeholder, original })) } });

describe('mergePseudonyms', () => {
  it('keeps consistent placeholders and drops one that stands for two values', () => {
    expect(mergePseudonyms([scan([['⟦PII_1⟧', 'a@x.kr'], ['⟦PII_2⟧', 'b@x.kr']]), scan([['⟦PII_1⟧', 'a@x.kr']]), scan([['⟦PII_2⟧', 'c@x.kr']])])).toEqual([
      { placeholder: '⟦PII_1⟧', original: 'a@x.kr' },
    ]);
  });
});
