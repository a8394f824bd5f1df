'use strict';
// Line-level scoring shared by every tool: for each line and category, a tool predicts the category when it
// reports a finding of it; on a positive line the finding must overlap the labelled span when the tool gives
// offsets (detect-secrets gives line numbers only, so any finding on the line counts).
const CATEGORIES = ['secret', 'pii', 'classification'];

function overlaps(f, spans) {
  if (f.start === undefined) return true;
  return spans.some(([s, e]) => f.start < e && f.end > s);
}

/** `findings[i]` lists {category, start?, end?} for corpus line i. */
function score(lines, findings) {
  const per = Object.fromEntries(CATEGORIES.map((c) => [c, { tp: 0, fp: 0, fn: 0 }]));
  const kinds = {};
  const misses = [];
  lines.forEach((line, i) => {
    const found = findings[i] ?? [];
    for (const c of CATEGORIES) {
      const mine = found.filter((f) => f.category === c);
      if (line.category === c) {
        const hit = mine.some((f) => overlaps(f, line.spans));
        const k = (kinds[`${c}/${line.kind}`] ??= { tp: 0, fn: 0, fp: 0 });
        if (hit) {
          per[c].tp++;
          k.tp++;
        } else {
          per[c].fn++;
          k.fn++;
          misses.push({ line: i + 1, kind: line.kind, text: line.text.slice(0, 120) });
        }
        if (mine.some((f) => !overlaps(f, line.spans))) per[c].fp++;
      } else if (mine.length > 0) {
        per[c].fp++;
        const k = (kinds[`${line.category === 'none' ? 'negative' : line.category}/${line.kind}`] ??= { tp: 0, fn: 0, fp: 0 });
        k.fp++;
        misses.push({ line: i + 1, kind: `false ${c} on ${line.kind}`, text: line.text.slice(0, 120) });
      }
    }
  });
  const pr = (s) => ({ precision: s.tp + s.fp ? s.tp / (s.tp + s.fp) : NaN, recall: s.tp + s.fn ? s.tp / (s.tp + s.fn) : NaN });
  return { categories: Object.fromEntries(CATEGORIES.map((c) => [c, { ...per[c], ...pr(per[c]) }])), kinds, misses };
}

module.exports = { score, CATEGORIES };
