import type { FinOpsFilter } from '../../api/types';

export const GROUPS = ['project', 'user', 'model', 'workspace', 'tenant'] as const;
export const INTERVALS = ['day', 'month'] as const;
/** The range the console opens with, and the longest the API answers (in days, both ends included). */
export const DEFAULT_DAYS = 30;
export const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The last DEFAULT_DAYS UTC days up to today, per project and day, every project the caller may read. */
export function defaultFilter(now: Date, projectId = ''): Required<Pick<FinOpsFilter, 'from' | 'to' | 'group_by' | 'interval'>> & { project_id: string } {
  return { from: utcDay(now.getTime() - (DEFAULT_DAYS - 1) * DAY_MS), to: utcDay(now.getTime()), group_by: 'project', interval: 'day', project_id: projectId };
}

/** Why a range cannot be asked, before the API says so: a missing end, backwards, or longer than MAX_DAYS. */
export function rangeProblem(from: string, to: string): 'missing' | 'backwards' | 'tooLong' | null {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end)) return 'missing';
  if (end < start) return 'backwards';
  return (end - start) / DAY_MS + 1 > MAX_DAYS ? 'tooLong' : null;
}
