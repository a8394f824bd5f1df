import { validateManifests } from './kubernetes-driver';
import { CONTAINER_SECURITY, buildManifests, type KubernetesSettings } from './manifests';
import { networkConfigSchema } from './network';
import { SHELL_HOST_PORT, TMUX_DIR, shellHostConfigSchema } from './shell-host-sidecar';
import { kubernetesWorkspaceSpec } from '../../../test/kubernetes-workspace-spec';

const spec = kubernetesWorkspaceSpec();

interface SettingsOptions {
  /** The terminal image; '' for none. */
  image?: string;
}

const settingsWith = ({ image = 'registry.internal/airlock/terminal:0.1.0' }: SettingsOptions = {}): KubernetesSettings => ({
  namespace: 'airlock-workspaces',
  storageClass: '',
  network: networkConfigSchema.parse({}),
  shellHost: shellHostConfigSchema.parse({ image }),
});

const withSidecar = buildManifests(spec, settingsWith());
const sidecarOf = (pod = withSidecar.pod) => pod.spec!.containers.find((c) => c.name === 'shell-host');
const mountsOf = (name: string, pod = withSidecar.pod) => pod.spec!.containers.find((c) => c.name === name)!.volumeMounts ?? [];

describe('the shell-host sidecar of a workspace pod', () => {
  it('keeps the manifests schema-valid', async () => {
    await expect(validateManifests(withSidecar)).resolves.toBeUndefined();
  });

  it("runs the terminal image's shell-host entry as the workspace container's uid, restricted alike, in the shared process namespace", () => {
    const sidecar = sidecarOf()!;
    expect(sidecar.image).toBe('registry.internal/airlock/terminal:0.1.0');
    expect(sidecar.command).toEqual(['node', '--enable-source-maps', 'dist/shell-host.js']);
    expect(sidecar.securityContext).toEqual(CONTAINER_SECURITY);
    const workspace = withSidecar.pod.spec!.containers.find((c) => c.name === 'code-server')!;
    expect(sidecar.securityContext!.runAsUser).toBe(workspace.securityContext!.runAsUser);
    expect(withSidecar.pod.spec!.shareProcessNamespace).toBe(true);
    expect(withSidecar.pod.spec!.hostPID ?? false).toBe(false);
  });

  it('holds the tmux socket in an emptyDir both containers mount, with the home and project volumes the workspace has', () => {
    expect(withSidecar.pod.spec!.volumes).toContainEqual({ name: 'terminal-tmux', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    for (const container of ['code-server', 'shell-host']) expect(mountsOf(container)).toContainEqual({ name: 'terminal-tmux', mountPath: TMUX_DIR });
    const workspaceHome = mountsOf('code-server').filter((m) => m.name === 'home');
    expect(mountsOf('shell-host').filter((m) => m.name === 'home')).toEqual(workspaceHome);
    expect(sidecarOf()!.env).toContainEqual({ name: 'SHELL_HOST_TMUX_DIR', value: TMUX_DIR });
  });

  it('serves mTLS on its own port with the certificate Secret only it mounts, read-only', () => {
    expect(sidecarOf()!.ports).toEqual([{ name: 'shell-host', containerPort: SHELL_HOST_PORT, protocol: 'TCP' }]);
    expect(withSidecar.pod.spec!.volumes).toContainEqual({ name: 'shell-host-tls', secret: { secretName: 'airlock-workspace-shell-host-tls', defaultMode: 0o440 } });
    const holders = [...withSidecar.pod.spec!.initContainers!, ...withSidecar.pod.spec!.containers].filter((c) => (c.volumeMounts ?? []).some((m) => m.name === 'shell-host-tls'));
    expect(holders.map((c) => c.name)).toEqual(['shell-host']);
    expect(mountsOf('shell-host').find((m) => m.name === 'shell-host-tls')).toMatchObject({ readOnly: true });
    const files = Object.fromEntries((sidecarOf()!.env ?? []).filter((e) => e.name.startsWith('MTLS_')).map((e) => [e.name, e.value]));
    expect(files).toEqual({ MTLS_CERT_FILE: '/etc/airlock/shell-host-tls/tls.crt', MTLS_KEY_FILE: '/etc/airlock/shell-host-tls/tls.key', MTLS_CA_FILE: '/etc/airlock/shell-host-tls/ca.crt' });
  });

  it("admits the terminal service's pods to that port only, beside the edge's rule for code-server", () => {
    expect(withSidecar.networkPolicy.spec!.ingress).toEqual([
      expect.objectContaining({ ports: [{ port: 8080, protocol: 'TCP' }] }),
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'airlock' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'airlock-terminal' } } }],
        ports: [{ port: SHELL_HOST_PORT, protocol: 'TCP' }],
      },
    ]);
  });

  it('is left out without a terminal image: one container, no shared process namespace, no extra ingress', () => {
    const without = buildManifests(spec, settingsWith({ image: '' }));
    expect(without.pod.spec!.containers.map((c) => c.name)).toEqual(['code-server']);
    expect(without.pod.spec!.shareProcessNamespace).toBeUndefined();
    expect(without.pod.spec!.volumes!.map((v) => v.name)).not.toContain('terminal-tmux');
    expect(without.networkPolicy.spec!.ingress).toHaveLength(1);
  });
});
