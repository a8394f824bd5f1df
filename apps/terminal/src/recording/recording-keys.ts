// Envelope encryption of recordings: every recording has its own random data key, and only that data key is
// encrypted ("wrapped") with the key-encryption key. A KMS offers exactly these two calls (encrypt / decrypt a
// small blob under a named key), so it can replace the key file without touching the recording format.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface WrappedKey {
  /** Which key-encryption key wrapped it (a KMS key name, or the key file's fingerprint). */
  keyId: string;
  wrapped: Buffer;
}

/** Wraps and unwraps recording data keys; `context` is bound to the wrap (a key moved to another recording fails). */
export abstract class RecordingKeys {
  abstract wrap(dataKey: Buffer, context: string): Promise<WrappedKey>;
  abstract unwrap(key: WrappedKey, context: string): Promise<Buffer>;
}

/** A recording's data key cannot be unwrapped: another key-encryption key, or the file was altered. */
export class RecordingKeyError extends Error {}

const NONCE = 12;
const TAG = 16;

/**
 * The key-encryption key from a file: 32 bytes as 64 hex digits or as base64 (e.g. `openssl rand -hex 32`).
 * Its id is a fingerprint (not the key), so a recording sealed under another key fails with a clear message.
 */
export class FileRecordingKeys extends RecordingKeys {
  private readonly key: Buffer;
  readonly keyId: string;

  constructor(material: string) {
    super();
    const text = material.trim();
    const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
    if (key.length !== 32) throw new Error('the recording key file must hold 32 bytes as 64 hex digits or base64');
    this.key = key;
    this.keyId = `file:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
  }

  async wrap(dataKey: Buffer, context: string): Promise<WrappedKey> {
    const nonce = randomBytes(NONCE);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce).setAAD(Buffer.from(`${this.keyId}\n${context}`));
    const sealed = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return { keyId: this.keyId, wrapped: Buffer.concat([nonce, sealed, cipher.getAuthTag()]) };
  }

  async unwrap(key: WrappedKey, context: string): Promise<Buffer> {
    if (key.keyId !== this.keyId) throw new RecordingKeyError(`sealed under key ${key.keyId}, not the configured ${this.keyId}`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, key.wrapped.subarray(0, NONCE)).setAAD(Buffer.from(`${this.keyId}\n${context}`));
      decipher.setAuthTag(key.wrapped.subarray(key.wrapped.length - TAG));
      return Buffer.concat([decipher.update(key.wrapped.subarray(NONCE, key.wrapped.length - TAG)), decipher.final()]);
    } catch {
      throw new RecordingKeyError('the data key does not open with the configured key');
    }
  }
}
