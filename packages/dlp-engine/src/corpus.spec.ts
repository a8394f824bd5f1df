import { loadCorpus } from './corpus';
import { BUILTIN_RULES, BUILTIN_VERSION, DlpEngine } from './index';

// The benchmark's evaluator, so jest and `node bench/bench.js` score the corpus the same way.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { evaluate } = require('../bench/evaluate.js') as {
  evaluate: (
    engine: DlpEngine,
    lines: unknown[],
  ) => { scores: Record<string, { precision: number; recall: number; tp: number }>; errors: unknown[] };
};

describe('labelled corpus', () => {
  const lines = loadCorpus();
  const { scores, errors } = evaluate(DlpEngine.compile(BUILTIN_RULES, { version: BUILTIN_VERSION }), lines);

  it('is large enough to mean something', () => {
    expect(lines.length).toBeGreaterThanOrEqual(150);
    expect(lines.filter((l) => l.expect.length === 0).length).toBeGreaterThanOrEqual(50);
  });

  it.each(['secret', 'pii'])('%s precision and recall are at least 0.95', (category) => {
    const s = scores[category]!;
    expect({ category, precision: s.precision >= 0.95, recall: s.recall >= 0.95, errors }).toMatchObject({
      precision: true,
      recall: true,
    });
    expect(s.tp).toBeGreaterThan(40);
  });

  it('classification tags are all found with no false positive', () => {
    expect(scores.classification).toMatchObject({ precision: 1, recall: 1 });
  });
});
