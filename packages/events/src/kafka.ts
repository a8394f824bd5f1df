import { createHash } from 'node:crypto';
import { type Consumer, type ConsumerRunConfig, Kafka, type KafkaConfig, logLevel, type Message, Partitioners, type Producer } from 'kafkajs';
import { OffsetCommits } from './offset-commits';

/** Minimal logger shape (pino-compatible) so this package does not pick a logging library. */
export interface EventLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  logger: EventLogger;
  /** The service's own Kafka user (SASL/SCRAM-SHA-512 over the broker's SASL listener); none: PLAINTEXT. */
  credentials?: { username: string; password: string };
}

let warnedAnonymous = false;

/**
 * The only place kafkajs is constructed. kafkajs has had no release since 2023; keeping it behind this
 * package lets a KafkaJS-compatible maintained client replace it without touching services.
 */
export function createKafka(options: KafkaOptions): Kafka {
  if (!options.credentials && !warnedAnonymous) {
    warnedAnonymous = true;
    options.logger.warn({ brokers: options.brokers }, 'Kafka without a user (KAFKA_PLAINTEXT_FOR_DEVELOPMENT=true): a broker any client may write to; never run a deployment like this');
  }
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    ...(options.credentials ? { sasl: { mechanism: 'scram-sha-512' as const, ...options.credentials } } : {}),
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, ...rest } = log;
        const line = { component: 'kafkajs', ...rest };
        if (level <= logLevel.ERROR) options.logger.error(line, message);
        else if (level === logLevel.WARN) options.logger.warn(line, message);
        else options.logger.debug(line, message);
      },
  };
  return new Kafka(config);
}

/**
 * An idempotent producer with the settings an audit trail needs. kafkajs only enforces idempotence itself;
 * `acks: -1` (all in-sync replicas) and one request in flight (so retries cannot reorder) are set here.
 */
export class EventProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Bounded on purpose (kafkajs warns that this weakens exactly-once): a request must not hang on a
      // broker outage. The durable local spool of the audit pipeline is what makes a failed send safe.
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  /** Resolves once the broker has acknowledged the message on all in-sync replicas. */
  async send(topic: string, key: string, value: Uint8Array, headers: Record<string, string> = {}): Promise<void> {
    await this.connect();
    await this.producer.send({ topic, acks: -1, messages: [{ key, value: Buffer.from(value), headers }] });
  }

  /** Several messages in one produce request (grouped by topic), acknowledged on all in-sync replicas together. */
  async sendMany(messages: ReadonlyArray<{ topic: string; key: string; value: Uint8Array; headers?: Record<string, string> }>): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    const byTopic = new Map<string, Message[]>();
    for (const m of messages) {
      const list = byTopic.get(m.topic) ?? [];
      list.push({ key: m.key, value: Buffer.from(m.value), headers: m.headers ?? {} });
      byTopic.set(m.topic, list);
    }
    await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })) });
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
}

/** How long a consumer that kafkajs gave up on waits before it rejoins its group (and again after a failed rejoin). */
const REJOIN_DELAY_MS = 1_000;

/**
 * A consumer-group member that commits an offset only after its handler has finished with the message
 * (at-least-once: a crash before the commit redelivers, so handlers must be idempotent).
 *
 * kafkajs restarts a consumer that crashed with a retriable error, but gives up for good on one it classes
 * non-retriable — among them "the coordinator is not aware of this member", which a member gets when it missed
 * heartbeats on a busy machine and its commit arrives after the group moved on. A consumer that stays down
 * silently stops whatever it feeds (a SIEM sink, a rollup), so such a crash rejoins the group with a fresh
 * consumer; what was not committed is delivered again.
 */
