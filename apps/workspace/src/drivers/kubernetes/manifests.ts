import { createHash } from 'node:crypto';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { IService } from 'kubernetes-models/v1/Service';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { TOKEN_PATH, WORKSPACE_HOME } from '../../client-config/render';
import type { GatewayToken, HeldToken, WorkspaceSpec } from '../driver';
import { egressRules, toPolicyPeer, type NetworkConfig } from './network';
import { TMUX_DIR, shellHostContainer, shellHostEnabled, shellHostIngress, shellHostVolumes, type ShellHostConfig } from './shell-host-sidecar';

export const MANAGED_BY = 'airlock-workspace';
export const LABELS = {
  name: 'app.kubernetes.io/name',
  managedBy: 'app.kubernetes.io/managed-by',
  workspace: 'airlock.io/workspace-id',
  tenant: 'airlock.io/tenant',
  project: 'airlock.io/project',
  user: 'airlock.io/user',
} as const;
export const ANNOTATIONS = {
  generation: 'airlock.io/generation',
  image: 'airlock.io/image',
  tokenId: 'airlock.io/token-id',
  tokenExpiresAt: 'airlock.io/token-expires-at',
} as const;

export const CODE_SERVER_PORT = 8080;
/** The workspace container's uid (the image's `coder`), also the shell-host sidecar's. */
export const WORKSPACE_UID = 1000;
const UID = WORKSPACE_UID;
const EXTENSIONS_DIR = `${WORKSPACE_HOME}/.local/share/code-server/extensions`;
/** Baked into the image at build time (deploy/workspace-image); copied into a volume mounted read-only. */
const IMAGE_EXTENSIONS_DIR = '/opt/code-server/extensions';
const CONFIG_MOUNT = '/etc/airlock/client-config';
const TOKEN_MOUNT = '/etc/airlock/gateway-token';

export interface KubernetesSettings {
  namespace: string;
  storageClass: string;
  network: NetworkConfig;
  /** The terminals' shell-host sidecar; absent or without an image: pods have none. */
  shellHost?: ShellHostConfig;
}

export interface WorkspaceManifests {
  persistentVolumeClaim: IPersistentVolumeClaim;
  configMap: IConfigMap;
  networkPolicy: INetworkPolicy;
  service: IService;
  pod: IPod;
}

/** `ws_abc…` → `ws-abc…`: a DNS-1123 label, the base of every object name of the workspace. */
export function objectName(workspaceId: string): string {
  return workspaceId.replace('_', '-');
}

export function workspaceIdFromName(name: string): string {
  return name.replace(/^ws-/, 'ws_');
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Ids may end in '.', '-' or '_', which label values may not; such ids (and only those) are labelled by a
 * hash, and the readable id stays in an annotation.
 */
export function labelValue(value: string): string {
  if (value.length <= 63 && LABEL_VALUE.test(value)) return value;
  return `h${createHash('sha256').update(value).digest('hex').slice(0, 40)}`;
}

export function workspaceLabels(spec: Pick<WorkspaceSpec, 'id' | 'tenantId' | 'projectId' | 'ownerUserId'>): Record<string, string> {
  return {
    [LABELS.name]: 'airlock-workspace',
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.workspace]: objectName(spec.id),
    [LABELS.tenant]: labelValue(spec.tenantId),
    [LABELS.project]: labelValue(spec.projectId),
    [LABELS.user]: labelValue(spec.ownerUserId),
  };
}

function metadata(spec: WorkspaceSpec, settings: KubernetesSettings, suffix: string) {
  return {
    name: `${objectName(spec.id)}${suffix}`,
    namespace: settings.namespace,
    labels: workspaceLabels(spec),
    annotations: { 'airlock.io/tenant-id': spec.tenantId, 'airlock.io/project-id': spec.projectId, 'airlock.io/user-id': spec.ownerUserId },
  };
}

