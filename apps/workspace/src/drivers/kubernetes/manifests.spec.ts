import { validateManifests, validateSecret } from './kubernetes-driver';
import { CONTAINER_SECURITY, buildManifests, heldTokenOf, labelValue, objectName, tokenSecret, workspaceIdFromName } from './manifests';
import { networkConfigSchema } from './network';
import { kubernetesWorkspaceSpec } from '../../../test/kubernetes-workspace-spec';

const spec = kubernetesWorkspaceSpec();

const network = networkConfigSchema.parse({
  egress: {
    git: [{ cidr: '10.20.0.0/24', ports: [{ port: 443 }] }],
    mirrors: [{ namespace: 'mirrors', podLabels: { app: 'nexus' }, ports: [{ port: 8081 }] }],
  },
});
const settings = { namespace: 'airlock-workspaces', storageClass: 'fast-ssd', network };
const m = buildManifests(spec, settings);

describe('kubernetes manifests', () => {
  it('are schema-valid Kubernetes objects', async () => {
    await expect(validateManifests(m)).resolves.toBeUndefined();
  });

  it('the schema check catches a broken manifest', async () => {
    const broken = buildManifests(spec, settings);
    (broken.pod.spec!.containers[0] as { ports: unknown }).ports = [{ containerPort: 'eighty' }];
    await expect(validateManifests(broken)).rejects.toThrow();
  });

  it('name every object after the workspace, in the configured namespace', () => {
    expect(objectName(spec.id)).toBe('ws-abcdefghijklmnopqrst');
    expect(workspaceIdFromName('ws-abcdefghijklmnopqrst')).toBe(spec.id);
    for (const o of Object.values(m)) expect(o.metadata!.namespace).toBe('airlock-workspaces');
    expect(m.persistentVolumeClaim.metadata!.name).toBe('ws-abcdefghijklmnopqrst-home');
    expect(m.pod.metadata!.name).toBe('ws-abcdefghijklmnopqrst');
  });

  it('label every object per tenant, project, user and workspace', () => {
    for (const o of Object.values(m)) {
      expect(o.metadata!.labels).toEqual({
        'app.kubernetes.io/name': 'airlock-workspace',
        'app.kubernetes.io/managed-by': 'airlock-workspace',
        'airlock.io/workspace-id': 'ws-abcdefghijklmnopqrst',
        'airlock.io/tenant': 'acme',
        'airlock.io/project': 'payments',
        'airlock.io/user': 'alice',
      });
    }
  });

  it('hash ids that are not valid label values, and keep readable ones', () => {
    expect(labelValue('alice')).toBe('alice');
    expect(labelValue('user-')).toMatch(/^h[a-f0-9]{40}$/);
    expect(labelValue('user.')).not.toBe(labelValue('user-'));
  });

  it('run every container non-root as 1000:1000, no escalation, no capabilities, RuntimeDefault seccomp', () => {
    const pod = m.pod.spec!;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    const containers = [...pod.initContainers!, ...pod.containers];
    expect(containers.length).toBe(2);
    for (const c of containers) {
      expect(c.securityContext).toEqual(CONTAINER_SECURITY);
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.securityContext!.capabilities!.add).toBeUndefined();
      expect(c.image).toBe(spec.imageRef);
    }
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.hostPID ?? false).toBe(false);
  });

  it('mount the extensions read-only at the path code-server uses, and the home volume read-write', () => {
    const main = m.pod.spec!.containers[0];
    const ext = main.volumeMounts!.find((v) => v.name === 'extensions')!;
    expect(ext).toEqual({ name: 'extensions', mountPath: '/home/coder/.local/share/code-server/extensions', readOnly: true });
    expect(main.args).toEqual(expect.arrayContaining(['--extensions-dir', ext.mountPath, '--auth', 'none', '--disable-telemetry', '--disable-update-check']));
    expect(main.volumeMounts!.find((v) => v.mountPath === '/home/coder')).toMatchObject({ name: 'home', subPath: 'home' });
    expect(main.volumeMounts!.find((v) => v.mountPath === '/workspace/payments')).toMatchObject({ name: 'home', subPath: 'project' });
    expect(main.volumeMounts!.find((v) => v.mountPath === '/run/secrets')).toMatchObject({ readOnly: true });
    expect(m.pod.spec!.volumes!.find((v) => v.name === 'home')!.persistentVolumeClaim).toEqual({ claimName: 'ws-abcdefghijklmnopqrst-home' });
    expect(main.env).toEqual(expect.arrayContaining([{ name: 'TZ', value: 'Asia/Seoul' }, { name: 'LANG', value: 'ko_KR.UTF-8' }]));
  });

  it('take requests and limits from the workspace size, and the volume from its disk quota', () => {
    expect(m.pod.spec!.containers[0].resources).toEqual({ requests: { cpu: '2000m', memory: '4096Mi' }, limits: { cpu: '2000m', memory: '4096Mi' } });
    expect(m.persistentVolumeClaim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } }, storageClassName: 'fast-ssd' });
  });

  it('probe readiness on /healthz and never restart on liveness (an expired heartbeat is not a failure)', () => {
    const main = m.pod.spec!.containers[0];
    expect(main.readinessProbe!.httpGet).toMatchObject({ path: '/healthz', port: 8080 });
    expect(main.livenessProbe).toBeUndefined();
  });

  it('record generation and image on the pod, so a restart or new image replaces it', () => {
    expect(m.pod.metadata!.annotations).toMatchObject({ 'airlock.io/generation': '3', 'airlock.io/image': spec.image });
  });

  it('install every client config with its mode and the token as a 0400 file, never inlined', () => {
    const script = m.pod.spec!.initContainers![0].command!.join(' ');
    expect(script).toContain(`install -D -m 0600 '/etc/airlock/client-config/opencode.json' '/home/coder/.config/opencode/opencode.json'`);
    expect(script).toContain('install -m 0400 /etc/airlock/gateway-token/token /run/secrets/ai_gateway_token');
    expect(script).toContain("install -d -m 0700 '/home/coder/.config' '/home/coder/.config/code-server'");
    expect(Object.keys(m.configMap.data!).sort()).toEqual(spec.clientFiles.map((f) => f.key).sort());
    expect(JSON.stringify(m.configMap)).not.toMatch(/alk_|Bearer/);
    expect(m.pod.spec!.volumes!.find((v) => v.name === 'gateway-token')!.secret).toMatchObject({ secretName: 'ws-abcdefghijklmnopqrst-gateway-token', defaultMode: 0o440 });
  });

  it('expose only code-server, inside the cluster', () => {
    expect(m.service.spec).toEqual({
      type: 'ClusterIP',
      selector: { 'airlock.io/workspace-id': 'ws-abcdefghijklmnopqrst' },
      ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }],
    });
  });
});

