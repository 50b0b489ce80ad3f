// The secret rule table. A rule is a cheap keyword prefilter, one regex whose named group
// "secret" is the value, and an optional structural check. Regexes use no nested
// quantifiers, bounded repetition and literal anchors, so each runs in linear time.
//
// Token formats (prefixes, lengths, checksums) are those the vendors document.

import type { CheckInfo } from '../check.js';
import type { Stride } from '../../core/threat.js';
import type { Severity } from '../../core/types.js';
import {
  DOCUMENTED_EXAMPLES,
  hasPlaceholderMarks,
  isAllowlisted,
  isEncodedProse,
  isExampleJwtPayload,
} from './allowlist.js';
import { fileKinds, type FileKind } from './paths.js';
import {
  charClasses,
  decodeBasicAuth,
  decodeStrictBase64,
  hasValidTokenChecksum,
  isPyPiMacaroon,
  isSignedJwt,
  jwtPayload,
  shannonEntropy,
} from './validators.js';

export type SecretFamily =
  | 'private-key'
  | 'aws'
  | 'gcp'
  | 'azure'
  | 'github'
  | 'gitlab'
  | 'slack'
  | 'stripe'
  | 'npm'
  | 'pypi'
  | 'docker-hub'
  | 'jwt'
  | 'config-password'
  | 'generic';

/**
 * How text is read: a file; a command line from image history (an unquoted value ends at a
 * blank; comments are shown, so they are scanned too); a NAME=value line (ENV, label,
 * annotation) whose value runs to the end of the line. Outside files a bare value is a literal.
 */
export type TextMode = 'file' | 'command' | 'value';

/** What a rule's validate sees besides the value. */
export interface SecretContext {
  path: string;
  mode: TextMode;
  /** The whole decoded file. */
  text: string;
  /** Offsets of the whole match in `text`. */
  start: number;
  end: number;
  /** The regex's named groups. */
  groups: Readonly<Record<string, string | undefined>>;
}

export interface SecretRule {
  id: string;
  family: SecretFamily;
  title: string;
  severity: Severity;
  stride: Stride;
  attack: string;
  /** Lower-case substrings; the regex runs only on content containing one of them. */
  keywords: readonly string[];
  /**
   * Global, with indices ('gd'). Named groups: "secret" the value; optional "key" the key
   * it is assigned to (reported as the location's field), "kind" a label used instead.
   */
  regex: RegExp;
  validate?(secret: string, context: SecretContext): boolean;
  /**
   * For rules whose "secret" group runs to the end of the line: the length of the value
   * proper (closing quote, trailing comment and blanks cut), or 0 to drop the match.
   * Such a regex must end with its "secret" group.
   */
  valueLength?(raw: string, context: SecretContext): number;
  /** Matches on comment lines (#, ;, //, !, inside <!-- -->) are examples, not settings: skip them. */
  skipComments?: boolean;
  /**
   * The regex runs only within `within` characters of a match of `near.regex` (global) that
   * `accept` takes: a pair whose halves are each too common alone, such as an AWS key ID and
   * a 40-character secret key. Windows are merged, so the cost stays linear in the file.
   */
  near?: { regex: RegExp; within: number; accept?(anchor: string): boolean };
  /** Limits the rule to files of this kind (see fileKinds); any text file when absent. */
  scope?: FileKind;
  /** Overlapping matches keep the highest priority: generic 0, config 1–2, formats 3, composites 4. */
  priority: number;
  description: string;
  remediation: string;
}

const FILES = 'T1552.001';
const KEYS = 'T1552.004';
const ID = 'InformationDisclosure' as const;

/** Assignment operator between a key and its value: = : := => with optional quotes and blanks. */
const ASSIGN = `["'\`]?[ \\t]*(?::=|=>|[:=])[ \\t]*`;

function strongRandom(value: string, minEntropy: number): boolean {
  const c = charClasses(value);
  const classes = Number(c.lower) + Number(c.upper) + Number(c.digit);
  return classes >= 2 && shannonEntropy(value) >= minEntropy && !isAllowlisted(value);
}

