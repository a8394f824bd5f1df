// The page a person's browser gets when a navigation is refused — at the edge (policy's ext_authz) or by a
// service behind it (the workspace browser route) — instead of a JSON envelope nobody can read. One renderer, so
// every refusal looks and reads the same, in Korean or English after the browser's Accept-Language. API calls
// (fetch, scripts) keep the JSON envelope: they are told apart by isBrowserNavigation.

type Headers = Record<string, string | string[] | undefined>;

export type PageLanguage = 'ko' | 'en';

const first = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));

/**
 * A person navigating (address bar, link, reload): GET or HEAD asking for HTML, without a bearer token (scripts
 * use those), and — where the browser says so — fetch mode `navigate` (a script's fetch that accepts HTML is not).
 */
export function isBrowserNavigation(method: string, headers: Headers): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (first(headers['authorization'])) return false;
  const mode = first(headers['sec-fetch-mode']);
  if (mode && mode !== 'navigate') return false;
  return first(headers['accept']).toLowerCase().includes('text/html');
}

/** Korean or English, whichever the browser ranks higher (RFC 9110 quality values); English when neither. */
export function pageLanguage(acceptLanguage: string | string[] | undefined): PageLanguage {
  let best: { language: PageLanguage; q: number } | undefined;
  for (const item of first(acceptLanguage).split(',')) {
    const [tag, ...params] = item.trim().split(';');
    const primary = tag.trim().toLowerCase().split('-')[0];
    if (primary !== 'ko' && primary !== 'en') continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { language: primary, q };
  }
  return best?.language ?? 'en';
}

interface Wording {
  title: string;
  text: string;
}

const BY_STATUS: Record<number, Record<PageLanguage, Wording>> = {
  403: {
    en: { title: 'Access denied', text: 'You do not have access to this page.' },
    ko: { title: '접근이 거부되었습니다', text: '이 페이지에 접근할 권한이 없습니다.' },
  },
  404: {
    en: { title: 'Not found', text: 'This page does not exist, or you cannot see it.' },
    ko: { title: '찾을 수 없습니다', text: '페이지가 없거나 볼 수 있는 권한이 없습니다.' },
  },
  429: {
    en: { title: 'Too many requests', text: 'Please wait a moment, then try again.' },
    ko: { title: '요청이 너무 많습니다', text: '잠시 기다린 뒤 다시 시도해 주세요.' },
  },
  503: {
    en: { title: 'Temporarily unavailable', text: 'Please try again in a moment.' },
    ko: { title: '일시적으로 사용할 수 없습니다', text: '잠시 후 다시 시도해 주세요.' },
  },
};

/** Refusals a person can act on get their own words. */
const BY_CODE: Record<string, Record<PageLanguage, Wording>> = {
  workspace_forbidden: {
    en: { title: 'Access denied', text: 'This workspace belongs to someone else. Only its owner or an administrator may open it.' },
    ko: { title: '접근이 거부되었습니다', text: '다른 사용자의 워크스페이스입니다. 소유자나 관리자만 열 수 있습니다.' },
  },
  workspace_not_running: {
    en: { title: 'Workspace not running', text: 'Start the workspace in the portal, then reload this page.' },
    ko: { title: '워크스페이스가 실행 중이 아닙니다', text: '포털에서 워크스페이스를 시작한 뒤 이 페이지를 새로 고침하세요.' },
  },
};

const FALLBACK: Record<PageLanguage, Wording> = {
  en: { title: 'Request refused', text: 'Airlock could not complete this request.' },
  ko: { title: '요청이 거부되었습니다', text: 'Airlock이 이 요청을 처리하지 못했습니다.' },
};

const LABELS: Record<PageLanguage, { home: string; reason: string; reference: string }> = {
  en: { home: 'Back to Airlock', reason: 'Reason', reference: 'Reference' },
  ko: { home: 'Airlock으로 돌아가기', reason: '사유', reference: '참조 번호' },
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface ErrorPage {
  headers: [string, string][];
  body: string;
}

/**
 * A self-contained page (no scripts, no external resources) naming the refusal's code and correlation id, so a
 * person can quote them to support. Never cached, never framed.
 */
export function errorPage(refusal: { status: number; code: string; correlationId: string; acceptLanguage: string | string[] | undefined }): ErrorPage {
  const language = pageLanguage(refusal.acceptLanguage);
  const wording = (BY_CODE[refusal.code] ?? BY_STATUS[refusal.status] ?? FALLBACK)[language];
  const label = LABELS[language];
  const body = `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(wording.title)} · Airlock</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2328}h1{font-size:1.4rem}code{background:#f3f4f6;padding:.1rem .3rem}a{color:#0a58ca}</style>
</head><body>
<h1>${escapeHtml(wording.title)}</h1>
<p>${escapeHtml(wording.text)}</p>
<p><a href="/">${escapeHtml(label.home)}</a></p>
<p><small>${escapeHtml(label.reason)}: <code>${escapeHtml(refusal.code)}</code> · ${escapeHtml(label.reference)}: <code>${escapeHtml(refusal.correlationId)}</code></small></p>
</body></html>`;
  return {
    headers: [
      ['content-type', 'text/html; charset=utf-8'],
      ['content-language', language],
      ['cache-control', 'no-store'],
      ['content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"],
      ['x-content-type-options', 'nosniff'],
    ],
    body,
  };
}
