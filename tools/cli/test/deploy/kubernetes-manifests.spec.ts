// deploy/kubernetes, checked without a cluster: schema, each service's environment against its own config shape,
// ports, probes, security, shutdown, secrets, and the NetworkPolicies against the calls the configuration makes.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KAFKA_CLIENT_NAMES, kafkaAcl, type KafkaClient } from '@airlock/events';
import { serviceAclRules, serviceRedisGrant, type RedisService } from '@airlock/testing';
import { SERVICES, type ServiceName } from '../../src/service-env';
import { kubernetesEnvoyVars } from './envoy';
import {
  K8S_DIR,
  Manifests,
  NAMESPACE,
  loadManifests,
  selects,
  serviceConfigShape,
  validateWithKubernetesModels,
  type Container,
  type K8sObject,
  type KubeService,
  type NetworkPolicy,
  type PolicyPeer,
  type Workload,
} from './manifests';

const m = new Manifests(loadManifests());
const DEPLOY_README = readFileSync(path.join(K8S_DIR, '..', 'README.md'), 'utf8');
const PORT_VARIABLES = { grpc: 'GRPC_PORT', metrics: 'METRICS_PORT', health: 'GRPC_HEALTH_PORT' } as const;
/** Ports for the kubelet only (probes): not behind the Service. */
const PROBE_ONLY_PORTS = ['health'];
/**
 * The named HTTP ports a service's environment binds: HTTP_PORT; for the workspace service its browser route
 * (WORKSPACE_PROXY_PORT, `http`) and its owner API (HTTP_PORT, `api`).
 */
const httpPortVariables = (service: ServiceName): Record<string, string> => (service === 'workspace' ? { http: 'WORKSPACE_PROXY_PORT', api: 'HTTP_PORT' } : { http: 'HTTP_PORT' });
/** Variables that carry credentials: only ever from a Secret. A `*_PASSWORD_FILE` is a path (the Secret is mounted). */
const SECRET_VARIABLES = /(^DATABASE_URL$|^REDIS_URL$|SECRET|TOKEN$|PASSWORD(?!_FILE$))/;
/** Files a service reads a key or a password from: items of its own Secret, mounted read-only. */
const SECRET_FILE_VARIABLES = /_(KEY|PASSWORD)_FILE$|^MTLS_(CERT|CA)_FILE$/;

const workloadOf = (service: ServiceName) => m.workload(`airlock-${service}`);
const containerOf = (w: Workload): Container => w.spec.template.spec.containers[0];

function placeholderSecret(key: string): string {
  // The role only: its password comes from DATABASE_PASSWORD_FILE.
  if (key === 'DATABASE_URL') return 'postgres://airlock_usage@postgres.airlock-data.svc:5432/airlock_usage';
  // The server only: the service signs in as REDIS_USERNAME with the password of REDIS_PASSWORD_FILE.
  if (key === 'REDIS_URL') return 'redis://redis.airlock-data.svc:6379';
  return 'placeholder';
}

