import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import { PolicyEngine } from '../decision/policy-engine';
import type { policyConfig } from '../config';
import type { PolicyBundle } from './bundle';

/**
 * The bundle decisions are made with. Starts as the file bundle (POLICY_BUNDLE_FILE or the built-in one);
 * with a bundle store (DATABASE_URL) it is replaced by the store's active version at boot and whenever
 * another version is activated (bundle-sync.ts). Callers read `engine` per decision, so a swap takes
 * effect on the next one and never mid-decision.
 */
@Injectable()
export class ActiveBundle {
  private current: PolicyEngine;
  private currentSource: string;

  constructor(@Inject(APP_CONFIG) config: Pick<ServiceConfig<typeof policyConfig>, 'POLICY_BUNDLE_FILE'>) {
    this.current = new PolicyEngine(config.POLICY_BUNDLE_FILE.bundle);
    this.currentSource = config.POLICY_BUNDLE_FILE.path;
  }

  get engine(): PolicyEngine {
    return this.current;
  }

  get bundle(): PolicyBundle {
    return this.current.bundle;
  }

  /** Where the bundle came from: a file path, or `store:<number>`. */
  get source(): string {
    return this.currentSource;
  }

  /** Swaps in another (already validated) bundle; false when it is the version already active. */
  replace(bundle: PolicyBundle, source: string): boolean {
    if (bundle.version === this.current.version && source === this.currentSource) return false;
    this.current = new PolicyEngine(bundle);
    this.currentSource = source;
    return true;
  }
}
