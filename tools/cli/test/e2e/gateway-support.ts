// What the gateway end-to-end specs share: the official OpenAI SDK pointed at the mesh's Envoy, the reference
// backend's failure knobs on a running mesh, the usage service's totals and the audit sink's AI events.
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';
import tls from 'node:tls';
import OpenAI from 'openai';
import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { eventually, listManaged, spawnManaged, stopManaged } from '@airlock/testing';
import { renderClientConfigs, TOKEN_PATH, type ClientConfigInput, type RenderedFile } from '@airlock/workspace/client-config';
import { operatorCredentials, operatorTls, referenceModelEnv, startMesh, type MeshInfo } from '../../src/mesh';
import { sharedMesh } from './shared-mesh';
import { issueToken } from './support';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/**
 * Adds the mesh's dev CA to the process's default trust store, which the SDK's own fetch uses — what a
 * developer gets with NODE_EXTRA_CA_CERTS. Returns the undo.
 */
export function trustDevCa(mesh: MeshInfo): () => void {
  const before = tls.getCACertificates('default');
  tls.setDefaultCACertificates([...before, readFileSync(mesh.caBundle, 'utf8')]);
  return () => tls.setDefaultCACertificates(before);
}

/** The official SDK as a client configures it: base URL `https://<edge>/v1`, the bearer token; no retries, so every call is one request. */
export function openAi(mesh: MeshInfo, token: string): OpenAI {
  return new OpenAI({ baseURL: `https://localhost:${mesh.envoy.httpsPort}/v1`, apiKey: token, maxRetries: 0, timeout: 60_000 });
}

/** What a client saw of a request: the usage the gateway reported to it (absent: none reported). */
export interface SeenUsage {
  correlationId: string;
  promptTokens: number;
  completionTokens: number;
}

export function seen(correlationId: string, usage: { prompt_tokens: number; completion_tokens: number } | null | undefined): SeenUsage {
  return { correlationId, promptTokens: usage?.prompt_tokens ?? 0, completionTokens: usage?.completion_tokens ?? 0 };
}

/** The usage service's totals (GetUsage over gRPC) for a tenant, this month. */
export async function usageTotals(mesh: MeshInfo, tenantId: string): Promise<{ requests: number; promptTokens: number; completionTokens: number }> {
  const usage = createClient(airlock.usage.v1.UsageServiceClient, `127.0.0.1:${mesh.services.usage.grpc}`, { credentials: operatorCredentials(mesh) });
  try {
    const res = await unary(usage.getUsage.bind(usage), { tenantId, projectId: '', workspaceId: '', userId: '', model: '', period: '' });
    return { requests: Number(res.requests), promptTokens: Number(res.promptTokens), completionTokens: Number(res.completionTokens) };
  } finally {
    usage.close();
  }
}

export type AuditRecord = Record<string, any>;

/** Every event the audit service has written to the mesh's JSONL sink so far. */
export function auditRecords(mesh: MeshInfo): AuditRecord[] {
  if (!existsSync(mesh.auditSinkPath)) return [];
  return readFileSync(mesh.auditSinkPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);
}

/** The gateway's AI request events (`ai.*`) of one tenant. */
export function aiEvents(mesh: MeshInfo, tenantId: string): AuditRecord[] {
  return auditRecords(mesh).filter((e) => String(e.event_type).startsWith('ai.') && e.tenant_id === tenantId);
}

/** `data: {json}\n\n` frames of an SSE body, in order; `[DONE]` kept as the string. */
export function sseFrames(body: string): unknown[] {
  if (!body.endsWith('\n\n')) throw new Error(`SSE body does not end with a blank line: ${JSON.stringify(body.slice(-40))}`);
  return body
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      if (!frame.startsWith('data: ') || frame.includes('\n')) throw new Error(`not a single-line data frame: ${JSON.stringify(frame)}`);
      const data = frame.slice('data: '.length);
      return data === '[DONE]' ? data : (JSON.parse(data) as unknown);
    });
}

/** The backend's /health over HTTPS, as the operator (it requires a client certificate from the mesh's CA). */
function healthy(mesh: MeshInfo): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: mesh.referenceModelPort, path: '/health', timeout: 1_000, ...operatorTls(mesh) }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

const modelName = (mesh: MeshInfo) => `${mesh.name}.reference-model`;

/** Kills the mesh's reference backend at once (SIGKILL: a crashed model server, its open streams cut). */
export async function killReferenceModel(mesh: MeshInfo): Promise<void> {
  const record = (await listManaged())[modelName(mesh)];
  if (!record) return;
  if (record.running) process.kill(record.pid, 'SIGKILL');
  await stopManaged(record.pid, 1_000);
}

