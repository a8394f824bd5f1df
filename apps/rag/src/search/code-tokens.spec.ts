import { anyWordQuery, codeWords, identifierParts } from './code-tokens';

describe('code-aware words', () => {
  it('splits camelCase, PascalCase, acronyms, snake_case and digits', () => {
    expect(identifierParts('parseInvoiceLine')).toEqual(['parse', 'invoice', 'line']);
    expect(identifierParts('HTTPServerError')).toEqual(['http', 'server', 'error']);
    expect(identifierParts('MAX_RETRY_COUNT')).toEqual(['max', 'retry', 'count']);
    expect(identifierParts('getHTTPResponse_v2')).toEqual(['get', 'http', 'response', 'v', '2']);
    expect(identifierParts('$scope')).toEqual(['scope']);
  });

  it('keeps a compound identifier whole beside its parts', () => {
    expect(codeWords('return refundPayment(order);')).toEqual(['return', 'refund', 'payment', 'refundpayment', 'order']);
  });

  it('drops words too long to be anything but noise, and one-character parts', () => {
    expect(codeWords(`key = "${'a'.repeat(80)}"`)).toEqual(['key']);
    expect(codeWords('x = v2 + AKIAQ3EGXTZ7')).toEqual(['v2', 'akiaq', 'egxtz', 'akiaq3egxtz7']);
  });

  it('builds an OR query of words only, whatever the query holds', () => {
    expect(anyWordQuery('where is parseInvoiceLine?')).toBe('where | is | parse | invoice | line | parseinvoiceline');
    expect(anyWordQuery("ab' & !cd | (ef:*)")).toBe('ab | cd | ef');
    expect(anyWordQuery('?! ...')).toBeUndefined();
  });
});
