import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { Agent, type AgentOptions, get as httpsGet } from 'node:https';
import { ASSERTION_ALG, ASSERTION_AUDIENCE, ASSERTION_ISSUER, ASSERTION_TYP, identityFromClaims, type AssertedIdentity } from './claims';
import { AssertionError } from './errors';
import { assertP256, keysFromJwks, publicJwkOf, thumbprint, type Jwks } from './keys';

export interface VerifierOptions {
  issuer?: string;
  audience?: string;
  /** Allowed clock difference between policy and this service. Default 5 s. */
  clockToleranceSeconds?: number;
  /** Longest lifetime (exp - iat) accepted, whatever the signer chose: assertions stay short-lived. Default 300 s. */
  maxLifetimeSeconds?: number;
  /** Verified assertions remembered until they expire (policy reuses one per principal for a few seconds). Default 1024; 0 = none. */
  cacheMax?: number;
  /** Clock, in ms (tests). */
  now?: () => number;
}

export interface JwksOptions extends VerifierOptions {
  /** Per JWKS request. Default 2 s. */
  fetchTimeoutMs?: number;
  /** Least time between two fetches caused by an unknown `kid` (a rotation). Default 30 s; 1 s while no key is known. */
  refetchCooldownMs?: number;
  /** Age after which the key set is refreshed in the background. Default 10 min. */
  maxAgeMs?: number;
  /**
   * TLS for an `https:` JWKS URL: this service's client certificate and the CA, and how the server's certificate is
   * checked (policy's HTTP port admits only workloads with a certificate from the internal CA).
   */
  tls?: AgentOptions;
}

/** The header is one JWS; anything longer is not ours (Envoy's header limit is far above this). */
const MAX_LENGTH = 4096;
const PART = /^[A-Za-z0-9_-]+$/;
/** May be empty here so that `alg: none` is reported as such; an empty signature never verifies. */
const SIGNATURE_PART = /^[A-Za-z0-9_-]*$/;

interface KeySource {
  /** The key for `kid` (or the only key when the header names none); undefined when unknown. */
  find(kid: string | undefined): Promise<KeyObject | undefined>;
}

class StaticKeys implements KeySource {
  constructor(private readonly keys: Map<string, KeyObject>) {}

  async find(kid: string | undefined): Promise<KeyObject | undefined> {
    if (kid !== undefined) return this.keys.get(kid);
    return this.keys.size === 1 ? this.keys.values().next().value : undefined;
  }
}

/** A JWKS served over HTTP (policy's `/api/policy/v1/assertion/jwks.json`), fetched lazily and on rotation. */
class RemoteJwks implements KeySource {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private inflight?: Promise<void>;

  private readonly agent?: Agent;

  constructor(
    private readonly url: string,
    private readonly options: Required<Pick<JwksOptions, 'fetchTimeoutMs' | 'refetchCooldownMs' | 'maxAgeMs'>> & { now: () => number; tls?: AgentOptions },
  ) {
    if (options.tls && url.startsWith('https:')) this.agent = new Agent({ ...options.tls, keepAlive: false });
  }

  async find(kid: string | undefined): Promise<KeyObject | undefined> {
    const now = this.options.now();
    const known = this.lookup(kid);
    if (known) {
      if (now - this.fetchedAt > this.options.maxAgeMs) this.refresh().catch(() => undefined);
      return known;
    }
    const cooldown = this.keys.size ? this.options.refetchCooldownMs : Math.min(1_000, this.options.refetchCooldownMs);
    if (now - this.lastAttempt >= cooldown || this.inflight) {
      try {
        await this.refresh();
      } catch (error) {
        if (!this.keys.size) throw new AssertionError('keys_unavailable', `cannot read the assertion JWKS: ${(error as Error).message}`);
      }
    }
    if (!this.keys.size) throw new AssertionError('keys_unavailable', 'no assertion verification key is known yet');
    return this.lookup(kid);
  }

  private lookup(kid: string | undefined): KeyObject | undefined {
    if (kid !== undefined) return this.keys.get(kid);
    return this.keys.size === 1 ? this.keys.values().next().value : undefined;
  }

  /** One fetch at a time; concurrent verifications wait for the same one. */
  private refresh(): Promise<void> {
    this.inflight ??= this.fetchKeys().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    this.lastAttempt = this.options.now();
    const keys = keysFromJwks(await this.getJson());
    if (!keys.size) throw new Error('the JWKS holds no ES256 P-256 key');
    this.keys = keys;
    this.fetchedAt = this.options.now();
  }

