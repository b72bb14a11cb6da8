// Dead letters keep the exact bytes they were given (even bytes that are not text) and list newest first.

import { DeadLetters } from '../../../adapters/db/dead-letters.ts';
import { migrate } from '../../../adapters/db/migrate.ts';
import { bothEngines } from './engines.ts';

bothEngines('dead letters are stored with their raw bytes and listed', async (t, { db }) => {
  await migrate(db);
  const dl = new DeadLetters(db);
  const raw = new Uint8Array([0x3c, 0x3f, 0x78, 0x00, 0xff, 0xfe, 0x80, 0x0a]); // invalid UTF-8 on purpose
  const errors = [{ code: 'ENCODING_INVALID', path: '', message: 'invalid UTF-8 at byte 4' }];
  const id1 = await dl.record({ source: 'http', raw, contentType: 'application/xml', errors, messageType: 'camt.054' });
  const id2 = await dl.record({ source: 'file:/inbox/b.xml', raw: Buffer.from('<x/>'), errors: [], messageId: 'MSG-2' });
  const list = await dl.list();
  t.deepEqual(list.map((d) => d.id), [id2, id1]);
  t.like(list[1], { source: 'http', size: 8, contentType: 'application/xml', messageType: 'camt.054', messageId: null, errors });
  t.like(list[0], { source: 'file:/inbox/b.xml', size: 4, contentType: null, messageId: 'MSG-2' });
  t.true(list[0]!.receivedAt instanceof Date);
  const got = await dl.get(id1);
  t.deepEqual(got?.raw, raw);
  t.deepEqual((await dl.list({ beforeId: id2 })).map((d) => d.id), [id1]);
  t.deepEqual(await dl.list({ limit: 1 }).then((l) => l.length), 1);
  t.is(await dl.get('999999'), null);
});
