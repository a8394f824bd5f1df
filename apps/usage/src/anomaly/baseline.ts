export interface AnomalyThresholds {
  /** Current hour ≥ ratio × baseline… */
  ratio: number;
  /** …and ≥ this many tokens. */
  minTokens: number;
  /** Active hours needed before a project has a baseline at all. */
  minHistoryHours: number;
}

export interface Assessment {
  /** False when the project has too little history to judge. */
  assessed: boolean;
  anomalous: boolean;
  /** Median tokens of the project's previous active hours. */
  baseline: number;
  /** current / baseline (a baseline under one token counts as one). */
  ratio: number;
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Compares an hour's tokens with the median of the project's earlier active hours. Active hours only, so a
 * project idle at night is not "anomalous" every morning; the median, so one earlier spike does not raise
 * the bar for the next.
 */
export function assessHour(current: number, previousActiveHours: number[], t: AnomalyThresholds): Assessment {
  const baseline = median(previousActiveHours);
  const ratio = current / Math.max(baseline, 1);
  const assessed = previousActiveHours.length >= t.minHistoryHours;
  return { assessed, anomalous: assessed && current >= t.minTokens && ratio >= t.ratio, baseline, ratio };
}
