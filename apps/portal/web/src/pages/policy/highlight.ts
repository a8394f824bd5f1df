// The "test this text" panel shows the findings where they are in the sample text.
import type { DlpFinding } from '../../api/types';

export type Segment = { text: string; findings?: undefined } | { text: string; findings: DlpFinding[] };

/**
 * The text cut at every finding's start and end: plain runs and marked runs, each marked run with the findings
 * that cover it (findings may overlap; a run is marked once, naming all of them). Offsets are UTF-16, as the
 * engine reports them and as JavaScript strings count.
 */
export function segments(text: string, findings: readonly DlpFinding[]): Segment[] {
  const cuts = new Set([0, text.length]);
  for (const f of findings) {
    cuts.add(Math.max(0, Math.min(text.length, f.start)));
    cuts.add(Math.max(0, Math.min(text.length, f.end)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i += 1) {
    const [from, to] = [points[i], points[i + 1]];
    const covering = findings.filter((f) => f.start <= from && f.end >= to);
    const part = text.slice(from, to);
    const last = out[out.length - 1];
    if (covering.length === 0 && last && !last.findings) last.text += part;
    else out.push(covering.length ? { text: part, findings: covering } : { text: part });
  }
  return out;
}
