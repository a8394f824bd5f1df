import type { Kafka } from 'kafkajs';
import { EventProducer, type EventLogger } from './kafka';
import { EventSpool, type SpooledMessage } from './spool';

/** The event could not be made durable (broker ack or local fsync) within the caller's bound. */
export class EventNotDurableError extends Error {
  constructor(readonly topic: string, boundMs: number) {
    super(`event for ${topic} not durable within ${boundMs} ms`);
    this.name = 'EventNotDurableError';
  }
}

export interface DurableProducerOptions {
  spoolDir: string;
  logger: EventLogger;
  /** How long one broker attempt may take on the request path before the event goes to the spool. */
  sendTimeoutMs?: number;
  /** How often the spool is retried while it holds messages. */
  drainIntervalMs?: number;
  /** Most messages sent to the broker (or appended to the spool) in one request / one fsync. */
  maxBatchSize?: number;
  /**
   * How long a batch waits from its oldest event for more before it is sent (Kafka's `linger.ms`), default
   * 20: at a few hundred requests per second every request would otherwise be a produce request of its own,
   * each costing the broker (acks from all replicas) and this process as much as a large one (measured with
   * tools/bench/audit/steady.js: at 200 requests/s, 20 ms instead of 5 took a quarter off the producer's
   * CPU and a sixth off the broker's, for about 20 ms more delay to the sinks). A publish with
   * `boundMs` (a caller waiting on the request path) sends at once, taking what lingers along; so does a full
   * batch.
   */
  lingerMs?: number;
}

interface Waiting {
  message: SpooledMessage;
  /** When it was published (performance.now()), so the batch it opens lingers from then. */
  at: number;
  urgent: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * A producer whose `publish` resolves only once the event is durable: acknowledged by the broker (acks=all)
 * or, when the broker is slow or down, fsync'd to the local spool — which is drained to the broker in order
 * when it returns, including after a restart. While the spool holds anything, new events queue behind it so
 * order is kept. A late broker ack after a spool fallback can deliver an event twice; consumers de-duplicate
 * by event id.
 *
 * Group commit: `publish` only queues the event (a few microseconds on the request path). One batch is in
 * flight at a time; the next one goes out once its oldest event has waited `lingerMs` (part of which it may
 * have spent behind the batch in flight), as one produce request or one spool append with one fsync. So the
 * cost of durability is paid per batch, not per event, and at a steady rate a produce request leaves about
 * every `lingerMs` instead of after every acknowledgement, whose batches would be a few events each.
 */
export class DurableEventProducer {
  private producer: EventProducer;
  private readonly spool: EventSpool;
  private readonly sendTimeoutMs: number;
  private readonly maxBatch: number;
  private readonly lingerMs: number;
  private readonly queue: Waiting[] = [];
  /** Urgent publishes in `queue`: while there is one, nothing lingers. */
  private urgentQueued = 0;
  /** Ends the current linger early (an urgent publish, a full batch, close); undefined when not lingering. */
  private stopLinger?: () => void;
  private flushing = false;
  /** Set by close: what is queued goes out without lingering. */
  private closing = false;
  private flushed: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: DurableProducerOptions,
  ) {
    this.producer = new EventProducer(kafka);
    this.spool = new EventSpool(options.spoolDir);
    this.sendTimeoutMs = options.sendTimeoutMs ?? 2_000;
    this.maxBatch = options.maxBatchSize ?? 1_000;
    this.lingerMs = options.lingerMs ?? 20;
    this.timer = setInterval(() => void this.drain(), options.drainIntervalMs ?? 1_000);
    this.timer.unref();
    if (this.spool.size > 0) void this.drain();
  }

  /** Messages waiting in the spool. */
  get spooled(): number {
    return this.spool.size;
  }

