// The one way deltran connects to NATS. Every option is passed explicitly because the client's
// defaults have changed between majors and we want the behaviour visible here: reconnect forever
// (a broker restart must not take deltran down; JetStream redelivers what was in flight), a
// bounded connect timeout at start (a wrong NATS_URL fails fast instead of hanging `serve`), and
// `noAsyncTraces: true`, which stops the client from capturing a stack trace for every request
// (measured as a large share of publish cost; our errors are logged with their own context).

import { connect, type NatsConnection } from '@nats-io/transport-node';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

export interface NatsConnectOptions {
  /** Shown by `nats server report connections`; default `deltran`. */
  readonly name?: string;
  /** How long the first connect may take, ms. Default 5,000. */
  readonly connectTimeoutMs?: number;
  /** -1 = forever (the service default); tests pass a small number. */
  readonly maxReconnectAttempts?: number;
}

export async function connectNats(url: string = process.env['NATS_URL'] ?? DEFAULT_NATS_URL, options: NatsConnectOptions = {}): Promise<NatsConnection> {
  return connect({
    servers: url.split(',').map((s) => s.trim()),
    name: options.name ?? 'deltran',
    noAsyncTraces: true,
    timeout: options.connectTimeoutMs ?? 5_000,
    // Fail the first connect rather than retrying in the background: start-up must know.
    waitOnFirstConnect: false,
    reconnect: true,
    maxReconnectAttempts: options.maxReconnectAttempts ?? -1,
    reconnectTimeWait: 1_000,
    reconnectJitter: 250,
    // A dead TCP connection is noticed after pingInterval × maxPingOut (60 s), then reconnected.
    pingInterval: 20_000,
    maxPingOut: 3,
    // deltran never subscribes to what it publishes on core NATS; echo would only cost bandwidth.
    noEcho: true,
  });
}
