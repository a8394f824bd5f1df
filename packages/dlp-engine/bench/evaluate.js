'use strict';
// Scores an engine on the labelled corpus: per category true/false positives and false negatives.

/** An expectation is met by a finding with the same ruleId (when given) or the same category. */
function evaluate(engine, lines) {
  const stats = {};
  const errors = [];
  const bump = (cat, key) => {
    stats[cat] ??= { tp: 0, fp: 0, fn: 0 };
    stats[cat][key]++;
  };
  for (const l of lines) {
    const found = engine.scan(l.text).findings;
    const used = new Set();
    for (const exp of l.expect) {
      const i = found.findIndex((f, k) => !used.has(k) && (exp.ruleId ? f.ruleId === exp.ruleId : f.category === exp.category));
      if (i >= 0) {
        used.add(i);
        bump(found[i].category, 'tp');
      } else {
        bump(exp.category ?? exp.ruleId.split('.')[0], 'fn');
        errors.push({ kind: 'missed', source: l.source, expect: exp.ruleId ?? exp.category });
      }
    }
    found.forEach((f, k) => {
      if (used.has(k)) return;
      bump(f.category, 'fp');
      errors.push({ kind: 'unexpected', source: l.source, ruleId: f.ruleId });
    });
  }
  const scores = {};
  for (const [cat, s] of Object.entries(stats)) {
    scores[cat] = { ...s, precision: s.tp + s.fp ? s.tp / (s.tp + s.fp) : 1, recall: s.tp + s.fn ? s.tp / (s.tp + s.fn) : 1 };
  }
  return { scores, errors };
}

module.exports = { evaluate };
