import type { WorkspaceAction, WorkspaceState } from '../../api/types';
import type { Tone } from '../../layout/StatusBadge';

/** How each state reads at a glance, the same for an owner's card and an operator's fleet row. */
export const STATE_TONES: Record<WorkspaceState, Tone> = {
  requested: 'progress',
  provisioning: 'progress',
  running: 'good',
  stopped: 'neutral',
  deleting: 'warning',
  failed: 'bad',
  deleted: 'neutral',
};

/** The lifecycle actions in the order their buttons stand. */
export const ACTIONS: WorkspaceAction[] = ['start', 'stop', 'restart', 'delete'];
