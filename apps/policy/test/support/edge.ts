import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ASSERTION_HEADER, AssertionSigner, IDENTITY_HEADERS } from '@airlock/identity-assertion';

export interface Who {
  userId: string;
  roles: string[];
  tenantId?: string;
}

type Headers = Record<string, string>;

const identityOf = (who: Who) => ({ subject: who.userId, userId: who.userId, tenantId: who.tenantId ?? 't-test', projectId: '', workspaceId: '', roles: who.roles, kind: 'user' as const });
/** What ext_authz also sets in plain headers: proof of nothing, so the Policy API must not read them. */
const plainHeaders = (who: Who): Headers => ({ [IDENTITY_HEADERS.userId]: who.userId, [IDENTITY_HEADERS.tenantId]: who.tenantId ?? 't-test', [IDENTITY_HEADERS.roles]: who.roles.join(',') });

/**
 * Policy's own identity assertion key, made before boot and named by POLICY_ASSERTION_KEY_FILE, so a test
 * signs exactly what this policy's ext_authz adds to a request it allowed: the only caller its API accepts.
 */
export function policyAssertionKey() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-policy-edge-'));
  const file = path.join(dir, 'assertion-key.pem');
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(file, pem, { mode: 0o600 });
  const signer = AssertionSigner.fromPem(pem);
  const publicFile = path.join(dir, 'assertion-key.pub.pem');
  writeFileSync(publicFile, signer.publicKeyPem);
  return {
    env: { POLICY_ASSERTION_KEY_FILE: file },
    /** For services behind this policy (identity's token API): they verify its assertions with the public half. */
    verifierEnv: { IDENTITY_ASSERTION_PUBLIC_KEY_FILE: publicFile },
    /**
     * The headers Envoy forwards for `who` after ext_authz allowed the request. The assertion is signed each
     * time the headers are read (spread, or passed to fetch), so it never expires however long a suite runs.
     */
    as(who: Who): Headers {
      const headers = plainHeaders(who);
      Object.defineProperty(headers, ASSERTION_HEADER, { enumerable: true, get: () => signer.sign(identityOf(who)).token });
      return headers;
    },
    /** `who`'s plain headers with an assertion that proves nothing: none, one signed by another key, an expired one. */
    refused(who: Who): Record<'missing' | 'forged' | 'expired', Headers> {
      return {
        missing: plainHeaders(who),
        forged: { ...plainHeaders(who), [ASSERTION_HEADER]: AssertionSigner.generate().sign(identityOf(who)).token },
        expired: { ...plainHeaders(who), [ASSERTION_HEADER]: signer.sign(identityOf(who), Date.now() - 10 * 60_000).token },
      };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
