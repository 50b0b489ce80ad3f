// Licence strings as package databases record them -> SPDX ids and expressions, or plain names.
// The SPDX list is the one @cyclonedx/cyclonedx-library ships (its schema's enum), so CycloneDX
// validation and our own notion of "a valid id" can never disagree. That list mixes licence and
// exception ids, so an exception used as a licence (or the reverse) is not caught.
import { SPDX } from '@cyclonedx/cyclonedx-library';
import { UniqueIds, idString } from './common.js';

const LICENSE_REF = /^LicenseRef-[A-Za-z0-9.-]+$/;
const TOKENS = /\(|\)|[^\s()]+/g;

/** The list's spelling of an id, matched case-insensitively. */
function listed(token: string): string | undefined {
  // fixupSpdxId looks ids up in a plain object: "__proto__" and "constructor" come back as non-strings.
  const id: unknown = SPDX.fixupSpdxId(token);
  return typeof id === 'string' && SPDX.isSupportedSpdxId(id) ? id : undefined;
}

/** Canonical list id; "X+" becomes "X-or-later" only where that id exists, else "X+" on a listed X. */
export function spdxId(token: string): string | undefined {
  if (!token.endsWith('+')) return listed(token);
  const base = token.slice(0, -1);
  const id = listed(base);
  return listed(`${base}-or-later`) ?? (id ? `${id}+` : undefined);
}

/**
 * Rewrites an SPDX expression leaf by leaf; undefined when the syntax is not SPDX's or a leaf is refused.
 * Operators are matched in any case (Debian writes "or") and written in upper case; parentheses are kept.
 */
function rewrite(text: string, leaf: (token: string) => string | undefined): string | undefined {
  const t = text.match(TOKENS) ?? [];
  let i = 0;
  const op = (name: string): boolean => (t[i]?.toUpperCase() === name ? (i++, true) : false);
  const isOp = (s: string | undefined): boolean => ['AND', 'OR', 'WITH'].includes(s?.toUpperCase() ?? '');
  const binary = (name: string, next: () => string | undefined) => (): string | undefined => {
    let left = next();
    while (left !== undefined && op(name)) {
      const right = next();
      left = right === undefined ? undefined : `${left} ${name} ${right}`;
    }
    return left;
  };
  const simple = (): string | undefined => {
    if (op('(')) {
      const inner = or();
      return inner !== undefined && op(')') ? `(${inner})` : undefined;
    }
    const tok = t[i++];
    if (tok === undefined || tok === ')' || isOp(tok)) return undefined;
    const id = leaf(tok);
    if (id === undefined || !op('WITH')) return id;
    const exc = t[i++];
    const excId = exc !== undefined && !exc.endsWith('+') ? listed(exc) : undefined;
    return excId ? `${id} WITH ${excId}` : undefined;
  };
  const or = binary('OR', binary('AND', simple));
  const out = or();
  return out !== undefined && i === t.length ? out : undefined;
}

/** LicenseRef-… ids for licence texts not on the SPDX list; each becomes a hasExtractedLicensingInfos entry. */
export class LicenseRefs {
  readonly #byText = new Map<string, string>();
  readonly #ids = new UniqueIds();

  ref(text: string): string {
    let id = this.#byText.get(text);
    if (id === undefined) {
      id = this.#ids.take(LICENSE_REF.test(text) ? text : `LicenseRef-${idString(text.replace(/\+/g, '-plus-'), 64)}`);
      this.#byText.set(text, id);
    }
    return id;
  }

  entries(): { licenseId: string; name: string; extractedText: string; comment: string }[] {
    return [...this.#byText].map(([text, licenseId]) => ({
      licenseId,
      name: text,
      extractedText: text,
      comment: 'Licence name as the package database records it; the licence text was not extracted.',
    }));
  }
}

function distinct(licenses: string[]): string[] {
  return [...new Set(licenses.map((s) => s.trim()).filter(Boolean))];
}

/** Several licence strings of one package all apply: AND them, bracketing compound parts. */
function andAll(parts: string[]): string {
  return parts.length === 1 ? parts[0]! : parts.map((p) => (p.includes(' ') ? `(${p})` : p)).join(' AND ');
}

/** SPDX licenseDeclared: several strings are ANDed; unknown names become LicenseRefs; none is NOASSERTION. */
export function spdxDeclared(licenses: string[], refs: LicenseRefs): string {
  // Check the syntax first, so a string that falls back whole leaves no stray refs for its words.
  const parts = distinct(licenses).map((s) =>
    rewrite(s, (tok) => spdxId(tok) ?? 'LicenseRef-x') === undefined
      ? refs.ref(s)
      : rewrite(s, (tok) => spdxId(tok) ?? refs.ref(tok))!,
  );
  return parts.length === 0 ? 'NOASSERTION' : andAll(parts);
}

export type CdxLicenses = { expression: string } | { licenses: ({ id: string } | { name: string })[] };

/** CycloneDX licences: one expression when every string is SPDX and one is compound, else ids and names. */
export function cdxLicenses(licenses: string[]): CdxLicenses {
  const items = distinct(licenses).map((text) => ({ text, spdx: rewrite(text, spdxId) }));
  const isId = (s: string | undefined): s is string => s !== undefined && SPDX.isSupportedSpdxId(s);
  if (items.length > 0 && items.every((x) => x.spdx !== undefined) && !items.every((x) => isId(x.spdx))) {
    return { expression: andAll(items.map((x) => x.spdx!)) };
  }
  return { licenses: items.map((x) => (isId(x.spdx) ? { id: x.spdx } : { name: x.text })) };
}