describe('deploy/kubernetes', () => {
  it('kustomization.yaml lists every manifest file, and every document is a namespaced-or-cluster object with a unique name', () => {
    const onDisk = readdirSync(K8S_DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...m.loaded.kustomization.resources].sort()).toEqual(onDisk.sort());
    const ids = m.loaded.objects.map(({ object: o }) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
    // Explicit namespaces (kustomization.yaml sets none): airlock, except the workspace driver's RBAC.
    const placement = m.loaded.objects.map(({ object: o }) => `${o.kind}/${o.metadata.name}: ${o.metadata.namespace ?? '-'}`);
    const expected = m.loaded.objects.map(({ object: o }) => {
      const ns = o.kind === 'Namespace' ? '-' : o.kind === 'Role' || o.kind === 'RoleBinding' ? 'airlock-workspaces' : NAMESPACE;
      return `${o.kind}/${o.metadata.name}: ${ns}`;
    });
    expect(placement).toEqual(expected);
    expect(m.of('Namespace', '').map((n) => n.metadata.name).sort()).toEqual(['airlock', 'airlock-workspaces']);
    // Secrets are the operator's (deploy/README.md): none is committed, not even an empty one.
    expect(m.loaded.objects.filter(({ object: o }) => o.kind === 'Secret')).toEqual([]);
  });

  it('every object is valid against the Kubernetes schema (kubernetes-models)', async () => {
    expect(await validateWithKubernetesModels(m.loaded.objects.map((o) => o.object))).toEqual([]);
  });

  it('the schema check catches a broken object', async () => {
    const broken = structuredClone(workloadOf('dlp')) as unknown as { spec: { template: { spec: { containers: { ports: unknown }[] } } } };
    broken.spec.template.spec.containers[0].ports = [{ containerPort: 'eighty' }];
    expect(await validateWithKubernetesModels([broken as unknown as K8sObject])).toEqual([expect.objectContaining({ object: 'Deployment/airlock-dlp' })]);
  });

  describe.each(SERVICES)('%s', (service) => {
    const w = workloadOf(service);
    const c = containerOf(w);
    // In beforeAll, so that a broken manifest or an unbuilt service fails this service's tests, not the suite.
    let env: ReturnType<Manifests['environment']>;
    let shape: ReturnType<typeof serviceConfigShape>;
    beforeAll(() => {
      env = m.environment(w);
      shape = serviceConfigShape(service, [...env.keys()]);
    });

    it('sets every variable the service requires and none it does not know', () => {
      const names = [...env.keys()];
      expect(names.filter((n) => !shape.known.has(n))).toEqual([]);
      expect([...shape.required].filter((n) => !env.has(n))).toEqual([]);
      if (shape.exactlyOne.length) expect(shape.exactlyOne.filter((n) => env.has(n))).toHaveLength(1);
    });

    it("passes the service's own config validation (secrets replaced by placeholders)", () => {
      // A password file is read at boot: a placeholder file stands in for the mounted Secret item.
      const passwordFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'airlock-k8s-')), 'password');
      writeFileSync(passwordFile, 'placeholder\n', { mode: 0o600 });
      const value = (name: string, v: { value?: string; secret?: { key: string } }) =>
        v.secret ? placeholderSecret(v.secret.key) : name.endsWith('_PASSWORD_FILE') ? passwordFile : v.value!;
      const values = Object.fromEntries([...env].map(([name, v]) => [name, value(name, v)]));
      expect(shape.validate(values)).toEqual([]);
    });

    it('takes credentials only from Secret references, and nothing else from them', () => {
      for (const [name, v] of env) expect(`${name}: ${v.secret ? 'secret' : 'config'}`).toBe(`${name}: ${SECRET_VARIABLES.test(name) ? 'secret' : 'config'}`);
      for (const [, v] of env) if (v.secret) expect(v.secret).toEqual({ name: `airlock-${service}`, key: expect.any(String) });
      // Plain values come from the service's ConfigMap only (envFrom), never inline in the pod template.
      expect((c.env ?? []).filter((e) => !e.valueFrom?.secretKeyRef)).toEqual([]);
      expect(c.envFrom).toEqual([{ configMapRef: { name: `airlock-${service}` } }]);
    });

    it("with a database, reads its own role's password from a file of its Secret (DATABASE_PASSWORD)", () => {
      if (!env.has('DATABASE_URL')) return expect(env.has('DATABASE_PASSWORD_FILE')).toBe(false);
      const file = env.get('DATABASE_PASSWORD_FILE')?.value;
      expect(file).toBe('/etc/airlock/database/password');
      const mount = (c.volumeMounts ?? []).find((mm) => file!.startsWith(`${mm.mountPath}/`));
      const volume = w.spec.template.spec.volumes?.find((vol) => vol.name === mount?.name);
      expect(volume?.secret).toEqual({ secretName: `airlock-${service}`, defaultMode: 0o440, items: [{ key: 'DATABASE_PASSWORD', path: 'password' }] });
    });

    it("with Redis, signs in as its own ACL user with a password file of its Secret (REDIS_PASSWORD), granted in the README", () => {
      if (!env.has('REDIS_URL')) return expect(env.has('REDIS_PASSWORD_FILE')).toBe(false);
      expect(env.get('REDIS_USERNAME')?.value).toBe(`airlock-${service}`);
      const file = env.get('REDIS_PASSWORD_FILE')?.value;
      expect(file).toBe('/etc/airlock/redis/password');
      const mount = (c.volumeMounts ?? []).find((mm) => file!.startsWith(`${mm.mountPath}/`));
      expect(mount?.readOnly).toBe(true);
      const volume = w.spec.template.spec.volumes?.find((vol) => vol.name === mount?.name);
      expect(volume?.secret).toEqual({ secretName: `airlock-${service}`, defaultMode: 0o440, items: [{ key: 'REDIS_PASSWORD', path: 'password' }] });
      // The README's ACL SETUSER for this user grants exactly what the harness grants a service so configured.
      const configured = Object.fromEntries([...env].filter(([, v]) => !v.secret).map(([name, v]) => [name, v.value]));
      const rules = serviceAclRules(service as RedisService, serviceRedisGrant(service as RedisService, configured), 'unused');
      const documented = rules.map((r) => (r.startsWith('#') ? '#<sha256 of the password>' : r)).join(' ');
      expect(DEPLOY_README).toContain(`ACL SETUSER airlock-${service} ${documented}`);
    });

    it('with Kafka, signs in as its own SCRAM user with a password file of its Secret (KAFKA_PASSWORD)', () => {
      if (!env.has('KAFKA_BROKERS')) return expect(env.has('KAFKA_PASSWORD_FILE')).toBe(false);
      expect(env.get('KAFKA_USERNAME')?.value).toBe(`airlock-${service}`);
      const file = env.get('KAFKA_PASSWORD_FILE')?.value;
      expect(file).toBe('/etc/airlock/kafka/password');
      const mount = (c.volumeMounts ?? []).find((mm) => file!.startsWith(`${mm.mountPath}/`));
      expect(mount?.readOnly).toBe(true);
      const volume = w.spec.template.spec.volumes?.find((vol) => vol.name === mount?.name);
      expect(volume?.secret).toEqual({ secretName: `airlock-${service}`, defaultMode: 0o440, items: [{ key: 'KAFKA_PASSWORD', path: 'password' }] });
      expect(DEPLOY_README).toContain(`User:airlock-${service}`);
      expect(KAFKA_CLIENT_NAMES).toContain(service);
    });

    it('declares the ports its environment binds, and the Service and probes use them', () => {
      const bound: Record<string, number> = {
        grpc: Number(env.get(PORT_VARIABLES.grpc)?.value),
        metrics: Number(env.get(PORT_VARIABLES.metrics)?.value),
        health: Number(env.get(PORT_VARIABLES.health)?.value),
      };
      for (const [name, variable] of Object.entries(httpPortVariables(service))) if (env.has(variable)) bound[name] = Number(env.get(variable)!.value);
      expect(Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]))).toEqual(bound);
      expect(env.get('BIND_HOST')?.value).toBe('0.0.0.0');

      const svc = m.named<KubeService>('Service', `airlock-${service}`);
      expect(m.workloadSelectedBy(svc.spec.selector)).toBe(w);
      const served = Object.keys(bound).filter((n) => !PROBE_ONLY_PORTS.includes(n));
      expect(svc.spec.ports.map((p) => [p.name, p.targetPort]).sort()).toEqual(served.map((n) => [n, n]).sort());
      for (const p of svc.spec.ports) expect(p.port).toBe(bound[p.name]);

      // The gRPC port requires a client certificate, which the kubelet's probe cannot present: probes ask the
      // plaintext health-only port.
      for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) expect(probe).toMatchObject({ grpc: { port: bound.health } });
    });

    it('runs non-root (1000) on a read-only root filesystem, with every written path on a volume', () => {
      const pod = w.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
      expect(c.securityContext).toEqual({ runAsNonRoot: true, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(pod.automountServiceAccountToken).toBe(service === 'workspace');

      const mounts = c.volumeMounts ?? [];
      const writable = mounts.filter((v) => !v.readOnly).map((v) => v.mountPath);
      expect(writable).toContain('/tmp');
      const under = (file: string, dirs: string[]) => dirs.some((d) => file === d || file.startsWith(`${d}/`));
      for (const name of ['EVENT_SPOOL_DIR', 'POLICY_BUNDLE_CACHE_FILE', 'AUDIT_SINK_JSONL_PATH']) {
        const value = env.get(name)?.value;
        if (value) expect(`${name}=${value} writable: ${under(value, writable)}`).toBe(`${name}=${value} writable: true`);
      }
      // Key and password files come from the service's Secret (its mTLS key and certificates from its mTLS Secret), mounted read-only with exactly that item.
      for (const [name, v] of env) {
        if (!SECRET_FILE_VARIABLES.test(name) || !v.value) continue;
        const mount = mounts.find((mm) => v.value!.startsWith(`${mm.mountPath}/`));
        expect(mount?.readOnly).toBe(true);
        const volume = pod.volumes?.find((vol) => vol.name === mount!.name);
        expect(volume?.secret?.secretName).toBe(name.startsWith('MTLS_') ? `airlock-${service}-mtls` : `airlock-${service}`);
        expect(volume?.secret?.items?.map((i) => i.path)).toContain(path.relative(mount!.mountPath, v.value));
      }
    });

    it('keeps a spool that must outlive the pod on its own PersistentVolume (StatefulSet), else uses a Deployment', () => {
      const spool = env.get('EVENT_SPOOL_DIR')?.value ?? env.get('AUDIT_SINK_JSONL_PATH')?.value;
      expect(w.kind).toBe(spool ? 'StatefulSet' : 'Deployment');
      if (w.kind === 'StatefulSet') {
        const claim = w.spec.volumeClaimTemplates?.[0]?.metadata.name;
        const mount = (c.volumeMounts ?? []).find((v) => v.name === claim);
        expect(spool!.startsWith(`${mount?.mountPath}/`)).toBe(true);
        const governing = m.named<KubeService>('Service', w.spec.serviceName!);
        expect(governing.spec.clusterIP).toBe('None');
        expect(m.workloadSelectedBy(governing.spec.selector)).toBe(w);
      }
    });

    it('has two replicas, a PodDisruptionBudget keeping one, resources, and a grace period longer than its drain', () => {
      expect(w.spec.replicas).toBe(2);
      const pdb = m.named<K8sObject & { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } }>('PodDisruptionBudget', `airlock-${service}`);
      expect(pdb.spec.minAvailable).toBe(1);
      expect(m.workloadSelectedBy(pdb.spec.selector.matchLabels)).toBe(w);
      expect(c.resources?.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(c.resources?.limits).toEqual({ cpu: expect.any(String), memory: expect.any(String) });

      const drainMs = Number(env.get('SHUTDOWN_GRACE_MS')?.value);
      const preStop = c.lifecycle?.preStop?.exec?.command ?? [];
      expect(preStop[0]).toBe('sleep');
      const pauseMs = Number(preStop[1]) * 1000;
      expect(w.spec.template.spec.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(drainMs + pauseMs);
    });

    it('is isolated by its own NetworkPolicy', () => {
      const policy = m.named<NetworkPolicy>('NetworkPolicy', `airlock-${service}`);
      expect(selects(policy.spec.podSelector, w.spec.template.metadata.labels)).toBe(true);
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    });
  });

  describe('NetworkPolicies', () => {
    const policies = m.of<NetworkPolicy>('NetworkPolicy');
    const labelsOf = (w: Workload) => w.spec.template.metadata.labels;
    const nameOf = (w: Workload) => w.metadata.name;
    const inNamespace = (peer: PolicyPeer) => peer.podSelector !== undefined && peer.namespaceSelector === undefined && peer.ipBlock === undefined;

    /** `<host>.airlock.svc:<port>` → the workload behind that Service and the pod port the Service sends to. */
    function resolveAddress(host: string, port: number): { workload: Workload; podPort: number } {
      const svc = m.named<KubeService>('Service', host.replace(/\.airlock\.svc$/, ''));
      const workload = m.workloadSelectedBy(svc.spec.selector);
      const sp = svc.spec.ports.find((p) => p.port === port);
      if (!sp) throw new Error(`Service ${svc.metadata.name} has no port ${port}`);
      const podPort = typeof sp.targetPort === 'number' ? sp.targetPort : containerOf(workload).ports!.find((p) => p.name === sp.targetPort)!.containerPort;
      return { workload, podPort };
    }

    /** Every in-cluster call the configuration makes: `caller -> callee:podPort`. */
    function configuredCalls(): string[] {
      const calls = new Set<string>();
      const ADDRESS = /(?:^|\/\/|,)([a-z0-9-]+\.airlock\.svc):(\d+)/g;
      for (const service of SERVICES) {
        const w = workloadOf(service);
        for (const [, v] of m.environment(w)) {
          for (const match of (v.value ?? '').matchAll(ADDRESS)) {
            const target = resolveAddress(match[1], Number(match[2]));
            calls.add(`${nameOf(w)} -> ${nameOf(target.workload)}:${target.podPort}`);
          }
        }
      }
      const envoy = m.workload('envoy');
      const vars = kubernetesEnvoyVars() as unknown as Record<string, string | number>;
      for (const [name, host] of Object.entries(vars)) {
        if (!name.endsWith('_HOST')) continue;
        const target = resolveAddress(String(host), Number(vars[name.replace(/_HOST$/, '_PORT')]));
        calls.add(`${nameOf(envoy)} -> ${nameOf(target.workload)}:${target.podPort}`);
      }
      return [...calls].sort();
    }

    /** The in-namespace calls the policies allow, seen from one side (`egress` of callers or `ingress` of callees). */
    function allowedCalls(direction: 'egress' | 'ingress'): string[] {
      const calls = new Set<string>();
      for (const policy of policies) {
        const owners = m.workloads().filter((w) => selects(policy.spec.podSelector, labelsOf(w)));
        for (const rule of policy.spec[direction] ?? []) {
          const peers = (direction === 'egress' ? rule.to : rule.from) ?? [];
          for (const peer of peers.filter(inNamespace)) {
            for (const other of m.workloads().filter((w) => selects(peer.podSelector, labelsOf(w)))) {
              for (const owner of owners) {
                for (const p of rule.ports ?? []) {
                  calls.add(direction === 'egress' ? `${nameOf(owner)} -> ${nameOf(other)}:${p.port}` : `${nameOf(other)} -> ${nameOf(owner)}:${p.port}`);
                }
              }
            }
          }
        }
      }
      return [...calls].sort();
    }

    it('deny everything by default and allow DNS', () => {
      expect(m.named<NetworkPolicy>('NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      expect(m.named<NetworkPolicy>('NetworkPolicy', 'allow-dns').spec.egress).toEqual([
        expect.objectContaining({ ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }),
      ]);
    });

    it('select only pods that exist: every selector in the namespace matches a workload', () => {
      for (const policy of policies.filter((p) => Object.keys(p.spec.podSelector.matchLabels ?? {}).length > 0)) {
        expect(`${policy.metadata.name}: ${m.workloads().filter((w) => selects(policy.spec.podSelector, labelsOf(w))).length}`).toBe(`${policy.metadata.name}: 1`);
        for (const rule of [...(policy.spec.ingress ?? []), ...(policy.spec.egress ?? [])]) {
          for (const peer of [...(rule.from ?? []), ...(rule.to ?? [])].filter(inNamespace)) {
            expect(`${policy.metadata.name} peer ${JSON.stringify(peer.podSelector)}: ${m.workloads().some((w) => selects(peer.podSelector, labelsOf(w)))}`).toBe(
              `${policy.metadata.name} peer ${JSON.stringify(peer.podSelector)}: true`,
            );
          }
          for (const p of rule.ports ?? []) expect(Number.isInteger(p.port)).toBe(true);
        }
      }
    });

    it('allow exactly the calls the configuration makes, on both ends', () => {
      const calls = configuredCalls();
      // The call graph deploy/README.md documents; a new *_ADDR or URL shows up here first.
      expect(calls).toEqual([
        'airlock-audit -> airlock-policy:8080',
        'airlock-dlp -> airlock-policy:50051',
        'airlock-gateway -> airlock-dlp:50051',
        'airlock-gateway -> airlock-policy:8080',
        'airlock-gateway -> airlock-rag:50051',
        'airlock-identity -> airlock-policy:50051',
        'airlock-identity -> airlock-policy:8080',
        'airlock-policy -> airlock-identity:50051',
        'airlock-policy -> airlock-usage:50051',
        'airlock-portal -> airlock-policy:8080',
        'airlock-rag -> airlock-dlp:50051',
        'airlock-rag -> airlock-policy:8080',
        'airlock-terminal -> airlock-policy:50051',
        'airlock-terminal -> airlock-policy:8080',
        'airlock-terminal -> airlock-workspace:50051',
        'airlock-usage -> airlock-policy:50051',
        'airlock-usage -> airlock-policy:8080',
        'airlock-workspace -> airlock-identity:50051',
        'airlock-workspace -> airlock-policy:8080',
        'envoy -> airlock-audit:50051',
        'envoy -> airlock-audit:8080',
        'envoy -> airlock-gateway:8080',
        'envoy -> airlock-identity:8080',
        'envoy -> airlock-policy:50051',
        'envoy -> airlock-policy:8080',
        'envoy -> airlock-portal:8080',
        'envoy -> airlock-rag:8080',
        'envoy -> airlock-terminal:8080',
        'envoy -> airlock-usage:8080',
        'envoy -> airlock-workspace:8080',
        'envoy -> airlock-workspace:8081',
      ]);
      expect(allowedCalls('egress')).toEqual(calls);
      expect(allowedCalls('ingress')).toEqual(calls);
    });

    it("admit on each gRPC port exactly the workloads the service's mTLS call graph names (besides the operator's tools)", () => {
      const ingress = allowedCalls('ingress');
      for (const service of SERVICES) {
        const callee = `airlock-${service}`;
        const admitted = ingress
          .filter((call) => call.endsWith(` -> ${callee}:50051`))
          .map((call) => call.split(' -> ')[0].replace(/^airlock-/, ''))
          .sort();
        const graph = Object.keys(serviceConfigShape(service).allowedCallers).filter((caller) => caller !== 'operator').sort();
        expect(`${service}: ${graph.join(', ')}`).toBe(`${service}: ${admitted.join(', ')}`);
      }
    });

    it('open metrics only to the monitoring namespace', () => {
      for (const service of SERVICES) {
        const rules = m.named<NetworkPolicy>('NetworkPolicy', `airlock-${service}`).spec.ingress ?? [];
        const metrics = rules.filter((r) => r.ports?.some((p) => p.port === 9464));
        expect(metrics).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 9464, protocol: 'TCP' }] }]);
      }
    });
  });
});

describe("deploy/README.md's Kafka ACLs", () => {
  // What a cluster's operator runs is what the mesh's broker grants: both from @airlock/events' KAFKA_CLIENTS.
  it.each(KAFKA_CLIENT_NAMES)('grant %s exactly its rights in KAFKA_CLIENTS', (client: KafkaClient) => {
    const acl = kafkaAcl(client, { groupPrefix: 'airlock' });
    const principal = `acl --allow-principal User:airlock-${client}`;
    const expected = [
      ...(acl.produce.length ? [`${principal} --operation Write --operation Describe ${acl.produce.map((t) => `--topic ${t}`).join(' ')}`] : []),
      ...(acl.consume.length ? [`${principal} --operation Read --operation Describe ${acl.consume.map((t) => `--topic ${t}`).join(' ')} ${acl.groups.map((g) => `--group ${g}`).join(' ')}`] : []),
    ];
    const documented = DEPLOY_README.split('\n').filter((line) => line.startsWith(`${principal} `));
    expect(documented.sort()).toEqual(expected.sort());
  });
});
