import type { RunningService } from '@airlock/runtime';
import { DlpGuard, batchTexts } from '../src/dlp/dlp-guard';
import { bootDlp } from './harness';

jest.setTimeout(60_000);

// The prompt scan against the real dlp service: a prompt too large for one ScanTexts call is scanned in several,
// each continuing the pseudonyms of the ones before, so the whole request has one numbering.
describe('DlpGuard: a prompt scanned in several batches', () => {
  const KIM = 'kim.minsu@acme.co.kr';
  const LEE = 'lee.dh@acme.co.kr';
  const texts = [`mail ${KIM}`, `cc ${LEE}, not ${KIM}`, `again ${LEE}`];
  let dlp: RunningService;
  const guards: DlpGuard[] = [];
  const guard = (batchChars: number) => {
    const g = new DlpGuard({ DLP_ADDR: dlp.grpcAddress, GATEWAY_DLP_BATCH_CHARS: batchChars, MTLS_OFF_FOR_DEVELOPMENT: true });
    guards.push(g);
    return g;
  };

  beforeAll(async () => {
    dlp = await bootDlp();
  });

  afterAll(async () => {
    for (const g of guards) g.onApplicationShutdown();
    await dlp?.close();
  });

  it('numbers the values across batches as one request would, and the answer scan restores every one', async () => {
    // Each text in a batch of its own: three ScanTexts calls.
    expect(batchTexts(texts, 30)).toEqual(texts.map((t) => [t]));
    const batched = await guard(30).scanInbound(texts, '');
    expect(batched.texts).toEqual(['mail ⟦PII_1⟧', 'cc ⟦PII_2⟧, not ⟦PII_1⟧', 'again ⟦PII_2⟧']);
    expect(batched.verdict).toBe('pseudonymize');
    expect(batched.pseudonyms).toHaveLength(2);

    const whole = await guard(1_000_000).scanInbound(texts, '');
    expect(whole.texts).toEqual(batched.texts);

    const answer = await guard(30).scanAnswer('I wrote to ⟦PII_2⟧ and ⟦PII_1⟧.', '', batched.pseudonyms);
    expect(answer.text).toBe(`I wrote to ${LEE} and ${KIM}.`);
  });
});
