// What the portal makes of a workspace's state: whether it is still moving (and so polled), and which actions
// make sense now.
import type { Workspace, WorkspaceAction } from './types';

const TRANSITIONAL = new Set(['requested', 'provisioning', 'deleting']);

/** On its way somewhere: a transitional state, or a state that is not yet the desired one. */
export function isMoving(w: Pick<Workspace, 'state' | 'desired_state'>): boolean {
  if (w.state === 'failed' || w.state === 'deleted') return false;
  return TRANSITIONAL.has(w.state) || w.state !== w.desired_state;
}

/** How often a workspace is polled: briskly while it moves, not at all once it rests (the list refreshes it). */
export const MOVING_POLL_MS = 1_500;
export const LIST_REFRESH_MS = 15_000;

export function allowedActions(w: Pick<Workspace, 'state' | 'desired_state'>): Set<WorkspaceAction> {
  const actions = new Set<WorkspaceAction>();
  if (w.state === 'deleting' || w.state === 'deleted' || w.desired_state === 'deleted') return actions;
  actions.add('delete');
  if ((w.state === 'stopped' || w.state === 'failed') && w.desired_state !== 'running') actions.add('start');
  if (w.state === 'running' && w.desired_state === 'running') {
    actions.add('stop');
    actions.add('restart');
  }
  if ((w.state === 'requested' || w.state === 'provisioning') && w.desired_state === 'running') actions.add('stop');
  return actions;
}

export const canOpen = (w: Pick<Workspace, 'state'>) => w.state === 'running';
