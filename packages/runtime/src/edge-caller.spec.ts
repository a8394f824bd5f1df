import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Controller, Get, Module, Req } from '@nestjs/common';
import { ConfigError } from '@airlock/config';
import { ASSERTION_HEADER, AssertionSigner } from '@airlock/identity-assertion';
import { freePort } from '@airlock/testing';
import type { Request } from 'express';
import { bootService, type RunningService, type ServiceDefinition } from './boot';
import { EdgeCaller } from './edge-caller';

@Controller()
class WhoAmIController {
  constructor(private readonly edge: EdgeCaller) {}

  @Get('whoami')
  async whoami(@Req() req: Request) {
    const caller = await this.edge.callerFrom(req);
    return { user: caller.userId, tenant: caller.tenantId, roles: caller.roles };
  }
}

@Module({ controllers: [WhoAmIController] })
class WhoAmIModule {}

@Module({})
class EmptyModule {}

const grpc = { protoFiles: [], packages: [], services: ['airlock.probe.v1.Probe'], allowedCallers: {} };
const edgeDef: ServiceDefinition<Record<string, never>> = { name: 'edge-probe', config: {}, http: true, edgeIdentity: true, grpc, module: () => WhoAmIModule };
const plainDef: ServiceDefinition<Record<string, never>> = { name: 'plain-probe', config: {}, http: true, grpc, module: () => EmptyModule };

const ports = async () => ({
  GRPC_PORT: String(await freePort()),
  HTTP_PORT: String(await freePort()),
  METRICS_PORT: String(await freePort()),
  LOG_LEVEL: 'fatal',
});

const identity = { subject: 'alice', userId: 'alice', tenantId: 'acme', projectId: 'payments', workspaceId: '', roles: ['developer'], kind: 'user' as const };

describe('EdgeCaller (edgeIdentity: true)', () => {
  const signer = AssertionSigner.generate();
  let dir: string;
  let keyFile: string;
  let service: RunningService | undefined;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-edge-caller-'));
    keyFile = path.join(dir, 'assertion-public.pem');
    writeFileSync(keyFile, signer.publicKeyPem);
  });

  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops the boot with a ConfigError naming the variables when no key source, or two, are set', async () => {
    for (const extra of [{}, { IDENTITY_ASSERTION_PUBLIC_KEY_FILE: keyFile, IDENTITY_ASSERTION_JWKS_URL: 'http://127.0.0.1:1/jwks.json' }]) {
      const error = await bootService(edgeDef, { MTLS_OFF_FOR_DEVELOPMENT: 'true', ...(await ports()), ...extra }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['IDENTITY_ASSERTION_PUBLIC_KEY_FILE', 'IDENTITY_ASSERTION_JWKS_URL']);
    }
    const unreadable = await bootService(edgeDef, { MTLS_OFF_FOR_DEVELOPMENT: 'true', ...(await ports()), IDENTITY_ASSERTION_PUBLIC_KEY_FILE: path.join(dir, 'absent.pem') }).catch((e: unknown) => e);
    expect((unreadable as ConfigError).problems).toEqual([{ variable: 'IDENTITY_ASSERTION_PUBLIC_KEY_FILE', message: expect.stringContaining('absent.pem') }]);
  });

  it('is not needed by a service that did not opt in', async () => {
    const booting = bootService(plainDef, { ...(await ports()), MTLS_OFF_FOR_DEVELOPMENT: 'true' });
    await expect(booting).resolves.toMatchObject({ grpcAddress: expect.stringMatching(/:\d+$/), httpAddress: expect.stringMatching(/:\d+$/) });
    await expect((await booting).close()).resolves.toBeUndefined();
  });

  it('answers with the asserted identity, and 401 unauthenticated to plain identity headers without a valid assertion', async () => {
    service = await bootService(edgeDef, { MTLS_OFF_FOR_DEVELOPMENT: 'true', ...(await ports()), IDENTITY_ASSERTION_PUBLIC_KEY_FILE: keyFile });
    const url = `http://${service.httpAddress}/whoami`;
    const plain = { 'x-user-id': 'root', 'x-tenant-id': 'acme', 'x-airlock-roles': 'security-admin' };

    const ok = await fetch(url, { headers: { ...plain, [ASSERTION_HEADER]: signer.sign(identity).token } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ user: 'alice', tenant: 'acme', roles: ['developer'] });

    const forged = AssertionSigner.generate().sign(identity).token;
    const expired = signer.sign(identity, Date.now() - 10 * 60_000).token;
    for (const assertion of [undefined, forged, expired, 'not-a-jws']) {
      const res = await fetch(url, { headers: assertion ? { ...plain, [ASSERTION_HEADER]: assertion } : plain });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error).toMatchObject({ code: 'unauthenticated', message: 'no verified identity on the request', retryable: false });
    }
  });
});
