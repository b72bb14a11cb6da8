// Validation of written XML against the official XSD with xmllint (an independent checker). In CI
// a missing xmllint fails the test (.ci/run installs libxml2-utils); elsewhere it says loudly that
// the check was skipped.

import type { ExecutionContext } from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XSD } from './shared.ts';

const XMLLINT = 'xmllint';
const HAVE_XMLLINT = spawnSync(XMLLINT, ['--version'], { stdio: 'ignore' }).error === undefined;
const TMP = mkdtempSync(join(tmpdir(), 'deltran-xsd-'));
// Not an ava hook: hooks must be declared synchronously by the test file, and a helper imported
// beside a module with top-level await (test/adapters/db/engines.ts) would declare it too late.
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));
let fileNo = 0;

/** `version`: the message version whose XSD judges `xml`, e.g. `pacs.002.001.10`. */
export function assertXsdValid(t: ExecutionContext, xml: string, version: string): void {
  if (!HAVE_XMLLINT) {
    if (process.env['CI'] === 'true') {
      t.fail('xmllint is not installed but CI=true: the XSD check must run in CI (.ci/run installs libxml2-utils)');
    } else {
      t.log(`*** XSD CHECK SKIPPED: xmllint not found, ${version} output NOT validated (apt-get install libxml2-utils) ***`);
      t.pass();
    }
    return;
  }
  const file = join(TMP, `${version}-${fileNo++}.xml`);
  writeFileSync(file, xml, 'utf8');
  try {
    execFileSync(XMLLINT, ['--noout', '--nonet', '--schema', join(XSD, `${version}.xsd`), file], { stdio: 'pipe' });
    t.pass();
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? err);
    t.fail(`xmllint rejects the ${version} output:\n${stderr}\n${xml}`);
  }
}
