#!/usr/bin/env node
// Identity assertion cost per operation: `node packages/identity-assertion/bench/sign-verify.js` after building
// the package. Prints µs/op (median of 5 rounds) for ES256 signing and verification as this package does them
// (node:crypto, synchronous), the same through jose (WebCrypto, async) for comparison, and the ratio of each
// to a baseline measured in the same run: HMAC-SHA256 of the same signing input.
'use strict';
const { createHmac, createSecretKey, generateKeyPairSync, randomBytes } = require('node:crypto');
const { join } = require('node:path');
const { AssertionSigner, AssertionVerifier } = require(join(__dirname, '..', 'dist'));

const ROUNDS = 5;
const identity = {
  subject: 'u-alice',
  userId: 'u-alice',
  tenantId: 't-bank',
  projectId: 'p-payments',
  workspaceId: 'w-alice-1',
  roles: ['developer', 'project-admin'],
  kind: 'user',
};

async function measure(n, fn) {
  const perRound = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < n / 10; i++) await fn(i); // warm-up
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn(i);
    perRound.push(Number(process.hrtime.bigint() - start) / n / 1000);
  }
  return perRound.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
}

async function main() {
  const signer = AssertionSigner.generate();
  const token = signer.sign(identity).token;
  const signingInput = Buffer.from(token.slice(0, token.lastIndexOf('.')));
  const hmacKey = createSecretKey(randomBytes(32));
  const coldVerifier = AssertionVerifier.fromPublicPem(signer.publicKeyPem, { cacheMax: 0 });
  const cachedVerifier = AssertionVerifier.fromPublicPem(signer.publicKeyPem);
  // What policy does within POLICY_ASSERTION_REUSE_MS: one Map lookup by the principal's claims.
  const reused = new Map([[JSON.stringify(identity), { token, reuseUntilMs: Number.MAX_SAFE_INTEGER }]]);

  const rows = [];
  const row = async (name, n, fn) => rows.push({ name, us: await measure(n, fn) });
  await row('baseline: HMAC-SHA256 of the signing input', 20_000, () => createHmac('sha256', hmacKey).update(signingInput).digest());
  await row('sign ES256 (AssertionSigner.sign)', 2_000, () => signer.sign(identity));
  await row('reuse a signed assertion (policy, Map hit)', 20_000, () => reused.get(JSON.stringify(identity)).token);
  await row('verify ES256, cold (AssertionVerifier, no cache)', 2_000, () => coldVerifier.verify(token));
  await row('verify, already verified (AssertionVerifier cache hit)', 20_000, () => cachedVerifier.verify(token));

  let jose;
  try {
    jose = require('jose');
  } catch {
    jose = undefined;
  }
  if (jose) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const privateKey = await jose.importPKCS8(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'ES256');
    const publicKey = await jose.importSPKI(pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'ES256');
    const claims = { user_id: 'u-alice', tenant_id: 't-bank', project_id: 'p-payments', workspace_id: 'w-alice-1', roles: identity.roles, kind: 'user' };
    const sign = () =>
      new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'airlock-identity+jwt' }).setIssuer('airlock-policy').setAudience('airlock-services').setIssuedAt().setExpirationTime('60s').sign(privateKey);
    const joseToken = await sign();
    await row('jose: SignJWT ES256 (WebCrypto)', 2_000, sign);
    await row('jose: jwtVerify ES256 (WebCrypto)', 2_000, () => jose.jwtVerify(joseToken, publicKey, { algorithms: ['ES256'], issuer: 'airlock-policy', audience: 'airlock-services' }));
  } else {
    rows.push({ name: 'jose: not resolvable from here (devDependency not installed); skipped', us: NaN });
  }

  const baseline = rows[0].us;
  console.log(`identity assertion bench (node ${process.version}, median of ${ROUNDS} rounds, assertion ${token.length} bytes)`);
  for (const { name, us } of rows) {
    console.log(`${name.padEnd(58)} ${Number.isNaN(us) ? '' : `${us.toFixed(2).padStart(9)} µs/op  ${(us / baseline).toFixed(1).padStart(7)}x baseline`}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
