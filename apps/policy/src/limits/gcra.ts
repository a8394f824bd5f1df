/**
 * GCRA (generic cell rate algorithm), the limiter's algorithm. Why GCRA rather than a sliding window: one number
 * per bucket (the theoretical arrival time, TAT) instead of a log of timestamps (a sliding-window log keeps up to
 * `limit` entries per key) or two counters and an approximation (a sliding-window counter); exact burst and
 * sustained-rate semantics; and the wait until the next admission (Retry-After) falls out of the same arithmetic.
 *
 * Per bucket with emission interval I (µs per request) and size B: a request is admitted iff
 * `max(TAT, now) + I - now <= B·I`; admitting sets TAT to `max(TAT, now) + I`. From idle, B requests pass at once,
 * then one every I.
 */

/** A bucket's state after a check, as the RateLimit header fields report it. */
export interface BucketState {
  /** Requests that would still be admitted now. */
  remaining: number;
  /** µs until this bucket admits one more request (0 when it would now). */
  waitUs: number;
  /** µs until `remaining` grows by one (0 when the bucket is full). */
  restoreUs: number;
}

export interface GcraResult {
  admitted: boolean;
  /** In the order of the buckets asked about. */
  buckets: BucketState[];
}

export interface GcraBucket {
  key: string;
  intervalUs: number;
  burst: number;
}

/**
 * All buckets of one request, checked and (only if every one admits) updated in one atomic script, with Redis's
 * clock: replicas with skewed clocks still share one timeline, and no replica can see another's half-done check.
 * KEYS: the buckets; ARGV: interval (µs) and burst of each, in order. Returns {admitted, then remaining, wait µs,
 * restore µs per bucket}. TATs are µs since the epoch (< 2^53: exact in Lua's doubles), stored with "%.0f" so they
 * never turn into exponent notation; a bucket expires when it would be full again, which equals no state at all.
 */
export const GCRA_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local admitted = 1
local tats = {}
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i])) or now
  if tat < now then tat = now end
  if tat + interval - now > burst * interval then admitted = 0 end
  tats[i] = tat
end
local out = { admitted }
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local used = tats[i] - now
  if admitted == 1 then
    used = used + interval
    redis.call('SET', KEYS[i], string.format('%.0f', tats[i] + interval), 'PX', math.ceil(used / 1000))
  end
  local remaining = math.floor((burst * interval - used) / interval)
  if remaining < 0 then remaining = 0 end
  local wait = used - (burst - 1) * interval
  if wait < 0 then wait = 0 end
  local restore = 0
  if remaining < burst then restore = used - (burst - remaining - 1) * interval end
  out[#out + 1] = remaining
  out[#out + 1] = wait
  out[#out + 1] = restore
end
return out
`;

/** Decodes the script's flat reply. */
export function parseGcraReply(reply: number[]): GcraResult {
  const buckets: BucketState[] = [];
  for (let i = 1; i + 2 < reply.length; i += 3) buckets.push({ remaining: reply[i], waitUs: reply[i + 1], restoreUs: reply[i + 2] });
  return { admitted: reply[0] === 1, buckets };
}

/**
 * The same algorithm in this process's memory, for `fail_open_local` while Redis is unreachable. Each replica
 * enforces its share: the interval times `replicas`, the burst divided by them (at least 1), so N replicas
 * together stay near the limit without talking to each other (near: traffic is rarely spread evenly).
 * Bounded: past `maxKeys` the oldest bucket is forgotten (it only ever errs towards admitting).
 */
export class LocalGcra {
  private readonly tats = new Map<string, number>();

  constructor(
    private readonly replicas = 1,
    private readonly maxKeys = 100_000,
    private readonly clockUs: () => number = () => Math.round(performance.timeOrigin * 1000 + performance.now() * 1000),
  ) {}

  get size(): number {
    return this.tats.size;
  }

  check(buckets: GcraBucket[]): GcraResult {
    const now = this.clockUs();
    const shares = buckets.map((b) => ({ interval: b.intervalUs * this.replicas, burst: Math.max(1, Math.floor(b.burst / this.replicas)) }));
    const tats = buckets.map((b) => Math.max(this.tats.get(b.key) ?? now, now));
    const admitted = shares.every((s, i) => tats[i] + s.interval - now <= s.burst * s.interval);
    const states = shares.map((s, i) => {
      let used = tats[i] - now;
      if (admitted) {
        used += s.interval;
        this.remember(buckets[i].key, tats[i] + s.interval);
      }
      const remaining = Math.max(0, Math.floor((s.burst * s.interval - used) / s.interval));
      return {
        remaining,
        waitUs: Math.max(0, used - (s.burst - 1) * s.interval),
        restoreUs: remaining < s.burst ? used - (s.burst - remaining - 1) * s.interval : 0,
      };
    });
    return { admitted, buckets: states };
  }

  /** Drops every bucket: called when Redis is back, so an outage's local counts do not linger. */
  clear(): void {
    this.tats.clear();
  }

  private remember(key: string, tat: number): void {
    this.tats.delete(key);
    if (this.tats.size >= this.maxKeys) this.tats.delete(this.tats.keys().next().value!);
    this.tats.set(key, tat);
  }
}
