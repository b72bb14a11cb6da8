// The normalized model: one shape per message family, whatever the version or the bank. Amounts
// are bignumber.js decimals with their currency and the exact text they came from; the sign of a
// booking lives only in `direction` (CdtDbtInd); dates keep the sender's lexical value, because an
// ISODateTime without an offset is the sender's local time and must not be coerced to UTC.

import type BigNumber from 'bignumber.js';
import type { MessageType } from './catalogue.ts';

export interface Amount {
  readonly value: BigNumber;
  readonly currency: string;
  /** The element text, trimmed: validation checks its lexical form (sign, digits, decimals). */
  readonly lexical: string;
}

export type Direction = 'CRDT' | 'DBIT';

/** ISO `Dt` or `DtTm` (both occur for the same field across banks and versions). */
export interface DateValue {
  readonly kind: 'date' | 'dateTime';
  readonly value: string;
}

export interface AccountRef {
  readonly iban?: string;
  readonly other?: { readonly id: string; readonly scheme?: string };
  readonly currency?: string;
  readonly name?: string;
}

export interface AgentRef {
  readonly bic?: string;
  readonly clearingSystem?: string;
  readonly memberId?: string;
  readonly lei?: string;
  readonly name?: string;
  readonly other?: string;
}

export interface PartyRef {
  readonly name?: string;
  readonly bic?: string;
  readonly lei?: string;
  readonly otherId?: string;
  readonly country?: string;
  readonly addressLines?: readonly string[];
}

export interface References {
  readonly messageId?: string;
  readonly accountServicerReference?: string;
  readonly paymentInformationId?: string;
  readonly instructionId?: string;
  readonly endToEndId?: string;
  readonly transactionId?: string;
  readonly uetr?: string;
  readonly mandateId?: string;
  readonly clearingSystemReference?: string;
}

export interface Charge {
  readonly amount: Amount;
  readonly direction?: Direction;
  readonly type?: string;
  readonly bearer?: string;
  readonly agent?: AgentRef;
}

export interface ReturnInfo {
  readonly reasonCode?: string;
  readonly reasonProprietary?: string;
  readonly additionalInfo?: readonly string[];
}

export interface CurrencyExchange {
  readonly sourceCurrency?: string;
  readonly targetCurrency?: string;
  readonly unitCurrency?: string;
  readonly rate?: BigNumber;
}

export interface BankTransactionCode {
  readonly domain?: string;
  readonly family?: string;
  readonly subFamily?: string;
  readonly proprietary?: string;
  readonly issuer?: string;
}

// ---- camt.052 / camt.053 / camt.054 -------------------------------------------------------------

export interface Balance {
  readonly index: number;
  /** OPBD, PRCD, CLBD, ITBD, CLAV, OPAV, ITAV, FWAV, XPCD, INFO ... or a proprietary type. */
  readonly type?: string;
  readonly subType?: string;
  readonly amount?: Amount;
  readonly direction?: Direction;
  readonly date?: DateValue;
}

export interface TransactionDetails {
  readonly index: number;
  readonly refs: References;
  readonly amount?: Amount;
  readonly direction?: Direction;
  readonly instructedAmount?: Amount;
  readonly transactionAmount?: Amount;
  readonly counterValueAmount?: Amount;
  readonly exchange?: CurrencyExchange;
  readonly debtor?: PartyRef;
  readonly debtorAccount?: AccountRef;
  readonly creditor?: PartyRef;
  readonly creditorAccount?: AccountRef;
  readonly ultimateDebtor?: PartyRef;
  readonly ultimateCreditor?: PartyRef;
  readonly debtorAgent?: AgentRef;
  readonly creditorAgent?: AgentRef;
  readonly charges: readonly Charge[];
  readonly remittance: readonly string[];
  readonly creditorReference?: string;
  readonly purpose?: string;
  readonly returnInfo?: ReturnInfo;
  readonly bankTransactionCode?: BankTransactionCode;
}

export interface Batch {
  readonly messageId?: string;
  readonly paymentInformationId?: string;
  readonly numberOfTransactions?: string;
  readonly totalAmount?: Amount;
  readonly direction?: Direction;
}

export interface Entry {
  readonly index: number;
  readonly entryReference?: string;
  readonly amount?: Amount;
  readonly direction?: Direction;
  readonly reversal: boolean;
  /** BOOK, PDNG, INFO (v07+ may carry other external codes). */
  readonly status?: string;
  readonly bookingDate?: DateValue;
  readonly valueDate?: DateValue;
  readonly accountServicerReference?: string;
  readonly bankTransactionCode?: BankTransactionCode;
  readonly charges: readonly Charge[];
  readonly batches: readonly Batch[];
  readonly details: readonly TransactionDetails[];
  readonly additionalInfo?: string;
}

export interface TransactionsSummary {
  readonly count?: string;
  readonly sum?: Amount | undefined;
  readonly net?: { readonly amount: Amount; readonly direction?: Direction };
  readonly credits?: { readonly count?: string; readonly sum?: Amount };
  readonly debits?: { readonly count?: string; readonly sum?: Amount };
}

