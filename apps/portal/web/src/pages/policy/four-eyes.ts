// Four eyes: the Policy API refuses an approval from whoever proposed or edited the draft
// (self_approval_forbidden). The console says so before anyone clicks.
import type { PolicyDraft } from '../../api/types';

export type ApprovalBlock = 'not_proposed' | 'own_proposal' | 'own_edit';

/** Why `userId` cannot approve this draft, or null when they can. */
export function approvalBlock(draft: Pick<PolicyDraft, 'state' | 'proposed_by' | 'editors'>, userId: string): ApprovalBlock | null {
  if (draft.state !== 'proposed') return 'not_proposed';
  if (draft.proposed_by === userId) return 'own_proposal';
  if (draft.editors.includes(userId)) return 'own_edit';
  return null;
}
