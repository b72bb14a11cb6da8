// The one place where element renames across versions live. Each field lists, oldest first, the
// version from which a path applies. Reading is tolerant: the path of the document's own version
// is tried first and the other versions' paths after it, so a bank that puts `BIC` inside a .04
// statement is still read, and the mapper flags it as VERSION_ELEMENT. No mapper compares version
// numbers itself.

export type Family = 'camt' | 'pacs' | 'pain';

export type Field =
  | 'agentBic' // FinInstnId/BIC → BICFI
  | 'partyBic' // OrgId/BICOrBEI → AnyBIC
  | 'entryStatus' // Ntry/Sts → Sts/Cd
  | 'relatedDebtor' // RltdPties/Dbtr → Dbtr/Pty
  | 'relatedCreditor'
  | 'relatedUltimateDebtor'
  | 'relatedUltimateCreditor'
  | 'detailsAmount' // TxDtls/AmtDtls/TxAmt/Amt (v02) → TxDtls/Amt
  | 'requestedExecutionDate' // ReqdExctnDt → ReqdExctnDt/Dt (and /DtTm)
  | 'uetr' // Refs/UETR, PmtId/UETR
  | 'transactionStatus' // TxSts (a code) → TxSts (unchanged so far, kept for completeness)
  | 'statusOriginalGroup' // pacs.002 TxInfAndSts/OrgnlGrpInf (v06+; before, only the root's OrgnlGrpInfAndSts)
  | 'statusUetr' // pacs.002 / pain.002 TxInfAndSts/OrgnlUETR
  | 'returnUetr' // pacs.004 TxInf/OrgnlUETR
  | 'cancellationUetr' // camt.056 Undrlyg/TxInf/OrgnlUETR
  | 'resolutionUetr'; // camt.029 CxlDtls/TxInfAndSts/OrgnlUETR

type Rules = readonly (readonly [since: number, path: string])[];

const TABLE: Readonly<Record<Family, Partial<Record<Field, Rules>>>> = {
  camt: {
    agentBic: [[1, 'FinInstnId/BIC'], [3, 'FinInstnId/BICFI']],
    partyBic: [[1, 'Id/OrgId/BICOrBEI'], [3, 'Id/OrgId/AnyBIC']],
    entryStatus: [[1, 'Sts'], [7, 'Sts/Cd']],
    relatedDebtor: [[1, 'Dbtr'], [7, 'Dbtr/Pty']],
    relatedCreditor: [[1, 'Cdtr'], [7, 'Cdtr/Pty']],
    relatedUltimateDebtor: [[1, 'UltmtDbtr'], [7, 'UltmtDbtr/Pty']],
    relatedUltimateCreditor: [[1, 'UltmtCdtr'], [7, 'UltmtCdtr/Pty']],
    detailsAmount: [[1, 'AmtDtls/TxAmt/Amt'], [3, 'Amt']],
    uetr: [[8, 'Refs/UETR']],
    // The original UETR came with ISO's 2019 release: camt.056.001.08 and camt.029.001.09.
    cancellationUetr: [[8, 'OrgnlUETR']],
    resolutionUetr: [[9, 'OrgnlUETR']],
  },
  pacs: {
    agentBic: [[1, 'FinInstnId/BIC'], [4, 'FinInstnId/BICFI']],
    partyBic: [[1, 'Id/OrgId/BICOrBEI'], [4, 'Id/OrgId/AnyBIC']],
    uetr: [[8, 'PmtId/UETR']],
    transactionStatus: [[1, 'TxSts']],
    // pacs.002 up to .05 names the original message only once, in the root's OrgnlGrpInfAndSts.
    statusOriginalGroup: [[6, 'OrgnlGrpInf']],
    // 2019 release: pacs.002.001.10 and pacs.004.001.09 (pacs.002.001.09 has no OrgnlUETR).
    statusUetr: [[10, 'OrgnlUETR']],
    returnUetr: [[9, 'OrgnlUETR']],
  },
  pain: {
    agentBic: [[1, 'FinInstnId/BIC'], [4, 'FinInstnId/BICFI']],
    partyBic: [[1, 'Id/OrgId/BICOrBEI'], [4, 'Id/OrgId/AnyBIC']],
    requestedExecutionDate: [[1, 'ReqdExctnDt'], [8, 'ReqdExctnDt/Dt']],
    uetr: [[9, 'PmtId/UETR']],
    transactionStatus: [[1, 'TxSts']],
    statusUetr: [[10, 'OrgnlUETR']],
  },
};

export interface FieldPaths {
  /** The path this version defines (undefined: the field does not exist in this version). */
  readonly own: string | undefined;
  /** All candidate paths, own first, then the other versions' from newest to oldest. */
  readonly candidates: readonly string[];
  /** The candidates split into element names, once, for the readers' hot path. */
  readonly steps: readonly (readonly string[])[];
}

export type FieldTable = ReadonlyMap<Field, FieldPaths>;

const tables = new Map<string, Map<Field, FieldPaths>>();

/** The table resolved for one version, built once and shared by every message of that version. */
export function fieldTable(family: Family, version: number): FieldTable {
  const key = `${family}/${version}`;
  let table = tables.get(key);
  if (table === undefined) {
    table = new Map();
    for (const [field, rules] of Object.entries(TABLE[family])) table.set(field as Field, resolve(rules, version));
    tables.set(key, table);
  }
  return table;
}

const NONE: FieldPaths = { own: undefined, candidates: [], steps: [] };

export function fieldPaths(family: Family, version: number, field: Field): FieldPaths {
  return fieldTable(family, version).get(field) ?? NONE;
}

function resolve(rules: Rules, version: number): FieldPaths {
  let own: string | undefined;
  for (const [since, path] of rules) if (since <= version) own = path;
  const others = rules.map(([, p]) => p).filter((p) => p !== own).reverse();
  const candidates = own === undefined ? others : [own, ...others];
  return { own, candidates, steps: candidates.map((c) => c.split('/')) };
}

export function familyOf(type: string): Family {
  return type.startsWith('camt') ? 'camt' : type.startsWith('pacs') ? 'pacs' : 'pain';
}
