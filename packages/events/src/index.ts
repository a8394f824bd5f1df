export { DurableEventProducer, EventNotDurableError, type DurableProducerOptions } from './durable-producer';
export { AuditPublisher, type AuditPublisherOptions } from './audit-publisher';
export { EventConsumer, EventProducer, createKafka, poisonLogFields, type ConsumedMessage, type EventLogger, type KafkaOptions } from './kafka';
export { derivedEventId, newEventId } from './event-id';
export { EventSpool, type SpooledMessage } from './spool';
export { GroupCommit } from './group-commit';
export { TOPICS, topicName, type TopicKey } from './topics';
export { KAFKA_CLIENTS, KAFKA_CLIENT_NAMES, kafkaAcl, kafkaTopics, type KafkaAcl, type KafkaClient, type KafkaClientRights } from './kafka-clients';
