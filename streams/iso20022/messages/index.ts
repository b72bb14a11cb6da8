// Message type → mapper.

import type { MessageType } from '../catalogue.ts';
import { camt05x } from './camt05x.ts';
import { creditTransfer } from './credit-transfer.ts';
import { investigation } from './investigation.ts';
import type { MessageMapper } from './mapper.ts';
import { paymentInitiation } from './payment-initiation.ts';
import { paymentReturn } from './payment-return.ts';
import { statusReport } from './status-report.ts';

export const MAPPERS: Readonly<Record<MessageType, MessageMapper>> = {
  'camt.052': camt05x,
  'camt.053': camt05x,
  'camt.054': camt05x,
  'camt.056': investigation,
  'camt.029': investigation,
  'pacs.002': statusReport,
  'pain.002': statusReport,
  'pacs.004': paymentReturn,
  'pacs.008': creditTransfer,
  'pacs.009': creditTransfer,
  'pain.001': paymentInitiation,
};
