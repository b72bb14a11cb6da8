// The NATS adapter's public face: connect, create deltran's streams, read them as a Source,
// publish to them. Callers import from here, so the files behind it can move.

export { connectNats, DEFAULT_NATS_URL, type NatsConnectOptions } from './connection.ts';
export { ensureStreams, consumerConfig, streamConfig, DEFAULT_TUNING, type ConsumerTuning, type EnsureOptions, type EnsureReport } from './streams.ts';
export { JetStreamSource, type JetStreamSourceOptions } from './jetstream-source.ts';
export { JetStreamPublisher, type PublishOptions, type Published } from './jetstream-publisher.ts';
export { STREAMS, INBOUND_SUBJECTS, inboundSubject, streamName, streamSpec, typeToken, ns } from './subjects.ts';
