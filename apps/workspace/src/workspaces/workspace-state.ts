import { WorkspaceInvalidTransitionError } from './workspace.errors';

/** States a caller can want. REQUESTED is legacy (rows of the registry-only slice) and means RUNNING. */
export const DESIRED_STATES = ['REQUESTED', 'RUNNING', 'STOPPED', 'DELETING'] as const;
export type DesiredState = (typeof DESIRED_STATES)[number];

/** States the reconciler records from what a driver reported. */
export const OBSERVED_STATES = ['REQUESTED', 'PROVISIONING', 'RUNNING', 'STOPPING', 'STOPPED', 'DELETING', 'DELETED', 'FAILED'] as const;
export type ObservedState = (typeof OBSERVED_STATES)[number];

/**
 * Edges of the desired-state machine. RUNNING→RUNNING is allowed (start of a running workspace is a no-op,
 * restart bumps a generation instead of changing state). DELETING is reachable from everywhere (a repeated
 * delete is a no-op) and leads nowhere: a deleted workspace is never revived, a new one is created instead.
 */
const TRANSITIONS: Readonly<Record<DesiredState, readonly DesiredState[]>> = {
  REQUESTED: ['RUNNING', 'STOPPED', 'DELETING'],
  RUNNING: ['RUNNING', 'STOPPED', 'DELETING'],
  STOPPED: ['RUNNING', 'STOPPED', 'DELETING'],
  DELETING: ['DELETING'],
};

export function canTransition(from: DesiredState, to: DesiredState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Returns the new desired state, or throws WorkspaceInvalidTransitionError (FAILED_PRECONDITION). */
export function transition(from: DesiredState, to: DesiredState): DesiredState {
  if (!canTransition(from, to)) throw new WorkspaceInvalidTransitionError(from, to);
  return to;
}

/** Whether what the driver last saw is what is wanted; converged workspaces only get periodic re-checks. */
export function isConverged(w: { desired_state: DesiredState; observed_state: ObservedState; restart_generation: number; observed_generation: number }): boolean {
  switch (w.desired_state) {
    case 'REQUESTED':
    case 'RUNNING':
      return w.observed_state === 'RUNNING' && w.observed_generation >= w.restart_generation;
    case 'STOPPED':
      return w.observed_state === 'STOPPED';
    case 'DELETING':
      return w.observed_state === 'DELETED';
  }
}