/** The same restrictions for every container: non-root, nothing to escalate to, no capabilities. */
export const CONTAINER_SECURITY: ISecurityContext = {
  runAsNonRoot: true,
  runAsUser: UID,
  runAsGroup: UID,
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** Shell-quoted for the init script; paths come from our own renderer, this is belt and braces. */
function q(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function prepareHomeScript(spec: WorkspaceSpec): string {
  const lines = [
    `cp -R ${IMAGE_EXTENSIONS_DIR}/. /mnt/extensions/`,
    `install -d -m 0700 ${q(`${WORKSPACE_HOME}/.config`)} ${q(`${WORKSPACE_HOME}/.config/code-server`)} ${q(`${WORKSPACE_HOME}/.config/opencode`)}`,
    `install -d -m 0750 /mnt/project`,
  ];
  for (const file of spec.clientFiles) {
    const mode = file.mode.toString(8).padStart(4, '0');
    lines.push(`install -D -m ${mode} ${q(`${CONFIG_MOUNT}/${file.key}`)} ${q(file.path)}`);
  }
  // The token exists only once identity has issued it; without it the IDE still starts, AI calls fail closed.
  lines.push(
    `if [ -f ${TOKEN_MOUNT}/token ]; then`,
    `  install -m 0400 ${TOKEN_MOUNT}/token ${TOKEN_PATH}`,
    `  ( umask 077; printf 'AIRLOCK_GATEWAY_TOKEN=%s\\n' "$(cat ${TOKEN_MOUNT}/token)" > ${q(`${WORKSPACE_HOME}/.continue/.env`)} )`,
    'fi',
  );
  return lines.join('\n');
}

/** Name of the Secret holding the workspace's gateway token (the Pod mounts it, optional). */
export function tokenSecretName(workspaceId: string): string {
  return `${objectName(workspaceId)}-gateway-token`;
}

/**
 * The gateway token as a Secret: key `token`, which only the init container mounts (read-only) and installs
 * as /run/secrets/ai_gateway_token, 0400, owned by coder. The annotations say which token it holds, not
 * what it is.
 */
export function tokenSecret(spec: WorkspaceSpec, settings: KubernetesSettings, token: GatewayToken): ISecret {
  const meta = metadata(spec, settings, '-gateway-token');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      ...meta,
      annotations: {
        ...meta.annotations,
        [ANNOTATIONS.tokenId]: token.tokenId,
        [ANNOTATIONS.tokenExpiresAt]: String(token.expiresAtUnix),
        [ANNOTATIONS.generation]: String(token.generation),
      },
    },
    data: { token: Buffer.from(token.secret, 'utf8').toString('base64') },
  };
}

/** What a token Secret read back from the apiserver says about its token; undefined when it says nothing usable. */
export function heldTokenOf(secret: { metadata?: { annotations?: Record<string, string> }; data?: Record<string, string> } | undefined): HeldToken | undefined {
  const a = secret?.metadata?.annotations ?? {};
  const held = { tokenId: a[ANNOTATIONS.tokenId] ?? '', expiresAtUnix: Number(a[ANNOTATIONS.tokenExpiresAt]), generation: Number(a[ANNOTATIONS.generation]) };
  return secret?.data?.token && held.tokenId && Number.isFinite(held.expiresAtUnix) && Number.isFinite(held.generation) ? held : undefined;
}

