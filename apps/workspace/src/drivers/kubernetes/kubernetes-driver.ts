import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  type V1ConfigMap,
  type V1NetworkPolicy,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1Secret,
  type V1Service,
} from '@kubernetes/client-node';
import { WORKSPACE_HOME } from '../../client-config/render';
import type { GatewayToken, HeldToken, Observation, ShellHost, WorkspaceDriver, WorkspaceSpec } from '../driver';
import {
  ANNOTATIONS,
  LABELS,
  MANAGED_BY,
  buildManifests,
  heldTokenOf,
  objectName,
  tokenSecret,
  tokenSecretName,
  workspaceIdFromName,
  WORKSPACE_UID,
  type KubernetesSettings,
  type WorkspaceManifests,
} from './manifests';
import { SHELL_HOST_PORT, shellHostEnabled } from './shell-host-sidecar';

/** Container states that will not fix themselves; the workspace is FAILED until something changes. */
const STUCK_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CrashLoopBackOff', 'CreateContainerConfigError', 'CreateContainerError']);

/**
 * kubernetes-models and the client type the same JSON differently (timestamps as string vs Date); our
 * manifests carry no timestamps, so the wire shape is identical.
 */
function wire<T>(manifest: object): T {
  return manifest as T;
}

function isStatus(error: unknown, code: number): boolean {
  return error instanceof ApiException && error.code === code;
}

async function ignore<T>(code: number, operation: () => Promise<T>): Promise<T | undefined> {
  try {
    return await operation();
  } catch (error) {
    if (isStatus(error, code)) return undefined;
    throw error;
  }
}

type Model = new (data: object) => { validate(): void };

let models: Promise<Record<keyof WorkspaceManifests, Model>> | undefined;

/**
 * kubernetes-models exports only under the "import" condition, so from this CommonJS build it can only be
 * reached through import(); loaded once, on first use.
 */
function loadModels(): Promise<Record<keyof WorkspaceManifests, Model>> {
  models ??= Promise.all([
    import('kubernetes-models/v1/PersistentVolumeClaim'),
    import('kubernetes-models/v1/ConfigMap'),
    import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy'),
    import('kubernetes-models/v1/Service'),
    import('kubernetes-models/v1/Pod'),
  ]).then(([pvc, configMap, networkPolicy, service, pod]) => ({
    persistentVolumeClaim: pvc.PersistentVolumeClaim as Model,
    configMap: configMap.ConfigMap as Model,
    networkPolicy: networkPolicy.NetworkPolicy as Model,
    service: service.Service as Model,
    pod: pod.Pod as Model,
  }));
  return models;
}

let secretModel: Promise<Model> | undefined;

export async function validateSecret(secret: object): Promise<void> {
  secretModel ??= import('kubernetes-models/v1/Secret').then((m) => m.Secret as Model);
  new (await secretModel)(secret).validate();
}

/** Schema validation (kubernetes-models) before anything reaches the apiserver: a bad manifest is our bug. */
export async function validateManifests(manifests: WorkspaceManifests): Promise<void> {
  const model = await loadModels();
  for (const key of Object.keys(manifests) as (keyof WorkspaceManifests)[]) new model[key](manifests[key]).validate();
}

export function loadKubeConfig(file: string): KubeConfig {
  const config = new KubeConfig();
  if (file) config.loadFromFile(file);
  else config.loadFromDefault();
  return config;
}

/**
 * One Pod + PVC (home) + Service + NetworkPolicy (+ ConfigMap of client configs) per workspace, through the
 * apiserver. Stop deletes the Pod only; delete removes everything, the volume last.
 */
