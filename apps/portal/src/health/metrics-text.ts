// Just enough of the Prometheus text exposition format to read a few samples from a service's /metrics: the
// services expose it through OpenTelemetry's Prometheus exporter, which the health API reads like a scraper.

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of the metric `name` in an exposition (comments and other metrics skipped). */
export function samplesOf(text: string, name: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = LINE.exec(line);
    if (!match || match[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = raw!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const value = Number(match[3]);
    if (!Number.isNaN(value)) samples.push({ labels, value });
  }
  return samples;
}

/** The sum of a metric's samples, or null when the exposition has none (not exported, or not measured yet). */
export function sumOf(text: string, name: string): number | null {
  const samples = samplesOf(text, name);
  return samples.length === 0 ? null : samples.reduce((sum, s) => sum + s.value, 0);
}
