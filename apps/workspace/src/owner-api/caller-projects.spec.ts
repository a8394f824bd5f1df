import type { airlock } from '@airlock/contracts';
import type { IdentityClient } from '../identity/identity-client';
import { CallerProjects } from './caller-projects';
import type { WorkspaceCaller } from './workspace-caller';

type Answer = { projects: string[]; known: boolean } | Error;

/** An IdentityClient whose GetUserProjects answers `answer` (a stand-in for identity's gRPC server); records the requests. */
function identityAnswering(answer: Answer): { identity: IdentityClient; asked: airlock.identity.v1.GetUserProjectsRequest[] } {
  const asked: airlock.identity.v1.GetUserProjectsRequest[] = [];
  const getUserProjects = (request: airlock.identity.v1.GetUserProjectsRequest, _metadata: unknown, _options: unknown, callback: (error: Error | null, response?: unknown) => void) => {
    asked.push(request);
    if (answer instanceof Error) callback(answer);
    else callback(null, answer);
  };
  return { identity: { client: { getUserProjects } } as unknown as IdentityClient, asked };
}

const caller = (overrides: Partial<WorkspaceCaller>): WorkspaceCaller => ({ userId: 'hana', tenantId: 'acme', projectId: '', roles: ['developer'], auth: 'session', ...overrides });

describe('CallerProjects', () => {
  it('allows only the project a credential is scoped to, without asking identity', async () => {
    const { identity, asked } = identityAnswering({ projects: ['lending', 'payments'], known: true });
    await expect(new CallerProjects(identity).of(caller({ projectId: 'payments' }))).resolves.toEqual(['payments']);
    await expect(new CallerProjects(identity).of(caller({ projectId: 'payments', auth: 'token' }))).resolves.toEqual(['payments']);
    expect(asked).toEqual([]);
  });

  it("gives a browser session scoped to none the projects of its person's latest sign-in", async () => {
    const { identity, asked } = identityAnswering({ projects: ['lending', 'payments'], known: true });
    await expect(new CallerProjects(identity).of(caller({}))).resolves.toEqual(['lending', 'payments']);
    expect(asked).toEqual([{ tenantId: 'acme', userId: 'hana' }]);
  });

  it('gives a bearer token scoped to none no project, without asking identity', async () => {
    const { identity, asked } = identityAnswering({ projects: ['lending', 'payments'], known: true });
    await expect(new CallerProjects(identity).of(caller({ auth: 'token' }))).resolves.toEqual([]);
    expect(asked).toEqual([]);
  });

  it('gives none when no identity is configured', async () => {
    await expect(new CallerProjects({ client: undefined } as IdentityClient).of(caller({}))).resolves.toEqual([]);
  });

  it('answers 503 identity_unavailable (retryable) when identity does not answer', async () => {
    const { identity } = identityAnswering(Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14 }));
    await expect(new CallerProjects(identity).of(caller({}))).rejects.toMatchObject({ code: 'identity_unavailable', httpStatus: 503, retryable: true });
  });
});
