// Loads deploy/kubernetes as `kubectl apply -k` would see it (the resources kustomization.yaml lists, plus the
// ConfigMaps its configMapGenerator makes) and answers the questions the deploy tests ask of it.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ServiceName } from '../../src/service-env';

/** A parsed YAML value (JSON types only: manifests use no tags or anchors). */
export type YamlValue = null | boolean | number | string | YamlValue[] | { [key: string]: YamlValue };

export const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const K8S_DIR = path.join(ROOT, 'deploy', 'kubernetes');
export const NAMESPACE = 'airlock';

/** The subset of a Kubernetes object the tests read; everything else stays `unknown`. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
}

export interface Probe {
  grpc?: { port: number; service?: string };
  tcpSocket?: { port: number | string };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: unknown; fieldRef?: unknown };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: ContainerPort[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: VolumeMount[];
}

export interface Volume {
  name: string;
  emptyDir?: unknown;
  configMap?: { name: string };
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  persistentVolumeClaim?: unknown;
}

export interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
  securityContext?: Record<string, unknown>;
  terminationGracePeriodSeconds?: number;
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
}

export interface Workload extends K8sObject {
  kind: 'Deployment' | 'StatefulSet';
  spec: {
    replicas: number;
    selector: LabelSelector;
    serviceName?: string;
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
    volumeClaimTemplates?: { metadata: { name: string } }[];
  };
}

export interface ServicePort {
  name: string;
  port: number;
  targetPort: number | string;
}

export interface KubeService extends K8sObject {
  spec: { type?: string; clusterIP?: string; selector: Record<string, string>; ports: ServicePort[] };
}

export interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
}

export interface PolicyRule {
  ports?: { port: number; protocol?: string }[];
  from?: PolicyPeer[];
  to?: PolicyPeer[];
}

export interface NetworkPolicy extends K8sObject {
  spec: { podSelector: LabelSelector; policyTypes: string[]; ingress?: PolicyRule[]; egress?: PolicyRule[] };
}

function asObject(value: YamlValue, source: string): K8sObject {
  const o = value as Partial<K8sObject> | null;
  if (!o || typeof o !== 'object' || Array.isArray(o) || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
    throw new Error(`${source}: not a Kubernetes object (apiVersion, kind, metadata.name)`);
  }
  return o as K8sObject;
}

export interface Kustomization {
  resources: string[];
  configMapGenerator?: { name: string; namespace?: string; files: string[] }[];
}

export interface LoadedManifests {
  kustomization: Kustomization;
  /** Every object `kubectl apply -k` creates, generated ConfigMaps included, each with the file it came from. */
  objects: { object: K8sObject; file: string }[];
}

/** Every document of a YAML file; a syntax error or a YAML 1.1 surprise (`on`, `0644`) fails naming the file. */
export function readYaml(file: string): YamlValue[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { version: '1.2', strict: true, uniqueKeys: true });
  return docs.map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path.relative(ROOT, file)}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as YamlValue;
  });
}

export function loadManifests(): LoadedManifests {
  const kustomization = readYaml(path.join(K8S_DIR, 'kustomization.yaml'))[0] as unknown as Kustomization;
  const objects: LoadedManifests['objects'] = [];
  for (const file of kustomization.resources) {
    for (const doc of readYaml(path.join(K8S_DIR, file))) objects.push({ object: asObject(doc, file), file });
  }
  for (const generator of kustomization.configMapGenerator ?? []) {
    // `key=path` or just `path` (the key is then the file's base name).
    const data = Object.fromEntries(
      generator.files.map((entry) => {
        const [key, file] = entry.includes('=') ? entry.split('=', 2) : [path.basename(entry), entry];
        return [key, readFileSync(path.join(K8S_DIR, file), 'utf8')];
      }),
    );
    const object: K8sObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name, namespace: generator.namespace }, data };
    objects.push({ object, file: 'kustomization.yaml' });
  }
  return { kustomization, objects };
}

export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  const wanted = Object.entries(selector?.matchLabels ?? {});
  return wanted.length > 0 && wanted.every(([k, v]) => labels[k] === v);
}

/** Read-only views of the loaded objects by kind. */
export class Manifests {
  constructor(readonly loaded: LoadedManifests) {}

  of<T extends K8sObject>(kind: string, namespace = NAMESPACE): T[] {
    return this.loaded.objects.map((o) => o.object).filter((o): o is T => o.kind === kind && (o.metadata.namespace ?? '') === namespace);
  }

  named<T extends K8sObject>(kind: string, name: string, namespace = NAMESPACE): T {
    const found = this.of<T>(kind, namespace).find((o) => o.metadata.name === name);
    if (!found) throw new Error(`no ${kind} ${namespace}/${name} in deploy/kubernetes`);
    return found;
  }

  workloads(): Workload[] {
    return [...this.of<Workload>('Deployment'), ...this.of<Workload>('StatefulSet')];
  }

  workload(name: string): Workload {
    const found = this.workloads().find((w) => w.metadata.name === name);
    if (!found) throw new Error(`no Deployment or StatefulSet ${name}`);
    return found;
  }

  /** The workload whose pods a Service (or a label selector) picks; exactly one, or a test failure. */
  workloadSelectedBy(selector: Record<string, string>): Workload {
    const matches = this.workloads().filter((w) => selects({ matchLabels: selector }, w.spec.template.metadata.labels));
    if (matches.length !== 1) throw new Error(`selector ${JSON.stringify(selector)} picks ${matches.length} workloads`);
    return matches[0];
  }

