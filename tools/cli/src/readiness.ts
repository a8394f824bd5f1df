// Waiting for a process of the mesh to answer, failing fast when it has already exited.
import { existsSync, readFileSync } from 'node:fs';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { listManaged } from '@airlock/testing';

export interface WaitOptions {
  timeoutMs: number;
  /** Its last lines go into the error. */
  logFile?: string;
  /** The spawnManaged name of the process being waited for: once it has exited, waiting stops. */
  processName?: string;
}

/**
 * Polls `check` until it passes. With `processName`, a process that has already exited fails at once — a config
 * error (exit 78) should not cost the whole timeout.
 */
export async function waitUntil(what: string, check: () => Promise<boolean>, { timeoutMs, logFile, processName }: WaitOptions): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const tail = () => (logFile && existsSync(logFile) ? `\n--- last lines of ${logFile} ---\n${readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')}` : '');
  while (Date.now() < deadline) {
    if (await check()) return;
    if (processName && (await listManaged())[processName]?.running === false) throw new Error(`${what}: the process exited before it was ready${tail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms${tail()}`);
}

/** The URL answers below 500 within a second; `tls`: the CA to trust, and a client certificate where one is required. */
export async function httpOk(url: string, tls: { ca?: string | Buffer; cert?: Buffer; key?: Buffer } = {}): Promise<boolean> {
  const request = url.startsWith('https') ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(url, { ...tls, timeout: 1_000 }, (res: IncomingMessage) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
