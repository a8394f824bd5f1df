// Server-rendered pages of the dev IdP. Every page carries the NOT-FOR-PRODUCTION banner, so nobody mistakes a
// running dev IdP for the real sign-in.

export const BANNER_TEXT = 'DEVELOPMENT IdP — NOT FOR PRODUCTION. Demo users only; never point a real deployment here.';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);

const STYLE = `
body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f4;color:#222}
.banner{background:#b00020;color:#fff;font-weight:700;padding:12px 16px;text-align:center;letter-spacing:.02em}
main{max-width:360px;margin:40px auto;background:#fff;padding:24px 28px;border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.2)}
label{display:block;margin-top:12px;font-size:.9em}
input{width:100%;box-sizing:border-box;padding:8px;margin-top:4px;font-size:1em}
button{margin-top:18px;width:100%;padding:10px;font-size:1em;background:#333;color:#fff;border:0;border-radius:4px;cursor:pointer}
.error{background:#fde7ea;color:#8a0016;padding:8px 10px;border-radius:4px;margin-top:12px}
.hint{font-size:.8em;color:#666;margin-top:16px}
pre{white-space:pre-wrap;word-break:break-word}`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Airlock dev IdP (NOT FOR PRODUCTION)</title>
<style>${STYLE}</style>
</head>
<body>
<div class="banner" role="alert" id="not-for-production">${escapeHtml(BANNER_TEXT)}</div>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>`;
}

const errorBlock = (error?: string) => (error ? `<p class="error" role="alert" id="error">${escapeHtml(error)}</p>` : '');

export function loginPage(action: string, opts: { error?: string; username?: string; clientId: string }): string {
  return page(
    'Sign in',
    `<p>to <strong>${escapeHtml(opts.clientId)}</strong></p>
${errorBlock(opts.error)}
<form method="post" action="${escapeHtml(action)}" autocomplete="off">
<label for="username">Username</label>
<input id="username" name="username" required autofocus value="${escapeHtml(opts.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button type="submit" id="submit">Continue</button>
</form>
<p class="hint">Demo users and their passwords/TOTP secrets: apps/dev-idp/src/seed/users.json.</p>`,
  );
}

export function totpPage(action: string, opts: { error?: string; username: string }): string {
  return page(
    'Two-step verification',
    `<p>Signed in as <strong>${escapeHtml(opts.username)}</strong>. Enter the 6-digit code from your authenticator.</p>
${errorBlock(opts.error)}
<form method="post" action="${escapeHtml(action)}" autocomplete="off">
<label for="code">Code</label>
<input id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required autofocus>
<button type="submit" id="submit">Verify</button>
</form>`,
  );
}

export function messagePage(title: string, message: string, details?: Record<string, unknown>): string {
  const rows = details
    ? Object.entries(details)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `<pre><strong>${escapeHtml(k)}</strong>: ${escapeHtml(v)}</pre>`)
        .join('\n')
    : '';
  return page(title, `<p>${escapeHtml(message)}</p>\n${rows}`);
}
