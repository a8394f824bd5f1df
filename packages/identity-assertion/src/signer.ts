import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ASSERTION_ALG, ASSERTION_AUDIENCE, ASSERTION_ISSUER, ASSERTION_TYP, checkIdentity, type AssertionClaims, type Identity } from './claims';
import { assertP256, jwkEntry, type Jwks, type PublicJwk } from './keys';

export interface SignerOptions {
  issuer?: string;
  audience?: string;
  /** Lifetime of each assertion: the bound on replaying one that leaked. Default 60 s. */
  ttlSeconds?: number;
}

export interface SignedAssertion {
  /** The compact JWS, the value of `x-airlock-identity`. */
  token: string;
  id: string;
  issuedAt: number;
  expiresAt: number;
}

/**
 * Signs identity assertions: compact JWS, ES256, with node:crypto directly (synchronous, no WebCrypto
 * promise round trip — this runs on ext_authz's hot path; see bench/).
 */
export class AssertionSigner {
  readonly kid: string;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  private readonly publicEntry: PublicJwk;
  /** The protected header never changes, so it is encoded once. */
  private readonly encodedHeader: string;

  private constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
    options: SignerOptions,
  ) {
    this.issuer = options.issuer ?? ASSERTION_ISSUER;
    this.audience = options.audience ?? ASSERTION_AUDIENCE;
    this.ttlSeconds = options.ttlSeconds ?? 60;
    if (!Number.isInteger(this.ttlSeconds) || this.ttlSeconds < 1) throw new Error('ttlSeconds must be a positive integer');
    this.publicEntry = jwkEntry(publicKey);
    this.kid = this.publicEntry.kid!;
    this.encodedHeader = Buffer.from(JSON.stringify({ alg: ASSERTION_ALG, typ: ASSERTION_TYP, kid: this.kid })).toString('base64url');
  }

  /** From a PKCS#8 (or SEC1) PEM EC P-256 private key. */
  static fromPem(pem: string, options: SignerOptions = {}): AssertionSigner {
    const privateKey = createPrivateKey(pem);
    assertP256(privateKey, 'the assertion signing key');
    return new AssertionSigner(privateKey, createPublicKey(privateKey), options);
  }

  /** A fresh key pair held only in memory: tests, and a dev policy without a key file. */
  static generate(options: SignerOptions = {}): AssertionSigner {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return new AssertionSigner(privateKey, publicKey, options);
  }

  /** What services verify with: IDENTITY_ASSERTION_PUBLIC_KEY_FILE holds this (SPKI PEM). */
  get publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  get jwks(): Jwks {
    return { keys: [{ ...this.publicEntry }] };
  }

  /** Throws AssertionError('invalid_claims') for an identity no verifier would accept (no user or tenant). */
  sign(identity: Identity, nowMs = Date.now()): SignedAssertion {
    checkIdentity(identity);
    const iat = Math.floor(nowMs / 1000);
    const claims: AssertionClaims = {
      iss: this.issuer,
      aud: this.audience,
      sub: identity.subject || identity.userId,
      iat,
      exp: iat + this.ttlSeconds,
      jti: randomUUID(),
      user_id: identity.userId,
      tenant_id: identity.tenantId,
      project_id: identity.projectId,
      workspace_id: identity.workspaceId,
      roles: identity.roles,
      kind: identity.kind,
      ...(identity.auth === undefined ? {} : { auth: identity.auth }),
      ...(identity.authExpiresAt === undefined ? {} : { auth_exp: identity.authExpiresAt }),
    };
    const signingInput = `${this.encodedHeader}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    // JWS wants the raw r||s form (RFC 7518 §3.4), not DER.
    const signature = sign('sha256', Buffer.from(signingInput), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return { token: `${signingInput}.${signature.toString('base64url')}`, id: claims.jti, issuedAt: iat, expiresAt: claims.exp };
  }
}

export interface LoadedSigner {
  signer: AssertionSigner;
  /** The file did not exist and was created (dev). */
  generated: boolean;
  /** Group or others may read the file: a key others can read is a key others can sign with. */
  readableByOthers: boolean;
}

/**
 * Reads the signing key from `file`; with `generate`, creates it (0600) when it does not exist. Errors name
 * the file and the problem, never the key.
 */
export async function loadSignerFile(file: string, options: SignerOptions & { generate?: boolean } = {}): Promise<LoadedSigner> {
  const { pem, generated, readableByOthers } = await readOrCreateKeyFile(file, options.generate ?? false);
  try {
    return { signer: AssertionSigner.fromPem(pem, options), generated, readableByOthers };
  } catch (error) {
    throw new Error(`${file} is not a PEM EC P-256 private key (${(error as Error).message})`, { cause: error });
  }
}

/** A PKCS#8 PEM key file, read as is: what loadSignerFile, identity's token key and audit's digest key start from. */
export interface KeyFile {
  pem: string;
  /** This call created the file. */
  generated: boolean;
  /** Group or others may read it: callers warn (a key others can read is a key others can sign with). */
  readableByOthers: boolean;
}

/** The key types the platform signs with: ES256 tokens and assertions (`p256`), audit digests (`ed25519`). */
export type KeyType = 'p256' | 'ed25519';

/**
 * Reads a private key file; with `generate`, creates one of `type` (0600, parent 0700) when it does not exist.
 * The content is not checked against `type`: callers parse it and name the problem. Errors are plain, with
 * the file named; callers map them to their own config errors.
 */
export async function readOrCreateKeyFile(file: string, generate: boolean, type: KeyType = 'p256'): Promise<KeyFile> {
  let pem: string;
  let generated = false;
  try {
    pem = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
    if (!generate) throw new KeyFileMissingError(file);
    ({ pem, generated } = await createKeyFile(file, type));
  }
  const readableByOthers = ((await stat(file)).mode & 0o077) !== 0;
  return { pem, generated, readableByOthers };
}

/** The key file does not exist and was not to be generated. */
export class KeyFileMissingError extends Error {
  constructor(readonly file: string) {
    super(`${file} does not exist`);
  }
}

async function createKeyFile(file: string, type: KeyType): Promise<{ pem: string; generated: boolean }> {
  const { privateKey } = type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx': of two replicas booting at once, the first key written wins and the other reads it.
    await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    return { pem, generated: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { pem: await readFile(file, 'utf8'), generated: false };
    throw new Error(`cannot create ${file}: ${(error as Error).message}`, { cause: error });
  }
}