/** A Stmt (camt.053), Rpt (camt.052) or Ntfctn (camt.054). */
export interface Report {
  readonly index: number;
  readonly id?: string;
  readonly electronicSequenceNumber?: string;
  readonly legalSequenceNumber?: string;
  readonly creationDateTime?: string;
  readonly fromDateTime?: string;
  readonly toDateTime?: string;
  /** CODU, COPY, DUPL: a re-send, not new data. */
  readonly copyDuplicate?: string;
  readonly account: AccountRef;
  readonly accountServicer?: AgentRef;
  readonly balances: readonly Balance[];
  readonly summary?: TransactionsSummary;
  /** Empty when the reader streams entries instead of keeping them. */
  readonly entries: Entry[];
  entryCount: number;
}

export interface GroupHeader {
  readonly messageId?: string;
  readonly creationDateTime?: string;
  readonly numberOfTransactions?: string;
  readonly controlSum?: string;
  readonly totalInterbankSettlementAmount?: Amount;
  readonly interbankSettlementDate?: string;
  readonly settlementMethod?: string;
  readonly clearingSystem?: string;
  readonly initiatingParty?: PartyRef;
  readonly instructingAgent?: AgentRef;
  readonly instructedAgent?: AgentRef;
  readonly page?: { readonly number?: string; readonly last?: boolean };
}

export interface ReportMessage {
  readonly type: 'camt.052' | 'camt.053' | 'camt.054';
  readonly header: GroupHeader;
  readonly reports: Report[];
}

// ---- pacs.008 / pacs.009 / pain.001 -------------------------------------------------------------

export interface CreditTransfer {
  readonly index: number;
  readonly refs: References;
  /** pacs: IntrBkSttlmAmt. pain.001: InstdAmt (or EqvtAmt/Amt). */
  readonly amount?: Amount;
  readonly instructedAmount?: Amount;
  readonly interbankSettlementDate?: string;
  readonly exchangeRate?: BigNumber;
  readonly chargeBearer?: string;
  readonly charges: readonly Charge[];
  readonly instructingAgent?: AgentRef;
  readonly instructedAgent?: AgentRef;
  readonly intermediaryAgents: readonly AgentRef[];
  readonly debtor?: PartyRef;
  readonly debtorAccount?: AccountRef;
  readonly debtorAgent?: AgentRef;
  readonly creditor?: PartyRef;
  readonly creditorAccount?: AccountRef;
  readonly creditorAgent?: AgentRef;
  readonly ultimateDebtor?: PartyRef;
  readonly ultimateCreditor?: PartyRef;
  readonly purpose?: string;
  readonly remittance: readonly string[];
  readonly creditorReference?: string;
  readonly serviceLevel?: string;
  readonly localInstrument?: string;
  readonly categoryPurpose?: string;
}

/** pain.001 PmtInf: the debtor side shared by its transfers. */
export interface PaymentInformation {
  readonly index: number;
  readonly id?: string;
  readonly method?: string;
  readonly batchBooking?: boolean;
  readonly numberOfTransactions?: string;
  readonly controlSum?: string;
  readonly requestedExecutionDate?: DateValue;
  readonly debtor?: PartyRef;
  readonly debtorAccount?: AccountRef;
  readonly debtorAgent?: AgentRef;
  readonly chargeBearer?: string;
  readonly serviceLevel?: string;
  readonly transfers: CreditTransfer[];
  transferCount: number;
}

export interface CreditTransferMessage {
  readonly type: 'pacs.008' | 'pacs.009';
  readonly header: GroupHeader;
  readonly transfers: CreditTransfer[];
  transferCount: number;
}

export interface PaymentInitiationMessage {
  readonly type: 'pain.001';
  readonly header: GroupHeader;
  readonly payments: PaymentInformation[];
}

// ---- pacs.002 / pain.002 / pacs.004 / camt.056 / camt.029 ----------------------------------------

/** How a status, return or cancellation points at the payment it is about (UETR first). */
export interface OriginalReferences {
  readonly originalMessageId?: string;
  readonly originalMessageType?: string;
  readonly originalInstructionId?: string;
  readonly originalEndToEndId?: string;
  readonly originalTransactionId?: string;
  readonly originalUetr?: string;
}

export interface StatusReason {
  readonly code?: string;
  readonly proprietary?: string;
  readonly additionalInfo: readonly string[];
}

