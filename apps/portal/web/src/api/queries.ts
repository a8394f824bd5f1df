// Server state through TanStack Query: what each page reads, how often it is refreshed, and what a change
// invalidates.
import { useInfiniteQuery, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ApiError } from './client';
import * as endpoints from './endpoints';
import { signInAgain } from './session';
import type { AuditFilter, SizeId, Workspace, WorkspaceAction } from './types';
import { LIST_REFRESH_MS, MOVING_POLL_MS, isMoving } from './workspace-state';

const keys = {
  me: ['me'] as const,
  workspaces: ['workspaces'] as const,
  workspace: (id: string) => ['workspace', id] as const,
  options: ['workspace-options'] as const,
  tokens: ['tokens'] as const,
  usage: (days: number) => ['usage', days] as const,
  audit: (filter: AuditFilter | null) => ['audit', filter] as const,
  auditEvent: (id: string) => ['audit-event', id] as const,
  chains: ['audit-chains'] as const,
};

/** Who is signed in. When the session's end comes while the page is open, the browser signs in again. */
export function useMe() {
  const me = useQuery({ queryKey: keys.me, queryFn: endpoints.getMe, staleTime: 60_000 });
  const expiresAt = me.data?.expires_at;
  useEffect(() => {
    if (!expiresAt) return;
    const ms = new Date(expiresAt).getTime() - Date.now();
    // Past the end any API call answers 401 and signs in again; this covers a page that calls nothing.
    const timer = setTimeout(signInAgain, Math.max(0, ms) + 1_000);
    return () => clearTimeout(timer);
  }, [expiresAt]);
  return me;
}

/**
 * The caller's workspaces, newest first, each kept live: the list is refreshed now and then, and a workspace
 * on its way to another state is polled on its own (conditional GETs: unchanged answers are 304s) until it
 * settles. Deleted ones leave the list.
 */
export function useLiveWorkspaces() {
  const client = useQueryClient();
  const list = useQuery({ queryKey: keys.workspaces, queryFn: endpoints.listWorkspaces, refetchInterval: LIST_REFRESH_MS });
  const listed = list.data ?? [];
  const live = useQueries({
    queries: listed.map((w) => ({
      queryKey: keys.workspace(w.id),
      queryFn: async () => {
        try {
          return await endpoints.getWorkspace(w.id);
        } catch (error) {
          // Gone between two polls: it was deleted.
          if (error instanceof ApiError && error.status === 404) return { ...w, state: 'deleted' as const, desired_state: 'deleted' as const };
          throw error;
        }
      },
      initialData: w,
      initialDataUpdatedAt: list.dataUpdatedAt,
      refetchInterval: (query: { state: { data?: Workspace } }) => (query.state.data && isMoving(query.state.data) ? MOVING_POLL_MS : false),
    })),
  });
  const workspaces = listed.map((w, i) => newer(w, live[i]?.data)).filter((w) => w.state !== 'deleted');
  useEffect(() => {
    if (live.some((q) => q.data?.state === 'deleted')) void client.invalidateQueries({ queryKey: keys.workspaces });
  }, [live, client]);
  return { ...list, workspaces };
}

/** The list and a workspace's own query can each be the fresher one. */
function newer(a: Workspace, b: Workspace | undefined): Workspace {
  if (!b) return a;
  return b.state === 'deleted' || b.updated_at >= a.updated_at ? b : a;
}

export function useWorkspaceOptions(enabled: boolean) {
  return useQuery({ queryKey: keys.options, queryFn: endpoints.getWorkspaceOptions, enabled, staleTime: 0 });
}

function useWorkspaceChange<V>(change: (vars: V) => Promise<Workspace>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: (workspace) => {
      client.setQueryData(keys.workspace(workspace.id), workspace);
      void client.invalidateQueries({ queryKey: keys.workspaces });
      void client.invalidateQueries({ queryKey: keys.options });
    },
  });
}

export const useCreateWorkspace = () => useWorkspaceChange((body: { project_id: string; size: SizeId; channel?: 'current' | 'canary' }) => endpoints.createWorkspace(body));
export const useWorkspaceAction = () => useWorkspaceChange(({ id, action }: { id: string; action: WorkspaceAction }) => endpoints.actOnWorkspace(id, action));

export const useTokens = () => useQuery({ queryKey: keys.tokens, queryFn: endpoints.listTokens });

export function useCreateToken() {
  const client = useQueryClient();
  // The answer (with the token's value) goes to the page that shows it once; it is never put in the cache.
  return useMutation({ mutationFn: endpoints.createToken, onSuccess: () => void client.invalidateQueries({ queryKey: keys.tokens }), gcTime: 0 });
}

export function useRevokeToken() {
  const client = useQueryClient();
  return useMutation({ mutationFn: endpoints.revokeToken, onSuccess: () => void client.invalidateQueries({ queryKey: keys.tokens }) });
}

export const useMyUsage = (days: number) => useQuery({ queryKey: keys.usage(days), queryFn: () => endpoints.getMyUsage(days) });

/** The audit search, page by page on the API's cursor; nothing is asked until a filter is submitted. */
export function useAuditSearch(filter: AuditFilter | null) {
  return useInfiniteQuery({
    queryKey: keys.audit(filter),
    queryFn: ({ pageParam }) => endpoints.searchAudit(filter!, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    enabled: filter !== null,
    // A search shows the trail as it was when asked; a new search (or the same one submitted again) refreshes it.
    staleTime: Infinity,
  });
}

export const useAuditEvent = (id: string | null) => useQuery({ queryKey: keys.auditEvent(id ?? ''), queryFn: () => endpoints.getAuditEvent(id!), enabled: id !== null });

/** The trail's hash chains; asked again while a verification is running, so its result appears when it is done. */
export const useChainStatus = () =>
  useQuery({ queryKey: keys.chains, queryFn: endpoints.getChainStatus, refetchInterval: (query) => (query.state.data?.verification.running ? 3_000 : false) });