export class KubernetesDriver implements WorkspaceDriver {
  readonly name = 'kubernetes';
  private readonly core: CoreV1Api;
  private readonly networking: NetworkingV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly settings: KubernetesSettings,
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.networking = kubeConfig.makeApiClient(NetworkingV1Api);
  }

  async ensureRunning(spec: WorkspaceSpec): Promise<Observation> {
    const m = buildManifests(spec, this.settings);
    await validateManifests(m);
    const namespace = this.settings.namespace;
    // The policy goes first, so the Pod never runs a moment without its egress restrictions.
    await this.upsert(
      () => this.networking.createNamespacedNetworkPolicy({ namespace, body: wire<V1NetworkPolicy>(m.networkPolicy) }),
      () => this.networking.replaceNamespacedNetworkPolicy({ namespace, name: m.networkPolicy.metadata!.name!, body: wire<V1NetworkPolicy>(m.networkPolicy) }),
    );
    await ignore(409, () => this.core.createNamespacedPersistentVolumeClaim({ namespace, body: wire<V1PersistentVolumeClaim>(m.persistentVolumeClaim) }));
    await this.upsert(
      () => this.core.createNamespacedConfigMap({ namespace, body: wire<V1ConfigMap>(m.configMap) }),
      () => this.core.replaceNamespacedConfigMap({ namespace, name: m.configMap.metadata!.name!, body: wire<V1ConfigMap>(m.configMap) }),
    );
    await ignore(409, () => this.core.createNamespacedService({ namespace, body: wire<V1Service>(m.service) }));

    const name = m.pod.metadata!.name!;
    const existing = await ignore(404, () => this.core.readNamespacedPod({ namespace, name }));
    if (!existing) {
      await ignore(409, () => this.core.createNamespacedPod({ namespace, body: wire<V1Pod>(m.pod) }));
      return { state: 'PROVISIONING', detail: 'pod created' };
    }
    if (existing.metadata?.deletionTimestamp) return { state: 'PROVISIONING', detail: 'previous pod terminating' };
    const annotations = existing.metadata?.annotations ?? {};
    if (annotations[ANNOTATIONS.generation] !== String(spec.generation) || annotations[ANNOTATIONS.image] !== spec.image) {
      // A Pod's spec is immutable: a restart or a new image means a new Pod.
      await ignore(404, () => this.core.deleteNamespacedPod({ namespace, name }));
      return { state: 'PROVISIONING', detail: 'replacing pod of an older generation' };
    }
    return podObservation(existing);
  }

  /**
   * The running pod's shell-host sidecar, when pods have one: its address on the pod network, and the workspace
   * container's uid and home (the sidecar runs as that uid). undefined: no sidecar, or no ready pod.
   */
  async shellHost(workspaceId: string): Promise<ShellHost | undefined> {
    if (!shellHostEnabled(this.settings.shellHost)) return undefined;
    const pod = await ignore(404, () => this.core.readNamespacedPod({ namespace: this.settings.namespace, name: objectName(workspaceId) }));
    if (!pod?.status?.podIP || pod.metadata?.deletionTimestamp || podObservation(pod).state !== 'RUNNING') return undefined;
    const host = pod.status.podIP.includes(':') ? `[${pod.status.podIP}]` : pod.status.podIP;
    return { uid: WORKSPACE_UID, gid: WORKSPACE_UID, home: WORKSPACE_HOME, address: `${host}:${SHELL_HOST_PORT}` };
  }

  async heldToken(spec: WorkspaceSpec): Promise<HeldToken | undefined> {
    return heldTokenOf(await ignore(404, () => this.core.readNamespacedSecret({ namespace: this.settings.namespace, name: tokenSecretName(spec.id) })));
  }

  /** Creates or replaces the Secret; a Pod started after this (a new one, or the next generation) installs it. */
  async storeToken(spec: WorkspaceSpec, token: GatewayToken): Promise<void> {
    const secret = tokenSecret(spec, this.settings, token);
    await validateSecret(secret);
    const namespace = this.settings.namespace;
    await this.upsert(
      () => this.core.createNamespacedSecret({ namespace, body: wire<V1Secret>(secret) }),
      () => this.core.replaceNamespacedSecret({ namespace, name: tokenSecretName(spec.id), body: wire<V1Secret>(secret) }),
    );
  }

  async ensureStopped(spec: WorkspaceSpec): Promise<Observation> {
    const namespace = this.settings.namespace;
    const name = objectName(spec.id);
    const existing = await ignore(404, () => this.core.readNamespacedPod({ namespace, name }));
    if (!existing) return { state: 'STOPPED', detail: '' };
    if (!existing.metadata?.deletionTimestamp) await ignore(404, () => this.core.deleteNamespacedPod({ namespace, name }));
    return { state: 'STOPPING', detail: 'pod terminating' };
  }

  async ensureDeleted(workspaceId: string): Promise<Observation> {
    const namespace = this.settings.namespace;
    const name = objectName(workspaceId);
    await ignore(404, () => this.core.deleteNamespacedPod({ namespace, name }));
    await ignore(404, () => this.core.deleteNamespacedService({ namespace, name }));
    await ignore(404, () => this.core.deleteNamespacedConfigMap({ namespace, name: `${name}-client-config` }));
    await ignore(404, () => this.core.deleteNamespacedSecret({ namespace, name: tokenSecretName(workspaceId) }));
    const pod = await ignore(404, () => this.core.readNamespacedPod({ namespace, name }));
    if (pod) return { state: 'DELETING', detail: 'pod terminating' };
    // The volume only once no Pod can still be writing to it; the policy last, so nothing runs unconfined.
    await ignore(404, () => this.core.deleteNamespacedPersistentVolumeClaim({ namespace, name: `${name}-home` }));
    await ignore(404, () => this.networking.deleteNamespacedNetworkPolicy({ namespace, name }));
    const claim = await ignore(404, () => this.core.readNamespacedPersistentVolumeClaim({ namespace, name: `${name}-home` }));
    return claim ? { state: 'DELETING', detail: 'volume being released' } : { state: 'ABSENT', detail: '' };
  }

  async listManaged(): Promise<string[]> {
    const namespace = this.settings.namespace;
    const labelSelector = `${LABELS.managedBy}=${MANAGED_BY}`;
    const lists = await Promise.all([
      this.core.listNamespacedPod({ namespace, labelSelector }),
      this.core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector }),
      this.core.listNamespacedService({ namespace, labelSelector }),
      this.core.listNamespacedConfigMap({ namespace, labelSelector }),
      this.core.listNamespacedSecret({ namespace, labelSelector }),
      this.networking.listNamespacedNetworkPolicy({ namespace, labelSelector }),
    ]);
    const ids = new Set<string>();
    for (const list of lists) {
      for (const item of list.items) {
        const label = item.metadata?.labels?.[LABELS.workspace];
        if (label) ids.add(workspaceIdFromName(label));
      }
    }
    return [...ids].sort();
  }

  private async upsert(create: () => Promise<unknown>, replace: () => Promise<unknown>): Promise<void> {
    try {
      await create();
    } catch (error) {
      if (!isStatus(error, 409)) throw error;
      await replace();
    }
  }
}

export function podObservation(pod: V1Pod): Observation {
  const status = pod.status;
  const phase = status?.phase ?? 'Pending';
  if (phase === 'Failed' || phase === 'Succeeded') return { state: 'FAILED', detail: `pod ${phase.toLowerCase()}${status?.reason ? `: ${status.reason}` : ''}` };
  for (const container of [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])]) {
    const reason = container.state?.waiting?.reason;
    if (reason && STUCK_REASONS.has(reason)) return { state: 'FAILED', detail: `container ${container.name}: ${reason}` };
  }
  const ready = status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  if (phase === 'Running' && ready) return { state: 'RUNNING', detail: '' };
  return { state: 'PROVISIONING', detail: `pod ${phase.toLowerCase()}` };
}
