// The edge in deploy/kubernetes: rendered from the mesh's own template, current, accepted by Envoy, and consistent
// with the Deployment, Service and NetworkPolicy that run it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureEnvoy } from '@airlock/testing';
import { ENVOY_TEMPLATE_PATH, templateVariables, validateEnvoyConfig } from '../../src/envoy-config';
import { ensureWorkloadCertificates } from '../../src/mtls-pki';
import { ensureDevPki } from '../../src/pki';
import { ENVOY_RENDERED_FILE, UPDATE_VARIABLE, kubernetesEnvoyVars, kubernetesEnvoyVarsInput, renderKubernetesEnvoyConfig } from './envoy';
import { Manifests, loadManifests, type K8sObject, type KubeService, type NetworkPolicy } from './manifests';

const m = new Manifests(loadManifests());
const vars = kubernetesEnvoyVars();
const envoy = m.workload('envoy');
const container = envoy.spec.template.spec.containers[0];
const mountOf = (volume: string) => container.volumeMounts?.find((v) => v.name === volume);
const volumeOf = (name: string) => envoy.spec.template.spec.volumes?.find((v) => v.name === name);

describe('deploy/kubernetes edge (Envoy)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-k8s-envoy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('vars.json spells out every template variable (no hidden defaults)', () => {
    expect(Object.keys(kubernetesEnvoyVarsInput()).sort()).toEqual(templateVariables(readFileSync(ENVOY_TEMPLATE_PATH, 'utf8')).sort());
  });

  it('envoy/envoy.yaml is the current rendering of the template', () => {
    const expected = renderKubernetesEnvoyConfig();
    if (process.env[UPDATE_VARIABLE] === '1') writeFileSync(ENVOY_RENDERED_FILE, expected);
    // On a difference: the template or vars.json changed; regenerate as the file's first lines say.
    expect(readFileSync(ENVOY_RENDERED_FILE, 'utf8') === expected).toBe(true);
  });

  it('sends ext_authz and the access log to per-pod (headless) addresses, the HTTP faces to ClusterIP Services', () => {
    const service = (host: string) => m.named<KubeService>('Service', host.replace(/\.airlock\.svc$/, ''));
    expect(service(vars.POLICY_GRPC_HOST).spec.clusterIP).toBe('None');
    expect(service(vars.AUDIT_GRPC_HOST).spec.clusterIP).toBe('None');
    for (const host of [vars.GATEWAY_HTTP_HOST, vars.IDENTITY_HTTP_HOST, vars.POLICY_HTTP_HOST, vars.USAGE_HTTP_HOST, vars.WORKSPACE_HTTP_HOST, vars.PORTAL_HTTP_HOST]) {
      expect(service(host).spec.clusterIP).toBeUndefined();
    }
  });

  it('runs the rendered config (ConfigMap from kustomize) with the TLS and mTLS Secrets mounted where the config reads them', () => {
    const configFlag = container.args!.indexOf('-c');
    const configPath = container.args![configFlag + 1];
    expect(volumeOf(mountOf('config')!.name)?.configMap?.name).toBe('envoy-config');
    const generated = m.named<K8sObject & { data: Record<string, string> }>('ConfigMap', 'envoy-config');
    expect(path.dirname(configPath)).toBe(mountOf('config')!.mountPath);
    expect(generated.data[path.basename(configPath)]).toBe(readFileSync(ENVOY_RENDERED_FILE, 'utf8'));

    const tls = mountOf('tls')!;
    expect(tls.readOnly).toBe(true);
    const items = volumeOf('tls')!.secret!.items!.map((i) => path.join(tls.mountPath, i.path));
    expect(items.sort()).toEqual([vars.TLS_CERT_CHAIN, vars.TLS_PRIVATE_KEY].sort());
    expect(vars.ACCESS_LOG_PATH).toBe('/dev/stdout');

    // Envoy's client certificate towards policy and audit (mTLS), from its own Secret.
    const mtls = mountOf('mtls')!;
    expect(mtls.readOnly).toBe(true);
    expect(volumeOf('mtls')!.secret!.secretName).toBe('envoy-mtls');
    const mtlsItems = volumeOf('mtls')!.secret!.items!.map((i) => path.join(mtls.mountPath, i.path));
    expect(mtlsItems.sort()).toEqual([vars.MTLS_CERT_CHAIN, vars.MTLS_PRIVATE_KEY, vars.MTLS_CA].sort());
  });

  it('listens where the Deployment, Service, probes and NetworkPolicy expect', () => {
    expect(vars.LISTEN_ADDRESS).toBe('0.0.0.0');
    expect(Object.fromEntries(container.ports!.map((p) => [p.name, p.containerPort]))).toEqual({ https: vars.HTTPS_PORT, http: vars.HTTP_PORT });
    const edge = m.named<KubeService>('Service', 'airlock-edge');
    expect(m.workloadSelectedBy(edge.spec.selector)).toBe(envoy);
    expect(edge.spec.ports.find((p) => p.name === 'https')).toMatchObject({ port: vars.HTTPS_PUBLIC_PORT, targetPort: 'https' });
    expect(edge.spec.ports.find((p) => p.name === 'http')).toMatchObject({ targetPort: 'http' });
    for (const probe of [container.readinessProbe, container.livenessProbe]) expect(probe).toMatchObject({ tcpSocket: { port: vars.HTTPS_PORT } });
    const ingress = m.named<NetworkPolicy>('NetworkPolicy', 'envoy').spec.ingress!;
    expect(ingress).toEqual([{ ports: [{ port: vars.HTTPS_PORT, protocol: 'TCP' }, { port: vars.HTTP_PORT, protocol: 'TCP' }] }]);
  });

  it('runs non-root on a read-only root filesystem, two replicas, a PodDisruptionBudget, a grace period past its pause', () => {
    const pod = envoy.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ runAsNonRoot: true, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(envoy.spec.replicas).toBe(2);
    const pdb = m.named<K8sObject & { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } }>('PodDisruptionBudget', 'envoy');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(m.workloadSelectedBy(pdb.spec.selector.matchLabels)).toBe(envoy);
    const pause = Number(container.lifecycle!.preStop!.exec!.command[1]);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(pause);
  });

  // Local certificates stand in for the Secret, and a file for the container's stdout: Envoy opens the access log
  // while validating, and a test runner's stdout is a socket, which cannot be opened by path.
  it('is accepted by the real Envoy (--mode validate)', async () => {
    const binary = await ensureEnvoy();
    const pki = await ensureDevPki(dir);
    const { envoy: mtls } = await ensureWorkloadCertificates(dir, ['envoy']);
    const file = path.join(dir, 'envoy.yaml');
    writeFileSync(
      file,
      renderKubernetesEnvoyConfig({
        TLS_CERT_CHAIN: pki.chain,
        TLS_PRIVATE_KEY: pki.serverKey,
        ACCESS_LOG_PATH: path.join(dir, 'access.log'),
        MTLS_CERT_CHAIN: mtls.certFile,
        MTLS_PRIVATE_KEY: mtls.keyFile,
        MTLS_CA: mtls.caFile,
      }),
    );
    await expect(validateEnvoyConfig(binary, file)).resolves.toBeUndefined();
  }, 240_000);
});