export class EventConsumer {
  private consumer: Consumer;
  private readonly commits = new OffsetCommits(() => this.consumer);
  private stopped = false;
  private rejoinTimer: NodeJS.Timeout | undefined;
  private rejoinCount = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: {
      groupId: string;
      topics: string[];
      fromBeginning?: boolean;
      logger: EventLogger;
      /** Partitions whose batches are handled at the same time (startBatch); default 1. */
      partitionsConsumedConcurrently?: number;
      /**
       * The broker holds a fetch until it has this many bytes or `fetchMaxWaitMs` has passed (defaults 1 and
       * 5000: answer as soon as anything is there). A larger minimum lets a consumer whose cost is per batch
       * (a sync, a transaction, an offset commit) take many events at a time at low rates too, at the price of
       * up to `fetchMaxWaitMs` more delay.
       */
      fetchMinBytes?: number;
      fetchMaxWaitMs?: number;
    },
  ) {
    this.consumer = this.newConsumer();
  }

  /** Times the consumer rejoined its group after kafkajs gave up on it. */
  get rejoins(): number {
    return this.rejoinCount;
  }

  private newConsumer(): Consumer {
    return this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: true,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      ...(this.options.fetchMinBytes !== undefined && { minBytes: this.options.fetchMinBytes }),
      ...(this.options.fetchMaxWaitMs !== undefined && { maxWaitTimeInMs: this.options.fetchMaxWaitMs }),
    });
  }

  /**
   * Creates missing topics with the broker's defaults. kafkajs cannot subscribe to a topic that does not
   * exist yet (the broker answers UNKNOWN_TOPIC_OR_PARTITION), so a consumer started before the first
   * producer would crash-loop. Where topics are provisioned up front and ACLs forbid creating them, this
   * only logs and lets the subscribe report the real problem.
   */
  private async ensureTopics(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const missing = this.options.topics.filter((t) => !existing.has(t));
      // false = another member created them between the listing and now.
      if (missing.length && (await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic })) }))) {
        this.options.logger.info({ topics: missing }, 'created missing topics');
      }
    } catch (err) {
      this.options.logger.warn({ err: err instanceof Error ? err.message : String(err), topics: this.options.topics }, 'could not make sure the topics exist');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async start(handler: (message: ConsumedMessage) => Promise<void>): Promise<void> {
    await this.ensureTopics();
    await this.join({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        await handler({ topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value ?? Buffer.alloc(0) });
        await this.consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      },
    });
  }

  /**
   * Like `start`, but the handler takes a partition's fetched messages at once (up to `maxBatchSize`), so a
   * sink can acknowledge many events with one write and one fsync. The offset after the last message is
   * committed once the handler resolves; when it throws, nothing of that batch is committed and kafkajs
   * fetches it again from the last committed offset.
   */
  async startBatch(handler: (messages: ConsumedMessage[]) => Promise<void>, maxBatchSize = 2_000): Promise<void> {
    await this.ensureTopics();
    await this.join({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Batches of different partitions overlap their I/O (sink fsync, commits); one partition stays in order.
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const { topic, partition } = batch;
        for (let start = 0; start < batch.messages.length; start += maxBatchSize) {
          // A rebalance took the partition away or the consumer is stopping: leave the rest to be fetched again.
          if (!isRunning() || isStale()) return;
          const chunk = batch.messages.slice(start, start + maxBatchSize);
          await handler(
            chunk.map((m) => ({ topic, partition, offset: m.offset, key: m.key?.toString() ?? null, value: m.value ?? Buffer.alloc(0) })),
          );
          const last = chunk[chunk.length - 1]!.offset;
          // Shared with the other partitions' batches finishing now: one OffsetCommit request for all of them.
          await this.commits.commit(topic, partition, (BigInt(last) + 1n).toString());
          resolveOffset(last);
          await heartbeat();
        }
      },
    });
  }

  private async join(run: ConsumerRunConfig): Promise<void> {
    const consumer = this.consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopped) return;
      this.options.logger.error({ err: payload.error.message, groupId: this.options.groupId }, 'consumer crashed and kafkajs gave up on it; rejoining the group');
      this.scheduleRejoin(run);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run(run);
  }

  private scheduleRejoin(run: ConsumerRunConfig): void {
    clearTimeout(this.rejoinTimer);
    this.rejoinTimer = setTimeout(() => void this.rejoin(run), REJOIN_DELAY_MS);
  }

  private async rejoin(run: ConsumerRunConfig): Promise<void> {
    if (this.stopped) return;
    await this.consumer.disconnect().catch(() => undefined);
    this.consumer = this.newConsumer();
    this.rejoinCount += 1;
    try {
      await this.join(run);
    } catch (err) {
      this.options.logger.warn({ err: err instanceof Error ? err.message : String(err), groupId: this.options.groupId }, 'rejoining the group failed; trying again');
      this.scheduleRejoin(run);
    }
  }

  /**
   * Messages on the subscribed topics that the group has not committed yet: per partition the end offset minus
   * the group's committed offset (from the partition's start when the group never committed there), summed.
   * Asked of the broker each time (one admin connection), so call it on a timer, not per message.
   */
  async lag(): Promise<number> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      let total = 0n;
      for (const topic of this.options.topics) {
        const [ends, groupOffsets] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] })]);
        const committed = new Map((groupOffsets[0]?.partitions ?? []).map((p) => [p.partition, p.offset]));
        for (const end of ends) {
          const offset = committed.get(end.partition);
          const from = offset !== undefined && offset !== '-1' ? BigInt(offset) : BigInt(end.low);
          if (BigInt(end.high) > from) total += BigInt(end.high) - from;
        }
      }
      return Number(total);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.rejoinTimer);
    await this.consumer.disconnect();
  }
}

/**
 * Log fields for a message a consumer skips as poison. The payload may hold anything, so only its digest is
 * logged: enough to find the message on the topic again, nothing of its content.
 */
export function poisonLogFields(message: ConsumedMessage, reason: string): Record<string, string | number> {
  return {
    reason,
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    bytes: message.value.length,
    payload_sha256: createHash('sha256').update(message.value).digest('hex'),
  };
}
