// The terminal sessions as server state: the list is refreshed now and then (someone may share a session with
// the caller, or a shell may end), and every change refreshes it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import * as endpoints from './terminal-endpoints';
import type { ShareMode } from './terminal-endpoints';

const SESSIONS = ['terminal-sessions'] as const;
const LIST_REFRESH_MS = 15_000;

export const useTerminalSessions = () => useQuery({ queryKey: SESSIONS, queryFn: endpoints.listTerminalSessions, refetchInterval: LIST_REFRESH_MS });

function useSessionsChange<In, Out>(change: (input: In) => Promise<Out>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: change, onSuccess: () => void client.invalidateQueries({ queryKey: SESSIONS }) });
}

export const useCreateTerminal = () => useSessionsChange(endpoints.createTerminalSession);
export const useRenameTerminal = () => useSessionsChange(({ id, name }: { id: string; name: string }) => endpoints.renameTerminalSession(id, name));
export const useCloseTerminal = () => useSessionsChange(endpoints.terminateTerminalSession);
export const useShareTerminal = () => useSessionsChange(({ id, userId, mode }: { id: string; userId: string; mode: ShareMode }) => endpoints.shareTerminalSession(id, userId, mode));
export const useUnshareTerminal = () => useSessionsChange(({ id, userId }: { id: string; userId: string }) => endpoints.unshareTerminalSession(id, userId));
