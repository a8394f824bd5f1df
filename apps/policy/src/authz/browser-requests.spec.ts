import { crossSiteWrite, signInLocation } from './browser-requests';

const own = { scheme: 'https', host: 'airlock.example:8443' };

describe('browser requests at the edge', () => {
  it('sends a navigation to sign in and back to the same path and query', () => {
    expect(signInLocation('/w/ws_abcdefghij0123456789/?folder=/home/x')).toBe('/auth/login?return_to=%2Fw%2Fws_abcdefghij0123456789%2F%3Ffolder%3D%2Fhome%2Fx');
    expect(signInLocation('')).toBe('/auth/login?return_to=%2F');
  });

  it.each([
    ['another origin', { method: 'POST', origin: 'https://evil.example' }, 'origin: https://evil.example'],
    ['another port of the same host', { method: 'DELETE', origin: 'https://airlock.example:9443' }, 'origin: https://airlock.example:9443'],
    ['plain http of the same host', { method: 'PUT', origin: 'http://airlock.example:8443' }, 'origin: http://airlock.example:8443'],
    ['an opaque origin', { method: 'POST', origin: 'null' }, 'origin: null'],
    ['the browser saying cross-site', { method: 'PATCH', secFetchSite: 'cross-site' }, 'sec-fetch-site: cross-site'],
    ['cross-site even with our Origin', { method: 'POST', origin: 'https://airlock.example:8443', secFetchSite: 'cross-site' }, 'sec-fetch-site: cross-site'],
  ])('refuses a write from %s', (_what, request, why) => {
    expect(crossSiteWrite({ ...own, ...request })).toBe(why);
  });

  it.each([
    ['our own origin', { method: 'POST', origin: 'https://airlock.example:8443', secFetchSite: 'same-origin' }],
    ['our origin written with the default port spelled out', { method: 'POST', origin: 'https://airlock.example', host: 'airlock.example:443' }],
    ['no Origin and no Sec-Fetch-Site (not a browser cross-site request)', { method: 'POST' }],
    ['a read from another site (reads change nothing)', { method: 'GET', origin: 'https://evil.example', secFetchSite: 'cross-site' }],
    ['a preflight', { method: 'OPTIONS', origin: 'https://evil.example' }],
  ])('admits %s', (_what, request) => {
    expect(crossSiteWrite({ ...own, ...request })).toBeUndefined();
  });
});
