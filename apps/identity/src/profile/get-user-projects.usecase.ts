import { Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { UserProfiles } from './user-profiles';

/**
 * GetUserProjects (internal, for the workspace service): the projects a person's latest sign-in named. A
 * session is scoped to a project only when its person has exactly one; someone in several picks one per
 * workspace, from this list.
 */
@Injectable()
export class GetUserProjects {
  constructor(private readonly profiles: UserProfiles) {}

  async execute(request: airlock.identity.v1.GetUserProjectsRequest): Promise<airlock.identity.v1.GetUserProjectsResponse> {
    const profile = await this.profiles.find(request.tenantId, request.userId);
    return { projects: [...(profile?.projects ?? [])].sort(), known: Boolean(profile) };
  }
}