const AWS_KEY_ID = /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Z0-9])/g;

/** aws_secret_access_key, AWS_SECRET_KEY, aws_secret, SecretAccessKey, secret-access-key, … */
const AWS_SECRET_KEY_NAME = /(?:aws[_-]?secret(?:[_-]?access)?(?:[_-]?key)?|secret[_-]?access[_-]?key)$/i;

function awsSecretKey(v: string): boolean {
  const c = charClasses(v);
  return c.lower && c.upper && c.digit && shannonEntropy(v) >= 4 && !isAllowlisted(v);
}

/** A value that imitates a checksummed token format but fails its checksum or structure. */
function failedKnownFormat(v: string): boolean {
  const gh = /^(gh[pousr]_)[A-Za-z0-9]{36}$/.exec(v);
  if (gh) return !hasValidTokenChecksum(v, gh[1]!);
  if (/^npm_[A-Za-z0-9]{36}$/.test(v)) return !hasValidTokenChecksum(v, 'npm_');
  if (/^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(v)) return !isSignedJwt(v);
  if (v.startsWith('pypi-Ag')) return !isPyPiMacaroon(v);
  return false;
}

/**
 * End of a config value that runs to the end of the line: for a quoted value, up to the
 * closing quote (backslash escapes skipped; none on the line drops the match); on a command
 * line, up to a blank; otherwise up to a " #" or " ;" comment, without trailing blanks or a
 * trailing comma.
 */
function configValueLength(raw: string, quote: string | undefined, mode: TextMode): number {
  if (!quote && mode === 'command') return /^\S*/.exec(raw)![0].length;
  if (quote) {
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] === '\\') i++;
      else if (raw[i] === quote) return i;
    }
    return 0;
  }
  let end = raw.length;
  const comment = /[ \t][#;]/.exec(raw);
  if (comment) end = comment.index;
  let v = raw.slice(0, end).trimEnd();
  if (v.endsWith(',')) v = v.slice(0, -1).trimEnd();
  return v.length;
}

/** Key names the generic rule accepts: …secret, …token, and api/access/secret/private/auth/app/client/master keys. */
const CREDENTIAL_KEY = /(?:secret|token|(?:api|access|secret|private|auth|app|client|master)[_.-]?key)$/i;

/** The identifier (letters, digits, _ . -) that ends at `end`, at most 64 characters. */
function identifierEndingAt(text: string, end: number): string {
  let s = end;
  while (s > 0 && end - s < 64 && /[A-Za-z0-9_.-]/.test(text[s - 1]!)) s--;
  return text.slice(s, end);
}

/**
 * Whether the identifier around `pos` is itself a value ("secret = pass:x", "-passin pass:x"):
 * the nearest character before it, past blanks and one quote, is an assignment.
 */
