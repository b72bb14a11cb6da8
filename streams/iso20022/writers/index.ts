// The writers deltran sends ISO 20022 with: pure functions from typed input to
// `{ ok: true, xml } | { ok: false, errors }`, one per message, each bound to one schema version.

export { writeCamt054, CAMT054_VERSION, DEFAULT_CREDIT_CODE, DEFAULT_DEBIT_CODE } from './camt054.ts';
export type { BankTransactionCodeInput, Camt054Account, Camt054Entry, Camt054Input, EntryDirection, EntryStatus } from './camt054.ts';
export { writePacs002, PACS002_VERSION, PAYMENT_STATUSES } from './pacs002.ts';
export type { OriginalMessageType, Pacs002Input, Pacs002Transaction, PaymentStatus, StatusReasonInput } from './pacs002.ts';
export { writePacs008, PACS008_VERSION } from './pacs008.ts';
export type { CustomerInput, Pacs008Input, Pacs008Transaction } from './pacs008.ts';
export { writePacs009, PACS009_VERSION } from './pacs009.ts';
export type { InstitutionInput, Pacs009Input, Pacs009Transaction } from './pacs009.ts';
export type { AccountInput, SettlementMethod } from './parts.ts';
export { escapeAttr, escapeText, formatMoney, type WriteOptions, type WriteResult } from './xml.ts';
