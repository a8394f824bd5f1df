import type { WorkspaceState } from './types';
import { allowedActions, canOpen, isMoving } from './workspace-state';

const w = (state: WorkspaceState, desired_state: WorkspaceState) => ({ state, desired_state });
const actions = (state: WorkspaceState, desired: WorkspaceState) => [...allowedActions(w(state, desired))].sort();

describe('what the portal makes of a workspace state', () => {
  it('polls a workspace while it moves, and stops once it rests', () => {
    expect(isMoving(w('requested', 'running'))).toBe(true);
    expect(isMoving(w('provisioning', 'running'))).toBe(true);
    expect(isMoving(w('running', 'stopped'))).toBe(true);
    expect(isMoving(w('deleting', 'deleted'))).toBe(true);
    expect(isMoving(w('running', 'running'))).toBe(false);
    expect(isMoving(w('stopped', 'stopped'))).toBe(false);
    expect(isMoving(w('failed', 'running'))).toBe(false);
    expect(isMoving(w('deleted', 'deleted'))).toBe(false);
  });

  it('offers the actions that make sense in each state', () => {
    expect(actions('running', 'running')).toEqual(['delete', 'restart', 'stop']);
    expect(actions('stopped', 'stopped')).toEqual(['delete', 'start']);
    expect(actions('failed', 'running')).toEqual(['delete']);
    expect(actions('failed', 'stopped')).toEqual(['delete', 'start']);
    expect(actions('provisioning', 'running')).toEqual(['delete', 'stop']);
    expect(actions('running', 'stopped')).toEqual(['delete']);
    expect(actions('deleting', 'deleted')).toEqual([]);
    expect(actions('stopped', 'deleted')).toEqual([]);
  });

  it('opens only a running workspace', () => {
    expect(canOpen({ state: 'running' })).toBe(true);
    expect(canOpen({ state: 'provisioning' })).toBe(false);
  });
});
