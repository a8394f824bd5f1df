import { airlock } from '@airlock/contracts';
import type { Draft, DraftState as StoredDraftState, VersionSummary } from '../bundles/bundle-store';
import type { BundleChange } from '../bundles/bundle-diff';
import { InvalidApiRequestError, type DraftView, type VersionView } from '../bundles/bundle-workflow';

const { DraftKind, DraftState, VersionOrigin, DlpDirection } = airlock.policy.v1;

// The workflow's views (the REST shape) into PolicyAdminService messages: complete objects, '' and 0 for none.

const ORIGINS: Record<VersionSummary['origin'], number> = {
  seed: VersionOrigin.VERSION_ORIGIN_SEED,
  change: VersionOrigin.VERSION_ORIGIN_CHANGE,
  rollback: VersionOrigin.VERSION_ORIGIN_ROLLBACK,
};
const KINDS: Record<Draft['kind'], number> = { change: DraftKind.DRAFT_KIND_CHANGE, rollback: DraftKind.DRAFT_KIND_ROLLBACK };
const STATES: Record<StoredDraftState, number> = {
  open: DraftState.DRAFT_STATE_OPEN,
  proposed: DraftState.DRAFT_STATE_PROPOSED,
  approved: DraftState.DRAFT_STATE_APPROVED,
  rejected: DraftState.DRAFT_STATE_REJECTED,
};
const STATE_NAMES = new Map(Object.entries(STATES).map(([name, value]) => [value, name]));
const DIRECTIONS = new Map<number, string>([
  [DlpDirection.DLP_DIRECTION_INBOUND, 'inbound'],
  [DlpDirection.DLP_DIRECTION_OUTBOUND, 'outbound'],
]);

/** The workflow's names of the requested states (unknown numbers pass on as such, and the workflow refuses them). */
export const stateNames = (states: number[]): string[] => states.map((s) => STATE_NAMES.get(s) ?? `state ${s}`);

/** Unspecified: absent (the workflow's default); an unknown number passes on and is refused there. */
export const directionName = (direction: number): string | undefined =>
  direction === DlpDirection.DLP_DIRECTION_UNSPECIFIED ? undefined : (DIRECTIONS.get(direction) ?? `direction ${direction}`);

/** A JSON text field as the value the REST body would carry; '' is absent. */
export function jsonField(name: string, text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidApiRequestError([`${name}: not valid JSON`]);
  }
}

const json = (value: unknown) => (value === undefined ? '' : JSON.stringify(value));

export const changeMessage = (c: BundleChange): airlock.policy.v1.BundleChange => ({
  op: c.op,
  path: c.path,
  beforeJson: json(c.before),
  afterJson: json(c.after),
});

export function versionMessage(v: VersionView): airlock.policy.v1.BundleVersion {
  return {
    number: v.number,
    version: v.version,
    author: v.author,
    approver: v.approver ?? '',
    reason: v.reason,
    origin: ORIGINS[v.origin],
    draftId: v.draft_id ?? '',
    previous: v.previous ?? 0,
    createdAt: v.created_at,
    active: v.active,
  };
}

export function draftMessage(d: DraftView): airlock.policy.v1.BundleDraft {
  return {
    id: d.id,
    kind: KINDS[d.kind],
    state: STATES[d.state],
    baseVersion: d.base_version,
    revision: d.revision,
    author: d.author,
    editors: d.editors,
    reason: d.reason,
    createdAt: d.created_at,
    updatedAt: d.updated_at,
    proposedBy: d.proposed_by ?? '',
    proposedAt: d.proposed_at ?? '',
    decidedBy: d.decided_by ?? '',
    decidedAt: d.decided_at ?? '',
    decisionComment: d.decision_comment ?? '',
    publishedVersion: d.published_version ?? 0,
    validation: d.validation,
    contentJson: JSON.stringify(d.content),
  };
}
