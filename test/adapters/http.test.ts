// The HTTP edge, in process through fastify's inject: health and parse-as-a-service.

import test from 'ava';
import { readFileSync } from 'node:fs';
import { buildServer } from '../../adapters/http/server.ts';
import { sample } from '../helpers/shared.ts';

test('GET /health', async (t) => {
  const app = buildServer(false);
  const res = await app.inject({ method: 'GET', url: '/health' });
  t.is(res.statusCode, 200);
  t.deepEqual(res.json(), { status: 'ok' });
});

test('POST /api/v1/messages/parse reads the XML body like deltran parse --json', async (t) => {
  const app = buildServer(false);
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/messages/parse',
    headers: { 'content-type': 'application/xml' },
    payload: readFileSync(sample('camt.054/genkgo-camt054-v02.xml')),
  });
  t.is(res.statusCode, 200);
  const body = res.json();
  t.true(body.success);
  t.like(body.data[0], {
    type: 'camt.054',
    version: 'camt.054.001.02',
    messageId: 'AAAASESS-FP-ACCR001',
    summary: { entries: 1, credits: {}, debits: { SEK: '200000.00' } },
  });
});

test('POST without an XML content type is refused with a code', async (t) => {
  const app = buildServer(false);
  const res = await app.inject({ method: 'POST', url: '/api/v1/messages/parse', payload: { a: 1 } });
  t.is(res.statusCode, 415);
  t.is(res.json().error.code, 'UNSUPPORTED_MEDIA_TYPE');
});
