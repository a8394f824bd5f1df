import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { BUILTIN_RULES, BUILTIN_VERSION, DlpEngine, STREAM_HOLD_CAP, compileRuleSet } from '@airlock/dlp-engine';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { PolicyVersionUnknownError, RulesUnavailableError } from '../scan/errors';
import type { dlpConfig } from '../config';
import { PolicyRulesSource } from './policy-rules.source';

/** What the rule sets read of the configuration. */
export type RuleSetsConfig = Pick<ServiceConfig<typeof dlpConfig>, 'DLP_MAX_TEXT_CHARS' | 'DLP_MAX_CHUNK_CHARS' | 'DLP_RULES_CACHE_SIZE' | 'DLP_ACTIVE_RULES_TTL_MS'>;

/** The policy version reported when the service runs without policy (POLICY_ADDR unset). */
export const BUILTIN_POLICY_VERSION = 'builtin';
/** After a failed fetch, policy is not asked again for this long (requests use the last good set meanwhile). */
const RETRY_AFTER_MS = 1_000;

export interface RuleSet {
  engine: DlpEngine;
  /** The policy version whose rules these are (BUILTIN_POLICY_VERSION without policy). */
  policyVersion: string;
}

/**
 * The compiled DLP rules of each policy version: fetched from policy once per version and compiled once
 * (bounded LRU), the active version's re-checked in the background every DLP_ACTIVE_RULES_TTL_MS. When policy
 * is unreachable or serves rules that do not compile, the last good set keeps serving (its version is what
 * results report); with no good set ever loaded, scans fail closed (RulesUnavailableError).
 */
@Injectable()
export class RuleSets implements OnApplicationBootstrap, OnApplicationShutdown {
  /** One key for the whole instance, so equal values hash equally whatever version scanned them. */
  private readonly hashKey = randomBytes(32);
  private readonly maxInputChars: number;
  private readonly cache = new Map<string, RuleSet>();
  private readonly loading = new Map<string, Promise<RuleSet>>();
  private readonly builtin: RuleSet | undefined;
  private active: { set: RuleSet; at: number } | undefined;
  private lastGood: RuleSet | undefined;
  private quietUntil = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: RuleSetsConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Optional() @Inject(PolicyRulesSource) private readonly source?: PolicyRulesSource | null,
  ) {
    // The engine's own size guard sits above every limit the use cases enforce: a stream buffers at most one
    // chunk past an open match of STREAM_HOLD_CAP plus the window.
    this.maxInputChars = Math.max(config.DLP_MAX_TEXT_CHARS, config.DLP_MAX_CHUNK_CHARS + STREAM_HOLD_CAP + 1_024);
    if (!source) {
      this.builtin = {
        engine: DlpEngine.compile(BUILTIN_RULES, { version: BUILTIN_VERSION, hashKey: this.hashKey, maxInputChars: this.maxInputChars }),
        policyVersion: BUILTIN_POLICY_VERSION,
      };
    }
  }

  onApplicationBootstrap(): void {
    // Warm the active version so a policy outage right after boot still has a last good set.
    if (this.source) this.get('').catch(() => undefined);
  }

  onApplicationShutdown(): void {
    this.source?.close();
  }

  /** The rule set for `version` ('' = the active one). */
  async get(version: string): Promise<RuleSet> {
    if (this.builtin) return this.builtin;
    const now = Date.now();
    if (version) {
      const hit = this.cache.get(version);
      if (hit) {
        this.cache.delete(version);
        this.cache.set(version, hit);
        return hit;
      }
    } else if (this.active) {
      if (now - this.active.at >= this.config.DLP_ACTIVE_RULES_TTL_MS && now >= this.quietUntil) this.load('').catch(() => undefined);
      return this.active.set;
    }
    // After a failed load, requests are spared the wait only while a last good set can answer them; with none
    // yet (policy still starting) each request tries again rather than failing closed for the quiet period.
    if (now < this.quietUntil && this.lastGood) return this.fallback(version, undefined);
    try {
      return await this.load(version);
    } catch (error) {
      if (error instanceof PolicyVersionUnknownError) throw error;
      return this.fallback(version, error);
    }
  }

  private fallback(version: string, error: unknown): RuleSet {
    const set = this.lastGood;
    if (!set) throw new RulesUnavailableError(error);
    this.logger.warn({ requested: version || 'active', used: set.policyVersion }, 'policy DLP rules unavailable; serving the last good set');
    return set;
  }

  private load(version: string): Promise<RuleSet> {
    let pending = this.loading.get(version);
    if (!pending) {
      pending = this.fetchAndCompile(version).finally(() => this.loading.delete(version));
      this.loading.set(version, pending);
    }
    return pending;
  }

  private async fetchAndCompile(version: string): Promise<RuleSet> {
    let set: RuleSet;
    try {
      const { policyVersion, spec } = await this.source!.fetch(version);
      set = this.cache.get(policyVersion) ?? {
        engine: compileRuleSet(spec, policyVersion, { hashKey: this.hashKey, maxInputChars: this.maxInputChars }),
        policyVersion,
      };
      this.remember(set);
    } catch (error) {
      if (!(error instanceof PolicyVersionUnknownError)) {
        this.quietUntil = Date.now() + RETRY_AFTER_MS;
        this.logger.warn({ requested: version || 'active', err: error }, 'could not load DLP rules from policy');
      }
      throw error;
    }
    if (!version) this.active = { set, at: Date.now() };
    return set;
  }

  private remember(set: RuleSet): void {
    this.cache.delete(set.policyVersion);
    this.cache.set(set.policyVersion, set);
    while (this.cache.size > this.config.DLP_RULES_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.lastGood = set;
  }
}