/**
 * Restarts the mesh's reference backend on its port with failure-injection settings (its README's
 * LATENCY_MS, TOKENS_PER_SECOND, FAIL_EVERY, CUT_AFTER_CHUNKS); none: the plain backend.
 */
export async function restartReferenceModel(mesh: MeshInfo, knobs: Record<string, string> = {}): Promise<void> {
  await killReferenceModel(mesh);
  await spawnManaged({
    name: modelName(mesh),
    command: process.execPath,
    args: [path.join(ROOT, 'apps/reference-model/dist/main.js')],
    env: { PATH: process.env.PATH, BIND_HOST: '127.0.0.1', HTTP_PORT: String(mesh.referenceModelPort), ...referenceModelEnv(mesh), ...knobs },
    logFile: path.join(mesh.logsDir, 'reference-model.log'),
  });
  const deadline = Date.now() + 15_000;
  while (!(await healthy(mesh))) {
    if (Date.now() > deadline) throw new Error('the reference backend did not come back within 15 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Where a real client CLI is installed: tools/cli's devDependencies (`opencode-ai`, `@continuedev/cli`), or,
 * before they are installed, a node_modules directory named by AIRLOCK_E2E_CLIENTS_DIR.
 */
export function clientPackageDir(pkg: string): string {
  const paths = [path.join(__dirname, '..', '..'), ...(process.env.AIRLOCK_E2E_CLIENTS_DIR ? [process.env.AIRLOCK_E2E_CLIENTS_DIR] : [])];
  return path.dirname(require.resolve(`${pkg}/package.json`, { paths }));
}

/**
 * opencode's native binary. It ships in a per-platform registry package (opencode-linux-x64, ...), an optional
 * dependency of `opencode-ai`; the postinstall that would copy it into `opencode-ai/bin` is not run by pnpm.
 */
export function opencodeBinary(): string {
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  const platformPkg = `opencode-${process.platform === 'win32' ? 'windows' : process.platform}-${arch}`;
  const fromMain = createRequire(path.join(clientPackageDir('opencode-ai'), 'package.json'));
  return path.join(path.dirname(fromMain.resolve(`${platformPkg}/package.json`)), 'bin', process.platform === 'win32' ? 'opencode.exe' : 'opencode');
}

/** Continue's CLI entry (`cn`), a node script. */
export function continueCliEntry(): string {
  const dir = clientPackageDir('@continuedev/cli');
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  return path.join(dir, pkg.bin.cn);
}

/**
 * The workspace service's own client-config renderer: the files a workspace is provisioned with (keyed by their
 * name), and the path they read the gateway token from.
 */
export function renderWorkspaceClientConfigs(input: ClientConfigInput): { files: Record<string, RenderedFile>; tokenPath: string } {
  return { files: Object.fromEntries(renderClientConfigs(input).map((f) => [f.key, f])), tokenPath: TOKEN_PATH };
}

/**
 * Waits until an AI request goes all the way through (edge, gateway, DLP, backend). The mesh reports ready
 * when every service answers its health check, but DLP's channel to policy may still be in gRPC reconnect
 * backoff from DLP's boot (it starts before policy listens): until it reconnects, answers are 503
 * dlp_unavailable. Runs under a tenant of its own, so no test's books see it.
 */
export async function untilAiAnswers(mesh: MeshInfo, token: string): Promise<void> {
  const sdk = openAi(mesh, token);
  await eventually(
    'an AI request answered end to end',
    () => sdk.chat.completions.create({ model: 'airlock-chat', messages: [{ role: 'user', content: 'warm up' }] }).then(() => true, () => undefined),
    60_000,
  );
}

/**
 * A test mesh on free ports whose AI path answers, with its dev CA trusted by this process. Stop it with
 * stopMesh(name) and the returned undo, also when this throws half-way.
 */
export async function startGatewayMesh(name: string): Promise<{ mesh: MeshInfo; untrust: () => void }> {
  const mesh = await startMesh({ name, ports: 'free', log: (l) => process.stderr.write(`[${name}] ${l}\n`) });
  return { mesh, untrust: await readyForAi(mesh, name) };
}

/** The run's shared mesh (shared-mesh.ts), its AI path answering and its dev CA trusted; call the undo when done. */
export async function sharedGatewayMesh(label: string): Promise<{ mesh: MeshInfo; untrust: () => void }> {
  const mesh = await sharedMesh();
  return { mesh, untrust: await readyForAi(mesh, label) };
}

/** Trusts the mesh's dev CA in this process and waits until an AI request is answered; resolves to the undo. */
async function readyForAi(mesh: MeshInfo, label: string): Promise<() => void> {
  const untrust = trustDevCa(mesh);
  try {
    await untilAiAnswers(mesh, await issueToken(mesh, { userId: 'alice', tenantId: `${label}-warmup` }));
  } catch (error) {
    untrust();
    throw error;
  }
  return untrust;
}