describe('gateway token Secret', () => {
  const token = { secret: `alk_${'x'.repeat(43)}`, tokenId: '6f1c2a4e-0000-4000-8000-000000000001', expiresAtUnix: 1_900_000_000, generation: 3 };
  const secret = tokenSecret(spec, settings, token);

  it('is a schema-valid Secret named as the Pod mounts it, labelled like the workspace', async () => {
    await expect(validateSecret(secret)).resolves.toBeUndefined();
    const volume = m.pod.spec!.volumes!.find((v) => v.name === 'gateway-token')!;
    expect(secret.metadata).toMatchObject({ name: volume.secret!.secretName, namespace: 'airlock-workspaces', labels: m.pod.metadata!.labels });
    expect(secret.type).toBe('Opaque');
    expect(Buffer.from(secret.data!.token, 'base64').toString('utf8')).toBe(token.secret);
  });

  it('names the token it holds in annotations (id, expiry, generation), never the secret', () => {
    expect(heldTokenOf(secret as Parameters<typeof heldTokenOf>[0])).toEqual({ tokenId: token.tokenId, expiresAtUnix: token.expiresAtUnix, generation: 3 });
    expect(JSON.stringify(secret.metadata)).not.toContain('alk_');
    expect(heldTokenOf(undefined)).toBeUndefined();
    expect(heldTokenOf({ metadata: secret.metadata as { annotations: Record<string, string> }, data: {} })).toBeUndefined();
  });

  it('is mounted read-only in the init container only, which installs it as coder\'s 0400 file; the IDE sees only that', () => {
    const volume = m.pod.spec!.volumes!.find((v) => v.name === 'gateway-token')!;
    expect(volume.secret).toEqual({ secretName: 'ws-abcdefghijklmnopqrst-gateway-token', defaultMode: 0o440, optional: true });
    const init = m.pod.spec!.initContainers![0];
    expect(init.volumeMounts!.find((v) => v.name === 'gateway-token')).toEqual({ name: 'gateway-token', mountPath: '/etc/airlock/gateway-token', readOnly: true });
    expect(init.securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true });
    expect(init.command!.join(' ')).toContain('install -m 0400 /etc/airlock/gateway-token/token /run/secrets/ai_gateway_token');
    const main = m.pod.spec!.containers[0];
    expect(main.volumeMounts!.some((v) => v.name === 'gateway-token')).toBe(false);
    expect(main.volumeMounts!.find((v) => v.name === 'run-secrets')).toEqual({ name: 'run-secrets', mountPath: '/run/secrets', readOnly: true });
    expect(m.pod.spec!.volumes!.find((v) => v.name === 'run-secrets')!.emptyDir).toMatchObject({ medium: 'Memory' });
  });
});

