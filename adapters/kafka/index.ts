// The Kafka adapter's public face (kafkajs behind it, so a client swap stays inside this folder).

export { KafkaSource, type KafkaSourceOptions } from './kafka-source.ts';
export { KafkaPublisher, type KafkaPublishOptions } from './kafka-publisher.ts';
export { committableOffset, PartitionTracker } from './offsets.ts';
