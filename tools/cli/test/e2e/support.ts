// What every end-to-end spec needs: HTTPS calls through the mesh's Envoy and dev tokens from identity.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { eventually } from '@airlock/testing';
import type { MeshInfo } from '../../src/mesh';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  ms: number;
}

export interface CallOptions {
  method?: string;
  token?: string;
  body?: unknown;
  /** Sent as is (for bodies that are not JSON, or deliberately large). */
  rawBody?: Buffer | string;
  headers?: Record<string, string>;
}

/** A request through Envoy over TLS (SNI localhost, the dev CA); the body is parsed when it is JSON. */
export function edgeCaller(mesh: MeshInfo): (path: string, opts?: CallOptions) => Promise<Reply> {
  const ca = readFileSync(mesh.caBundle, 'utf8');
  return (path, opts = {}) =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
      const req = request(
        {
          host: '127.0.0.1',
          servername: 'localhost',
          port: mesh.envoy.httpsPort,
          path,
          method: opts.method ?? (payload === undefined ? 'GET' : 'POST'),
          ca,
          headers: {
            ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
            ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
            ...opts.headers,
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = JSON.parse(text);
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - started });
          });
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.end(payload);
    });
}

export interface DevPrincipal {
  userId: string;
  tenantId: string;
  projectId?: string;
  workspaceId?: string;
  roles?: string[];
}

/** A bearer token from identity's dev-only IssueToken (enabled in every mesh the CLI starts). */
export async function issueToken(mesh: MeshInfo, p: DevPrincipal, ttlSeconds = 600): Promise<string> {
  const identity = createClient(airlock.identity.v1.IdentityServiceClient, `127.0.0.1:${mesh.services.identity.grpc}`);
  try {
    const issued = await unary(identity.issueToken.bind(identity), {
      principal: {
        subject: p.userId,
        userId: p.userId,
        tenantId: p.tenantId,
        projectId: p.projectId ?? '',
        workspaceId: p.workspaceId ?? '',
        roles: p.roles ?? ['developer'],
        kind: airlock.identity.v1.PrincipalKind.PRINCIPAL_KIND_USER,
      },
      ttlSeconds,
    });
    return issued.accessToken;
  } finally {
    identity.close();
  }
}

/** Envoy's JSON access-log line for a correlation id, once Envoy has flushed it (every second). */
export function accessLogEntry(mesh: MeshInfo, correlationId: string): Promise<Record<string, unknown>> {
  return eventually(`access-log line for ${correlationId}`, () =>
    readFileSync(mesh.envoy.accessLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e.correlation_id === correlationId),
  );
}
