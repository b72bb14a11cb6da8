// The `deltran` command as a user runs it: a child process, real files, exit statuses and output.

import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, sample } from '../helpers/shared.ts';

const BIN = join(REPO, 'adapters', 'cli', 'deltran.js');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: REPO }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? -1), stdout, stderr });
    });
  });
}

test('--help works on the command and every subcommand', async (t) => {
  for (const args of [['--help'], ['parse', '--help'], ['start', '--help']]) {
    const r = await run(args);
    t.is(r.code, 0, args.join(' '));
    t.regex(r.stdout, /Usage: deltran/);
  }
});

test('parse --json prints one object per message with the summary figures', async (t) => {
  const r = await run(['parse', '--json', sample('camt.053/dk-camt053-v02-gesamtbeispiel.xml'), sample('pacs.008/fedwire-pacs008-v08-variation5-fx-charges.xml')]);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.is(lines.length, 2);
  t.like(lines[0], {
    type: 'camt.053',
    version: 'camt.053.001.02',
    messageId: '27632364572',
    summary: { entries: 7, credits: { EUR: '259895.60' }, debits: { EUR: '101478.00' } },
  });
  t.like(lines[1], {
    type: 'pacs.008',
    version: 'pacs.008.001.08',
    summary: { transactions: 1, total: { USD: '1009858.99' } },
  });
  t.true(Array.isArray(lines[0].errors) && Array.isArray(lines[0].warnings));
  t.is(r.code, lines.every((l) => l.ok) ? 0 : 1);
});

test('exit 1 when a message has an error, with the code and path in the output', async (t) => {
  const r = await run(['parse', '--json', sample('invalid/moov-pain002-no-namespace.xml')]);
  t.is(r.code, 1);
  const line = JSON.parse(r.stdout.trim());
  t.false(line.ok);
  t.is(line.type, 'pain.002');
  t.deepEqual(line.errors.map((e: { code: string }) => e.code), ['NAMESPACE_MISSING']);
});

test('exit 2 on an unreadable file and on a usage error', async (t) => {
  const missing = await run(['parse', '--json', '/nonexistent/file.xml']);
  t.is(missing.code, 2);
  t.is(JSON.parse(missing.stdout.trim()).errors[0].code, 'INPUT_UNREADABLE');
  t.is((await run(['parse'])).code, 2);
  t.is((await run(['parse', '--no-such-flag', 'x.xml'])).code, 2);
});

test('not XML, truncated XML and an unknown document give clear codes, never a stack trace', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'deltran-cli-'));
  const files = {
    'plain.txt': 'this is not xml at all\n',
    'cut.xml': '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>A',
    'pacs003.xml': '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.003.001.08"><FIToFICstmrDrctDbt/></Document>',
  };
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  const r = await run(['parse', '--json', ...Object.keys(files).map((f) => join(dir, f))]);
  t.is(r.code, 1);
  t.notRegex(r.stderr, /at .*\.ts:\d+/);
  const codes = r.stdout.trim().split('\n').map((l) => JSON.parse(l).errors[0].code);
  t.deepEqual(codes, ['XML_MALFORMED', 'XML_MALFORMED', 'MESSAGE_UNSUPPORTED']);
});

test('the human table names type, version, id, figures and findings', async (t) => {
  const r = await run(['parse', sample('camt.054/cbpr-camt054-v12-c5431-BtoA.xml')]);
  t.regex(r.stdout, /camt\.054\.001\.12/);
  t.regex(r.stdout, /entries=1/);
  t.regex(r.stdout, /JPY 165486600/);
  t.regex(r.stdout, /APPHDR_MISMATCH/);
});
