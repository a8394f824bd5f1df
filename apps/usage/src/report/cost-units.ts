import { z } from '@airlock/config';

const rate = z.strictObject({ prompt: z.number().min(0), completion: z.number().min(0) });

/** `USAGE_COST_UNITS`: `{"<model>|*": {"prompt": <units per 1M tokens>, "completion": <units per 1M tokens>}}`. */
export const costUnitsSchema = z.record(z.string().min(1), rate);
export type CostUnits = z.infer<typeof costUnitsSchema>;

/** The rates as parallel arrays, the shape the store's query joins on ('*' is the fallback row). */
export interface CostRates {
  models: string[];
  prompt: number[];
  completion: number[];
}

/** undefined when no rate is configured: reports then say `cost_units: null` rather than 0. */
export function costRates(units: CostUnits): CostRates | undefined {
  const entries = Object.entries(units);
  if (entries.length === 0) return undefined;
  return { models: entries.map(([m]) => m), prompt: entries.map(([, r]) => r.prompt), completion: entries.map(([, r]) => r.completion) };
}
