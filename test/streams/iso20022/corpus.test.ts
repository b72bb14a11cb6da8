// Every real message in the shared corpus (outside invalid/) is read, by both tokenizers, and its
// figures match those an independent reader (Python's ElementTree, test/fixtures) computed.

import test from 'ava';
import { readFile } from '../../../streams/iso20022/reader.ts';
import type { TokenizerKind } from '../../../streams/iso20022/xml/tokenizer.ts';
import { EXPECTED } from '../../fixtures/corpus-expected.ts';
import { sample } from '../../helpers/shared.ts';

const TOKENIZERS: TokenizerKind[] = ['fast', 'saxes', 'sax'];

for (const tokenizer of TOKENIZERS) {
  for (const exp of EXPECTED) {
    test(`${tokenizer}: ${exp.file}`, async (t) => {
      const results = await readFile(sample(exp.file), { tokenizer });
      t.is(results.length, 1);
      const r = results[0]!;
      t.is(r.type as string | null, exp.type);
      t.is(r.version, exp.version);
      t.is(r.messageId, exp.messageId);
      t.is(r.appHeader?.messageDefinitionId ?? null, exp.appHdrMsgDefIdr);
      t.not(r.message, null, 'the message is mapped');
      t.deepEqual(
        r.findings.filter((f) => ['XML_MALFORMED', 'DOCUMENT_MISSING', 'NAMESPACE_MISSING', 'MESSAGE_UNSUPPORTED'].includes(f.code)),
        [],
      );
      const s = r.summary as Record<string, unknown>;
      if (exp.entries !== undefined) {
        t.deepEqual(s, { entries: exp.entries, credits: exp.credits, debits: exp.debits });
      } else if (exp.total !== undefined) {
        t.deepEqual(s, { transactions: exp.transactions, total: exp.total });
      } else {
        t.is(s['transactions'], exp.transactions);
        const counts: Record<string, number> = {};
        for (const st of exp.statuses ?? []) counts[st] = (counts[st] ?? 0) + 1;
        t.deepEqual(s['statuses'], counts);
      }
    });
  }
}
