// Advisory ids and reference URLs as documents may carry them: where an id is published, and
// which URLs are safe to emit where a schema or a renderer needs a valid absolute URI.

/** Replaces unpaired surrogates, which no encoder accepts, with U+FFFD. */
export function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

// RFC 3986 characters allowed in a URI (less "[" and "]", legal only around an IPv6 host).
const URI_CHARS = /^[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]+$/;

/** The string if it is an absolute http(s) URL that is also a valid RFC 3986 URI, else undefined. */
export function safeUrl(s: string): string | undefined {
  if (!/^https?:\/\/[^/?#]/i.test(s) || !URI_CHARS.test(s) || /%(?![0-9A-Fa-f]{2})/.test(s)) return undefined;
  // no user info (an "@" before the host), at most one "#" (the fragment may not hold another)
  if (/^[^:]+:\/\/[^/?#]*@/.test(s) || s.split('#').length > 2) return undefined;
  try {
    return new URL(s).hostname ? s : undefined;
  } catch {
    return undefined;
  }
}

export interface IdSource {
  name: string;
  url: string;
}

/** The OSV page of an advisory id. */
export function osvPage(id: string): string {
  return `https://osv.dev/vulnerability/${encodeURIComponent(wellFormed(id))}`;
}

/** Where an advisory id is published, by its prefix. */
export function sourceOf(id: string): IdSource {
  const e = encodeURIComponent(wellFormed(id));
  if (/^CVE-/i.test(id)) return { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${e}` };
  if (/^GHSA-/i.test(id)) return { name: 'GitHub Advisory Database', url: `https://github.com/advisories/${e}` };
  if (/^GO-/.test(id)) return { name: 'Go Vulnerability Database', url: `https://pkg.go.dev/vuln/${e}` };
  return { name: 'OSV', url: osvPage(id) };
}
