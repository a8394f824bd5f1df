import { GrpcStatus } from '@airlock/runtime';
import { DESIRED_STATES, canTransition, transition, type DesiredState } from './workspace-state';
import { WorkspaceInvalidTransitionError } from './workspace.errors';

describe('desired-state machine', () => {
  it.each<[DesiredState, DesiredState]>([
    ['REQUESTED', 'RUNNING'],
    ['RUNNING', 'STOPPED'],
    ['STOPPED', 'RUNNING'],
  ])('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(transition(from, to)).toBe(to);
  });

  it.each(DESIRED_STATES)('allows %s → DELETING (delete is always possible and idempotent)', (from) => {
    expect(transition(from, 'DELETING')).toBe('DELETING');
  });

  it.each<[DesiredState, DesiredState]>([
    ['REQUESTED', 'STOPPED'],
    ['REQUESTED', 'REQUESTED'],
    ['RUNNING', 'REQUESTED'],
    ['RUNNING', 'RUNNING'],
    ['STOPPED', 'REQUESTED'],
    ['STOPPED', 'STOPPED'],
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
