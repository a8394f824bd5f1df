import { airlock } from '@airlock/contracts';

const { Action } = airlock.dlp.v1;

export type DlpVerdict = 'allow' | 'mask' | 'pseudonymize' | 'block';

const VERDICT: Record<number, DlpVerdict> = {
  [Action.ACTION_ALLOW]: 'allow',
  [Action.ACTION_MASK]: 'mask',
  [Action.ACTION_PSEUDONYMIZE]: 'pseudonymize',
  [Action.ACTION_BLOCK]: 'block',
};
const RANK: Record<DlpVerdict, number> = { allow: 0, mask: 1, pseudonymize: 2, block: 3 };

/** An unknown action counts as a block: the safe reading of a newer DLP service. */
export function verdictOf(action: number): DlpVerdict {
  return VERDICT[action] ?? (action === Action.ACTION_UNSPECIFIED ? 'allow' : 'block');
}

export function strongest(a: DlpVerdict, b: DlpVerdict): DlpVerdict {
  return RANK[b] > RANK[a] ? b : a;
}
