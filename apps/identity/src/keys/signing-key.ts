import { createPrivateKey, createPublicKey } from 'node:crypto';
import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { calculateJwkThumbprint, importJWK, importPKCS8, type CryptoKey, type JWK } from 'jose';
import { ConfigError } from '@airlock/config';
import { KeyFileMissingError, readOrCreateKeyFile, type KeyFile } from '@airlock/identity-assertion';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { identityConfig } from '../config';

export const TOKEN_ALG = 'ES256';

export interface Jwks {
  keys: JWK[];
}

/** The one key tokens are signed with, its public half and its RFC 7638 thumbprint (`kid`). */
export class SigningKey {
  constructor(
    readonly privateKey: CryptoKey,
    readonly publicKey: CryptoKey,
    readonly kid: string,
    readonly publicJwk: JWK,
  ) {}

  get jwks(): Jwks {
    return { keys: [{ ...this.publicJwk, kid: this.kid, alg: TOKEN_ALG, use: 'sig' }] };
  }

  static async fromPem(pem: string): Promise<SigningKey> {
    const keyObject = createPrivateKey(pem);
    if (keyObject.asymmetricKeyType !== 'ec' || keyObject.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error('not an EC P-256 private key');
    }
    const { kty, crv, x, y } = createPublicKey(keyObject).export({ format: 'jwk' });
    const publicJwk: JWK = { kty, crv, x, y };
    return new SigningKey(
      await importPKCS8(pem, TOKEN_ALG),
      (await importJWK(publicJwk, TOKEN_ALG)) as CryptoKey,
      await calculateJwkThumbprint(publicJwk, 'sha256'),
      publicJwk,
    );
  }
}

const VARIABLE = 'IDENTITY_SIGNING_KEY_FILE';

function configError(message: string): ConfigError {
  return new ConfigError([{ variable: VARIABLE, message }]);
}

/**
 * Reads the signing key; in dev (`generate`) creates it first when the file does not exist. Any problem is a
 * ConfigError naming IDENTITY_SIGNING_KEY_FILE, so the service refuses to start rather than run keyless.
 */
export async function loadSigningKey(file: string, generate: boolean, logger: Logger): Promise<SigningKey> {
  let key: KeyFile;
  try {
    key = await readOrCreateKeyFile(file, generate);
  } catch (error) {
    if (error instanceof KeyFileMissingError) throw configError(`${file} does not exist (set IDENTITY_GENERATE_KEY=true to create a dev key)`);
    throw configError((error as Error).message);
  }
  if (key.generated) logger.warn({ file }, 'generated a new signing key (dev): tokens signed with an earlier key no longer verify');
  // A key others can read is a key others can sign with; say so, but do not refuse (mounted secrets vary).
  if (key.readableByOthers) logger.warn({ file }, 'signing key file is readable by group or others');
  try {
    return await SigningKey.fromPem(key.pem);
  } catch (error) {
    throw configError(`${file} is not a PKCS#8 PEM EC P-256 private key (${(error as Error).message})`);
  }
}

/**
 * Holds the signing key, loaded in onModuleInit rather than in a provider factory: a factory that throws
 * makes NestFactory exit the process, where a failing init hook rejects bootService with the ConfigError
 * (exit 78 from runService, an assertable error in tests).
 */
@Injectable()
export class SigningKeys implements OnModuleInit {
  private key?: SigningKey;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof identityConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    this.key = await loadSigningKey(this.config.IDENTITY_SIGNING_KEY_FILE, this.config.IDENTITY_GENERATE_KEY, this.logger);
  }

  get current(): SigningKey {
    if (!this.key) throw new Error('signing key not loaded yet');
    return this.key;
  }
}

/** Its own module so its init hook runs (and fails boot) before the token store connects to Redis. */
@Module({ providers: [SigningKeys], exports: [SigningKeys] })
export class SigningKeysModule {}