export interface TransactionStatus extends OriginalReferences {
  readonly index: number;
  readonly statusId?: string;
  /** The transaction's own OrgnlGrpInf (pacs.002 .06+); without it, the message's original applies. */
  /** ACSC, ACCC, ACSP, ACTC, ACCP, PDNG, RJCT ... */
  readonly status?: string;
  readonly reasons: readonly StatusReason[];
  /** OrgnlTxRef/IntrBkSttlmAmt, else the instructed (or equivalent) amount of OrgnlTxRef/Amt. */
  readonly originalAmount?: Amount;
  /** pain.002: the OrgnlPmtInfId of the B level the transaction sits in. */
  readonly originalPaymentInformationId?: string;
  readonly acceptanceDateTime?: string;
  readonly accountServicerReference?: string;
  readonly clearingSystemReference?: string;
  readonly instructingAgent?: AgentRef;
  readonly instructedAgent?: AgentRef;
}

export interface StatusReportMessage {
  readonly type: 'pacs.002' | 'pain.002';
  readonly header: GroupHeader;
  /** The first OrgnlGrpInfAndSts; `originalGroups` has them all. */
  readonly originalMessageId?: string;
  readonly originalMessageType?: string;
  readonly groupStatus?: string;
  readonly groupReasons: readonly StatusReason[];
  /** Every OrgnlGrpInfAndSts: pacs.002 from .06 on may answer several original messages at once. */
  readonly originalGroups: readonly {
    readonly messageId?: string;
    readonly messageType?: string;
    readonly status?: string;
    readonly reasons: readonly StatusReason[];
  }[];
  /** pain.002 B level (PmtInf) statuses; empty for pacs.002. */
  readonly paymentStatuses: readonly { readonly originalPaymentInformationId?: string; readonly status?: string; readonly reasons: readonly StatusReason[] }[];
  readonly transactions: TransactionStatus[];
  transactionCount: number;
}

export interface ReturnTransaction extends OriginalReferences {
  readonly index: number;
  readonly returnId?: string;
  /** OrgnlIntrBkSttlmAmt: differs from the returned amount when charges were taken. */
  readonly originalAmount?: Amount;
  readonly originalInterbankSettlementDate?: string;
  readonly returnedAmount?: Amount;
  readonly returnedInstructedAmount?: Amount;
  readonly interbankSettlementDate?: string;
  readonly chargeBearer?: string;
  /** The first RtrRsnInf (empty when there is none); `reasons` has them all. */
  readonly reason: ReturnInfo;
  readonly reasons: readonly ReturnInfo[];
  readonly instructingAgent?: AgentRef;
  readonly instructedAgent?: AgentRef;
}

export interface ReturnMessage {
  readonly type: 'pacs.004';
  readonly header: GroupHeader;
  /** The root's OrgnlGrpInf, when the whole return refers to one original message. */
  readonly originalMessageId?: string;
  readonly originalMessageType?: string;
  readonly transactions: ReturnTransaction[];
  transactionCount: number;
}

export interface CancellationTransaction extends OriginalReferences {
  readonly index: number;
  /** camt.056 CxlId; camt.029 CxlStsId. */
  readonly cancellationId?: string;
  /** The case of this transaction (camt.056 TxInf/Case, camt.029 TxInfAndSts/RslvdCase). */
  readonly caseId?: string;
  readonly originalAmount?: Amount;
  readonly originalInterbankSettlementDate?: string;
  /** The first CxlRsnInf (camt.056) or CxlStsRsnInf (camt.029); `reasons` has them all. */
  readonly reasonCode?: string;
  readonly reasonProprietary?: string;
  readonly additionalInfo: readonly string[];
  readonly reasons: readonly StatusReason[];
  /** camt.029 TxCxlSts: the answer for this transaction (CNCL, RJCR, PDCR ...). */
  readonly status?: string;
}

export interface InvestigationMessage {
  readonly type: 'camt.056' | 'camt.029';
  /** Neither message has a GrpHdr: the assignment below plays its part. */
  readonly header: GroupHeader;
  readonly assignmentId?: string;
  readonly creationDateTime?: string;
  /** Assgnmt/Assgnr and Assgne: each either an agent (Agt) or a party (Pty). */
  readonly assigner?: { readonly agent?: AgentRef; readonly party?: PartyRef };
  readonly assignee?: { readonly agent?: AgentRef; readonly party?: PartyRef };
  /** The message-level Case (camt.056) or RslvdCase (camt.029); per-transaction cases are on them. */
  readonly caseId?: string;
  /** camt.029 confirmation (e.g. CNCL, RJCR, IDUP). */
  readonly confirmation?: string;
  readonly transactions: readonly CancellationTransaction[];
}

export type Iso20022Message =
  | ReportMessage
  | CreditTransferMessage
  | PaymentInitiationMessage
  | StatusReportMessage
  | ReturnMessage
  | InvestigationMessage;

/** The business application header (head.001) that travels in front of a Document. */
export interface AppHeader {
  readonly namespace?: string;
  readonly from?: AgentRef;
  readonly to?: AgentRef;
  readonly businessMessageId?: string;
  readonly messageDefinitionId?: string;
  readonly businessService?: string;
  readonly creationDate?: string;
  readonly possibleDuplicate?: boolean;
}

/** Type-level check that every MessageType has a model. */
export type ModelOf<T extends MessageType> = Extract<Iso20022Message, { type: T }>;
