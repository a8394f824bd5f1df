import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type { DevIdpConfig } from './config';
import { createLog, type Log } from './log';
import { loginPage, messagePage, totpPage } from './pages';
import { createProvider } from './provider';
import { ACR_MFA, ACR_PWD, loadUsers, UserDirectory } from './users';

const MAX_FORM_BYTES = 16 * 1024;
/** Wrong codes allowed per interaction before the user has to start again with the password. */
const MAX_TOTP_ATTEMPTS = 5;
const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|totp))?$/;

export interface RunningDevIdp {
  issuer: string;
  port: number;
  provider: Provider;
  /** Stops accepting connections and waits for in-flight requests (at most the configured grace). */
  close(): Promise<void>;
}

interface PendingSecondFactor {
  username: string;
  failures: number;
  expiresAt: number;
}

class FormError extends Error {}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new FormError('expected an HTML form post');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new FormError('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // No scripts at all. (No form-action: the post-login redirect chain leaves this origin.)
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
  res.end(html);
}

/**
 * The interaction pages (password, then TOTP for enrolled users) in front of oidc-provider's own endpoints
 * (discovery, /auth, /token, /jwks, /me, /session/end).
 */
function interactionHandler(provider: Provider, config: DevIdpConfig, users: UserDirectory, log: Log) {
  const pending = new Map<string, PendingSecondFactor>();
  const pendingFor = (uid: string): PendingSecondFactor | undefined => {
    const p = pending.get(uid);
    if (p && p.expiresAt < Date.now()) pending.delete(uid);
    return pending.get(uid);
  };
  const sweep = setInterval(() => {
    for (const uid of pending.keys()) pendingFor(uid);
  }, 60_000);
  sweep.unref();

  const finishLogin = async (req: IncomingMessage, res: ServerResponse, username: string, mfa: boolean) => {
    const amr = mfa ? ['pwd', 'otp'] : ['pwd'];
    log('info', 'login succeeded', { user: username, amr });
    await provider.interactionFinished(req, res, { login: { accountId: username, amr, acr: mfa ? ACR_MFA : ACR_PWD, remember: false } }, { mergeWithLastSubmission: false });
  };

  return async (req: IncomingMessage, res: ServerResponse, uid: string, step: string | undefined): Promise<void> => {
    let details: Awaited<ReturnType<Provider['interactionDetails']>>;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      sendHtml(res, 400, messagePage('Sign-in expired', 'This sign-in attempt is unknown or has expired. Start again from the application.'));
      return;
    }
    if (details.uid !== uid) {
      sendHtml(res, 400, messagePage('Sign-in mismatch', 'This page does not belong to the current sign-in attempt. Start again from the application.'));
      return;
    }
    const base = `/interaction/${uid}`;
    if (details.prompt.name !== 'login') {
      // Consent is granted by loadExistingGrant, so no other prompt is expected.
      sendHtml(res, 400, messagePage('Unsupported step', `The dev IdP cannot handle the "${details.prompt.name}" step.`));
      return;
    }
    const second = pendingFor(uid);

    if (req.method === 'GET' && !step) {
      const user = second && users.find(second.username);
      sendHtml(res, 200, user ? totpPage(`${base}/totp`, { username: user.username }) : loginPage(`${base}/login`, { clientId: config.clientId }));
      return;
    }
    if (req.method !== 'POST' || !step) {
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    const form = await readForm(req);

    if (step === 'login') {
      const username = (form.get('username') ?? '').trim();
      const user = users.checkPassword(username, form.get('password') ?? '');
      if (!user) {
        log('warn', 'login failed: wrong username or password', { user: username.slice(0, 64) });
        sendHtml(res, 401, loginPage(`${base}/login`, { clientId: config.clientId, username, error: 'Wrong username or password.' }));
        return;
      }
      if (!user.totpSecret) {
        await finishLogin(req, res, user.username, false);
        return;
      }
      pending.set(uid, { username: user.username, failures: 0, expiresAt: Date.now() + 10 * 60_000 });
      res.writeHead(303, { location: base, 'cache-control': 'no-store' }).end();
      return;
    }

    // step === 'totp'
    const user = second && users.find(second.username);
    if (!second || !user) {
      res.writeHead(303, { location: base, 'cache-control': 'no-store' }).end();
      return;
    }
    if (await users.checkTotp(user, (form.get('code') ?? '').trim())) {
      pending.delete(uid);
      await finishLogin(req, res, user.username, true);
      return;
    }
    second.failures += 1;
    log('warn', 'second factor failed', { user: user.username, failures: second.failures });
    if (second.failures >= MAX_TOTP_ATTEMPTS) {
      pending.delete(uid);
      sendHtml(res, 401, loginPage(`${base}/login`, { clientId: config.clientId, error: 'Too many wrong codes. Sign in again.' }));
      return;
    }
    sendHtml(res, 401, totpPage(`${base}/totp`, { username: user.username, error: 'Wrong or already used code. Try the next code.' }));
  };
}

/** Starts the dev IdP; `port` 0 is not allowed because the issuer URL names the port. */
export async function startDevIdp(config: DevIdpConfig, log: Log = createLog(config.logLevel)): Promise<RunningDevIdp> {
  const users = new UserDirectory(loadUsers(config.usersFile));
  const provider = createProvider(config, users);
  provider.on('server_error', (_ctx, error) => log('error', 'oidc-provider server error', { error: error.message }));
  const providerCallback = provider.callback();
  const interactions = interactionHandler(provider, config, users, log);

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dev-idp');
    const match = INTERACTION_PATH.exec(url.pathname);
    if (!match) {
      if (url.pathname === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        return;
      }
      void providerCallback(req, res);
      return;
    }
    interactions(req, res, match[1], match[2]).catch((error: unknown) => {
      const bad = error instanceof FormError;
      if (!bad) log('error', 'interaction failed', { error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) sendHtml(res, bad ? 400 : 500, messagePage('Sign-in error', bad ? (error as Error).message : 'Something went wrong. Start again.'));
      else res.end();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    issuer: config.issuer,
    port,
    provider,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
