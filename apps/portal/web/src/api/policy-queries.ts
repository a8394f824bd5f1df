// The policy console's server state (loaded with the console, not with the first page): versions, drafts, and
// the changes that move a draft through four eyes. Every change refreshes what it can have changed.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import * as endpoints from './policy-endpoints';
import type { PolicyDraft, PolicyDraftState } from './types';

const keys = {
  all: ['policy'] as const,
  versions: ['policy', 'versions'] as const,
  diff: (to: number, from: number) => ['policy', 'diff', to, from] as const,
  drafts: (states: PolicyDraftState[]) => ['policy', 'drafts', states.join(',')] as const,
  draft: (id: string) => ['policy', 'draft', id] as const,
  draftDiff: (id: string, revision: number) => ['policy', 'draft-diff', id, revision] as const,
};

/** How often the lists are asked again: another security admin may propose, approve or activate meanwhile. */
const LIST_REFRESH_MS = 15_000;

export const usePolicyVersions = () => useQuery({ queryKey: keys.versions, queryFn: endpoints.listPolicyVersions, refetchInterval: LIST_REFRESH_MS });

export function usePolicyDiff(pair: { to: number; from: number } | null) {
  return useQuery({
    queryKey: keys.diff(pair?.to ?? 0, pair?.from ?? 0),
    queryFn: () => endpoints.diffPolicyVersions(pair!.to, pair!.from),
    enabled: pair !== null,
    // Versions never change once published.
    staleTime: Infinity,
  });
}

export const usePolicyDrafts = (states: PolicyDraftState[]) =>
  useQuery({ queryKey: keys.drafts(states), queryFn: () => endpoints.listPolicyDrafts(states), refetchInterval: LIST_REFRESH_MS });

/** Per revision: a draft's diff changes only when the draft does. */
export const usePolicyDraftDiff = (draft: PolicyDraft) =>
  useQuery({ queryKey: keys.draftDiff(draft.id, draft.revision), queryFn: () => endpoints.diffPolicyDraft(draft.id), staleTime: Infinity });

export const usePolicyDraft = (id: string) => useQuery({ queryKey: keys.draft(id), queryFn: () => endpoints.getPolicyDraft(id) });

/** A change's answer is the draft as it now is: kept, and the lists asked again. */
function useDraftChange<Input>(change: (input: Input) => Promise<PolicyDraft>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: (draft) => {
      client.setQueryData(keys.draft(draft.id), draft);
      void client.invalidateQueries({ queryKey: keys.all, predicate: (q) => q.queryKey[1] !== 'draft' || q.queryKey[2] !== draft.id });
    },
  });
}

export const useCreateDraft = () => useDraftChange((reason: string) => endpoints.createPolicyDraft(reason));
export const useSaveDraft = () => useDraftChange(({ draft, content }: { draft: PolicyDraft; content: PolicyDraft['content'] }) => endpoints.savePolicyDraft(draft, content));
export const useProposeDraft = () => useDraftChange((draft: PolicyDraft) => endpoints.proposePolicyDraft(draft));
export const useRejectDraft = () => useDraftChange(({ id, reason }: { id: string; reason: string }) => endpoints.rejectPolicyDraft(id, reason));
export const useRollback = () => useDraftChange(({ number, reason }: { number: number; reason: string }) => endpoints.rollbackPolicy(number, reason));
export const useApproveDraft = () =>
  useDraftChange(async ({ draft, comment, activate }: { draft: PolicyDraft; comment: string; activate: boolean }) => (await endpoints.approvePolicyDraft(draft, { comment: comment || undefined, activate })).draft);

export function useActivateVersion() {
  const client = useQueryClient();
  return useMutation({ mutationFn: endpoints.activatePolicyVersion, onSuccess: () => void client.invalidateQueries({ queryKey: keys.versions }) });
}

export const useDlpTest = () => useMutation({ mutationFn: ({ draftId, text }: { draftId: string; text: string }) => endpoints.testDraftDlpRules(draftId, text) });
