// The terminal service's way into a Kubernetes workspace (apps/terminal, "Shells inside the workspace"): a sidecar in
// the workspace pod, the terminal image's `dist/shell-host.js`, holds the pod's tmux server on a socket in an
// emptyDir and bridges mTLS connections from the terminal service to it. It runs as the workspace container's uid
// with the pod's process namespace shared, so a shell sees and may signal the workspace's processes, works on the
// same home and project volumes, and leaves the pod through the same NetworkPolicy. Not `pods/exec`: that needs an
// RBAC grant to exec into every workspace, and an exec stream dies with the connection that opened it.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { INetworkPolicyIngressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyIngressRule';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import { z } from '@airlock/config';
import { WORKSPACE_HOME } from '../../client-config/render';
import { peerSchema, toPolicyPeer } from './network';

/** The sidecar's mTLS port on every workspace pod (GetShellHost reports `<pod IP>:<it>`). */
export const SHELL_HOST_PORT = 7400;
/** The emptyDir holding the tmux socket, mounted in both containers (same uid: the socket's 0700 directory admits both). */
export const TMUX_DIR = '/run/airlock-terminal';
const TLS_MOUNT = '/etc/airlock/shell-host-tls';

export const shellHostConfigSchema = z.object({
  /** The terminal service's image (it carries dist/shell-host.js); '' leaves workspaces without terminals. */
  image: z.string().default(''),
  /** kubernetes.io/tls Secret in the workspaces' namespace: tls.crt / tls.key naming the workload `workspace-shell-host` (the name the terminal service checks), ca.crt the internal CA. */
  tlsSecret: z.string().min(1).default('airlock-workspace-shell-host-tls'),
  /** Who may reach the port: the terminal service's pods. */
  callers: z.array(peerSchema).min(1).default([{ namespace: 'airlock', podLabels: { 'app.kubernetes.io/name': 'airlock-terminal' }, ports: [] }]),
  /** What the shells may use (they run in this container): requests = limits, as the workspace's. */
  cpuMillis: z.number().int().min(100).default(1000),
  memoryMib: z.number().int().min(128).default(2048),
});

export type ShellHostConfig = z.infer<typeof shellHostConfigSchema>;

/** Whether workspace pods get the sidecar. */
export const shellHostEnabled = (config: ShellHostConfig | undefined): config is ShellHostConfig => Boolean(config?.image);

/** The sidecar container: the workspace's uid and restrictions, its volumes, and the mTLS port. */
export function shellHostContainer(config: ShellHostConfig, security: ISecurityContext, workspaceMounts: IVolumeMount[]): IContainer {
  const resources = { cpu: `${config.cpuMillis}m`, memory: `${config.memoryMib}Mi` };
  return {
    name: 'shell-host',
    image: config.image,
    imagePullPolicy: 'IfNotPresent',
    workingDir: '/app',
    command: ['node', '--enable-source-maps', 'dist/shell-host.js'],
    env: [
      { name: 'SHELL_HOST_PORT', value: String(SHELL_HOST_PORT) },
      { name: 'SHELL_HOST_TMUX_DIR', value: TMUX_DIR },
      { name: 'SHELL_HOST_HOME', value: WORKSPACE_HOME },
      { name: 'MTLS_CERT_FILE', value: `${TLS_MOUNT}/tls.crt` },
      { name: 'MTLS_KEY_FILE', value: `${TLS_MOUNT}/tls.key` },
      { name: 'MTLS_CA_FILE', value: `${TLS_MOUNT}/ca.crt` },
    ],
    ports: [{ name: 'shell-host', containerPort: SHELL_HOST_PORT, protocol: 'TCP' }],
    readinessProbe: { tcpSocket: { port: SHELL_HOST_PORT }, periodSeconds: 10 },
    resources: { requests: resources, limits: resources },
    securityContext: security,
    volumeMounts: [
      ...workspaceMounts,
      { name: 'terminal-tmux', mountPath: TMUX_DIR },
      { name: 'shell-host-tls', mountPath: TLS_MOUNT, readOnly: true },
    ],
  };
}

/** The tmux socket's emptyDir (also mounted in the workspace container) and the certificate. */
export function shellHostVolumes(config: ShellHostConfig): IVolume[] {
  return [
    { name: 'terminal-tmux', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
    // 0440 with group fsGroup: the sidecar's uid reads its key, nothing else in the pod mounts it.
    { name: 'shell-host-tls', secret: { secretName: config.tlsSecret, defaultMode: 0o440 } },
  ];
}

/** The NetworkPolicy's ingress to the sidecar's port: the terminal service only. */
export function shellHostIngress(config: ShellHostConfig): INetworkPolicyIngressRule {
  return { from: config.callers.map(toPolicyPeer), ports: [{ port: SHELL_HOST_PORT, protocol: 'TCP' }] };
}
