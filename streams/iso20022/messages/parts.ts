// Readers for the building blocks every ISO 20022 message shares: amounts, accounts, agents,
// parties, dates, references, charges. Each takes an element (possibly absent) and returns the
// model piece or undefined, never throws.

import { finding } from '../findings.ts';
import { decimal } from '../money.ts';
import type {
  AccountRef,
  AgentRef,
  Amount,
  BankTransactionCode,
  Charge,
  DateValue,
  Direction,
  PartyRef,
  ReturnInfo,
  StatusReason,
} from '../model.ts';
import { at, child, children, textAt, type XNode } from '../xml/tree.ts';
import { pick, type MapContext } from './context.ts';

/** An amount element: text is the unsigned decimal, `Ccy` the currency. */
export function amount(node: XNode | undefined): Amount | undefined {
  if (node === undefined) return undefined;
  const lexical = node.text;
  return { value: decimal(lexical), currency: node.attrs['Ccy'] ?? '', lexical };
}

/** An amount that may be wrapped (`Amt` holding `InstdAmt`, or an `Amt` with the value itself). */
export function amountAt(node: XNode | undefined, path: string): Amount | undefined {
  return amount(at(node, path));
}

export function direction(text: string | undefined): Direction | undefined {
  return text === 'CRDT' || text === 'DBIT' ? text : undefined;
}

/**
 * `CdtDbtInd` under `node`. A value other than CRDT/DBIT cannot be carried by the model, so it is
 * reported here, where the text is still at hand, instead of surfacing later as a missing element.
 */
export function directionAt(ctx: MapContext, node: XNode | undefined, path: string): Direction | undefined {
  return directionOf(ctx, textAt(node, 'CdtDbtInd'), path);
}

/** The same, for the text of a `CdtDbtInd` element already at hand. */
export function directionOf(ctx: MapContext, raw: string | undefined, path: string): Direction | undefined {
  const dir = direction(raw);
  if (raw !== undefined && dir === undefined) {
    ctx.findings.push(finding('CODE_INVALID', `${path}/CdtDbtInd`, `CdtDbtInd '${raw}' is not one of CRDT, DBIT`));
  }
  return dir;
}

/** A `DateAndDateTimeChoice` (`Dt` or `DtTm`), or a bare ISODate/ISODateTime element. */
export function dateValue(node: XNode | undefined): DateValue | undefined {
  if (node === undefined) return undefined;
  const dt = child(node, 'Dt');
  if (dt !== undefined) return { kind: 'date', value: dt.text };
  const dtTm = child(node, 'DtTm');
  if (dtTm !== undefined) return { kind: 'dateTime', value: dtTm.text };
  if (node.children.length > 0 || node.text === '') return undefined;
  return { kind: node.text.includes('T') ? 'dateTime' : 'date', value: node.text };
}

export function account(node: XNode | undefined): AccountRef | undefined {
  if (node === undefined) return undefined;
  const out: Mutable<AccountRef> = {};
  const id = child(node, 'Id');
  const iban = child(id, 'IBAN');
  if (iban !== undefined) out.iban = iban.text;
  const othr = iban === undefined ? child(id, 'Othr') : undefined;
  const otherId = textAt(othr, 'Id');
  if (otherId !== undefined) {
    const scheme = textAt(othr, 'SchmeNm/Cd') ?? textAt(othr, 'SchmeNm/Prtry');
    out.other = scheme === undefined ? { id: otherId } : { id: otherId, scheme };
  }
  setText(out, 'currency', node, 'Ccy');
  setText(out, 'name', node, 'Nm');
  return out;
}

/** `BranchAndFinancialInstitutionIdentification`: BIC(FI), clearing member id, LEI, name. */
export function agent(ctx: MapContext, node: XNode | undefined, path: string): AgentRef | undefined {
  if (node === undefined) return undefined;
  const out: Mutable<AgentRef> = {};
  const bic = pick(ctx, node, 'agentBic', path)?.text;
  if (bic !== undefined) out.bic = bic;
  const fin = child(node, 'FinInstnId');
  // Most agents are a BIC alone: the other identifications are looked for only when there are more.
  if (fin !== undefined && fin.children.length > (bic === undefined ? 0 : 1)) {
    const mmb = child(fin, 'ClrSysMmbId');
    if (mmb !== undefined) {
      const system = textAt(mmb, 'ClrSysId/Cd') ?? textAt(mmb, 'ClrSysId/Prtry');
      if (system !== undefined) out.clearingSystem = system;
      setText(out, 'memberId', mmb, 'MmbId');
    }
    setText(out, 'lei', fin, 'LEI');
    setText(out, 'name', fin, 'Nm');
    setText(out, 'other', fin, 'Othr/Id');
  }
  return out;
}

/** `PartyIdentification`: name, organisation BIC/LEI/other id, country, address lines. */
export function party(ctx: MapContext, node: XNode | undefined, path: string): PartyRef | undefined {
  if (node === undefined) return undefined;
  const out: Mutable<PartyRef> = {};
  setText(out, 'name', node, 'Nm');
  const id = child(node, 'Id');
  if (id !== undefined) {
    const bic = pick(ctx, node, 'partyBic', path)?.text;
    if (bic !== undefined) out.bic = bic;
    setText(out, 'lei', id, 'OrgId/LEI');
    const other = textAt(id, 'OrgId/Othr/Id') ?? textAt(id, 'PrvtId/Othr/Id');
    if (other !== undefined) out.otherId = other;
  }
  const adr = child(node, 'PstlAdr');
  const country = textAt(adr, 'Ctry') ?? textAt(node, 'CtryOfRes');
  if (country !== undefined) out.country = country;
  if (adr !== undefined) {
    const lines = children(adr, 'AdrLine');
    if (lines.length > 0) out.addressLines = lines.map((l) => l.text);
  }
  return out;
}

