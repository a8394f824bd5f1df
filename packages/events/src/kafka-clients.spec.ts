import { KAFKA_CLIENTS, kafkaAcl, kafkaTopics } from './kafka-clients';

describe('the Kafka clients registry', () => {
  it("gives the gateway its two topics to write and nothing to read", () => {
    expect(kafkaAcl('gateway', { topicPrefix: 'p', groupPrefix: 'airlock' })).toEqual({ produce: ['p.airlock.audit.v1', 'p.airlock.usage.v1'], consume: [], groups: [] });
  });

  it('lets audit and usage read what they consume with their own group, under the default names of a cluster', () => {
    expect(kafkaAcl('audit', { groupPrefix: 'airlock' })).toEqual({
      produce: ['airlock.audit.v1', 'airlock.audit.v1.dlq'],
      consume: ['airlock.audit.v1'],
      groups: ['airlock-audit'],
    });
    expect(kafkaAcl('usage', { groupPrefix: 'mesh1' })).toEqual({ produce: [], consume: ['airlock.usage.v1'], groups: ['mesh1-usage'] });
  });

  it('lets only the gateway write usage events, and names who writes audit events', () => {
    const writers = (topic: string) => Object.entries(KAFKA_CLIENTS).filter(([, r]) => ('produce' in r ? (r.produce as readonly string[]) : []).includes(topic)).map(([c]) => c);
    expect(writers('usage')).toEqual(['gateway']);
    expect(writers('audit')).toEqual(['identity', 'policy', 'workspace', 'terminal', 'rag', 'gateway', 'audit']);
  });

  it('lists every topic once, for creating them up front', () => {
    expect(kafkaTopics('x').sort()).toEqual(['x.airlock.audit.v1', 'x.airlock.audit.v1.dlq', 'x.airlock.usage.v1']);
  });
});
