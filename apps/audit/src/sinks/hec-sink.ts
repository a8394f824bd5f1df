import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import type { AuditRecord } from '../events/audit-record';
import type { AuditSink } from './audit-sink';

export interface HecSinkConfig {
  /** Base URL of the collector, e.g. `https://splunk.example:8088`; `/services/collector/event` is appended. */
  url: string;
  /** HEC token. Sent only in the Authorization header; never logged or put in an error message. */
  token: string;
  /** PEM CA bundle for an https collector signed by a private CA. */
  ca?: string | Buffer;
  host?: string;
  index?: string;
  timeoutMs?: number;
}

/** HEC's JSON envelope for one event. */
export interface HecEnvelope {
  time: number;
  host: string;
  source: string;
  sourcetype: string;
  index?: string;
  event: AuditRecord;
}

export const HEC_SOURCE = 'airlock';
export const HEC_SOURCETYPE = 'airlock:audit';
export const HEC_PATH = '/services/collector/event';

/** The event's own time in epoch seconds with millisecond fraction (the time of sending when unparsable). */
export function hecTime(timestamp: string): number {
  const ms = Date.parse(timestamp);
  return (Number.isFinite(ms) ? ms : Date.now()) / 1000;
}

/** A collector that answered but did not take the batch. */
export class HecRejectedError extends Error {
  constructor(
    readonly status: number,
    readonly hecCode: number | undefined,
    text: string,
  ) {
    super(`HEC collector refused the batch: HTTP ${status}${hecCode === undefined ? '' : `, code ${hecCode}`}${text ? ` (${text})` : ''}`);
    this.name = 'HecRejectedError';
  }
}

/**
 * Splunk HTTP Event Collector shape: one POST per write, the batch as concatenated JSON envelopes. The batch
 * counts as delivered only on HTTP 200 with `{"code":0}`; anything else rejects, so the consumer does not
 * commit. (With indexer acknowledgement switched on for the token, 200 means "received", not "indexed";
 * polling `/services/collector/ack` is not implemented.)
 */
export class HecSink implements AuditSink {
  readonly name = 'hec';
  private readonly endpoint: URL;
  private readonly agent: http.Agent;
  private readonly host: string;
  private closed = false;

  constructor(private readonly config: HecSinkConfig) {
    this.endpoint = new URL(config.url.replace(/\/+$/, '') + HEC_PATH);
    if (this.endpoint.protocol !== 'https:' && this.endpoint.protocol !== 'http:') throw new Error('HEC URL must be http or https');
    this.agent =
      this.endpoint.protocol === 'https:' ? new https.Agent({ keepAlive: true, ca: config.ca }) : new http.Agent({ keepAlive: true });
    this.host = config.host ?? os.hostname();
  }

  static async open(config: Omit<HecSinkConfig, 'ca'> & { caFile?: string }): Promise<HecSink> {
    const { caFile, ...rest } = config;
    return new HecSink({ ...rest, ca: caFile ? await readFile(caFile) : undefined });
  }

  /** The request body for `records`. */
  body(records: AuditRecord[]): string {
    return records
      .map((event) => {
        const envelope: HecEnvelope = {
          time: hecTime(event.timestamp),
          host: this.host,
          source: HEC_SOURCE,
          sourcetype: HEC_SOURCETYPE,
          ...(this.config.index ? { index: this.config.index } : {}),
          event,
        };
        return JSON.stringify(envelope);
      })
      .join('\n');
  }

  async write(records: AuditRecord[]): Promise<void> {
    if (this.closed) throw new Error('hec sink is closed');
    if (records.length === 0) return;
    const { status, text } = await this.post(this.body(records));
    let reply: { code?: unknown; text?: unknown } | undefined;
    try {
      reply = JSON.parse(text) as { code?: unknown; text?: unknown };
    } catch {
      reply = undefined;
    }
    const code = typeof reply?.code === 'number' ? reply.code : undefined;
    if (status === 200 && code === 0) return;
    const message = typeof reply?.text === 'string' ? reply.text : text.slice(0, 200);
    throw new HecRejectedError(status, code, message);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.agent.destroy();
  }

  private post(body: string): Promise<{ status: number; text: string }> {
    const transport = this.endpoint.protocol === 'https:' ? https : http;
    const timeoutMs = this.config.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const req = transport.request(
        this.endpoint,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            Authorization: `Splunk ${this.config.token}`,
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (error) => reject(new Error(`HEC response from ${this.endpoint.origin} failed: ${error.message}`)));
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`HEC request to ${this.endpoint.origin} timed out after ${timeoutMs} ms`)));
      // The request's own error text is used, never its options: they carry the token.
      req.on('error', (error) => reject(new Error(`HEC request to ${this.endpoint.origin} failed: ${error.message}`)));
      req.end(body);
    });
  }
}