  /**
   * node:http(s) rather than fetch: fetch cannot present a client certificate without another HTTP client library.
   * Redirects are not followed (anything but 200 is a failure).
   */
  private getJson(): Promise<unknown> {
    const get = this.url.startsWith('https:') ? httpsGet : httpGet;
    return new Promise((resolve, reject) => {
      const req = get(this.url, { agent: this.agent, headers: { accept: 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(error as Error);
          }
        });
      });
      // The whole exchange, not just each silence on the socket, within fetchTimeoutMs.
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${this.options.fetchTimeoutMs} ms`)), this.options.fetchTimeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', reject);
    });
  }
}

/**
 * Verifies `x-airlock-identity`: compact JWS, ES256 only (the header's `alg` is checked against that constant
 * before any key is touched, so `none`, HS256-with-the-public-key and RS/ES confusion cannot happen), explicit
 * `typ`, signature, then issuer, audience, expiry and claim shapes. Every refusal is an AssertionError.
 */
export class AssertionVerifier {
  private readonly issuer: string;
  private readonly audience: string;
  private readonly tolerance: number;
  private readonly maxLifetime: number;
  private readonly cacheMax: number;
  private readonly now: () => number;
  /** Assertions already verified, by their exact text: a hit skips the signature, never the expiry check. */
  private readonly verified = new Map<string, AssertedIdentity>();

  private constructor(
    private readonly keys: KeySource,
    options: VerifierOptions,
  ) {
    this.issuer = options.issuer ?? ASSERTION_ISSUER;
    this.audience = options.audience ?? ASSERTION_AUDIENCE;
    this.tolerance = options.clockToleranceSeconds ?? 5;
    this.maxLifetime = options.maxLifetimeSeconds ?? 300;
    this.cacheMax = options.cacheMax ?? 1024;
    this.now = options.now ?? Date.now;
  }

  /** From the signer's public key, SPKI PEM (what AssertionSigner.publicKeyPem gives). */
  static fromPublicPem(pem: string, options: VerifierOptions = {}): AssertionVerifier {
    const key = createPublicKey(pem);
    assertP256(key, 'the assertion public key');
    return new AssertionVerifier(new StaticKeys(new Map([[thumbprint(publicJwkOf(key)), key]])), options);
  }

  static async fromPublicKeyFile(file: string, options: VerifierOptions = {}): Promise<AssertionVerifier> {
    let pem: string;
    try {
      pem = await readFile(file, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
    try {
      return AssertionVerifier.fromPublicPem(pem, options);
    } catch (error) {
      throw new Error(`${file} is not a PEM EC P-256 public key (${(error as Error).message})`, { cause: error });
    }
  }

  /** A JWKS URL (fetched when first needed, again on an unknown kid) or a JWKS document. */
  static fromJwks(source: string | URL | Jwks, options: JwksOptions = {}): AssertionVerifier {
    if (typeof source === 'object' && !(source instanceof URL)) {
      const keys = keysFromJwks(source);
      if (!keys.size) throw new Error('the JWKS holds no ES256 P-256 key');
      return new AssertionVerifier(new StaticKeys(keys), options);
    }
    const url = new URL(source);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('the JWKS URL must be http(s)');
    const remote = new RemoteJwks(url.toString(), {
      fetchTimeoutMs: options.fetchTimeoutMs ?? 2_000,
      refetchCooldownMs: options.refetchCooldownMs ?? 30_000,
      maxAgeMs: options.maxAgeMs ?? 600_000,
      now: options.now ?? Date.now,
      tls: options.tls,
    });
    return new AssertionVerifier(remote, options);
  }

  /** The identity the edge asserted, or an AssertionError saying why there is none. */
  async verify(token: string | undefined | null): Promise<AssertedIdentity> {
    if (!token) throw new AssertionError('missing', 'no identity assertion (x-airlock-identity): the request did not come through the edge');
    const nowSeconds = Math.floor(this.now() / 1000);
    const known = this.verified.get(token);
    if (known) {
      if (nowSeconds < known.expiresAt + this.tolerance) return cloneIdentity(known);
      this.verified.delete(token);
      throw new AssertionError('expired', 'identity assertion expired');
    }

    const parts = token.length <= MAX_LENGTH ? token.split('.') : [];
    if (parts.length !== 3 || !PART.test(parts[0]) || !PART.test(parts[1]) || !SIGNATURE_PART.test(parts[2])) throw new AssertionError('malformed', 'identity assertion is not a compact JWS');
    const [encodedHeader, encodedPayload, encodedSignature] = parts;
    const header = decodeJson(encodedHeader, 'header') as Record<string, unknown>;
    if (header.alg !== ASSERTION_ALG) throw new AssertionError('alg_not_allowed', `identity assertion alg must be ${ASSERTION_ALG}`);
    if (header.typ !== ASSERTION_TYP) throw new AssertionError('wrong_type', `identity assertion typ must be ${ASSERTION_TYP}`);
    // No extension is understood, so any critical one makes the JWS invalid (RFC 7515 §4.1.11).
    if (header.crit !== undefined) throw new AssertionError('malformed', 'identity assertion has critical header parameters');
    if (header.kid !== undefined && typeof header.kid !== 'string') throw new AssertionError('malformed', 'identity assertion kid must be a string');

    const key = await this.keys.find(header.kid as string | undefined);
    if (!key) throw new AssertionError('unknown_key', 'identity assertion signed with an unknown key');
    const signature = Buffer.from(encodedSignature, 'base64url');
    const signingInput = Buffer.from(`${encodedHeader}.${encodedPayload}`);
    // ES256 signatures are exactly 64 bytes (r||s); anything else (DER, truncation) is not one.
    if (signature.length !== 64 || !verify('sha256', signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature)) {
      throw new AssertionError('bad_signature', 'identity assertion signature does not verify');
    }

    const identity = identityFromClaims(decodeJson(encodedPayload, 'claims'), {
      issuer: this.issuer,
      audience: this.audience,
      nowSeconds,
      clockToleranceSeconds: this.tolerance,
      maxLifetimeSeconds: this.maxLifetime,
    });
    this.remember(token, identity);
    return cloneIdentity(identity);
  }

  private remember(token: string, identity: AssertedIdentity): void {
    if (this.cacheMax === 0) return;
    // Oldest first (Map keeps insertion order); they are also the first to expire.
    if (this.verified.size >= this.cacheMax) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, identity);
  }
}

function decodeJson(part: string, what: string): unknown {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  throw new AssertionError('malformed', `identity assertion ${what} is not a JSON object`);
}

/** Callers get their own copy: a caller mutating roles must not change what the cache returns next. */
function cloneIdentity(identity: AssertedIdentity): AssertedIdentity {
  return { ...identity, roles: [...identity.roles] };
}
