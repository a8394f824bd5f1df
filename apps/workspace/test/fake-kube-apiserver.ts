import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { stringify } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';


/**
 * FAKE Kubernetes apiserver, for tests only, where no cluster exists. It speaks the real wire protocol for
 * the paths the workspace driver uses (HTTP + JSON: create, read, replace, delete, list with an equality
 * label selector; Status objects with 404/409/422), validates bodies against the Kubernetes schema, and
 * plays a kubelet that marks a Pod Running and Ready (with a pod IP) the first time it is read after creation. Requests can
 * be held (to stand a service still mid-request while it "crashes") and released later.
 */
export class FakeKubeApiServer {
  readonly objects = new Map<string, any>();
  readonly requests: string[] = [];
  /** Held requests answered after their release. */
  lateAnswers = 0;
  private server?: http.Server;
  private holds: { method: string; resource: string; match: (body: any) => boolean; arrived: () => void; released: Promise<void> }[] = [];
  private version = 1;
  private podAddresses = 0;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A kubeconfig pointing at this fake: the only thing a real cluster would change. */
  writeKubeconfig(dir: string, namespace: string): string {
    const file = path.join(dir, 'kubeconfig.yaml');
    writeFileSync(
      file,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'fake', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'fake', user: { token: 'fake-token' } }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake', namespace } }],
        'current-context': 'fake',
      }),
    );
    return file;
  }

  /**
   * Holds the next `method` request on `resource` whose body `match`es until `release()`; `arrived` resolves
   * when it comes in.
   */
  hold(method: string, resource: string, match: (body: any) => boolean = () => true): { arrived: Promise<void>; release: () => void } {
    let arrived!: () => void;
    let release!: () => void;
    const arrivedP = new Promise<void>((r) => (arrived = r));
    const released = new Promise<void>((r) => (release = r));
    this.holds.push({ method, resource, match, arrived, released });
    return { arrived: arrivedP, release };
  }

  list(resource: string, namespace: string): any[] {
    return [...this.objects.entries()].filter(([k]) => k.startsWith(`${resource}/${namespace}/`)).map(([, v]) => v);
  }

  get(resource: string, namespace: string, name: string): any {
    return this.objects.get(`${resource}/${namespace}/${name}`);
  }

  /** Puts an object in directly, as something outside the driver would. */
  put(resource: string, namespace: string, object: any): void {
    this.objects.set(`${resource}/${namespace}/${object.metadata.name}`, this.stamp(object));
  }

  private stamp(object: any): any {
    object.metadata = { ...object.metadata, uid: randomUUID(), resourceVersion: String(this.version++), creationTimestamp: new Date().toISOString() };
    return object;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const match =
      /^\/api\/v1\/namespaces\/([^/]+)\/(pods|persistentvolumeclaims|services|configmaps|secrets)(?:\/([^/]+))?$/.exec(url.pathname) ??
      /^\/apis\/networking\.k8s\.io\/v1\/namespaces\/([^/]+)\/(networkpolicies)(?:\/([^/]+))?$/.exec(url.pathname);
    const method = req.method ?? 'GET';
    this.requests.push(`${method} ${url.pathname}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (!match) return send(res, 404, status(404, 'NotFound', `no route ${url.pathname}`));
    const [, namespace, resource, name] = match;
    const key = (n: string) => `${resource}/${namespace}/${n}`;
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    const hold = this.holds.find((h) => h.method === method && h.resource === resource && h.match(body));
    if (hold) {
      this.holds.splice(this.holds.indexOf(hold), 1);
      hold.arrived();
      await hold.released;
      res.on('finish', () => this.lateAnswers++);
    }

    if (!name && method === 'GET') {
      const selector = url.searchParams.get('labelSelector') ?? '';
      const wanted = selector ? selector.split(',').map((kv) => kv.split('=')) : [];
      const items = this.list(resource, namespace).filter((o) => wanted.every(([k, v]) => o.metadata?.labels?.[k] === v));
      return send(res, 200, { kind: `${KINDS[resource]}List`, apiVersion: API_VERSIONS[resource], metadata: { resourceVersion: String(this.version) }, items });
    }
    if (!name && method === 'POST') {
      const invalid = validate(resource, body);
      if (invalid) return send(res, 422, status(422, 'Invalid', invalid));
      if (this.objects.has(key(body.metadata.name))) return send(res, 409, status(409, 'AlreadyExists', `${resource} "${body.metadata.name}" already exists`));
      const created = this.stamp(body);
      if (resource === 'pods') created.status = { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }] };
      this.objects.set(key(created.metadata.name), created);
      return send(res, 201, created);
    }
    const existing = name ? this.objects.get(key(name)) : undefined;
    if (!existing) return send(res, 404, status(404, 'NotFound', `${resource} "${name}" not found`));
    if (method === 'GET') {
      if (resource === 'pods' && existing.status?.phase === 'Pending') {
        // The "kubelet": scheduled and ready by the time anyone looks again, with an address on the pod network.
        this.podAddresses += 1;
        existing.status = { phase: 'Running', podIP: `10.244.${Math.floor(this.podAddresses / 250)}.${(this.podAddresses % 250) + 2}`, conditions: [{ type: 'Ready', status: 'True' }] };
      }
      return send(res, 200, existing);
    }
    if (method === 'PUT') {
      const invalid = validate(resource, body);
      if (invalid) return send(res, 422, status(422, 'Invalid', invalid));
      const replaced = { ...body, metadata: { ...body.metadata, uid: existing.metadata.uid, resourceVersion: String(this.version++), creationTimestamp: existing.metadata.creationTimestamp } };
      this.objects.set(key(name!), replaced);
      return send(res, 200, replaced);
    }
    if (method === 'DELETE') {
      this.objects.delete(key(name!));
      return send(res, 200, existing);
    }
    return send(res, 405, status(405, 'MethodNotAllowed', method));
  }
}

const KINDS: Record<string, string> = {
  pods: 'Pod',
  persistentvolumeclaims: 'PersistentVolumeClaim',
  services: 'Service',
  configmaps: 'ConfigMap',
  secrets: 'Secret',
  networkpolicies: 'NetworkPolicy',
};
const API_VERSIONS: Record<string, string> = { networkpolicies: 'networking.k8s.io/v1' };
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  pods: Pod,
  persistentvolumeclaims: PersistentVolumeClaim,
  services: Service,
  configmaps: ConfigMap,
  secrets: Secret,
  networkpolicies: NetworkPolicy,
};

function validate(resource: string, body: any): string | undefined {
  if (!body?.metadata?.name) return 'metadata.name: Required value';
  if (body.kind !== KINDS[resource]) return `kind: expected ${KINDS[resource]}`;
  try {
    new MODELS[resource](body).validate();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
