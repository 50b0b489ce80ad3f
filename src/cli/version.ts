import { Command } from 'commander';
import { BulwarkError, isBulwarkError } from '../core/errors.js';
import { OSV_NAMES, schemeFor } from '../ecosystems/index.js';
import type { VersionScheme } from '../versions/scheme.js';

const FLUSH_AT = 1 << 16;

/**
 * Reads "A<TAB>B" lines and writes -1, 0 or 1 a line. Output is written in blocks; on a bad line
 * the results before it are written, then the error names the line.
 */
export async function compareLines(
  scheme: VersionScheme,
  input: AsyncIterable<string | Buffer>,
  out: NodeJS.WritableStream,
): Promise<void> {
  let pending = '';
  let lineNo = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const block = pending;
    pending = '';
    await new Promise<void>((resolve, reject) => out.write(block, (e) => (e ? reject(e) : resolve())));
  };
  const line = (text: string, start: number, end: number): void => {
    lineNo++;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    const tab = text.indexOf('\t', start);
    if (tab < 0 || tab >= end)
      throw new BulwarkError('CORRUPT', `stdin:${lineNo}`, 'expected two versions separated by a tab');
    const b = text.slice(tab + 1, end);
    if (b.includes('\t')) throw new BulwarkError('CORRUPT', `stdin:${lineNo}`, 'more than one tab');
    let r: number;
    try {
      r = scheme.compare(text.slice(start, tab), b);
    } catch (e) {
      throw isBulwarkError(e) ? new BulwarkError(e.code, `stdin:${lineNo}`, e.message, { cause: e }) : e;
    }
    pending += r === 0 ? '0\n' : r < 0 ? '-1\n' : '1\n';
  };
  try {
    let rest = '';
    for await (const chunk of input) {
      const text = rest + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        line(text, start, nl);
        start = nl + 1;
      }
      rest = text.slice(start);
      if (pending.length >= FLUSH_AT) await flush();
    }
    // a last line without a newline still counts; a final newline adds no line
    if (rest.length > 0) line(rest, 0, rest.length);
  } finally {
    await flush();
  }
}

export function versionCommand(): Command {
  const version = new Command('version').description('compare versions the way each ecosystem orders them');
  version
    .command('compare')
    .description('read "A<TAB>B" lines on stdin; print -1, 0 or 1 for each (A older, equal, newer)')
    .requiredOption(
      '--ecosystem <name>',
      `OSV ecosystem: ${OSV_NAMES.join(', ')} (a release suffix such as "Debian:12" is allowed)`,
    )
    .addHelpText(
      'after',
      "\nExample:\n  printf '1.0~rc1\\t1.0\\n1:1.0\\t2.0\\n' | bulwark version compare --ecosystem Debian\n  -1\n  1",
    )
    .action(async (f: { ecosystem: string }) => {
      const scheme = schemeFor(f.ecosystem);
      if (!scheme) throw new BulwarkError('USAGE', f.ecosystem, `unknown ecosystem (known: ${OSV_NAMES.join(', ')})`);
      process.stdin.setEncoding('utf8');
      await compareLines(scheme, process.stdin, process.stdout);
    });
  return version;
}