describe('network policy (workspace egress only to the gateway, Git, mirrors and DNS)', () => {
  const policy = m.networkPolicy.spec!;

  it('selects the workspace pod and restricts both directions', () => {
    expect(policy.podSelector).toEqual({ matchLabels: { 'airlock.io/workspace-id': 'ws-abcdefghijklmnopqrst' } });
    expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  it('admits traffic only from the edge proxy, only to code-server', () => {
    expect(policy.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'airlock' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'envoy' } } }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('lets traffic out only to the AI gateway, internal Git, package mirrors and DNS', () => {
    expect(policy.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'airlock' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'envoy' } } }],
        ports: [{ port: 8443, protocol: 'TCP' }],
      },
      { to: [{ ipBlock: { cidr: '10.20.0.0/24' } }], ports: [{ port: 443, protocol: 'TCP' }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mirrors' } }, podSelector: { matchLabels: { app: 'nexus' } } }], ports: [{ port: 8081, protocol: 'TCP' }] },
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [
          { port: 53, protocol: 'UDP' },
          { port: 53, protocol: 'TCP' },
        ],
      },
    ]);
  });

  it('has no rule that reaches everything', () => {
    for (const rule of policy.egress!) {
      expect(rule.to?.length).toBeGreaterThan(0);
      for (const peer of rule.to!) {
        expect(peer.ipBlock?.cidr).not.toBe('0.0.0.0/0');
        expect(peer.namespaceSelector === undefined || Object.keys(peer.namespaceSelector.matchLabels ?? {}).length > 0).toBe(true);
      }
    }
  });

  it('refuses a configuration that would open the internet or name nothing', () => {
    expect(() => networkConfigSchema.parse({ egress: { mirrors: [{ cidr: '0.0.0.0/0' }] } })).toThrow(/whole internet/);
    expect(() => networkConfigSchema.parse({ egress: { git: [{ ports: [{ port: 22 }] }] } })).toThrow(/cidr, namespace or podLabels/);
    expect(() => networkConfigSchema.parse({ egress: { gateway: [] } })).toThrow();
  });
});
