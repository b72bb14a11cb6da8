// Goal: the entry identity rule of streams/ingest/identity.ts, case by case.

import test from 'ava';
import type { Entry, Report } from '../../../streams/iso20022/model.ts';
import { entryIdentity } from '../../../streams/ingest/identity.ts';

const report = { index: 0, id: 'R-1', account: {}, balances: [], entries: [], entryCount: 0 } as Report;
const entry = (over: Partial<Entry>): Entry => ({ index: 3, reversal: false, charges: [], batches: [], details: [], ...over });

test('position, then AcctSvcrRef, else NtryRef; NOTPROVIDED and blanks are no identity', (t) => {
  t.is(entryIdentity('M', report, entry({})), 'M/R-1/3');
  t.is(entryIdentity('M', report, entry({ accountServicerReference: 'A1', entryReference: 'E1' })), 'M/R-1/3#A1');
  t.is(entryIdentity('M', report, entry({ entryReference: 'E1' })), 'M/R-1/3#E1');
  t.is(entryIdentity('M', report, entry({ accountServicerReference: 'NOTPROVIDED', entryReference: 'E1' })), 'M/R-1/3#E1');
  t.is(entryIdentity('M', report, entry({ accountServicerReference: 'notprovided' })), 'M/R-1/3');
  t.is(entryIdentity('M', report, entry({ accountServicerReference: '  ' })), 'M/R-1/3');
  // The only transaction's AcctSvcrRef stands in for the entry's.
  t.is(entryIdentity('M', report, entry({ details: [{ index: 0, refs: { accountServicerReference: 'T1' }, charges: [], remittance: [] }] })), 'M/R-1/3#T1');
  // A reused MsgId with another reference is another entry.
  t.not(entryIdentity('M', report, entry({ accountServicerReference: 'A1' })), entryIdentity('M', report, entry({ accountServicerReference: 'A2' })));
});
