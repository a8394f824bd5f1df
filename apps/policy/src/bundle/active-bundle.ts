import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import { PolicyEngine } from '../decision/engine';
import type { policyConfig } from '../service';
import type { PolicyBundle } from './bundle';

/**
 * The bundle decisions are made with, loaded (and validated) at boot. Versioned bundles in Postgres will
 * replace this single file-backed one; callers only ever ask for the current engine.
 */
@Injectable()
export class ActiveBundle {
  readonly engine: PolicyEngine;
  readonly source: string;

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof policyConfig>) {
    this.engine = new PolicyEngine(config.POLICY_BUNDLE_FILE.bundle);
    this.source = config.POLICY_BUNDLE_FILE.path;
  }

  get bundle(): PolicyBundle {
    return this.engine.bundle;
  }
}
