import { airlock } from '@airlock/contracts';
import { toAuditRecord } from '../events/audit-record';
import { cefSeverity, escapeCefHeader, escapeCefValue, toCef } from './cef';

const record = (fields: Partial<airlock.events.v1.AuditEvent>) => toAuditRecord(airlock.events.v1.AuditEvent.fromPartial(fields));

/** Splits a CEF line back into header fields and extension map, undoing the escapes (a reference parser). */
function parseCef(line: string): { header: string[]; ext: Record<string, string> } {
  const header: string[] = [];
  let i = 0;
  let field = '';
  while (header.length < 7) {
    const c = line[i++];
    if (c === '\\') field += line[i++];
    else if (c === '|') {
      header.push(field);
      field = '';
    } else field += c;
  }
  const ext: Record<string, string> = {};
  const rest = line.slice(i);
  // A key starts after a space and ends at the first unescaped "=".
  const keys = [...rest.matchAll(/(?:^| )([A-Za-z0-9_]+)=/g)].filter((m) => !isEscaped(rest, m.index + m[0].length - 1));
  keys.forEach((m, k) => {
    const start = m.index + m[0].length;
    const end = k + 1 < keys.length ? keys[k + 1].index : rest.length;
    ext[m[1]] = rest
      .slice(start, end)
      .replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
  });
  return { header, ext };
}
const isEscaped = (s: string, at: number) => {
  let n = 0;
  for (let j = at - 1; j >= 0 && s[j] === '\\'; j--) n++;
  return n % 2 === 1;
};

describe('CEF escaping', () => {
  it('escapes backslash and pipe in header fields and flattens line breaks', () => {
    expect(escapeCefHeader('a|b\\c')).toBe('a\\|b\\\\c');
    expect(escapeCefHeader('x\r\ny\nz')).toBe('x y z');
    expect(escapeCefHeader('a=b')).toBe('a=b');
  });

  it('escapes backslash, equals and line breaks in extension values, leaving pipes', () => {
    expect(escapeCefValue('a=b')).toBe('a\\=b');
    expect(escapeCefValue('c:\\dir')).toBe('c:\\\\dir');
    expect(escapeCefValue('l1\nl2\r\nl3\r')).toBe('l1\\nl2\\r\\nl3\\r');
    expect(escapeCefValue('a|b')).toBe('a|b');
    expect(escapeCefValue('한국어 텍스트')).toBe('한국어 텍스트');
  });
});

describe('toCef', () => {
  it('writes the header and maps fields to CEF keys with labels', () => {
    const line = toCef(
      record({
        eventId: '01J00000000000000000000000',
        eventType: 'ai.request',
        action: 'chat.completions',
        timestamp: '2026-01-02T03:04:05.678Z',
        correlationId: 'corr-1',
        tenantId: 't1',
        projectId: 'p1',
        workspaceId: 'w1',
        userId: 'u1',
        clientIp: '10.0.0.7',
        endpoint: '/v1/chat',
        statusCode: 200,
        latencyMs: 42,
        promptTokens: 5,
        completionTokens: 7,
        dlpAction: 'allow',
        policyVersion: 'pv-3',
        outcome: 'success',
        service: 'gateway',
        routeTarget: 'openai',
      }),
    );
    expect(line.startsWith('CEF:0|Airlock|airlock|0.1|ai.request|chat.completions|3|rt=1767323045678 ')).toBe(true);
    const { ext } = parseCef(line);
    expect(ext).toEqual({
      rt: '1767323045678',
      suser: 'u1',
      src: '10.0.0.7',
      request: '/v1/chat',
      act: 'chat.completions',
      outcome: 'success',
      sourceServiceName: 'gateway',
      destinationServiceName: 'openai',
      cs1: 'corr-1',
      cs1Label: 'correlation_id',
      cs2: 't1',
      cs2Label: 'tenant_id',
      cs3: 'p1',
      cs3Label: 'project_id',
      cs4: 'allow',
      cs4Label: 'dlp_action',
      cs5: 'pv-3',
      cs5Label: 'policy_version',
      cs6: '01J00000000000000000000000',
      cs6Label: 'event_id',
      flexString1: 'w1',
      flexString1Label: 'workspace_id',
      cn1: '200',
      cn1Label: 'status_code',
      cn2: '42',
      cn2Label: 'latency_ms',
      cn3: '5',
      cn3Label: 'prompt_tokens',
      cfp1: '7',
      cfp1Label: 'completion_tokens',
    });
  });

  it('leaves out unset fields and falls back to event_type as name', () => {
    expect(toCef(record({ eventType: 'auth.login', eventId: 'e1' }))).toBe('CEF:0|Airlock|airlock|0.1|auth.login|auth.login|3|cs6=e1 cs6Label=event_id');
  });

  it('round-trips tricky characters through a reference parser', () => {
    const nasty = 'a|b=c\\d\ne\r\nf 한국어 =x';
    const line = toCef(record({ eventId: 'e1', eventType: 'x|y\\z', action: 'do=it|now', correlationId: nasty, userId: 'k=v', endpoint: '/p?a=1&b=2' }));
    expect(line).not.toMatch(/[\r\n]/);
    const { header, ext } = parseCef(line);
    expect(header.slice(4)).toEqual(['x|y\\z', 'do=it|now', '3']);
    expect(ext.cs1).toBe(nasty);
    expect(ext.suser).toBe('k=v');
    expect(ext.request).toBe('/p?a=1&b=2');
    expect(ext.act).toBe('do=it|now');
  });

  it('keeps a non-IP client address out of src and carries agent-change fields', () => {
    const { ext } = parseCef(toCef(record({ eventId: 'e1', clientIp: 'unknown', repoId: 'r1', branch: 'main', changedFiles: ['a.ts', 'b.ts'], diffHash: 'abc' })));
    expect(ext.src).toBeUndefined();
    expect(ext).toMatchObject({ AirlockAirlockClientIp: 'unknown', AirlockAirlockRepoId: 'r1', AirlockAirlockBranch: 'main', AirlockAirlockChangedFiles: 'a.ts,b.ts', fileHash: 'abc' });
  });

  it('carries the server, tool and arguments hash of an MCP tool call', () => {
    const { ext } = parseCef(toCef(record({ eventId: 'e1', mcpServer: 'reference', mcpTool: 'read_file', mcpArgumentsHash: 'ab12' })));
    expect(ext).toMatchObject({ AirlockAirlockMcpServer: 'reference', AirlockAirlockMcpTool: 'read_file', AirlockAirlockMcpArgumentsHash: 'ab12' });
  });

  it('rates severity from DLP action, status and outcome', () => {
    expect(cefSeverity(record({ dlpAction: 'block' }))).toBe(8);
    expect(cefSeverity(record({ statusCode: 503 }))).toBe(6);
    expect(cefSeverity(record({ statusCode: 403 }))).toBe(5);
    expect(cefSeverity(record({ outcome: 'denied' }))).toBe(5);
    expect(cefSeverity(record({ dlpAction: 'mask' }))).toBe(4);
    expect(cefSeverity(record({}))).toBe(3);
  });
});
