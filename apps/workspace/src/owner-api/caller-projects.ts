import { Injectable } from '@nestjs/common';
import { unary } from '@airlock/grpc';
import { IdentityClient } from '../identity/identity-client';
import { IdentityUnavailableError } from './owner-api.errors';
import type { WorkspaceCaller } from './workspace-caller';

/**
 * The projects a caller may create workspaces in. A credential scoped to a project allows that one only. A
 * browser session is scoped to none when its person is in several projects: then those the person's latest
 * sign-in named (identity's GetUserProjects), which is what the IdP said at the sign-in behind this very
 * session or later. A bearer token scoped to none allows none: tokens outlive sign-ins, and with them what the
 * IdP last said about their holder.
 */
@Injectable()
export class CallerProjects {
  constructor(private readonly identity: IdentityClient) {}

  async of(caller: WorkspaceCaller): Promise<string[]> {
    if (caller.projectId) return [caller.projectId];
    const client = this.identity.client;
    if (caller.auth !== 'session' || !client) return [];
    try {
      const { projects } = await unary(client.getUserProjects.bind(client), { tenantId: caller.tenantId, userId: caller.userId });
      return projects;
    } catch (error) {
      throw new IdentityUnavailableError(error);
    }
  }
}
