// The Policy API's paths the policy console calls (its versions, drafts and four-eyes steps); apart from
// endpoints.ts so that they load with the console, not with the first page.
import { requestJson } from './client';
import type { DlpTestReport, PolicyApproval, PolicyDraft, PolicyDraftDiff, PolicyDraftState, PolicyVersion, PolicyVersionDiff } from './types';

const POLICY = '/api/policy/v1';
const draftPath = (id: string) => `${POLICY}/drafts/${encodeURIComponent(id)}`;

export const listPolicyVersions = async () => (await requestJson<{ versions: PolicyVersion[] }>(`${POLICY}/bundles?limit=100`)).versions;
/** The changes from version `from` to version `to` (any two, either way round). */
export const diffPolicyVersions = (to: number, from: number) => requestJson<PolicyVersionDiff>(`${POLICY}/bundles/${to}/diff?against=${from}`);
/** A published version that was approved without activation becomes the active one. */
export const activatePolicyVersion = (number: number) => requestJson<PolicyVersion>(`${POLICY}/bundles/${number}/activate`, { body: {} });
/** A proposed draft that holds an earlier version's content: a second security admin approves it like any other. */
export const rollbackPolicy = (number: number, reason: string) => requestJson<PolicyDraft>(`${POLICY}/bundles/${number}/rollback`, { body: { reason } });

export const listPolicyDrafts = async (states: PolicyDraftState[]) => (await requestJson<{ drafts: PolicyDraft[] }>(`${POLICY}/drafts?state=${states.join(',')}&limit=100`)).drafts;
export const getPolicyDraft = (id: string) => requestJson<PolicyDraft>(draftPath(id));
/** The changes a draft makes to the version it is based on. */
export const diffPolicyDraft = (id: string) => requestJson<PolicyDraftDiff>(`${draftPath(id)}/diff`);
/** A new draft holding the latest version's content. */
export const createPolicyDraft = (reason: string) => requestJson<PolicyDraft>(`${POLICY}/drafts`, { body: { reason } });
export const savePolicyDraft = (draft: Pick<PolicyDraft, 'id' | 'etag'>, content: PolicyDraft['content']) =>
  requestJson<PolicyDraft>(draftPath(draft.id), { method: 'PUT', ifMatch: draft.etag, body: { content } });
export const proposePolicyDraft = (draft: Pick<PolicyDraft, 'id' | 'etag'>) => requestJson<PolicyDraft>(`${draftPath(draft.id)}/propose`, { method: 'POST', ifMatch: draft.etag });
/** `activate: false` publishes the version without making it active (staged; activated later). */
export const approvePolicyDraft = (draft: Pick<PolicyDraft, 'id' | 'etag'>, body: { comment?: string; activate: boolean }) =>
  requestJson<PolicyApproval>(`${draftPath(draft.id)}/approve`, { ifMatch: draft.etag, body });
export const rejectPolicyDraft = (id: string, reason: string) => requestJson<PolicyDraft>(`${draftPath(id)}/reject`, { body: { reason } });
/** The draft's DLP rules as last saved, applied to `text`. */
export const testDraftDlpRules = (draftId: string, text: string) => requestJson<DlpTestReport>(`${POLICY}/dlp/test`, { body: { text, draft_id: draftId } });
