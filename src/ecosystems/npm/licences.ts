// package.json licences come in four shapes over npm's history: "MIT" (or an SPDX
// expression), { type: "MIT" }, and the legacy arrays of either ("licenses").

function one(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (v && typeof v === 'object' && 'type' in v && typeof v.type === 'string') return v.type.trim() || undefined;
  return undefined;
}

function many(v: unknown): string[] {
  const items = Array.isArray(v) ? v : [v];
  return items.map(one).filter((s): s is string => s !== undefined);
}

/** The licences a package.json (or a lockfile entry copied from it) declares; unknown shapes give none. */
export function npmLicences(license: unknown, licenses?: unknown): string[] {
  const out = [...many(license), ...many(licenses)];
  return [...new Set(out)];
}
