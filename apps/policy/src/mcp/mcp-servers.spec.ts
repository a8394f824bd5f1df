import { airlock } from '@airlock/contracts';
import { DEFAULT_BUNDLE_FILE, bundleProblems, loadBundleFile } from '../bundles/bundle';
import { mcpAccess, mcpServerName, mcpServersSection, type McpServerDeclaration } from './mcp-servers';

const principal = (over: Partial<airlock.identity.v1.Principal> = {}) =>
  airlock.identity.v1.Principal.fromPartial({ userId: 'u1', tenantId: 'acme', projectId: 'p1', roles: ['developer'], ...over });

const serverWith = (over: Record<string, unknown> = {}): McpServerDeclaration =>
  mcpServersSection.parse([{ name: 'files', upstream: 'http://mcp.internal:8080/mcp', access: { roles: ['developer'] }, allow: ['read_file'], ...over }])[0];

describe('mcpServers bundle section', () => {
  it('is in the default bundle, declaring the reference server', () => {
    const names = (loadBundleFile(DEFAULT_BUNDLE_FILE).mcpServers ?? []).map((s) => s.name);
    expect(names).toEqual(['reference']);
  });

  it('names every wrong field with its path', () => {
    const bundle = loadBundleFile(DEFAULT_BUNDLE_FILE);
    const { problems } = bundleProblems({
      ...bundle,
      mcpServers: [
        { name: 'Files', upstream: 'ftp://x/mcp', access: { roles: [] }, allow: ['read file'] },
        { name: 'ok', upstream: 'http://a/mcp', access: { roles: ['developer'] }, allow: ['a'], deny: ['a'] },
        { name: 'ok', upstream: 'http://a/mcp', access: { roles: ['developer'] }, allow: ['*'], extra: true },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mcpServers\.0\.name: lower-case/),
        expect.stringMatching(/^mcpServers\.0\.upstream: /),
        expect.stringMatching(/^mcpServers\.0\.access\.roles: /),
        expect.stringMatching(/^mcpServers\.0\.allow\.0: /),
        expect.stringMatching(/^mcpServers\.2: Unrecognized key/),
      ]),
    );
  });

  it('refuses duplicates and a tool both allowed and denied', () => {
    const parsed = mcpServersSection.safeParse([
      { name: 'a', upstream: 'http://a/mcp', access: { roles: ['developer'] }, allow: ['x'], deny: ['x'] },
      { name: 'a', upstream: 'http://a/mcp', access: { roles: ['developer'] }, allow: ['*'] },
    ]);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['0.deny.0: tool "x" is both allowed and denied', '1.name: duplicate MCP server "a"']);
  });
});

describe('mcpServerName', () => {
  it.each([
    ['/mcp/files', 'files'],
    ['/mcp/files/', 'files'],
    ['/mcp/files?x=1', 'files'],
    ['/mcp', undefined],
    ['/mcp/files/more', undefined],
    ['/v1/mcp/files', undefined],
  ])('%s → %s', (path, name) => expect(mcpServerName(path)).toBe(name));
});

describe('mcpAccess', () => {
  it('grants a declared server to a caller with a listed role, with its tool rules and defaults', () => {
    expect(mcpAccess([serverWith()], 'files', principal())).toEqual({
      grant: { name: 'files', upstream: 'http://mcp.internal:8080/mcp', allow: ['read_file'], deny: [], writeTools: [], readOnly: false, writesHighRisk: true },
    });
  });

  it.each([
    ['an undeclared server', 'other', {}, {}, 'MCP server "other" is not declared'],
    ['a role not listed', 'files', {}, { roles: ['analyst'] }, `none of the caller's roles may use MCP server "files"`],
    ['another tenant', 'files', { access: { roles: ['developer'], tenants: ['bank'] } }, {}, 'tenant "acme" may not use MCP server "files"'],
    ['no project where projects are listed', 'files', { access: { roles: ['developer'], projects: ['p1'] } }, { projectId: '' }, 'project "(none)" may not use MCP server "files"'],
  ])('refuses %s', (_case, name, server, who, refused) => {
    expect(mcpAccess([serverWith(server)], name, principal(who))).toEqual({ refused });
  });
});
