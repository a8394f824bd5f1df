import http from 'node:http';
import https from 'node:https';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, loadMtlsMaterial, type ServiceConfig } from '@airlock/runtime';
import type { ragConfig } from '../config';
import { EmbeddingsUnavailableError } from '../errors';

/** Characters of a chunk sent to the model: models of this kind read a few hundred tokens and ignore the rest. */
export const EMBEDDED_CHARS = 2000;

/** The answer's largest accepted size: a batch of vectors as base64 is tens of kilobytes per text at most. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** What a chunk is embedded as: where it is and what it declares, then its (masked) text. */
export function embeddedText(chunk: { path: string; symbol: string; text: string }): string {
  return `${chunk.path}\n${chunk.symbol}\n${chunk.text}`.slice(0, EMBEDDED_CHARS);
}

/** OpenAI's base64 embedding: little-endian float32 values. */
export function decodeBase64Vector(value: string): Float32Array {
  const bytes = Buffer.from(value, 'base64');
  const vector = new Float32Array(bytes.length / 4);
  for (let i = 0; i < vector.length; i++) vector[i] = bytes.readFloatLE(i * 4);
  return vector;
}

interface EmbeddingsResponse {
  data?: { index?: number; embedding?: unknown }[];
}

/** The vectors of an OpenAI embeddings answer, in input order; throws when the answer does not fit the request. */
export function vectorsOf(body: EmbeddingsResponse, inputs: number, dimensions: number): Float32Array[] {
  const data = body.data;
  if (!Array.isArray(data) || data.length !== inputs) throw new Error(`expected ${inputs} embeddings, got ${Array.isArray(data) ? data.length : 'none'}`);
  const vectors: Float32Array[] = new Array(inputs);
  data.forEach((item, position) => {
    const index = typeof item.index === 'number' ? item.index : position;
    const e = item.embedding;
    const vector = typeof e === 'string' ? decodeBase64Vector(e) : Array.isArray(e) ? Float32Array.from(e as number[]) : undefined;
    if (!vector || vector.length !== dimensions || index < 0 || index >= inputs) throw new Error(`embedding ${index} is not a vector of ${dimensions} numbers`);
    vectors[index] = vector;
  });
  return vectors;
}

/**
 * The embeddings backend (RAG_EMBEDDINGS_URL): texts in, one vector each out, in batches of RAG_EMBEDDINGS_BATCH.
 * Disabled when no URL is set; the store and the query then leave vectors out.
 */
@Injectable()
export class EmbeddingsClient implements OnApplicationShutdown {
  private readonly url?: URL;
  private readonly agent?: http.Agent;

  constructor(@Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof ragConfig>) {
    if (!config.RAG_EMBEDDINGS_URL) return;
    this.url = new URL('v1/embeddings', config.RAG_EMBEDDINGS_URL.endsWith('/') ? config.RAG_EMBEDDINGS_URL : `${config.RAG_EMBEDDINGS_URL}/`);
    const material = this.url.protocol === 'https:' ? loadMtlsMaterial(config) : undefined;
    this.agent = material
      ? new https.Agent({ keepAlive: true, cert: material.certChain, key: material.privateKey, ca: material.ca })
      : new (this.url.protocol === 'https:' ? https : http).Agent({ keepAlive: true });
  }

  get enabled(): boolean {
    return this.url !== undefined;
  }

  get dimensions(): number {
    return this.config.RAG_EMBEDDINGS_DIMENSIONS;
  }

  onApplicationShutdown(): void {
    this.agent?.destroy();
  }

  /** One vector per text, in order; EmbeddingsUnavailableError when the backend fails or answers something else. */
  async embed(texts: string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.config.RAG_EMBEDDINGS_BATCH) {
      const batch = texts.slice(i, i + this.config.RAG_EMBEDDINGS_BATCH);
      try {
        const body = await this.post({ model: this.config.RAG_EMBEDDINGS_MODEL, input: batch, encoding_format: 'base64' });
        vectors.push(...vectorsOf(body as EmbeddingsResponse, batch.length, this.dimensions));
      } catch (error) {
        throw new EmbeddingsUnavailableError(error);
      }
    }
    return vectors;
  }

  private post(payload: unknown): Promise<unknown> {
    const url = this.url;
    if (!url) return Promise.reject(new Error('no embeddings backend is configured'));
    const body = Buffer.from(JSON.stringify(payload));
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, { method: 'POST', agent: this.agent, timeout: this.config.RAG_EMBEDDINGS_TIMEOUT_MS, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new Error('embeddings answer too large'));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          // The backend's error text may quote the input: only its status goes further.
          if (res.statusCode !== 200) return reject(new Error(`embeddings backend answered ${res.statusCode}`));
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new Error('embeddings backend answered invalid JSON'));
          }
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no embeddings answer within ${this.config.RAG_EMBEDDINGS_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}
