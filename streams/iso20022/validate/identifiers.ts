// Identifier rules: IBAN, BIC and UETR. All three are warnings, never rejections: bank samples and
// test files carry IBANs that fail mod-97 and placeholder BICs, and a statement with a bad
// counterparty IBAN still tells the truth about the money on the account.

import { getCountrySpecifications, validateIBAN, ValidationErrorsIBAN } from 'ibantools';
import { finding, type Finding } from '../findings.ts';
import type { AccountRef, AgentRef, PartyRef } from '../model.ts';
import { join, NONE, ownPath, type Scope } from './scope.ts';

/** `BICIdentifier` (until 2014): the 7th character is never 0 or 1, the 8th never O. */
const BIC_PRE_2014 = /^[A-Z]{6}[A-Z2-9][A-NP-Z0-9](?:[A-Z0-9]{3})?$/;
/** `BICFIDec2014Identifier` / `AnyBICDec2014Identifier`: the bank code may hold digits. */
const BIC_2014 = /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$/;
/** `UUIDv4Identifier`: lowercase, version 4, RFC 4122 variant. */
const UETR = /^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$/;

/** Why an IBAN is invalid, as a sentence, or undefined when ibantools accepts it (QR-IBANs included). */
export function ibanProblem(iban: string): string | undefined {
  if (!/^[A-Z0-9]+$/.test(iban)) return `IBAN '${iban}' is not in electronic format (upper-case letters and digits only)`;
  const result = validateIBAN(iban, { allowQRIBAN: true });
  if (result.valid) return undefined;
  const country = iban.slice(0, 2);
  const has = (e: ValidationErrorsIBAN) => result.errorCodes.includes(e);
  if (has(ValidationErrorsIBAN.NoIBANCountry)) return `IBAN '${iban}' starts with '${country}', which is not an IBAN country`;
  if (has(ValidationErrorsIBAN.WrongBBANLength)) {
    const expected = getCountrySpecifications()[country]?.chars;
    return `IBAN '${iban}' has ${iban.length} characters; ${country} IBANs have ${expected ?? 'another number of'}`;
  }
  if (has(ValidationErrorsIBAN.WrongBBANFormat)) return `IBAN '${iban}' does not have the account number format of ${country}`;
  if (has(ValidationErrorsIBAN.WrongAccountBankBranchChecksum)) return `IBAN '${iban}' has wrong national check digits`;
  return `IBAN '${iban}' fails the mod-97 check`;
}

/**
 * Statements repeat the same few IBANs (the account, regular counterparties): verdicts are kept, up
 * to a bound, so a 100 MB statement does not run mod-97 a million times.
 */
const ibanVerdicts = new Map<string, string | null>();
const IBAN_VERDICTS_MAX = 10_000;

function cachedIbanProblem(iban: string): string | undefined {
  // One lookup per IBAN seen before (a valid one is kept as null, not undefined).
  const known = ibanVerdicts.get(iban);
  if (known !== undefined) return known ?? undefined;
  // Full: the oldest verdict goes (a Map iterates in insertion order). Clearing the whole cache
  // instead made every account recompute once per cycle when a little over the bound are in use
  // (10,000 accounts and their counterparties in bench/ingest).
  if (ibanVerdicts.size >= IBAN_VERDICTS_MAX) ibanVerdicts.delete(ibanVerdicts.keys().next().value!);
  const problem = ibanProblem(iban);
  ibanVerdicts.set(iban, problem ?? null);
  return problem;
}

export function checkIban(iban: string, path: string): readonly Finding[] {
  const problem = cachedIbanProblem(iban);
  return problem === undefined ? NONE : [finding('IBAN_INVALID', path, problem)];
}

/** Either BIC pattern is accepted: which one a version's schema uses is not the sender's concern here. */
export function isBic(bic: string): boolean {
  return BIC_PRE_2014.test(bic) || BIC_2014.test(bic);
}

export function checkBic(bic: string, path: string): readonly Finding[] {
  if (isBic(bic)) return NONE;
  return [finding('BIC_INVALID', path, `'${bic}' is not a BIC (8 or 11 characters: bank, country, location, optional branch)`)];
}

export function isUetr(uetr: string): boolean {
  return UETR.test(uetr);
}

export function checkUetr(uetr: string | undefined, path: string): readonly Finding[] {
  if (uetr === undefined || isUetr(uetr)) return NONE;
  return [finding('UETR_INVALID', path, `UETR '${uetr}' is not a lowercase version 4 UUID`)];
}

/** An account element (`DbtrAcct`, `Acct` ...): its IBAN, when it has one. */
export function checkAccount(account: AccountRef | undefined, path: string): readonly Finding[] {
  return account?.iban === undefined ? NONE : checkIban(account.iban, join(path, 'Id/IBAN'));
}

/** An agent element (`DbtrAgt`, `Svcr` ...): its BIC, at this version's element name. */
export function checkAgent(scope: Scope, agent: AgentRef | undefined, path: string): readonly Finding[] {
  return agent?.bic === undefined ? NONE : checkBic(agent.bic, join(path, ownPath(scope, 'agentBic', 'FinInstnId/BICFI')));
}

/** A party element (`Dbtr`, `Cdtr` ...): its organisation BIC (BICOrBEI / AnyBIC). */
export function checkParty(scope: Scope, party: PartyRef | undefined, path: string): readonly Finding[] {
  return party?.bic === undefined ? NONE : checkBic(party.bic, join(path, ownPath(scope, 'partyBic', 'Id/OrgId/AnyBIC')));
}
