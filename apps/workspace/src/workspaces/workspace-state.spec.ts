import { GrpcStatus } from '@airlock/runtime';
import { backoffMs } from '../reconcile/reconciler';
import { DESIRED_STATES, canTransition, isConverged, transition, type DesiredState, type ObservedState } from './workspace-state';
import { WorkspaceInvalidTransitionError } from './workspace.errors';

describe('desired-state machine', () => {
  it.each<[DesiredState, DesiredState]>([
    ['REQUESTED', 'RUNNING'],
    ['REQUESTED', 'STOPPED'],
    ['RUNNING', 'STOPPED'],
    ['RUNNING', 'RUNNING'],
    ['STOPPED', 'RUNNING'],
    ['STOPPED', 'STOPPED'],
  ])('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(transition(from, to)).toBe(to);
  });

  it.each(DESIRED_STATES)('allows %s → DELETING (delete is always possible and idempotent)', (from) => {
    expect(transition(from, 'DELETING')).toBe('DELETING');
  });

  it.each<[DesiredState, DesiredState]>([
    ['REQUESTED', 'REQUESTED'],
    ['RUNNING', 'REQUESTED'],
    ['STOPPED', 'REQUESTED'],
    ['DELETING', 'RUNNING'],
    ['DELETING', 'REQUESTED'],
    ['DELETING', 'STOPPED'],
  ])('refuses %s → %s with FAILED_PRECONDITION', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    let error: unknown;
    try {
      transition(from, to);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkspaceInvalidTransitionError);
    expect(error).toMatchObject({ code: 'workspace_invalid_transition', grpcStatus: GrpcStatus.FAILED_PRECONDITION });
    expect((error as Error).message).toBe(`desired state cannot change from ${from} to ${to}`);
  });
});

describe('convergence', () => {
  const row = (desired: DesiredState, observed: ObservedState, restart = 0, seen = 0) => ({
    desired_state: desired,
    observed_state: observed,
    restart_generation: restart,
    observed_generation: seen,
  });

  it.each<[ReturnType<typeof row>, boolean]>([
    [row('RUNNING', 'RUNNING'), true],
    [row('REQUESTED', 'RUNNING'), true],
    [row('RUNNING', 'RUNNING', 2, 1), false],
    [row('RUNNING', 'PROVISIONING'), false],
    [row('RUNNING', 'FAILED'), false],
    [row('STOPPED', 'STOPPED'), true],
    [row('STOPPED', 'STOPPING'), false],
    [row('DELETING', 'DELETED'), true],
    [row('DELETING', 'STOPPED'), false],
  ])('%j converged: %s', (w, expected) => {
    expect(isConverged(w)).toBe(expected);
  });

  it('backs off exponentially, capped at five minutes', () => {
    expect([0, 1, 2, 3].map((a) => backoffMs(a, 2000))).toEqual([2000, 4000, 8000, 16000]);
    expect(backoffMs(40, 2000)).toBe(300_000);
  });
});
