// Licences from a Debian copyright file. Machine-readable (DEP-5) files name them in
// "License:" fields; older free-form files usually point at /usr/share/common-licenses.

const COMMON = /\/usr\/share\/common-licenses\/([A-Za-z0-9.+-]+)/g;

export function licencesFromCopyright(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/^License:[ \t]*(\S[^\n]*)$/gm)) {
    const name = m[1]!.trim();
    if (name) found.add(name);
  }
  if (found.size === 0) {
    for (const m of text.matchAll(COMMON)) found.add(m[1]!.replace(/\.$/, ''));
  }
  return [...found];
}
