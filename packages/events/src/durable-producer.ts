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
}

/**
 * A producer whose `publish` resolves only once the event is durable: acknowledged by the broker (acks=all)
 * or, when the broker is slow or down, fsync'd to the local spool — which is drained to the broker in order
 * when it returns, including after a restart. While the spool holds anything, new events queue behind it so
 * order is kept. A late broker ack after a spool fallback can deliver an event twice; consumers de-duplicate
 * by event id.
 */
export class DurableEventProducer {
  private readonly producer: EventProducer;
  private readonly spool: EventSpool;
  private readonly sendTimeoutMs: number;
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    kafka: Kafka,
    private readonly options: DurableProducerOptions,
  ) {
    this.producer = new EventProducer(kafka);
    this.spool = new EventSpool(options.spoolDir);
    this.sendTimeoutMs = options.sendTimeoutMs ?? 2_000;
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
    const message: SpooledMessage = { topic, key, value, headers: options.headers ?? {} };
    // Serialised: a message must not overtake one that went to the spool before it.
    const work = this.tail.then(() => this.deliver(message));
    this.tail = work.catch(() => undefined);
    if (options.boundMs === undefined) return work;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EventNotDurableError(topic, options.boundMs!)), options.boundMs);
    });
    return Promise.race([work, bound]).finally(() => clearTimeout(timer));
  }

  private async deliver(message: SpooledMessage): Promise<void> {
    if (this.spool.size === 0) {
      try {
        await withTimeout(this.producer.send(message.topic, message.key, message.value, message.headers), this.sendTimeoutMs);
        return;
      } catch (error) {
        this.options.logger.warn({ topic: message.topic, err: error instanceof Error ? error.message : String(error) }, 'broker unavailable; spooling event');
      }
    }
    this.spool.append([message]);
  }

  /** Sends spooled messages in order, acknowledging each in the spool once the broker has it. */
  drain(): Promise<void> {
    this.draining ??= (async () => {
      try {
        const pending = this.spool.pending();
        let sent = 0;
        for (const m of pending) {
          try {
            await withTimeout(this.producer.send(m.topic, m.key, m.value, m.headers), this.sendTimeoutMs);
          } catch {
            break;
          }
          this.spool.ack(1);
          sent += 1;
        }
        if (sent > 0) this.options.logger.info({ sent, left: pending.length - sent }, 'drained spooled events');
      } finally {
        this.draining = undefined;
      }
    })();
    return this.draining;
  }

  /** Stops the drain timer, tries one last drain, and disconnects; what is left stays in the spool. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.tail;
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
