import { parseTokenArgs } from './commands';

describe('tools/airlock token options', () => {
  it('without options asks for exactly the demo developer it always printed', () => {
    expect(parseTokenArgs([])).toEqual({
      userId: 'dev',
      tenantId: 'demo',
      projectId: 'demo-project',
      workspaceId: 'ws-dev',
      roles: ['developer'],
      ttlSeconds: 3600,
    });
  });

  it('another user with roles gets the demo tenant and project but not the demo developer workspace', () => {
    expect(parseTokenArgs(['--user', 'carol', '--role', 'security-admin'])).toEqual({
      userId: 'carol',
      tenantId: 'demo',
      projectId: 'demo-project',
      workspaceId: '',
      roles: ['security-admin'],
      ttlSeconds: 3600,
    });
  });

  it('takes --opt value and --opt=value, repeated or comma-separated roles, and an empty value as none', () => {
    expect(parseTokenArgs(['--user=erin', '--role', 'auditor,security-admin', '--role=auditor', '--tenant', 'acme', '--project=', '--workspace', 'ws-1', '--ttl', '60'])).toEqual({
      userId: 'erin',
      tenantId: 'acme',
      projectId: '',
      workspaceId: 'ws-1',
      roles: ['auditor', 'security-admin'],
      ttlSeconds: 60,
    });
  });

  it.each([
    [['--admin'], /unknown argument "--admin"/],
    [['carol'], /unknown argument "carol"/],
    [['--user'], /--user needs a value/],
    [['--user', 'a', '--user', 'b'], /--user given twice/],
    [['--role', ' , '], /at least one role/],
    [['--ttl', '0'], /--ttl must be 1 to 86400/],
    [['--ttl', '86401'], /--ttl must be 1 to 86400/],
    [['--ttl', '1h'], /--ttl must be 1 to 86400/],
  ])('refuses %j with the usage', (args, message) => {
    expect(() => parseTokenArgs(args)).toThrow(message);
    expect(() => parseTokenArgs(args)).toThrow(/usage: tools\/airlock token/);
  });
});