  /** Environment of a workload's first container: ConfigMap (envFrom) data and explicit env entries, by name. */
  environment(workload: Workload): Map<string, { value?: string; secret?: { name: string; key: string } }> {
    const container = workload.spec.template.spec.containers[0];
    const env = new Map<string, { value?: string; secret?: { name: string; key: string } }>();
    for (const source of container.envFrom ?? []) {
      if (!source.configMapRef) throw new Error(`${workload.metadata.name}: envFrom other than a ConfigMap`);
      const data = this.named<K8sObject & { data?: Record<string, string> }>('ConfigMap', source.configMapRef.name).data ?? {};
      for (const [name, value] of Object.entries(data)) env.set(name, { value });
    }
    for (const e of container.env ?? []) {
      if (env.has(e.name)) throw new Error(`${workload.metadata.name}: ${e.name} set twice`);
      env.set(e.name, e.valueFrom?.secretKeyRef ? { secret: e.valueFrom.secretKeyRef } : { value: e.value });
    }
    return env;
  }
}

/** What a service's own code declares about its environment (apps/<svc>/dist/service.js and the runtime). */
export interface ServiceConfigShape {
  /** Every variable the service reads: common (runtime), HTTP face, edge identity, its own. */
  known: Set<string>;
  /** Variables without which the boot fails. */
  required: Set<string>;
  /** `IDENTITY_ASSERTION_*`: exactly one of these must be set (services taking the caller from the edge). */
  exactlyOne: string[];
  /** Validates values the way the service's boot does; returns the problems (variable: message). */
  validate(env: Record<string, string>): string[];
  /** Which verified caller (workload name) may call which of its gRPC services or methods (mTLS). */
  allowedCallers: Record<string, readonly string[]>;
}

interface ZodLike {
  safeParse(value: unknown): { success: boolean };
}

interface ServiceDefinitionLike {
  name: string;
  config: Record<string, ZodLike>;
  grpc: { allowedCallers: Record<string, readonly string[]> };
  http?: boolean;
  edgeIdentity?: boolean;
}

/** The runtime's HTTP-face variables (packages/runtime/src/config.ts `httpShape`, which it does not export). */
const HTTP_VARIABLES = ['HTTP_PORT', 'HTTP_BODY_LIMIT_BYTES', 'HTTP_JSON_MAX_DEPTH'];

/**
 * Reads the built service definition and resolves @airlock/config and @airlock/identity-assertion the way the
 * service itself does (from its own directory), so the shape is the one its boot validates against. A service
 * whose faces depend on its environment exports `<name>ServiceFor(env)` (what its main.ts boots): that one is
 * asked with the variables the manifest sets (their names matter, not the values).
 */
export function serviceConfigShape(service: ServiceName, variables: readonly string[] = []): ServiceConfigShape {
  const entry = path.join(ROOT, 'apps', service, 'dist', 'service.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (turbo run build --filter @airlock/${service})`);
  const fromService = createRequire(entry);
  const module = fromService(entry) as Record<string, unknown>;
  const factory = module[`${service}ServiceFor`] as ((env: Record<string, string>) => ServiceDefinitionLike) | undefined;
  const exported = Object.values(module).filter(
    (v): v is ServiceDefinitionLike => typeof v === 'object' && v !== null && 'config' in v && 'grpc' in v && 'name' in v,
  );
  if (!factory && exported.length !== 1) throw new Error(`${entry} exports ${exported.length} service definitions`);
  const def = factory ? factory(Object.fromEntries(variables.map((name) => [name, 'set']))) : exported[0];
  const config = fromService('@airlock/config') as {
    baseShape: Record<string, ZodLike>;
    loadConfig(shape: Record<string, ZodLike>, env: Record<string, string>): unknown;
    ConfigError: new (...args: never[]) => Error & { problems: { variable: string; message: string }[] };
  };
  const runtimeEntry = fromService.resolve('@airlock/runtime');
  // The mTLS variables every service reads (MTLS_*, GRPC_HEALTH_PORT).
  const { mtlsShape } = fromService('@airlock/runtime') as { mtlsShape: Record<string, ZodLike> };
  const assertion = def.edgeIdentity ? (createRequire(runtimeEntry)('@airlock/identity-assertion') as { identityAssertionConfig: Record<string, ZodLike> }).identityAssertionConfig : {};
  const own = { ...assertion, ...def.config };
  const shape = { ...config.baseShape, ...mtlsShape, ...own };
  const known = new Set([...Object.keys(shape), ...(def.http ? HTTP_VARIABLES : [])]);
  const required = new Set(Object.entries(shape).filter(([, schema]) => !schema.safeParse(undefined).success).map(([name]) => name));
  if (def.http) required.add('HTTP_PORT');
  return {
    known,
    required,
    exactlyOne: Object.keys(assertion),
    allowedCallers: def.grpc.allowedCallers,
    validate(env) {
      try {
        config.loadConfig(shape, env);
        return [];
      } catch (error) {
        if (!(error instanceof config.ConfigError)) throw error;
        return error.problems.map((p) => `${p.variable}: ${p.message}`);
      }
    },
  };
}

/** Directory of tools/cli, whose devDependency kubernetes-models the schema check resolves. */
const CLI_DIR = path.resolve(__dirname, '..', '..');

/** Schema-validates objects with kubernetes-models in a child ES-module process; resolves to the failures. */
export function validateWithKubernetesModels(objects: K8sObject[]): Promise<{ object: string; error: string }[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [path.join(__dirname, 'validate-k8s.mjs')], { cwd: CLI_DIR, maxBuffer: 16 * 1024 * 1024, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`validate-k8s.mjs failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout) as { object: string; error: string }[]);
    });
    child.stdin!.end(JSON.stringify(objects));
  });
}
