import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, createLocalJWKSet, importPKCS8, jwtVerify } from 'jose';
import { ASSERTION_TYP, AssertionSigner, AssertionVerifier, type Identity } from './index';

// jose is the reference: what we sign it accepts under the same rules, and what it signs we accept.
const alice: Identity = { subject: 'u-alice', userId: 'u-alice', tenantId: 't-bank', projectId: 'p-pay', workspaceId: 'w-1', roles: ['developer'], kind: 'user' };
const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const signer = AssertionSigner.fromPem(pem);

describe('interoperability with jose', () => {
  it('jose verifies our assertion with our JWKS, ES256 only, and computes the same kid', async () => {
    const { payload, protectedHeader } = await jwtVerify(signer.sign(alice).token, createLocalJWKSet(signer.jwks as never), {
      issuer: 'airlock-policy',
      audience: 'airlock-services',
      algorithms: ['ES256'],
      typ: ASSERTION_TYP,
      maxTokenAge: '60s',
    });
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: ASSERTION_TYP, kid: signer.kid });
    expect(payload).toMatchObject({ sub: 'u-alice', tenant_id: 't-bank', workspace_id: 'w-1', roles: ['developer'], kind: 'user' });
    expect(await calculateJwkThumbprint(signer.jwks.keys[0] as never, 'sha256')).toBe(signer.kid);
  });

  it('we verify an assertion jose signed with the same key', async () => {
    const token = await new SignJWT({ user_id: 'u-alice', tenant_id: 't-bank', project_id: '', workspace_id: '', roles: ['auditor'], kind: 'user' })
      .setProtectedHeader({ alg: 'ES256', typ: ASSERTION_TYP, kid: signer.kid })
      .setIssuer('airlock-policy')
      .setAudience('airlock-services')
      .setSubject('u-alice')
      .setIssuedAt()
      .setExpirationTime('30s')
      .setJti('jose-1')
      .sign(await importPKCS8(pem, 'ES256'));
    await expect(AssertionVerifier.fromPublicPem(signer.publicKeyPem).verify(token)).resolves.toMatchObject({ roles: ['auditor'], assertionId: 'jose-1' });
  });
});
