// `deltran parse FILE...`: reads each file with the streaming reader and validator and prints a
// short table per message, or one JSON object per message with --json. Exit status: 0 when every
// message is ok, 1 when any has an error, 2 on a usage error or an unreadable file.

import { Command, Option } from 'commander';
import { formatFinding, type Finding } from '../../streams/iso20022/findings.ts';
import { readFile, type ReadResult } from '../../streams/iso20022/reader.ts';
import type { TokenizerKind } from '../../streams/iso20022/xml/tokenizer.ts';

interface ParseOptions {
  json?: boolean;
  tokenizer?: TokenizerKind;
}

export function parseCommand(): Command {
  return new Command('parse')
    .description('read ISO 20022 files, validate them and print one summary per message')
    .argument('<files...>', 'XML files (camt.052/053/054/056/029, pacs.002/004/008/009, pain.001/002)')
    .option('--json', 'one JSON object per message, one per line')
    .addOption(new Option('--tokenizer <kind>', 'XML tokenizer').choices(['fast', 'saxes', 'sax']))
    .action(async (files: string[], opts: ParseOptions) => {
      process.exitCode = await parseFiles(files, opts, (line) => process.stdout.write(line + '\n'));
    });
}

export async function parseFiles(files: string[], opts: ParseOptions, out: (line: string) => void): Promise<number> {
  let status = 0;
  for (const file of files) {
    const results = await readFile(file, {
      keepRecords: false,
      ...(opts.tokenizer === undefined ? {} : { tokenizer: opts.tokenizer }),
    });
    for (const r of results) {
      if (r.findings.some((f) => f.code === 'INPUT_UNREADABLE')) status = 2;
      else if (!r.ok && status === 0) status = 1;
      out(opts.json === true ? JSON.stringify(jsonLine(file, r)) : humanBlock(file, r));
    }
  }
  return status;
}

function jsonLine(file: string, r: ReadResult) {
  const view = (f: Finding) => ({ code: f.code, path: f.path, message: f.message });
  return {
    file,
    index: r.index,
    type: r.type,
    version: r.version,
    messageId: r.messageId,
    ok: r.ok,
    errors: r.findings.filter((f) => f.severity === 'error').map(view),
    warnings: r.findings.filter((f) => f.severity === 'warning').map(view),
    summary: r.summary,
  };
}

function humanBlock(file: string, r: ReadResult): string {
  const lines = [
    `${r.ok ? 'OK  ' : 'FAIL'} ${file}${r.index > 0 ? ` #${r.index}` : ''}`,
    `     ${r.version ?? r.type ?? 'unknown'}  id=${r.messageId ?? '-'}  ${summaryText(r)}`,
  ];
  for (const f of r.findings) lines.push(`     ${f.severity === 'error' ? 'error  ' : 'warning'} ${formatFinding(f)}`);
  return lines.join('\n');
}

function summaryText(r: ReadResult): string {
  const s = r.summary;
  if (s === null) return '';
  const money = (m: Record<string, string>) => Object.entries(m).map(([c, v]) => `${c} ${v}`).join(', ') || '-';
  if ('entries' in s) return `entries=${s.entries}  credits: ${money(s.credits)}  debits: ${money(s.debits)}`;
  if ('total' in s) return `transactions=${s.transactions}  total: ${money(s.total)}`;
  const st = Object.entries(s.statuses).map(([k, v]) => `${k}×${v}`).join(' ');
  return `transactions=${s.transactions}${s.groupStatus === undefined ? '' : `  group=${s.groupStatus}`}  ${st}`;
}