  /**
   * Resolves when the event is durable. With `boundMs`, rejects with EventNotDurableError if that takes
   * longer (the fail-closed option for high-risk endpoints).
   */
  publish(topic: string, key: string, value: Uint8Array, options: { headers?: Record<string, string>; boundMs?: number } = {}): Promise<void> {
    const urgent = options.boundMs !== undefined;
    const work = new Promise<void>((resolve, reject) => {
      this.queue.push({ message: { topic, key, value, headers: options.headers ?? {} }, at: performance.now(), urgent, resolve, reject });
    });
    if (urgent) this.urgentQueued += 1;
    if (!this.flushing) {
      this.flushing = true;
      this.flushed = this.flush(urgent);
    } else if (urgent || this.queue.length >= this.maxBatch) {
      this.stopLinger?.();
    }
    if (!urgent) return work;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EventNotDurableError(topic, options.boundMs!)), options.boundMs);
    });
    return Promise.race([work, bound]).finally(() => clearTimeout(timer));
  }

  /** Sends queued events batch after batch, in publish order, until the queue is empty. */
  private async flush(urgent: boolean): Promise<void> {
    // Those of the current tick always join the first batch.
    await (urgent || this.lingerMs <= 0 ? new Promise<void>((resolve) => setImmediate(resolve)) : this.linger(this.lingerMs));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      for (const w of batch) if (w.urgent) this.urgentQueued -= 1;
      try {
        await this.deliver(batch.map((w) => w.message));
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
      const oldest = this.queue[0];
      if (oldest && !this.closing && this.urgentQueued === 0 && this.queue.length < this.maxBatch) await this.linger(oldest.at + this.lingerMs - performance.now());
    }
    // In the same synchronous step as the last emptiness check, so a publish never finds a flush that has
    // already looked at the queue for the last time.
    this.flushing = false;
  }

  /** Lets later publishes join the next batch for up to `ms`, unless an urgent publish or a full batch ends it early. */
  private linger(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stopLinger = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stopLinger = done;
    });
  }

  private async deliver(messages: SpooledMessage[]): Promise<void> {
    if (this.spool.size === 0) {
      try {
        await this.send(messages);
        return;
      } catch (error) {
        this.options.logger.warn({ events: messages.length, err: error instanceof Error ? error.message : String(error) }, 'broker unavailable; spooling events');
      }
    }
    this.spool.append(messages);
  }

  /**
   * One produce request, bounded by sendTimeoutMs. After a failure the kafkajs producer is replaced: its
   * idempotence sequence numbers may not match what the broker kept, and a fresh producer id cannot
   * collide with them (a late duplicate is the consumers' de-duplication's business).
   */
  private async send(messages: SpooledMessage[]): Promise<void> {
    const producer = this.producer;
    try {
      await withTimeout(producer.sendMany(messages), this.sendTimeoutMs);
    } catch (error) {
      if (this.producer === producer) {
        this.producer = new EventProducer(this.kafka);
        void producer.disconnect().catch(() => undefined);
      }
      throw error;
    }
  }

  /** Sends spooled messages in order, batch by batch, acknowledging each batch in the spool once the broker has it. */
  drain(): Promise<void> {
    // Cleared in a `.finally` callback, which always runs after this assignment: a drain that finds nothing
    // to do completes synchronously, and clearing inside it would be overwritten by the assignment.
    this.draining ??= this.drainSpool().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drainSpool(): Promise<void> {
    let sent = 0;
    while (this.spool.size > 0) {
      const batch = this.spool.pending(this.maxBatch);
      try {
        await this.send(batch);
      } catch {
        break;
      }
      this.spool.ack(batch.length);
      sent += batch.length;
    }
    if (sent > 0) this.options.logger.info({ sent, left: this.spool.size }, 'drained spooled events');
  }

  /** Stops the drain timer, delivers what is queued, tries one last drain, and disconnects; what is left stays in the spool. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.closing = true;
    this.stopLinger?.();
    while (this.flushing) await this.flushed;
    await this.drain();
    await this.producer.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
