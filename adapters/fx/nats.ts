// Live FX rates over NATS: a core NATS subscription on `deltran.fx.rates` (namespaced like every
// deltran subject: `<ns>.deltran.fx.rates`). The payload is the HTTP body of POST
// /api/v1/fx/rates: `[{base, quote, rate, as_of}]` or `{source, rates: [...]}`; the source
// defaults to `nats`. A request (a message with a reply subject) is answered with
// `{success, data: {inserted, duplicates, alerts}}` or `{success: false, code, field, error}`.
//
// Core NATS rather than a JetStream stream: an observation is a fact of its moment, a missed one
// is superseded by the next, and storing it twice is already a duplicate in fx_rates; a feed that
// needs every observation kept while deltran is down posts them over HTTP (or JetStream later).
//
// Risk alerts go out on JetStream's DELTRAN_ALERTS stream (adapters/nats/subjects.ts):
// `deltran.alerts.<warning|critical>.<risk_limit|fx_move>`.

import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { ns } from '../nats/subjects.ts';
import type { FxService } from './fx-service.ts';
import { parseLiveRates } from './live-rates.ts';

export const FX_RATES_SUBJECT = 'deltran.fx.rates';

export function fxRatesSubject(namespace = ''): string {
  return ns(namespace, FX_RATES_SUBJECT);
}

export function alertSubject(severity: 'WARNING' | 'CRITICAL', kind: 'risk_limit' | 'fx_move', namespace = ''): string {
  return ns(namespace, `deltran.alerts.${severity.toLowerCase()}.${kind}`);
}

export function subscribeLiveRates(nc: NatsConnection, fx: FxService, namespace = '', report: (what: string, err: unknown) => void = () => {}): Subscription {
  const sub = nc.subscribe(fxRatesSubject(namespace));
  void (async () => {
    for await (const m of sub) {
      let answer: unknown;
      try {
        const parsed = parseLiveRates(m.json(), 'nats');
        if ('field' in parsed) {
          answer = { success: false, code: 'VALIDATION_FAILED', field: parsed.field, error: parsed.message };
          report(`FX rates on NATS refused: ${parsed.field}: ${parsed.message}`, null);
        } else {
          const r = await fx.addRates(parsed.rates, parsed.source);
          answer = { success: true, data: { inserted: r.inserted.length, duplicates: r.duplicates, alerts: r.moves.length } };
        }
      } catch (err) {
        answer = { success: false, code: 'BAD_REQUEST', error: (err as Error).message };
        report('FX rates on NATS not stored', err);
      }
      if (m.reply) m.respond(JSON.stringify(answer));
    }
  })();
  return sub;
}
