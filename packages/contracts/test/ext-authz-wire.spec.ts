import { envoy } from '../src';

// Field numbers are Envoy's: a CheckResponse built here must carry the OK response in field 3 and the header
// option in field 2, or the real Envoy would ignore it.
describe('ext_authz wire contract', () => {
  it('encodes OkHttpResponse headers where Envoy reads them', () => {
    const { CheckResponse } = envoy.service.auth.v3;
    const bytes = CheckResponse.encode({
      status: { code: 0, message: '', details: [] },
      okResponse: {
        headers: [{ header: { key: 'x-user-id', value: 'u1', rawValue: Buffer.alloc(0) }, append: undefined, appendAction: 2, keepEmptyValue: false }],
        headersToRemove: ['authorization'],
        responseHeadersToAdd: [],
      },
      deniedResponse: undefined,
    }).finish();
    // tag for field 3, wire type 2 (length-delimited) = 0x1a
    expect(Array.from(bytes)).toContain(0x1a);
    const decoded = CheckResponse.decode(bytes);
    expect(decoded.okResponse?.headers[0].header?.key).toBe('x-user-id');
    expect(decoded.okResponse?.headersToRemove).toEqual(['authorization']);
  });
});
