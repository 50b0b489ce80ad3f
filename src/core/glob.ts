// Image name globs for `registries`, `allow` and `deny`.
//
// Patterns are matched against whole strings such as "ghcr.io/acme/app" or
// "ghcr.io/acme/app:1.0" (components separated by "/"):
//   *     any run of characters within one component (never "/"); may be empty
//   **    any run of characters across components; as a whole component it also
//         matches no component at all: "a/**" matches "a", "a/b" and "a/b/c";
//         "**/b" matches "b" and "x/y/b"; "a/**/b" matches "a/b" and "a/x/y/b"
// Every other character is literal ("." "?" "[" "+" included); matching is
// case-sensitive (facts carry normalised, lowercase names).

const META = /[.*+?^${}()|[\]\\]/g;
const escape = (s: string) => s.replace(META, '\\$&');

/** Regular-expression source (unanchored) for one pattern. */
function globSource(pattern: string): string {
  // "**/**" is "**"; then split into literal text and runs of stars
  const parts = pattern.replace(/(^|\/)\*\*(?:\/\*\*)+(?=\/|$)/g, '$1**').split(/(\*+)/);
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (i % 2 === 0) {
      out += escape(p);
      continue;
    }
    if (p.length === 1) {
      out += '[^/]*';
      continue;
    }
    // "**": a whole component (bounded by "/" or the pattern's ends) may also match nothing
    const before = parts[i - 1]!;
    const after = parts[i + 1]!;
    const startsComponent = before === '' ? i === 1 : before.endsWith('/');
    const endsComponent = after === '' ? i === parts.length - 2 : after.startsWith('/');
    if (startsComponent && endsComponent && before !== '' && after !== '') {
      // a/**/b: "/" + any components + "/" or a single "/"
      out = out.slice(0, -1); // drop the "/" just written
      out += '/(?:.*/)?';
      parts[i + 1] = after.slice(1);
    } else if (startsComponent && endsComponent && before !== '') {
      out = out.slice(0, -1);
      out += '(?:/.*)?'; // trailing "/**"
    } else if (startsComponent && endsComponent && after !== '') {
      out += '(?:.*/)?'; // leading "**/"
      parts[i + 1] = after.slice(1);
    } else {
      out += '.*';
    }
  }
  return out;
}

function compileGlob(pattern: string): RegExp {
  return new RegExp(`^(?:${globSource(pattern)})$`, 's');
}

/** One expression for several patterns: matches when any does. */
export function compileGlobs(patterns: readonly string[]): RegExp {
  return patterns.length === 0 ? /(?!)/ : new RegExp(`^(?:${patterns.map(globSource).join('|')})$`, 's');
}

/**
 * Image patterns (`registries`, `allow`, `deny`): a pattern matches a name when it matches
 * the whole name or a leading run of its components, i.e. it covers what it names and
 * everything below: "127.0.0.1:5000" covers every repository there, "ghcr.io/acme" and
 * "ghcr.io/acme/*" both cover "ghcr.io/acme/app/sub" and "ghcr.io/acme/app:1.0".
 */
export function compilePatterns(patterns: readonly string[]): RegExp {
  return patterns.length === 0 ? /(?!)/ : new RegExp(`^(?:${patterns.map(globSource).join('|')})(?:/.*)?$`, 's');
}

export function globMatch(pattern: string, s: string): boolean {
  return compileGlob(pattern).test(s);
}
