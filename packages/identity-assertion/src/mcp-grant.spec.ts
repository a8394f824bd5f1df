import { decodeMcpGrant, encodeMcpGrant, mcpGrant, mcpToolVerdict, type McpGrant } from './mcp-grant';

const grantWith = (over: Partial<McpGrant> = {}): McpGrant =>
  mcpGrant.parse({ name: 'reference', upstream: 'http://127.0.0.1:7291/mcp', allow: ['read_file', 'write_file'], ...over });

describe('MCP grant', () => {
  it('round-trips through the header encoding', () => {
    const grant = grantWith({ deny: ['delete_file'], writeTools: ['write_file'] });
    expect(decodeMcpGrant(encodeMcpGrant(grant))).toEqual(grant);
  });

  it('reads a missing, non-base64 or ill-shaped value as no grant', () => {
    expect(decodeMcpGrant(undefined)).toBeUndefined();
    expect(decodeMcpGrant('%%%')).toBeUndefined();
    expect(decodeMcpGrant(Buffer.from('{"name":"x"}').toString('base64url'))).toBeUndefined();
  });

  it('refuses an upstream with credentials or another scheme', () => {
    expect(mcpGrant.safeParse({ name: 'a', upstream: 'http://u:p@host/mcp', allow: ['*'] }).success).toBe(false);
    expect(mcpGrant.safeParse({ name: 'a', upstream: 'file:///etc/passwd', allow: ['*'] }).success).toBe(false);
  });

  it.each([
    ['read_file', {}, 'allowed'],
    ['search', {}, 'denied'],
    ['search', { allow: ['*'] }, 'allowed'],
    ['delete_file', { allow: ['*'], deny: ['delete_file'] }, 'denied'],
    ['write_file', { writeTools: ['write_file'], readOnly: true }, 'read_only'],
    ['write_file', { writeTools: ['write_file'] }, 'allowed'],
  ] as const)('%s with %j is %s', (tool, over, verdict) => {
    expect(mcpToolVerdict(grantWith(over as Partial<McpGrant>), tool)).toBe(verdict);
  });
});
