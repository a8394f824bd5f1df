export { EventConsumer, EventProducer, createKafka, newEventId, poisonLogFields, type ConsumedMessage, type EventLogger, type KafkaOptions } from './kafka';
export { TOPICS, topicName, type TopicKey } from './topics';
