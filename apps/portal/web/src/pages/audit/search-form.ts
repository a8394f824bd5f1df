// The audit search form's values (what the inputs hold: times as wall-clock times in the tenant's zone) and the
// API filter they make.
import type { AuditFilter } from '../../api/types';
import { fromZonedInput, toZonedInput } from '../../format';

/** The filters besides the time range, in the order the form shows them. */
export const TEXT_FILTERS = ['user_id', 'project_id', 'workspace_id', 'endpoint', 'event_type', 'outcome', 'dlp_action', 'policy_version', 'correlation_id'] as const;
export type TextFilter = (typeof TEXT_FILTERS)[number];

export type SearchForm = { from: string; to: string } & Record<TextFilter, string>;

const DAY_MS = 24 * 3600_000;
const NO_FILTERS = Object.fromEntries(TEXT_FILTERS.map((name) => [name, ''])) as Record<TextFilter, string>;

/** The last 24 hours up to the next full minute (the end is exclusive), nothing else narrowed. */
export function defaultForm(now: Date, timeZone: string): SearchForm {
  const end = new Date(Math.ceil((now.getTime() + 1) / 60_000) * 60_000);
  return { ...NO_FILTERS, from: toZonedInput(new Date(end.getTime() - DAY_MS), timeZone), to: toZonedInput(end, timeZone) };
}

/** The API filter of a form, or the form's first unreadable time field. */
export function filterOf(form: SearchForm, timeZone: string): AuditFilter | { invalid: 'from' | 'to' } {
  const from = fromZonedInput(form.from, timeZone);
  if (!from) return { invalid: 'from' };
  const to = fromZonedInput(form.to, timeZone);
  if (!to) return { invalid: 'to' };
  const filter: AuditFilter = { from, to };
  for (const name of TEXT_FILTERS) {
    const value = form[name].trim();
    if (value) filter[name] = value;
  }
  return filter;
}

/** "Follow this correlation id": the same time range, every other filter cleared, the correlation id set. */
export const followCorrelation = (form: SearchForm, correlationId: string): SearchForm => ({
  ...NO_FILTERS,
  from: form.from,
  to: form.to,
  correlation_id: correlationId,
});
