// Secrets in image metadata: history commands (build arguments, URLs with passwords, tokens
// on command lines), ENV entries, labels and annotations. The same rules as for files find
// and report them; masking goes further than reporting, since this text is printed whole
// (a layer list, a check message): URL passwords, build-argument values and values under
// credential names are masked even when no rule reports them.

import type { CheckResult } from '../check.js';
import type { LayerRef } from '../../core/types.js';
import { maskLine, type Span } from './mask.js';
import { scanText } from './scan.js';

/** Names that say their value is a credential. */
export const SECRET_NAME = /(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential|access[_-]?key)/i;
/** Values that are no secret whatever their name: a reference, a path, a boolean, a small number, nothing. */
export const NOT_A_SECRET = /^(\$\{?\w+\}?|\/[\w./-]*|true|false|yes|no|none|null|\d{1,5}|)$/i;
/** Build-argument values shown as they are: the above, and versions (1.2.3, v20.11-alpine). */
const PLAIN_BUILD_ARG = /^v?\d{1,6}(?:\.\d{1,6}){0,3}(?:-[a-z][a-z0-9.]{0,15})?$/i;

/** Build arguments recorded before a RUN command: "|2 A=1 B=2 /bin/sh -c …" (BuildKit: "RUN |2 A=1 …"). */
const BUILD_ARGS = /^(?:RUN )?\|(\d{1,4}) /;
/** scheme://user:password@ — the password group. */
const URL_PASSWORD = /[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/[^\s:/@"'<>]{1,128}:(?<pw>[^\s/@"'<>]{1,256})@/dg;
/** NAME=value words on a command line; the value is quoted or runs to a blank. */
const ASSIGNMENT =
  /(?<![A-Za-z0-9_.-])(?<name>[A-Za-z_][A-Za-z0-9_.-]{0,127})=(?<value>"[^"\n]{0,4096}"|'[^'\n]{0,4096}'|[^\s"']{1,4096})/dg;

export type MetadataMode = 'command' | 'value';

/** Values masked although no rule reports them (URL passwords, build arguments, credential-named values). */
function unreportedSpans(text: string, mode: MetadataMode): Span[] {
  const spans: Span[] = [];
  for (const m of text.matchAll(URL_PASSWORD)) spans.push(m.indices!.groups!.pw!);
  if (mode === 'value') {
    const eq = text.indexOf('=');
    const name = text.slice(0, eq);
    const value = text.slice(eq + 1);
    if (eq > 0 && SECRET_NAME.test(name) && !NOT_A_SECRET.test(value.trim())) spans.push([eq + 1, text.length]);
    return spans;
  }
  const args = BUILD_ARGS.exec(text);
  let argCount = args ? Number(args[1]) : 0;
  let argsEnd = args ? args[0].length : 0;
  ASSIGNMENT.lastIndex = argsEnd;
  for (let m = ASSIGNMENT.exec(text); m !== null; m = ASSIGNMENT.exec(text)) {
    const [s, e] = m.indices!.groups!.value!;
    const value = m.groups!.value!.replace(/^["']|["']$/g, '');
    // The build arguments come first, one word each, right after "|N ".
    const buildArg = argCount > 0 && m.index === argsEnd;
    if (buildArg) {
      argCount--;
      argsEnd = e + 1;
    }
    if (NOT_A_SECRET.test(value)) continue;
    if ((buildArg && !PLAIN_BUILD_ARG.test(value)) || SECRET_NAME.test(m.groups!.name!)) spans.push([s, e]);
  }
  return spans;
}

export interface MetadataScan {
  /** Secret findings, located at the field (and layer) given. */
  results: CheckResult[];
  /** Raw value of each result, for de-duplication across fields; never for output. */
  values: string[];
  /** The text with every secret, URL password and credential-like value masked. */
  masked: string;
}

/** The secrets in one piece of metadata: a history command, or a NAME=value (ENV, label, annotation). */
export function scanMetadata(
  text: string,
  mode: MetadataMode,
  where: { path: string; field: string; layer?: LayerRef },
): MetadataScan {
  // Comments are scanned too (scanText skips them only in files): the classic builder writes
  // "/bin/sh -c #(nop) ENV …" for metadata steps, and a RUN line's comment is printed as well.
  const extra = unreportedSpans(text, mode);
  const found = scanText(where.path, text, {
    mode,
    field: where.field,
    ...(where.layer ? { layer: where.layer } : {}),
    alsoMask: extra,
  });
  const spans = [...found.spans, ...extra];
  return {
    results: found.results,
    values: found.values,
    masked: spans.length ? maskLine(text, spans, Infinity) : text,
  };
}

/** The text with whatever scanMetadata would mask masked: for any image text that is printed. */
export function maskMetadata(text: string, mode: MetadataMode = 'command'): string {
  return scanMetadata(text, mode, { path: '', field: '' }).masked;
}
