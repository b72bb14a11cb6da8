// From the reader's model (a camt.052/053/054 `Entry`) to the account's RecordBankEntry command.
// The sign comes only from CdtDbtInd; the reversal flag is kept, not applied. The entry's key is
// the bank's own reference (AcctSvcrRef, else NtryRef) so that the BOOK entry that follows a
// PDNG one clears it; without either, the message identity stands in. EndToEndId and UETR come
// from the transaction details only when there is exactly one: a batch entry (several TxDtls)
// cannot be one pay-in, so it matches nothing here and is left to statement matching (tier 3).

import type { Entry } from '../../streams/iso20022/model.ts';
import { reject, type Rejection } from '../decision.ts';
import type { RecordBankEntryCommand } from './commands.ts';

export function bankEntryCommand(
  entry: Entry,
  messageId: string,
): { readonly command: RecordBankEntryCommand } | { readonly rejection: Rejection } {
  const { amount, direction } = entry;
  if (amount === undefined || direction === undefined || !amount.value.isFinite()) {
    return reject('ENTRY_INCOMPLETE', `entry ${entry.index} has no usable amount or credit/debit indicator`);
  }
  const refs = entry.details.length === 1 ? entry.details[0]?.refs : undefined;
  const accountServicerReference = entry.accountServicerReference ?? refs?.accountServicerReference ?? null;
  return {
    command: {
      type: 'RecordBankEntry',
      messageId,
      currency: amount.currency,
      // No status is not a booking: guessing BOOK would move the bank balance on a bad file.
      status: entry.status ?? 'MISSING',
      entry: {
        key: accountServicerReference ?? entry.entryReference ?? messageId,
        amount: amount.value,
        direction,
        reversal: entry.reversal,
        endToEndId: refs?.endToEndId ?? null,
        uetr: refs?.uetr ?? null,
        accountServicerReference,
        bookingDate: entry.bookingDate?.value ?? null,
      },
    },
  };
}
