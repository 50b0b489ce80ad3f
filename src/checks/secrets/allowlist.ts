// Values that look like secrets but are not: documented examples, placeholders, variable
// references, test-mode keys and trivially guessable strings. Every rule consults this one
// place, so a new placeholder convention is added here and nowhere else.

/** Exact example values published in vendor documentation. */
export const DOCUMENTED_EXAMPLES: ReadonlySet<string> = new Set([
  // AWS documentation's example access key pair.
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  // The Azure Storage emulator (Azurite) account key, the same in every installation.
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
  // OAuth 1.0 (RFC 5849) example consumer key and token.
  '0685bd9184jfhq22',
  'ad180jjd733klru7',
  // OAuth 2.0 (RFC 6749) example access and refresh tokens.
  '2YotnFZFEjr1zCsicMWpAA',
  'tGzv3JOkF0XG5Qx2TlKWIA',
]);

/** Case-insensitive fragments that mark a value as a placeholder wherever they occur. */
const PLACEHOLDER_FRAGMENTS: readonly string[] = [
  'example',
  'dummy',
  'changeme',
  'change_me',
  'change-me',
  'your_',
  'your-',
  'yourpass',
  'yoursecret',
  'yourtoken',
  'yourkey',
  'xxxx',
  'placeholder',
  'redacted',
  'replace_me',
  'replaceme',
  'replace-me',
  'insert_',
  'insert-',
  'sample',
  'notreal',
  'not_real',
  'not-a-real',
  'fake_',
  'fakefake',
  '****',
  '....',
];

/** Whole values (case-insensitive) that are words or defaults, not secrets. */
const PLACEHOLDER_VALUES: ReadonlySet<string> = new Set([
  'password',
  'passwd',
  'pass',
  'pwd',
  'secret',
  'token',
  'apikey',
  'api_key',
  'null',
  'nil',
  'none',
  'undefined',
  'true',
  'false',
  'yes',
  'no',
  'on',
  'off',
  'string',
  'str',
  'text',
  'value',
  'required',
  'optional',
  'empty',
  'blank',
  'hidden',
  'masked',
  'secure',
  'todo',
  'tbd',
  'test',
  'testing',
  'foo',
  'bar',
  'foobar',
  'qwerty',
  'letmein',
  'changeit', // the Java keystore default, documented as such
  'default',
  'keep',
  'unset',
]);

/**
 * Prefixes of keys that are public or inert by design: Stripe test-mode and publishable keys.
 * (sk_live_/rk_live_ are real; pk_live_ is meant to be shipped to browsers.)
 */
const NON_SECRET_PREFIXES: readonly string[] = ['sk_test_', 'rk_test_', 'pk_test_', 'pk_live_', 'whsec_test_'];

/** A reference or slot: ${VAR}, $VAR, $(cmd), %VAR%, {{ x }}, #{x}, @x@, <your key>, env(...), ENC(...). */
export function isVariableReference(value: string): boolean {
  const v = value.trim();
  if (/^\$\{[^}]*\}?$/.test(v) || /^\$\(.*\)?$/.test(v) || /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(v)) return true;
  if (v.includes('${') || v.includes('{{') || v.includes('}}') || v.includes('#{') || v.includes('$(')) return true;
  if (/^%[A-Za-z_][A-Za-z0-9_]*%$/.test(v) || /^@[A-Za-z_][A-Za-z0-9_]*@$/.test(v)) return true;
  if (/^%\([A-Za-z_][A-Za-z0-9_]*\)s$/.test(v)) return true;
  if (/^<.*>$/.test(v) || /<[A-Za-z][A-Za-z0-9 _.-]*>/.test(v)) return true;
  if (/^(?:env|enc|secret|vault|file)\(.*\)$/i.test(v)) return true;
  if (/^(?:process\.env|os\.environ|os\.getenv|env)[.[(]/i.test(v)) return true;
  return false;
}

/** All one character, a short repeated pattern ("abab…"), or a run like "12345678" / "abcdefgh". */
export function isTrivial(value: string): boolean {
  const v = value.toLowerCase();
  if (v.length === 0) return true;
  if (new Set(v).size <= 2) return true;
  for (let period = 3; period <= 4; period++) {
    if (
      v.length >= period * 3 &&
      v ===
        v
          .slice(0, period)
          .repeat(Math.ceil(v.length / period))
          .slice(0, v.length)
    )
      return true;
  }
  if (v.length >= 4 && /^[a-z0-9]+$/.test(v)) {
    let steps = 0;
    for (let i = 1; i < v.length; i++) {
      const d = v.charCodeAt(i) - v.charCodeAt(i - 1);
      if (d === 1 || d === -1) steps++;
    }
    if (steps >= (v.length - 1) * 0.8) return true;
  }
  return false;
}

/** Placeholder fragments or a variable reference anywhere in the value. */
export function hasPlaceholderMarks(value: string): boolean {
  const lower = value.toLowerCase();
  for (const f of PLACEHOLDER_FRAGMENTS) if (lower.includes(f)) return true;
  return isVariableReference(value);
}

/** True when a matched value must not be reported (example, placeholder, reference, trivial). */
export function isAllowlisted(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (DOCUMENTED_EXAMPLES.has(v)) return true;
  const lower = v.toLowerCase();
  if (PLACEHOLDER_VALUES.has(lower)) return true;
  for (const f of PLACEHOLDER_FRAGMENTS) if (lower.includes(f)) return true;
  for (const p of NON_SECRET_PREFIXES) if (lower.startsWith(p)) return true;
  if (isVariableReference(v)) return true;
  return isTrivial(v);
}

/** Base64 of readable prose ("this is not a real value"): a stand-in, not key material. */
export function isEncodedProse(value: string): boolean {
  if (value.length < 16 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return false;
  const text = Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64').toString(
    'latin1',
  );
  return /^[A-Za-z0-9 ,.'!?:-]+$/.test(text) && /[a-z]{2,} [a-z]{2,}/i.test(text);
}

/** A documented example JWT: jwt.io's default token (sub "1234567890", name "John Doe"). */
export function isExampleJwtPayload(payload: Record<string, unknown>): boolean {
  return payload.sub === '1234567890' && payload.name === 'John Doe';
}
