import { readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import type { Logger } from '@airlock/telemetry';
import type { AuditRecord } from '../events/audit-record';
import type { AuditSink } from './audit-sink';
import { cefSeverity, toCef } from './cef';
import { formatRfc5424, frameOctetCounted, syslogSeverity } from './rfc5424';

export interface SyslogSinkConfig {
  host: string;
  port: number;
  /** PEM of the CA(s) that sign the receiver's certificate; the receiver's name is checked against `host`. */
  ca: string | Buffer;
  /** Client certificate and key, for receivers that authenticate senders (rsyslog AuthMode x509/*). */
  cert?: string | Buffer;
  key?: string | Buffer;
  appName: string;
  /** Syslog facility; 13 is "log audit". */
  facility?: number;
  hostname?: string;
  connectTimeoutMs?: number;
  /** A write whose bytes the socket has not flushed by then fails and drops the connection. */
  writeTimeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  logger?: Logger;
}

export interface SyslogSinkFiles {
  caFile: string;
  certFile?: string;
  keyFile?: string;
}

/**
 * RFC 5424 messages carrying CEF, over TLS with RFC 5425 octet-counted framing.
 *
 * Acknowledgement: `write` resolves once TLS has handed the frames to the kernel's socket. RFC 5425 has no
 * application-level acknowledgement, so that is the strongest guarantee the protocol offers — frames in
 * flight when the receiver crashes can be lost without the sender knowing (RELP exists for that reason).
 * What this sink does guarantee: a write never resolves while disconnected, so the consumer does not commit,
 * and Kafka redelivers.
 *
 * Connection: opened at start and kept; on error or close it reconnects in the background with exponential
 * backoff (jittered, capped). A write while disconnected waits for a connection attempt that is already
 * under way, and otherwise rejects at once.
 */
export class SyslogSink implements AuditSink {
  readonly name = 'syslog';
  private socket: tls.TLSSocket | undefined;
  private connecting: Promise<tls.TLSSocket> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly hostname: string;

  constructor(private readonly config: SyslogSinkConfig) {
    this.backoffMs = config.minBackoffMs ?? 200;
    this.hostname = config.hostname ?? os.hostname();
  }

  /** Reads the PEM files and starts connecting; an unreachable receiver does not fail the start. */
  static async open(config: Omit<SyslogSinkConfig, 'ca' | 'cert' | 'key'>, files: SyslogSinkFiles): Promise<SyslogSink> {
    const [ca, cert, key] = await Promise.all([
      readFile(files.caFile),
      files.certFile ? readFile(files.certFile) : undefined,
      files.keyFile ? readFile(files.keyFile) : undefined,
    ]);
    const sink = new SyslogSink({ ...config, ca, cert, key });
    sink.connect().catch(() => undefined);
    return sink;
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  /** The frames for `records`, exactly as they go on the wire. */
  encode(records: AuditRecord[]): Buffer {
    return Buffer.concat(
      records.map((record) => {
        const severity = cefSeverity(record);
        const message = formatRfc5424(
          {
            facility: this.config.facility ?? 13,
            severity: syslogSeverity(severity),
            timestamp: record.timestamp,
            hostname: this.hostname,
            appName: this.config.appName,
            procId: String(process.pid),
            msgId: record.event_type,
          },
          toCef(record),
        );
        return frameOctetCounted(message);
      }),
    );
  }

  write(records: AuditRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('syslog sink is closed'));
    // Chained so frames of concurrent writes never interleave and each caller learns its own outcome.
    const result = this.tail.then(() => this.send(records));
    this.tail = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.tail;
    await this.connecting?.catch(() => undefined);
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          socket.destroy();
          resolve();
        }, 2000);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.end();
      });
    }
  }

  private async send(records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (this.closed) throw new Error('syslog sink is closed');
    // A reconnect in flight that fails (ECONNREFUSED while the receiver is down) is the same "not connected".
    const socket = this.socket ?? (await this.connecting?.catch(() => undefined));
    if (!socket) throw new Error(`syslog receiver ${this.target()} is not connected (reconnecting)`);
    const frames = this.encode(records);
    await new Promise<void>((resolve, reject) => {
      const timeoutMs = this.config.writeTimeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        // The stream's state is unknown now; a fresh connection is the only way to know what follows.
        socket.destroy(new Error(`write to syslog receiver not flushed within ${timeoutMs} ms`));
      }, timeoutMs);
      const onClose = () => settle(new Error(`syslog connection to ${this.target()} closed during write`));
      const settle = (error?: Error | null) => {
        clearTimeout(timer);
        socket.off('close', onClose);
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve();
      };
      socket.once('close', onClose);
      socket.write(frames, (error) => settle(error ? new Error(`write to syslog receiver ${this.target()} failed: ${error.message}`) : undefined));
    });
  }

  private target(): string {
    return `${this.config.host}:${this.config.port}`;
  }

  private connect(): Promise<tls.TLSSocket> {
    if (this.connecting) return this.connecting;
    const attempt = new Promise<tls.TLSSocket>((resolve, reject) => {
      const { host, port, ca, cert, key } = this.config;
      const socket = tls.connect({
        host,
        port,
        ca,
        cert,
        key,
        // SNI must not carry an IP address; the certificate check still uses `host` either way.
        servername: net.isIP(host) ? undefined : host,
        rejectUnauthorized: true,
      });
      const timer = setTimeout(() => socket.destroy(new Error(`TLS connect to ${this.target()} timed out`)), this.config.connectTimeoutMs ?? 5000);
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.once('error', fail);
      socket.once('close', () => fail(new Error(`connection to ${this.target()} closed during the TLS handshake`)));
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.removeAllListeners('close');
        socket.setKeepAlive(true, 30_000);
        socket.setNoDelay(true);
        // A receiver sends nothing over RFC 5425; reading keeps the stream flowing so its close is noticed.
        socket.on('data', () => undefined);
        socket.on('error', (error) => this.config.logger?.warn({ err: error, target: this.target() }, 'syslog connection error'));
        socket.once('close', () => this.lost(socket));
        resolve(socket);
      });
    });
    this.connecting = attempt;
    attempt.then(
      (socket) => {
        this.connecting = undefined;
        if (this.closed) {
          socket.destroy();
          return;
        }
        this.socket = socket;
        this.backoffMs = this.config.minBackoffMs ?? 200;
        this.config.logger?.info({ target: this.target() }, 'syslog sink connected');
      },
      (error: Error) => {
        this.connecting = undefined;
        this.config.logger?.warn({ err: error, target: this.target(), retryInMs: this.backoffMs }, 'syslog connect failed');
        this.scheduleReconnect();
      },
    );
    return attempt;
  }

  private lost(socket: tls.TLSSocket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    if (this.closed) return;
    this.config.logger?.warn({ target: this.target() }, 'syslog connection lost; reconnecting');
    this.scheduleReconnect();
  }

  // Also used after a lost connection (backoff is back at its minimum then), so a receiver that accepts and
  // drops connections at once is not hammered.
  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    const base = this.backoffMs;
    const delay = base / 2 + Math.random() * (base / 2);
    this.backoffMs = Math.min(this.backoffMs * 2, this.config.maxBackoffMs ?? 30_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect().catch(() => undefined);
    }, delay);
    this.retryTimer.unref();
  }
}
