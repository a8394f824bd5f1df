import { WorkspaceInvalidTransitionError } from './workspace.errors';

/** States a caller can want. FAILED is only ever observed, never desired. */
export const DESIRED_STATES = ['REQUESTED', 'RUNNING', 'STOPPED', 'DELETING'] as const;
export type DesiredState = (typeof DESIRED_STATES)[number];

/** States a driver can report back. */
export const OBSERVED_STATES = [...DESIRED_STATES, 'FAILED'] as const;
export type ObservedState = (typeof OBSERVED_STATES)[number];

/**
 * Forward edges of the desired-state machine. DELETING is reachable from everywhere (including itself, so a
 * repeated delete is a no-op rather than an error) and leads nowhere: a deleted workspace is never revived,
 * a new one is created instead.
 */
const TRANSITIONS: Readonly<Record<DesiredState, readonly DesiredState[]>> = {
  REQUESTED: ['RUNNING', 'DELETING'],
  RUNNING: ['STOPPED', 'DELETING'],
  STOPPED: ['RUNNING', 'DELETING'],
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

export function isDesiredState(value: string): value is DesiredState {
  return (DESIRED_STATES as readonly string[]).includes(value);
}

export function isObservedState(value: string): value is ObservedState {
  return (OBSERVED_STATES as readonly string[]).includes(value);
}
