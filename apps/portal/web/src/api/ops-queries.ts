// The fleet and the platform's health as server state: the fleet is refreshed briskly while any workspace is on
// its way to another state and now and then otherwise; the health is checked again every 15 s.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import * as endpoints from './ops-endpoints';
import type { WorkspaceAction } from './types';
import { LIST_REFRESH_MS, MOVING_POLL_MS, isMoving } from './workspace-state';

const FLEET = ['fleet'] as const;
const HEALTH = ['platform-health'] as const;
const HEALTH_REFRESH_MS = 15_000;

export const useFleet = () =>
  useQuery({
    queryKey: FLEET,
    queryFn: endpoints.listFleet,
    refetchInterval: (query) => (query.state.data?.some(isMoving) ? MOVING_POLL_MS : LIST_REFRESH_MS),
  });

export function useFleetAction() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: WorkspaceAction }) => endpoints.changeFleetWorkspace(id, action),
    onSuccess: () => void client.invalidateQueries({ queryKey: FLEET }),
  });
}

export const usePlatformHealth = () => useQuery({ queryKey: HEALTH, queryFn: endpoints.getPlatformHealth, refetchInterval: HEALTH_REFRESH_MS });
