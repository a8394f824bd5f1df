import { Injectable } from '@nestjs/common';
import { z } from '@airlock/config';
import { ImageCatalogue } from '../catalogue/catalogue';
import { CreateWorkspace } from '../workspaces/create-workspace.usecase';
import { RESOURCE_ID_PATTERN } from '../workspaces/workspace-input';
import { WorkspaceQuotaExceededError } from '../workspaces/workspace.errors';
import { InvalidOwnerRequestError, ProjectNotAllowedError, QuotaExceededError } from './owner-api.errors';
import { SIZES, SIZE_IDS } from './sizes';
import { CallerProjects } from './caller-projects';
import { type WorkspaceCaller, callContext } from './workspace-caller';
import { type WorkspaceView, workspaceView } from './workspace-view';

const createBody = z.strictObject({
  project_id: z.string().regex(RESOURCE_ID_PATTERN, 'must be a project id'),
  size: z.enum(SIZE_IDS),
  /** `current` or `canary`; absent: the catalogue's choice for this user (the canary share). */
  channel: z.enum(['current', 'canary']).optional(),
});
type CreateBody = z.infer<typeof createBody>;

/**
 * POST /workspaces: a workspace of the caller's own, in one of its projects, of a named size, on the current
 * or canary image. The registry's CreateWorkspace does the rest (Model A, quotas under lock, audit); its quota
 * refusal is answered in the quota's own words.
 */
@Injectable()
export class CreateMyWorkspace {
  constructor(
    private readonly createWorkspace: CreateWorkspace,
    private readonly catalogue: ImageCatalogue,
    private readonly callerProjects: CallerProjects,
  ) {}

  async execute(caller: WorkspaceCaller, body: unknown): Promise<WorkspaceView> {
    const request = this.parse(body);
    await this.requireProject(caller, request.project_id);
    const image = this.imageOf(request.channel);
    try {
      const { workspace } = await this.createWorkspace.execute(
        { tenantId: caller.tenantId, projectId: request.project_id, ownerUserId: caller.userId, image, resources: SIZES[request.size] },
        callContext(caller, 'POST /api/workspace/v1/workspaces'),
      );
      return workspaceView(workspace!);
    } catch (error) {
      if (error instanceof WorkspaceQuotaExceededError) throw new QuotaExceededError(error.quota, error.message);
      throw error;
    }
  }

  private parse(body: unknown): CreateBody {
    const parsed = createBody.safeParse(body ?? {});
    if (!parsed.success) throw new InvalidOwnerRequestError(parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
    return parsed.data;
  }

  private async requireProject(caller: WorkspaceCaller, projectId: string): Promise<void> {
    const projects = await this.callerProjects.of(caller);
    if (!projects.includes(projectId)) throw new ProjectNotAllowedError(projectId, projects);
  }

  /** '' lets CreateWorkspace pick (current, or the canary for the canary share of users). */
  private imageOf(channel: CreateBody['channel']): string {
    if (channel === 'current') return this.catalogue.current;
    if (channel !== 'canary') return '';
    if (!this.catalogue.canary) throw new InvalidOwnerRequestError('channel: no canary image is catalogued');
    return this.catalogue.canary;
  }
}
