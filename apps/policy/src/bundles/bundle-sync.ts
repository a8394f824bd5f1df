import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { redisCredentials } from '@airlock/config';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { metrics, type Logger } from '@airlock/telemetry';
import type { policyConfig } from '../config';
import { ActiveBundle } from './active-bundle';
import { bundleProblems, type PolicyBundle } from './bundle';
import { BundleStore } from './bundle-store';

const source = (number: number) => `store:${number}`;

/**
 * Keeps this replica's ActiveBundle on the store's active version.
 *
 * Push: whoever activates a version announces its number on POLICY_BUNDLE_CHANNEL (Redis pub/sub), and every
 * replica reloads the active version from PostgreSQL — the message only says "look", so a forged or stale
 * one can never install anything the store does not say is active. A reconnected subscription reloads too
 * (announcements sent meanwhile are lost), and every POLICY_RELOAD_INTERVAL_MS a poll catches anything
 * else. If the store is unreachable the replica keeps deciding with the last good version, and boots from
 * POLICY_BUNDLE_CACHE_FILE (the last version it saw) rather than from the file bundle.
 */
@Injectable()
export class BundleSync implements OnModuleInit, OnApplicationShutdown {
  private subscriber?: Redis;
  private publisher?: Redis;
  private timer?: NodeJS.Timeout;
  private activeNumber = 0;
  private reloading?: Promise<void>;
  private again = false;
  /** Whether the last look at the store succeeded (0 until the first one): decisions use the last good version meanwhile. */
  private storeUp = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof policyConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly active: ActiveBundle,
    private readonly store: BundleStore,
  ) {
    // Created with the provider (after the SDK started): a meter taken at import would be a no-op.
    const meter = metrics.getMeter('airlock-policy');
    meter
      .createObservableGauge('airlock_policy_bundle_store_up', { description: '1 when the last read of the bundle store succeeded, 0 while deciding with the last good version' })
      .addCallback((result) => result.observe(this.storeUp));
    meter
      .createObservableGauge('airlock_policy_bundle_active_number', { description: 'Number of the store version in force here (0: the file bundle)' })
      .addCallback((result) => result.observe(this.activeNumber));
  }

  /** The number of the store version in force here (0: none yet, the file bundle decides). */
  get number(): number {
    return this.activeNumber;
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.store.migrate();
      if (await this.store.seed(this.config.POLICY_BUNDLE_FILE.bundle, 'system')) {
        this.logger.info({ version: this.config.POLICY_BUNDLE_FILE.bundle.version }, 'bundle store was empty: seeded version 1 from the bundle file');
      }
      await this.reload();
    } catch (error) {
      this.logger.error({ err: (error as Error).message }, 'bundle store unreachable at boot; deciding with the last good version until it is back');
      this.loadCacheFile();
    }
    this.timer = setInterval(() => void this.reload().catch(() => undefined), this.config.POLICY_RELOAD_INTERVAL_MS);
    this.timer.unref();
    if (this.config.REDIS_URL) await this.subscribe(this.config.REDIS_URL);
  }

  private async subscribe(url: string): Promise<void> {
    const options = { ...redisCredentials(this.config), lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: null };
    this.subscriber = new Redis(url, options);
    this.publisher = new Redis(url, { ...options, maxRetriesPerRequest: 1 });
    for (const client of [this.subscriber, this.publisher]) client.on('error', () => undefined);
    this.subscriber.on('message', () => void this.reload().catch(() => undefined));
    // ioredis re-subscribes on reconnect; what was announced meanwhile is lost, so look now.
    this.subscriber.on('ready', () => void this.reload().catch(() => undefined));
    try {
      await this.subscriber.connect();
      await this.subscriber.subscribe(this.config.POLICY_BUNDLE_CHANNEL);
      await this.publisher.connect();
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'bundle channel unavailable; new versions arrive by polling until it is back');
    }
  }

  /** Tells every replica (this one included) that `number` is now active. Never throws: the poll is the fallback. */
  async announce(number: number): Promise<void> {
    await this.reload().catch(() => undefined);
    if (!this.publisher) return;
    try {
      await this.publisher.publish(this.config.POLICY_BUNDLE_CHANNEL, String(number));
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, number }, 'could not announce the new version; replicas pick it up by polling');
    }
  }

  /** Loads the store's active version if it is not the one in force. Coalesced: one load at a time, then one more if asked meanwhile. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.again = false;
          await this.loadActive();
        } while (this.again);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  private async loadActive(): Promise<void> {
    let number: number;
    try {
      number = await this.store.activeNumber();
      this.storeUp = 1;
    } catch (error) {
      this.storeUp = 0;
      this.logger.warn({ err: (error as Error).message, serving: this.active.bundle.version }, 'bundle store unreachable; keeping the last good version');
      throw error;
    }
    if (number === this.activeNumber) return;
    const stored = await this.store.get(number);
    const { bundle, problems } = bundleProblems(stored.content);
    if (!bundle) {
      // Validated before it was published; only a newer schema could refuse it. Keep deciding with what works.
      this.logger.error({ number, problems }, 'active version does not validate here; keeping the last good version');
      return;
    }
    this.install(number, bundle);
    this.writeCacheFile(number, stored.content);
  }

  private install(number: number, bundle: PolicyBundle): void {
    const previous = this.active.bundle.version;
    this.active.replace(bundle, source(number));
    this.activeNumber = number;
    this.logger.info({ number, version: bundle.version, previous }, 'policy version in force');
  }

  private writeCacheFile(number: number, content: unknown): void {
    const file = this.config.POLICY_BUNDLE_CACHE_FILE;
    if (!file) return;
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify({ number, content }), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, file }, 'could not write the bundle cache file');
    }
  }

  private loadCacheFile(): void {
    const file = this.config.POLICY_BUNDLE_CACHE_FILE;
    if (!file) return;
    try {
      const { number, content } = JSON.parse(readFileSync(file, 'utf8')) as { number: number; content: unknown };
      const { bundle, problems } = bundleProblems(content);
      if (!bundle) throw new Error(problems.join('; '));
      this.install(number, bundle);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, file, serving: this.active.bundle.version }, 'no usable bundle cache file');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
    await this.reloading?.catch(() => undefined);
  }
}