/** The model's readonly pieces, while a mapper builds one. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Sets `out[key]` to the text at `path` under `node`, when there is one. */
export function setText<T extends object>(out: T, key: { [K in keyof T]: T[K] extends string | undefined ? K : never }[keyof T], node: XNode | undefined, path: string): void {
  const text = textAt(node, path);
  if (text !== undefined) (out as Record<PropertyKey, unknown>)[key] = text;
}

export function bankTransactionCode(node: XNode | undefined): BankTransactionCode | undefined {
  if (node === undefined) return undefined;
  const out: Mutable<BankTransactionCode> = {};
  const domain = child(node, 'Domn');
  if (domain !== undefined) {
    setText(out, 'domain', domain, 'Cd');
    const family = child(domain, 'Fmly');
    setText(out, 'family', family, 'Cd');
    setText(out, 'subFamily', family, 'SubFmlyCd');
  }
  const proprietary = child(node, 'Prtry');
  if (proprietary !== undefined) {
    setText(out, 'proprietary', proprietary, 'Cd');
    setText(out, 'issuer', proprietary, 'Issr');
  }
  return out;
}

/**
 * Charges: v02 repeats `Chrgs` with the record inline; v03+ has one `Chrgs` holding `Rcrd`s.
 * pacs.008 has `ChrgsInf` with `Amt` and `Agt`.
 */
export function charges(ctx: MapContext, parent: XNode | undefined, path: string): Charge[] {
  if (parent === undefined) return [];
  const out: Charge[] = [];
  for (const c of parent.children) {
    if (c.name === 'Chrgs') {
      const records = children(c, 'Rcrd');
      for (const r of records.length > 0 ? records : [c]) pushCharge(ctx, out, r, path);
    } else if (c.name === 'ChrgsInf') {
      pushCharge(ctx, out, c, path);
    }
  }
  return out;
}

function pushCharge(ctx: MapContext, out: Charge[], node: XNode, path: string): void {
  const amt = amountAt(node, 'Amt');
  if (amt === undefined) return;
  out.push(
    compact({
      amount: amt,
      direction: directionAt(ctx, node, `${path}/${node.name}`),
      type: textAt(node, 'Tp/Cd') ?? textAt(node, 'Tp/Prtry/Id') ?? textAt(node, 'Tp'),
      bearer: textAt(node, 'Br'),
      agent: agent(ctx, child(node, 'Agt'), `${path}/ChrgsInf/Agt`),
    }),
  );
}

export function returnInfo(node: XNode | undefined, reasonPath = 'Rsn'): ReturnInfo | undefined {
  if (node === undefined) return undefined;
  const info = children(node, 'AddtlInf').map((n) => n.text);
  return compact({
    reasonCode: textAt(node, `${reasonPath}/Cd`),
    reasonProprietary: textAt(node, `${reasonPath}/Prtry`),
    additionalInfo: info.length > 0 ? info : undefined,
  });
}

export function statusReasons(parent: XNode | undefined): StatusReason[] {
  return children(parent, 'StsRsnInf').map((n) =>
    compact({
      code: textAt(n, 'Rsn/Cd'),
      proprietary: textAt(n, 'Rsn/Prtry'),
      additionalInfo: children(n, 'AddtlInf').map((a) => a.text),
    }),
  );
}

export function remittanceLines(node: XNode | undefined): string[] {
  return children(at(node, 'RmtInf'), 'Ustrd').map((n) => n.text);
}

export function creditorReference(node: XNode | undefined): string | undefined {
  return textAt(node, 'RmtInf/Strd/CdtrRefInf/Ref');
}

/**
 * Drops undefined properties, so models satisfy exactOptionalPropertyTypes and print cleanly. It
 * copies instead of `delete`: deleting turns objects into slow dictionaries, and this runs for
 * every record of every message.
 */
export function compact<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const k in o) {
    const v = o[k];
    if (v !== undefined) out[k] = v;
  }
  return out as { [K in keyof T]: Exclude<T[K], undefined> };
}

export function bool(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  return text === 'true' || text === '1';
}

/** OrgnlGrpInf / OrgnlGrpInfAndSts / OrgnlGrpInfAndCxl: which message an answer refers to. */
export function originalGroup(node: XNode | undefined): { messageId?: string; messageType?: string } {
  return compact({ messageId: textAt(node, 'OrgnlMsgId'), messageType: textAt(node, 'OrgnlMsgNmId') });
}

/**
 * Reason blocks named otherwise than StsRsnInf (CxlRsnInf, CxlStsRsnInf ...) that share its
 * shape: `Rsn/Cd` or `Rsn/Prtry`, then `AddtlInf` lines.
 */
export function reasonsOf(parent: XNode | undefined, element: string): StatusReason[] {
  return children(parent, element).map((n) =>
    compact({
      code: textAt(n, 'Rsn/Cd'),
      proprietary: textAt(n, 'Rsn/Prtry'),
      additionalInfo: children(n, 'AddtlInf').map((a) => a.text),
    }),
  );
}

/**
 * The amount an OrgnlTxRef quotes: interbank settlement amount for FI-to-FI originals, the
 * instructed (or equivalent) amount for a pain.001 original.
 */
export function originalTransactionAmount(ref: XNode | undefined): Amount | undefined {
  return amountAt(ref, 'IntrBkSttlmAmt') ?? amountAt(ref, 'Amt/InstdAmt') ?? amountAt(ref, 'Amt/EqvtAmt/Amt');
}
