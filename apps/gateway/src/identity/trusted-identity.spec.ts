import type { IncomingMessage } from 'node:http';
import { ASSERTION_HEADER, AssertionSigner, AssertionVerifier } from '@airlock/identity-assertion';
import { EdgeCaller, UnauthenticatedError } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import { ModelNotAllowedError } from '../gateway.errors';
import { resolveRoute } from '../routing/resolve-route';
import { callerFromEdge as fromEdge, parseAliases } from './trusted-identity';

const signer = AssertionSigner.generate();
const edge = new EdgeCaller(AssertionVerifier.fromPublicPem(signer.publicKeyPem), createLogger('test', 'fatal'));
const request = (headers: Record<string, string>) => ({ headers, socket: { remoteAddress: '127.0.0.1' } }) as unknown as IncomingMessage;
const bob = { subject: 'bob', userId: 'bob', tenantId: 'acme', projectId: 'core', workspaceId: '', roles: [], kind: 'user' as const };
const identity = { [ASSERTION_HEADER]: signer.sign(bob).token };
const callerFromEdge = (req: IncomingMessage, trustAliases: boolean) => fromEdge(req, edge, trustAliases);

describe('callerFromEdge', () => {
  it('takes the caller from the signed assertion, never from the plain identity headers', async () => {
    const caller = await callerFromEdge(request({ ...identity, 'x-user-id': 'root', 'x-tenant-id': 'other', 'x-project-id': 'secret' }), true);
    expect(caller).toMatchObject({ userId: 'bob', tenantId: 'acme', projectId: 'core', workspaceId: '' });
  });

  it('refuses plain identity headers whose assertion is missing, forged or expired (401 unauthenticated)', async () => {
    const plain = { 'x-user-id': 'bob', 'x-tenant-id': 'acme' };
    const forged = AssertionSigner.generate().sign(bob).token;
    const expired = signer.sign(bob, Date.now() - 10 * 60_000).token;
    for (const headers of [plain, { ...plain, [ASSERTION_HEADER]: forged }, { ...plain, [ASSERTION_HEADER]: expired }]) {
      const error = await callerFromEdge(request(headers), true).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnauthenticatedError);
      expect(error).toMatchObject({ code: 'unauthenticated', httpStatus: 401 });
    }
  });

  it('ignores the alias header unless told the edge owns it', async () => {
    const caller = await callerFromEdge(request({ ...identity, 'x-airlock-route-backend': 'chat', 'x-airlock-route-model': 'm1', 'x-airlock-model-aliases': 'x=agent/m9' }), false);
    expect(caller.aliases).toEqual([{ alias: 'm1', backend: 'chat', model: 'm1' }]);
    expect(() => resolveRoute(caller, '/v1/chat/completions', 'x')).toThrow(ModelNotAllowedError);
  });

  it('reads the fail-closed audit mark', async () => {
    expect((await callerFromEdge(request({ ...identity, 'x-airlock-audit-mode': 'fail-closed' }), true)).auditFailClosed).toBe(true);
    expect((await callerFromEdge(request(identity), true)).auditFailClosed).toBe(false);
  });
});

describe('parseAliases', () => {
  it('reads alias=backend/model entries; the model may contain "/"', () => {
    expect(parseAliases('fast=chat/reference-chat, big=vllm/org/model-70b,broken,=x/y')).toEqual([
      { alias: 'fast', backend: 'chat', model: 'reference-chat' },
      { alias: 'big', backend: 'vllm', model: 'org/model-70b' },
    ]);
  });
});

