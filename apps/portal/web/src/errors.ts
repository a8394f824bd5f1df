// A refusal in words: the portal never shows a bare error code. Codes it knows get a sentence in the user's
// language (quota refusals keep the quota's own message, which says which limit and by how much); anything
// else shows the service's message.
import type { TFunction } from 'i18next';
import { ApiError, NETWORK_ERROR } from './api/client';

const WORDED = ['project_not_allowed', 'workspace_not_found', 'not_workspace_owner', 'csrf_rejected', 'forbidden', 'rate_limited', 'audit_export_too_large', NETWORK_ERROR] as const;
const WITH_REASON = ['quota_exceeded', 'invalid_request'] as const;

export function errorText(t: TFunction, error: unknown): string {
  if (!(error instanceof ApiError)) return t('errors.generic', { reason: error instanceof Error ? error.message : String(error) });
  if ((WORDED as readonly string[]).includes(error.code)) return t(`errors.${error.code as (typeof WORDED)[number]}`);
  if ((WITH_REASON as readonly string[]).includes(error.code)) return t(`errors.${error.code as (typeof WITH_REASON)[number]}`, { reason: error.message });
  if (error.status === 503) return t('errors.unavailable');
  return t('errors.generic', { reason: error.message || error.code });
}

/** The correlation id a help desk can look the failure up by, when the edge or service gave one. */
export function errorReference(error: unknown): string | null {
  return error instanceof ApiError ? error.correlationId : null;
}
