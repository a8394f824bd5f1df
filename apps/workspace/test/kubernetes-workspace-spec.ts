import { renderClientConfigs } from '../src/client-config/render';
import type { WorkspaceSpec } from '../src/drivers/driver';

/** The workspace the Kubernetes manifest specs render: alice's in acme/payments, generation 3, with its client files. */
export function kubernetesWorkspaceSpec(): WorkspaceSpec {
  const id = 'ws_abcdefghijklmnopqrst';
  return {
    id,
    tenantId: 'acme',
    projectId: 'payments',
    ownerUserId: 'alice',
    image: 'workspace-base:2026.11.21-build1',
    imageRef: 'registry.internal/airlock/workspace-base:2026.11.21-build1',
    cpuMillis: 2000,
    memoryMib: 4096,
    diskGib: 20,
    generation: 3,
    clientFiles: renderClientConfigs({ workspaceId: id, tenantId: 'acme', projectId: 'payments', gatewayUrl: 'http://gw.airlock.svc:8080' }),
  };
}
