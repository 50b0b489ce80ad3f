// java.util.Properties text (the format of Maven's pom.properties): ISO-8859-1, `#`/`!`
// comments, key ended by the first unescaped `=`, `:` or whitespace, a trailing odd
// backslash continuing the line, and backslash escapes including \uXXXX.

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 'f' ? '\f' : e;
  });
}

function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending: string | undefined;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = pending === undefined ? raw.replace(/^[ \t\f]+/, '') : pending + raw.replace(/^[ \t\f]+/, '');
    const trailing = /\\*$/.exec(line)![0].length;
    if (pending === undefined && /^[#!]/.test(line)) continue;
    if (trailing % 2 === 1) pending = line.slice(0, -1);
    else {
      pending = undefined;
      out.push(line);
    }
  }
  if (pending !== undefined) out.push(pending);
  return out;
}

export function parseProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const line of logicalLines(text)) {
    if (line === '') continue;
    const m = /^((?:\\.|[^\\=:\s])*)\s*[=:]?\s*(.*)$/s.exec(line)!;
    props.set(unescape(m[1]!), unescape(m[2]!));
  }
  return props;
}
