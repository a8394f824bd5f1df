import { errorPage, isBrowserNavigation, pageLanguage } from './error-page';

const NAVIGATION = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'sec-fetch-mode': 'navigate' };

describe('browser error pages', () => {
  it('tells a navigation from an API call', () => {
    expect(isBrowserNavigation('GET', NAVIGATION)).toBe(true);
    expect(isBrowserNavigation('HEAD', { accept: 'text/html' })).toBe(true);
    expect(isBrowserNavigation('POST', NAVIGATION)).toBe(false);
    expect(isBrowserNavigation('GET', { ...NAVIGATION, authorization: 'Bearer t' })).toBe(false);
    expect(isBrowserNavigation('GET', { ...NAVIGATION, 'sec-fetch-mode': 'cors' })).toBe(false);
    expect(isBrowserNavigation('GET', { accept: 'application/json' })).toBe(false);
    expect(isBrowserNavigation('GET', { accept: '*/*' })).toBe(false);
    expect(isBrowserNavigation('GET', {})).toBe(false);
  });

  it('speaks Korean or English after Accept-Language, English otherwise', () => {
    expect(pageLanguage('ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7')).toBe('ko');
    expect(pageLanguage('en-US,en;q=0.9,ko;q=0.8')).toBe('en');
    expect(pageLanguage('de-DE, ko;q=0.5, en;q=0.4')).toBe('ko');
    expect(pageLanguage('ko;q=0, en;q=0.1')).toBe('en');
    expect(pageLanguage('fr')).toBe('en');
    expect(pageLanguage(undefined)).toBe('en');
  });

  it('renders a self-contained page naming the code and the reference, in the chosen language', () => {
    const ko = errorPage({ status: 403, code: 'forbidden', correlationId: 'corr-123', acceptLanguage: 'ko-KR' });
    expect(ko.body).toContain('<html lang="ko">');
    expect(ko.body).toContain('접근이 거부되었습니다');
    expect(ko.body).toContain('<code>forbidden</code>');
    expect(ko.body).toContain('<code>corr-123</code>');
    expect(ko.body).not.toMatch(/<script|src=|https?:/);
    expect(Object.fromEntries(ko.headers)).toEqual({
      'content-type': 'text/html; charset=utf-8',
      'content-language': 'ko',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
    });
    const en = errorPage({ status: 403, code: 'workspace_forbidden', correlationId: 'c', acceptLanguage: 'en' });
    expect(en.body).toContain('This workspace belongs to someone else');
    expect(errorPage({ status: 503, code: 'identity_unavailable', correlationId: 'c', acceptLanguage: 'en' }).body).toContain('Temporarily unavailable');
    expect(errorPage({ status: 418, code: 'teapot', correlationId: 'c', acceptLanguage: 'en' }).body).toContain('Request refused');
  });

  it('escapes what it is given', () => {
    const page = errorPage({ status: 403, code: '<script>x</script>', correlationId: '"><img>', acceptLanguage: 'en' });
    expect(page.body).not.toContain('<script>x');
    expect(page.body).not.toContain('"><img>');
  });
});