function inValuePosition(text: string, pos: number): boolean {
  let i = pos;
  while (i > 0 && pos - i < 64 && /[A-Za-z0-9_.-]/.test(text[i - 1]!)) i--;
  while (i > 0 && /[ \t]/.test(text[i - 1]!)) i--;
  if (i > 0 && /["']/.test(text[i - 1]!)) i--;
  while (i > 0 && /[ \t]/.test(text[i - 1]!)) i--;
  return i > 0 && (text[i - 1] === '=' || text[i - 1] === ':');
}

/** Configuration files and shell scripts, where a bare word after "=" is a literal value. */
function unquotedValuesAllowed(path: string): boolean {
  return fileKinds(path).has('config') || /\.(?:sh|bash|zsh|ksh|env)$/i.test(path);
}

/** Package manifests and lockfiles, whose keys are package names ("pbkdf2-password": "^1.2.1"). */
const PACKAGE_MANIFEST = /(?:^|\/)(?:package(?:-lock)?\.json|npm-shrinkwrap\.json|bower\.json|composer\.json)$/i;

/** One version or range as npm writes them: 1.2.3, ^1.2, ~0.1.x, >=1 <2, 1 - 2, 1.x || 2, *. */
const SEMVER_COMPARATOR = String.raw`(?:[\^~]|[<>]=?|=)?v?(?:\d+|[xX*])(?:\.(?:\d+|[xX*])){0,2}(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?`;
const SEMVER_RANGE = new RegExp(
  `^(?:\\*|${SEMVER_COMPARATOR}(?:(?:\\s*\\|\\|\\s*|\\s+(?:-\\s+)?)${SEMVER_COMPARATOR})*)$`,
);

/** A dependency specifier: a version range, an alias (npm:name@1), or a workspace, file, link or git source. */
function isDependencySpec(v: string): boolean {
  const s = v.trim();
  if (s.length > 200) return false;
  if (/^(?:npm:|workspace:|file:|link:|portal:|patch:|git\+|git:|github:|gitlab:|bitbucket:)/.test(s)) return true;
  return SEMVER_RANGE.test(s);
}

/** A password value worth reporting. */
function plausiblePassword(v: string, key: string | undefined, path: string): boolean {
  if (v.length < 3 || !/[\p{L}\p{N}]/u.test(v) || isAllowlisted(v)) return false;
  // YAML tags (!vault, !secret name) and comparison operators are not values.
  if (v.startsWith('!') || v.startsWith('=')) return false;
  if (key && v.toLowerCase() === key.toLowerCase()) return false;
  // A path names where the password is kept, not the password.
  if (/^(?:\/|\.\.?\/|~\/|file:)[^\s]*$/.test(v) && v.includes('/')) return false;
  // Prose ("passwd: files systemd", "challengePassword = A challenge password", "A secret word, …").
  if (/\s/.test(v) && /^[\p{L}\p{P}\s]+$/u.test(v)) return false;
  // Words alone in JSON are nearly always UI strings ("password": "Passwort").
  if (path.toLowerCase().endsWith('.json') && /^\p{L}+$/u.test(v)) return false;
  // In a package manifest a key ending in "password" is a package name and its value a version.
  if (PACKAGE_MANIFEST.test(path) && isDependencySpec(v)) return false;
  return true;
}

export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: 'BW-SEC-001',
    family: 'private-key',
    title: 'Private key',
    severity: 'HIGH',
    stride: ID,
    attack: KEYS,
    keywords: ['-----begin'],
    // BEGIN line, optional RFC 1421 headers (Proc-Type, DEK-Info, PGP Version/Comment) and a
    // blank line, then a base64 body of at least 64 characters, raw, indented (YAML) or with
    // JSON "\n" escapes. Each blank run is bounded by a newline, so no two runs compete.
    regex:
      /-----BEGIN (?<kind>(?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED )?PRIVATE KEY(?: BLOCK)?)-----(?:[ \t]*(?:\r?\n|\\r\\n|\\n)|[ \t])(?:[ \t]*[A-Za-z][A-Za-z0-9-]{0,31}:[ \t][^\r\n\\]{0,200}(?:\r?\n|\\r\\n|\\n))*(?:[ \t]*(?:\r?\n|\\r\\n|\\n))?[ \t]*(?<secret>[A-Za-z0-9+/=](?:[A-Za-z0-9+/=\s]|\\[rn]){63,65536})(?:-----END [A-Z0-9 ]{0,40}-----)?/dg,
    validate: (secret, ctx) => {
      const body = secret.replace(/\\[rn]|\s/g, '');
      if (body.length < 64 || new Set(body).size < 16) return false;
      // Without its END line a block is a truncated example ("MIIE…\n...") unless it is long.
      const complete = ctx.text.slice(ctx.start, ctx.end).includes('-----END');
      return complete || (body.length >= 256 && ctx.text[ctx.end] !== '.' && ctx.text[ctx.end] !== '…');
    },
    priority: 3,
    description:
      'A PEM or OpenPGP private key block (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted PKCS#8) is stored in the file. Anyone who can pull the image can read it.',
    remediation:
      'Remove the key from the image and rotate it; mount keys at run time from a secret store instead of baking them into layers.',
  },
  {
    id: 'BW-SEC-002',
    family: 'aws',
    title: 'AWS access key ID',
    severity: 'HIGH',
    stride: ID,
    attack: FILES,
    keywords: ['akia', 'asia', 'abia', 'acca'],
    regex: /(?<![A-Z0-9])(?<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Z0-9])/dg,
    validate: (secret) => !isAllowlisted(secret) && !isAllowlisted(secret.slice(4)),
    priority: 3,
    description:
      'An AWS access key ID (AKIA… long-term, ASIA… temporary) is stored in the file; its secret access key is usually nearby.',
    remediation:
      'Deactivate and delete the access key in IAM, then use an instance/task role or inject credentials at run time.',
  },
  {
    id: 'BW-SEC-003',
    family: 'aws',
    title: 'AWS secret access key',
    severity: 'CRITICAL',
    stride: ID,
    attack: FILES,
    keywords: ['secret_access_key', 'secret-access-key', 'secretaccesskey', 'aws_secret', 'aws-secret', 'awssecret'],
    // Anchored on the literal "secret"; validate checks the whole key name.
    regex: new RegExp(
      `(?<key>secret(?:[_-]?access)?(?:[_-]?key)?)${ASSIGN}["'\`]?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
      'dgi',
    ),
    validate: (secret, ctx) =>
      AWS_SECRET_KEY_NAME.test(identifierEndingAt(ctx.text, ctx.start + (ctx.groups.key?.length ?? 0))) &&
      awsSecretKey(secret),
    priority: 3,
    description:
      "An AWS secret access key is assigned in the file (aws_secret_access_key, SecretAccessKey, …). With its key ID it grants the IAM principal's permissions.",
    remediation:
      'Deactivate the access key in IAM, review CloudTrail for its use, and provide credentials through a role or a secret store.',
  },
  {
    id: 'BW-SEC-004',
    family: 'aws',
    title: 'AWS secret access key next to an access key ID',
    severity: 'CRITICAL',
    stride: ID,
    attack: FILES,
    keywords: ['akia', 'asia', 'abia', 'acca'],
    regex: /(?<![A-Za-z0-9/+=])(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/dg,
    near: { regex: AWS_KEY_ID, within: 600, accept: (id) => !isAllowlisted(id) && !isAllowlisted(id.slice(4)) },
    validate: (secret) => awsSecretKey(secret),
    priority: 2,
    description:
      'A 40-character AWS secret access key appears within 600 characters of an AWS access key ID: a usable key pair.',
    remediation:
      'Deactivate the access key in IAM, review CloudTrail for its use, and provide credentials through a role or a secret store.',
  },
  {
    id: 'BW-SEC-005',
    family: 'gcp',
    title: 'Google Cloud service account key',
    severity: 'CRITICAL',
    stride: ID,
    attack: FILES,
    keywords: ['service_account'],
    regex:
      /"(?<key>private_key)"[ \t]*:[ \t]*"-----BEGIN (?:RSA )?PRIVATE KEY-----(?:\\n)*(?<secret>[A-Za-z0-9+/=](?:[A-Za-z0-9+/=]|\\n){63,16384})(?:-----END (?:RSA )?PRIVATE KEY-----(?:\\n)*")?/dg,
    validate: (secret, ctx) =>
      /"type"\s*:\s*"service_account"/.test(ctx.text) && secret.replace(/\\n/g, '').length >= 64,
    priority: 4,
    description:
      'A Google Cloud service account key file (JSON with "type": "service_account" and its private key) is stored in the image.',
    remediation:
      'Delete the key in IAM (service account → keys), then use workload identity or mount the key at run time.',
  },
  {
    id: 'BW-SEC-006',
    family: 'azure',
    title: 'Azure storage account key',
    severity: 'CRITICAL',
    stride: ID,
    attack: FILES,
    keywords: ['accountkey', 'account_key', 'azure_storage', 'azure-storage', 'storagekey', 'storage_key'],
    regex: new RegExp(
      `(?:AccountKey=|(?<key>azure[_-]?storage[_-]?(?:account[_-]?)?(?:access[_-]?)?key|storage[_-]?account[_-]?key)${ASSIGN}["'\`]?)(?<secret>[A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])`,
      'dgi',
    ),
    validate: (secret) => decodeStrictBase64(secret)?.length === 64 && strongRandom(secret, 4),
    priority: 3,
    description:
      "An Azure storage account key (88-character base64, as in a connection string's AccountKey=) is stored in the file. It grants full access to the account.",
    remediation:
      'Rotate the storage account key, then use a managed identity or a SAS with limited scope and lifetime.',
  },
  {
    id: 'BW-SEC-007',
    family: 'github',
    title: 'GitHub token',
    severity: 'CRITICAL',
    stride: ID,
    attack: FILES,
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>gh[pousr]_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/dg,
    validate: (secret) => hasValidTokenChecksum(secret, secret.slice(0, 4)) && !isAllowlisted(secret.slice(4)),
    priority: 3,
    description:
      'A GitHub personal access, OAuth, user-to-server, server-to-server or refresh token (ghp_/gho_/ghu_/ghs_/ghr_) with a valid checksum is stored in the file.',
    remediation:
      'Revoke the token on GitHub (or let secret scanning revoke it) and pass tokens to builds as secrets, not files or ENV.',
  },
  {
    id: 'BW-SEC-008',
    family: 'github',
    title: 'GitHub fine-grained personal access token',
    severity: 'CRITICAL',
    stride: ID,
    attack: FILES,
    keywords: ['github_pat_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9_])/dg,
    validate: (secret) => strongRandom(secret.slice(11), 4),
    priority: 3,
    description: 'A GitHub fine-grained personal access token (github_pat_…) is stored in the file.',
    remediation: 'Revoke the token in GitHub settings and pass tokens to builds as secrets, not files or ENV.',
  },
  {
    id: 'BW-SEC-009',
    family: 'gitlab',
    title: 'GitLab token',
    severity: 'CRITICAL',
    stride: ID,
    attack: FILES,
    keywords: ['glpat-', 'gldt-', 'glrt-', 'glptt-', 'glft-', 'glcbt-', 'gloas-', 'glsoat-'],
    regex:
      /(?<![A-Za-z0-9_-])(?<secret>gl(?:pat|dt|rt|ptt|ft|cbt|oas|soat)-[A-Za-z0-9_-]{20,100}(?:\.[A-Za-z0-9_-]{1,40}){0,3})(?![A-Za-z0-9_-])/dg,
    validate: (secret) => strongRandom(secret.slice(secret.indexOf('-') + 1), 3),
    priority: 3,
    description:
      'A GitLab personal, deploy, runner, pipeline-trigger or other token (glpat-, gldt-, glrt-, …) is stored in the file.',
    remediation: 'Revoke the token in GitLab and provide it to jobs as a masked CI/CD variable or external secret.',
  },
  {
    id: 'BW-SEC-010',
    family: 'slack',
    title: 'Slack token',
    severity: 'HIGH',
    stride: ID,
    attack: FILES,
    keywords: ['xoxa-', 'xoxb-', 'xoxp-', 'xoxo-', 'xoxs-', 'xoxr-', 'xoxe-', 'xapp-'],
    regex: /(?<![A-Za-z0-9-])(?<secret>(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,250})(?![A-Za-z0-9-])/dg,
    validate: (secret) => {
      const parts = secret.split('-');
      const last = parts[parts.length - 1] ?? '';
      return parts.length >= 3 && /[0-9]/.test(secret) && last.length >= 8 && strongRandom(secret.slice(5), 3);
    },
    priority: 3,
    description: 'A Slack bot, user, app or configuration token (xoxb-, xoxp-, xapp-, …) is stored in the file.',
    remediation: 'Revoke the token in the Slack app settings and inject it at run time.',
  },
  {
    id: 'BW-SEC-011',
    family: 'slack',
    title: 'Slack incoming webhook URL',
    severity: 'MEDIUM',
    stride: ID,
    attack: FILES,
    keywords: ['hooks.slack.com'],
    regex:
      /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/(?<secret>[A-Za-z0-9_-]{6,40}\/[A-Za-z0-9_/-]{8,200})/dg,
    validate: (secret) => {
      const parts = secret.split('/').filter((p) => p.length > 0);
      const last = parts[parts.length - 1] ?? '';
      return parts.length >= 2 && last.length >= 16 && strongRandom(last, 3);
    },
    priority: 3,
    description: 'A Slack webhook URL is stored in the file; anyone holding it can post into the channel.',
    remediation: 'Regenerate the webhook in Slack and keep the URL in a secret store.',
  },
  {
    id: 'BW-SEC-012',
    family: 'stripe',
    title: 'Stripe live API key',
    severity: 'CRITICAL',
    stride: ID,
    attack: FILES,
    keywords: ['sk_live_', 'rk_live_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>(?:sk|rk)_live_[A-Za-z0-9]{20,247})(?![A-Za-z0-9_])/dg,
    validate: (secret) => strongRandom(secret.slice(8), 3.5),
    priority: 3,
    description:
      'A Stripe live-mode secret or restricted key (sk_live_/rk_live_) is stored in the file. Test-mode keys (sk_test_) and publishable keys are not reported.',
    remediation: 'Roll the key in the Stripe dashboard and load it from a secret store at run time.',
  },
  {
    id: 'BW-SEC-013',
    family: 'npm',
    title: 'npm access token',
    severity: 'CRITICAL',
    stride: ID,
    attack: FILES,
    keywords: ['npm_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>npm_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/dg,
    validate: (secret) => hasValidTokenChecksum(secret, 'npm_') && !isAllowlisted(secret.slice(4)),
    priority: 3,
    description:
      'An npm access token (npm_…) with a valid checksum is stored in the file; it can publish packages as its owner.',
    remediation: 'Revoke the token (npm token revoke) and use a build secret for the install step.',
  },
  {
    id: 'BW-SEC-014',
    family: 'pypi',
    title: 'PyPI API token',
    severity: 'CRITICAL',
    stride: ID,
    attack: FILES,
    keywords: ['pypi-ag'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>pypi-Ag[A-Za-z0-9_-]{50,2000})(?![A-Za-z0-9_-])/dg,
    validate: (secret) => isPyPiMacaroon(secret),
    priority: 3,
    description:
      'A PyPI API token (a macaroon for pypi.org or test.pypi.org) is stored in the file; it can upload releases.',
    remediation: 'Delete the token in the PyPI account settings and use trusted publishing or a build secret.',
  },
  {
    id: 'BW-SEC-015',
    family: 'docker-hub',
    title: 'Docker Hub access token',
    severity: 'HIGH',
    stride: ID,
    attack: FILES,
    keywords: ['dckr_pat_', 'dckr_oat_'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>dckr_(?:pat|oat)_[A-Za-z0-9_-]{24,80})(?![A-Za-z0-9_-])/dg,
    validate: (secret) => strongRandom(secret.slice(9), 3.5),
    priority: 3,
    description: 'A Docker Hub personal or organization access token (dckr_pat_/dckr_oat_) is stored in the file.',
    remediation: 'Delete the token in Docker Hub account settings and log in with a build secret instead.',
  },
  {
    id: 'BW-SEC-016',
    family: 'jwt',
    title: 'JSON Web Token',
    severity: 'MEDIUM',
    stride: ID,
    attack: 'T1528',
    keywords: ['eyj'],
    regex:
      /(?<![A-Za-z0-9_-])(?<secret>eyJ[A-Za-z0-9_-]{10,4096}\.[A-Za-z0-9_-]{4,16384}\.[A-Za-z0-9_-]{16,2048})(?![A-Za-z0-9_-])/dg,
    validate: (secret) => {
      if (!isSignedJwt(secret)) return false;
      const payload = jwtPayload(secret);
      return payload !== null && !isExampleJwtPayload(payload);
    },
    priority: 3,
    description:
      'A signed JSON Web Token (header with "alg", JSON payload, signature) is stored in the file; until it expires it authenticates as its subject.',
    remediation: 'Revoke the token or rotate its signing key, and issue tokens at run time.',
  },
  {
    id: 'BW-SEC-017',
    family: 'config-password',
    title: 'Password in a configuration file',
    severity: 'HIGH',
    stride: ID,
    attack: FILES,
    keywords: ['password', 'passwd', 'passphrase', 'pwd', 'pass'],
    regex: new RegExp(
      `(?<key>password|passwd|passphrase|(?<![A-Za-z])pwd|(?<![A-Za-z])pass)${ASSIGN}(?<q>["'\`]?)(?<secret>[^\\r\\n]{1,256})`,
      'dgi',
    ),
    valueLength: (raw, ctx) => configValueLength(raw, ctx.groups.q, ctx.mode),
    validate: (secret, ctx) =>
      !inValuePosition(ctx.text, ctx.start) && plausiblePassword(secret, ctx.groups.key, ctx.path),
    skipComments: true,
    scope: 'config',
    priority: 1,
    description:
      'A password is set in a configuration file (.env, .properties, YAML, JSON, INI, XML attribute, .pypirc, …).',
    remediation:
      'Change the password, remove it from the image, and read it at run time from an environment secret or a mounted file.',
  },
  {
    id: 'BW-SEC-018',
    family: 'config-password',
    title: 'npm registry credential in .npmrc',
    severity: 'HIGH',
    stride: ID,
    attack: FILES,
    keywords: ['_authtoken', '_auth', '_password', 'npmauthtoken', 'npmauthident'],
    regex:
      /(?<key>_authToken|_auth|_password|npmAuthToken|npmAuthIdent)[ \t]*[=:][ \t]*["']?(?<secret>[^\s"']{4,2048})/dgi,
    validate: (secret) => !isAllowlisted(secret),
    scope: 'npmrc',
    priority: 2,
    description: 'An .npmrc or .yarnrc file holds a registry credential (_authToken, _auth, _password, npmAuthToken).',
    remediation:
      'Revoke the token, delete the rc file in the same build step that used it (or use a BuildKit secret mount).',
  },
  {
    id: 'BW-SEC-019',
    family: 'config-password',
    title: 'Registry credential in a Docker config file',
    severity: 'HIGH',
    stride: ID,
    attack: FILES,
    keywords: ['"auth"', 'identitytoken', 'registrytoken'],
    regex: /"(?<key>auth|identitytoken|registrytoken)"[ \t]*:[ \t]*"(?<secret>[A-Za-z0-9+/=._-]{8,4096})"/dgi,
    validate: (secret, ctx) => {
      if (ctx.groups.key?.toLowerCase() !== 'auth') return secret.length >= 16 && !isAllowlisted(secret);
      const cred = decodeBasicAuth(secret);
      return cred !== null && !isAllowlisted(cred.password) && cred.password.length >= 3;
    },
    scope: 'json',
    priority: 2,
    description:
      'A Docker or Podman config file (config.json, auth.json, .dockercfg) holds registry credentials: "auth" is base64 of user:password.',
    remediation:
      'Change the registry password or token, and log in with a credential helper or a build secret instead of copying the config into the image.',
  },
  {
    id: 'BW-SEC-020',
    family: 'config-password',
    title: 'Credentials in a URL',
    severity: 'HIGH',
    stride: ID,
    attack: FILES,
    keywords: ['://'],
    regex: /:\/\/(?<user>[^\s:/@"'<>]{1,128}):(?<secret>[^\s/@"'<>]{1,256})@(?=[A-Za-z0-9[])/dg,
    validate: (secret, ctx) =>
      plausiblePassword(secret, ctx.groups.user, ctx.path) && !hasPlaceholderMarks(ctx.groups.user ?? ''),
    skipComments: true,
    scope: 'config',
    priority: 2,
    description: 'A URL in a configuration file carries a user name and password (scheme://user:password@host).',
    remediation: 'Change the password and pass it separately from the URL at run time.',
  },
  {
    id: 'BW-SEC-021',
    family: 'config-password',
    title: 'Password in .netrc',
    severity: 'HIGH',
    stride: ID,
    attack: FILES,
    keywords: ['password'],
    regex: /(?<![A-Za-z0-9_])(?<key>password)[ \t]+(?<secret>[^\s]{1,256})/dg,
    validate: (secret, ctx) => plausiblePassword(secret, ctx.groups.key, ctx.path),
    skipComments: true,
    scope: 'netrc',
    priority: 2,
    description: 'A .netrc file holds a login password for a remote machine.',
    remediation: 'Change the password and remove the .netrc from the image.',
  },
  {
    id: 'BW-SEC-022',
    family: 'config-password',
    title: 'Password element in an XML configuration file',
    severity: 'HIGH',
    stride: ID,
    attack: FILES,
    keywords: ['password>', 'passwd>', 'passphrase>'],
    regex: /<(?<key>[A-Za-z0-9_:-]{0,40}(?:password|passwd|passphrase))>(?<secret>[^<>\r\n]{1,256})<\/\k<key>>/dgi,
    validate: (secret, ctx) => plausiblePassword(secret.trim(), ctx.groups.key, ctx.path),
    skipComments: true,
    scope: 'config',
    priority: 1,
    description: 'An XML configuration file (Maven settings.xml, …) sets a password element.',
    remediation: 'Change the password; Maven can encrypt server passwords or read them from the environment.',
  },
  {
    id: 'BW-SEC-023',
    family: 'generic',
    title: 'High-entropy secret assignment',
    severity: 'MEDIUM',
    stride: ID,
    attack: FILES,
    keywords: [
      'secret',
      'token',
      'api_key',
      'apikey',
      'api-key',
      'access_key',
      'accesskey',
      'private_key',
      'privatekey',
      'master_key',
      'auth_key',
      'app_key',
    ],
    // Anchored on the last word of the key; validate widens it to the whole identifier.
    regex: new RegExp(
      `(?<key>secret|token|key)${ASSIGN}(?<q>["'\`]?)(?<secret>[A-Za-z0-9_+/.~-]{16,512}={0,2})\\k<q>(?![A-Za-z0-9_+/=.~-])`,
      'dgi',
    ),
    validate: (secret, ctx) => {
      if (!CREDENTIAL_KEY.test(identifierEndingAt(ctx.text, ctx.start + (ctx.groups.key?.length ?? 0)))) return false;
      // Unquoted values in program code are expressions (token = scanner.next2()), not literals.
      if (!ctx.groups.q && ctx.mode === 'file' && !unquotedValuesAllowed(ctx.path)) return false;
      const c = charClasses(secret);
      if (!c.digit || !(c.lower || c.upper)) return false;
      if (/^(?:\/|\.\.?\/)/.test(secret) || /^[a-z]+(?:[._-][a-z0-9]+)+$/.test(secret)) return false;
      if (failedKnownFormat(secret) || DOCUMENTED_EXAMPLES.has(secret) || isEncodedProse(secret)) return false;
      return shannonEntropy(secret) >= 3.5 && !isAllowlisted(secret);
    },
    skipComments: true,
    priority: 0,
    description:
      'A key named like a credential (…secret, …token, api_key, access_key, private_key, …) is assigned a long high-entropy literal.',
    remediation:
      'If the value is a credential, revoke it and load it at run time; otherwise add it to the ignore file.',
  },
];

/** One catalog entry per rule. */
export function secretChecks(): CheckInfo[] {
  return SECRET_RULES.map((r) => ({
    id: r.id,
    title: r.title,
    severity: r.severity,
    description: r.description,
    remediation: r.remediation,
    stride: r.stride,
    attack: r.attack,
    targets: ['secret'] as const,
  }));
}
