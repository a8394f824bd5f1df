/**
 * Kafka topics of the event backbone. A prefix (TOPIC_PREFIX) lets test suites and tenants of a shared
 * cluster keep their own copies.
 */
export const TOPICS = {
  audit: 'airlock.audit.v1',
  usage: 'airlock.usage.v1',
  /** Audit messages the audit service could not decode, set aside bytes unchanged. */
  auditDeadLetters: 'airlock.audit.v1.dlq',
} as const;

export type TopicKey = keyof typeof TOPICS;

export function topicName(key: TopicKey, prefix = ''): string {
  return prefix ? `${prefix}.${TOPICS[key]}` : TOPICS[key];
}
