// Who may do what on the event backbone. The broker's ACLs are rendered from this one table — the mesh's
// authenticated broker (tools/cli) and, for a cluster, the commands in deploy/README.md — so a service that
// starts producing audit events (a new one: a line here) cannot write where it was not meant to.
import { topicName, type TopicKey } from './topics';

/** One service's rights: topics it writes, topics it reads, and the suffix of its consumer group. */
export interface KafkaClientRights {
  produce?: readonly TopicKey[];
  consume?: readonly TopicKey[];
  /** The consumer group is `<group prefix>-<group>` (the services' *_CONSUMER_GROUP; `airlock-audit` in a cluster). */
  group?: string;
}

export const KAFKA_CLIENTS = {
  identity: { produce: ['audit'] },
  policy: { produce: ['audit'] },
  workspace: { produce: ['audit'] },
  terminal: { produce: ['audit'] },
  rag: { produce: ['audit'] },
  gateway: { produce: ['audit', 'usage'] },
  // Envoy's access log as audit events, and the poison messages it sets aside.
  audit: { produce: ['audit', 'auditDeadLetters'], consume: ['audit'], group: 'audit' },
  usage: { consume: ['usage'], group: 'usage' },
} as const satisfies Record<string, KafkaClientRights>;

export type KafkaClient = keyof typeof KAFKA_CLIENTS;

export const KAFKA_CLIENT_NAMES = Object.keys(KAFKA_CLIENTS) as KafkaClient[];

/** A client's rights as the broker names things: full topic names and group names. */
export interface KafkaAcl {
  produce: string[];
  consume: string[];
  groups: string[];
}

export function kafkaAcl(client: KafkaClient, names: { topicPrefix?: string; groupPrefix: string }): KafkaAcl {
  const rights: KafkaClientRights = KAFKA_CLIENTS[client];
  return {
    produce: (rights.produce ?? []).map((t) => topicName(t, names.topicPrefix)),
    consume: (rights.consume ?? []).map((t) => topicName(t, names.topicPrefix)),
    groups: rights.group ? [`${names.groupPrefix}-${rights.group}`] : [],
  };
}

/** Every topic some client writes or reads: what a broker without topic auto-creation needs created up front. */
export function kafkaTopics(topicPrefix?: string): string[] {
  const keys = new Set<TopicKey>(Object.values(KAFKA_CLIENTS).flatMap((r: KafkaClientRights) => [...(r.produce ?? []), ...(r.consume ?? [])]));
  return [...keys].map((t) => topicName(t, topicPrefix));
}
