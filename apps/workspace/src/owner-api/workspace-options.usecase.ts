import { Injectable } from '@nestjs/common';
import { ImageCatalogue } from '../catalogue/catalogue';
import { QuotaPolicy } from '../quota/quota-policy';
import { exceededQuota } from '../quota/quota';
import { WorkspaceStore } from '../workspaces/workspace-store';
import { SIZES, SIZE_IDS, type SizeId } from './sizes';
import { CallerProjects } from './caller-projects';
import type { WorkspaceCaller } from './workspace-caller';

export interface WorkspaceOptions {
  projects: string[];
  images: { image: string; channel: 'current' | 'canary' }[];
  sizes: { id: SizeId; cpu_millis: number; memory_mib: number; disk_gib: number; allowed: boolean; reason: string | null }[];
}

/**
 * GET /options: what the caller may ask for when creating a workspace. Each size says whether the caller's
 * quotas (its own, then its project's) admit it now, and if not, which quota and why — the message a create
 * would be refused with. A snapshot: a create checks again under lock.
 */
@Injectable()
export class WorkspaceOptionsQuery {
  constructor(
    private readonly store: WorkspaceStore,
    private readonly quotas: QuotaPolicy,
    private readonly catalogue: ImageCatalogue,
    private readonly callerProjects: CallerProjects,
  ) {}

  async execute(caller: WorkspaceCaller): Promise<WorkspaceOptions> {
    const projects = await this.callerProjects.of(caller);
    return { projects, images: this.images(), sizes: await this.sizes(caller, projects[0]) };
  }

  private images(): WorkspaceOptions['images'] {
    const images: WorkspaceOptions['images'] = [{ image: this.catalogue.current, channel: 'current' }];
    if (this.catalogue.canary) images.push({ image: this.catalogue.canary, channel: 'canary' });
    return images;
  }

  private async sizes(caller: WorkspaceCaller, projectId: string | undefined): Promise<WorkspaceOptions['sizes']> {
    const { tenantId, userId } = caller;
    const [userUsage, userOverride] = await Promise.all([this.store.getUsage(tenantId, 'user', userId), this.store.getOverride(tenantId, 'user', userId)]);
    const project = projectId
      ? await Promise.all([this.store.getUsage(tenantId, 'project', projectId), this.store.getOverride(tenantId, 'project', projectId)])
      : undefined;
    return SIZE_IDS.map((id) => {
      const requested = SIZES[id];
      const refused = project
        ? this.quotas.admit({ userUsage, userOverride, projectUsage: project[0], projectOverride: project[1] }, { ownerUserId: userId, projectId: projectId! }, requested)
        : exceededQuota('user', userId, this.quotas.effective('user', userOverride), userUsage, requested);
      return { id, cpu_millis: requested.cpuMillis, memory_mib: requested.memoryMib, disk_gib: requested.diskGib, allowed: !refused, reason: refused?.message ?? null };
    });
  }
}