/** The objects one workspace consists of. Pure: same spec, same manifests, so re-applying converges. */
export function buildManifests(spec: WorkspaceSpec, settings: KubernetesSettings): WorkspaceManifests {
  const name = objectName(spec.id);
  const selector = { [LABELS.workspace]: name };
  const shellHost = shellHostEnabled(settings.shellHost) ? settings.shellHost : undefined;
  const projectDir = `/workspace/${spec.projectId}`;
  const resources = {
    // requests = limits: a quota is a reservation, not a hope (Guaranteed QoS, no overcommit surprises).
    requests: { cpu: `${spec.cpuMillis}m`, memory: `${spec.memoryMib}Mi` },
    limits: { cpu: `${spec.cpuMillis}m`, memory: `${spec.memoryMib}Mi` },
  };

  const persistentVolumeClaim: IPersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: metadata(spec, settings, '-home'),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: `${spec.diskGib}Gi` } },
      ...(settings.storageClass ? { storageClassName: settings.storageClass } : {}),
    },
  };

  const configMap: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(spec, settings, '-client-config'),
    data: Object.fromEntries(spec.clientFiles.map((f) => [f.key, f.content])),
  };

  const networkPolicy: INetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata(spec, settings, ''),
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: settings.network.ingress.map(toPolicyPeer), ports: [{ port: CODE_SERVER_PORT, protocol: 'TCP' }] },
        ...(shellHost ? [shellHostIngress(shellHost)] : []),
      ],
      egress: egressRules(settings.network),
    },
  };

  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(spec, settings, ''),
    spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port: CODE_SERVER_PORT, targetPort: CODE_SERVER_PORT, protocol: 'TCP' }] },
  };

  const homeMount = { name: 'home', mountPath: WORKSPACE_HOME, subPath: 'home' };
  const projectMount = { name: 'home', mountPath: projectDir, subPath: 'project' };
  const pod: IPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...metadata(spec, settings, ''),
      annotations: { ...metadata(spec, settings, '').annotations, [ANNOTATIONS.generation]: String(spec.generation), [ANNOTATIONS.image]: spec.image },
    },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      // The shell-host sidecar's shells see (and may signal) the workspace's processes, as the local driver's do.
      ...(shellHost ? { shareProcessNamespace: true } : {}),
      restartPolicy: 'Always',
      securityContext: {
        runAsNonRoot: true,
        runAsUser: UID,
        runAsGroup: UID,
        fsGroup: UID,
        fsGroupChangePolicy: 'OnRootMismatch',
        seccompProfile: { type: 'RuntimeDefault' },
      },
      initContainers: [
        {
          name: 'prepare-home',
          image: spec.imageRef,
          imagePullPolicy: 'IfNotPresent',
          command: ['/bin/sh', '-ec', prepareHomeScript(spec)],
          securityContext: CONTAINER_SECURITY,
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
          volumeMounts: [
            homeMount,
            { name: 'home', mountPath: '/mnt/project', subPath: 'project' },
            { name: 'extensions', mountPath: '/mnt/extensions' },
            { name: 'client-config', mountPath: CONFIG_MOUNT, readOnly: true },
            { name: 'gateway-token', mountPath: TOKEN_MOUNT, readOnly: true },
            { name: 'run-secrets', mountPath: '/run/secrets' },
          ],
        },
      ],
      containers: [
        {
          name: 'code-server',
          image: spec.imageRef,
          imagePullPolicy: 'IfNotPresent',
          command: ['/opt/code-server/bin/code-server'],
          args: [
            '--bind-addr',
            `0.0.0.0:${CODE_SERVER_PORT}`,
            '--auth',
            'none',
            '--disable-telemetry',
            '--disable-update-check',
            '--extensions-dir',
            EXTENSIONS_DIR,
            '--user-data-dir',
            `${WORKSPACE_HOME}/.local/share/code-server`,
            projectDir,
          ],
          env: [
            { name: 'HOME', value: WORKSPACE_HOME },
            { name: 'TZ', value: 'Asia/Seoul' },
            { name: 'LANG', value: 'ko_KR.UTF-8' },
            { name: 'AIRLOCK_WORKSPACE_ID', value: spec.id },
            // No marketplace: an empty gallery leaves nothing to browse or install from.
            { name: 'EXTENSIONS_GALLERY', value: '{"serviceUrl":""}' },
          ],
          ports: [{ name: 'http', containerPort: CODE_SERVER_PORT, protocol: 'TCP' }],
          // Readiness only: an `expired` heartbeat (no browser connected lately) is not a failure, so no liveness probe
          // that would restart a session nobody is looking at.
          readinessProbe: { httpGet: { path: '/healthz', port: CODE_SERVER_PORT }, periodSeconds: 5, failureThreshold: 3 },
          resources,
          securityContext: CONTAINER_SECURITY,
          volumeMounts: [
            homeMount,
            projectMount,
            { name: 'extensions', mountPath: EXTENSIONS_DIR, readOnly: true },
            { name: 'run-secrets', mountPath: '/run/secrets', readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
            // The terminals' tmux socket: `tmux -S` from the IDE's own terminal reaches the same shells.
            ...(shellHost ? [{ name: 'terminal-tmux', mountPath: TMUX_DIR }] : []),
          ],
        },
        ...(shellHost ? [shellHostContainer(shellHost, CONTAINER_SECURITY, [homeMount, projectMount, { name: 'tmp', mountPath: '/tmp' }])] : []),
      ],
      volumes: [
        { name: 'home', persistentVolumeClaim: { claimName: persistentVolumeClaim.metadata!.name! } },
        { name: 'client-config', configMap: { name: configMap.metadata!.name!, defaultMode: 0o440 } },
        // 0440, not 0400: kubelet hands the files to root with group fsGroup (1000), and the init container
        // (uid 1000) must read the token to install it as coder's own 0400 file.
        { name: 'gateway-token', secret: { secretName: tokenSecretName(spec.id), defaultMode: 0o440, optional: true } },
        { name: 'run-secrets', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
        { name: 'extensions', emptyDir: { sizeLimit: '2Gi' } },
        { name: 'tmp', emptyDir: { sizeLimit: '4Gi' } },
        ...(shellHost ? shellHostVolumes(shellHost) : []),
      ],
    },
  };

  return { persistentVolumeClaim, configMap, networkPolicy, service, pod };
}
