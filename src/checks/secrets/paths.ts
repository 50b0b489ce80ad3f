// Which files the secret scanner reads, and what kind of file each one is. The layer walker
// calls wantsFile on every regular file before reading it, so this must stay cheap: a few
// string tests on the path, no I/O.

/** Files larger than this are not read (10 MiB); scanSecrets reports them as "too-large". */
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

/**
 * Trees that hold no user secrets, only distribution data: documentation, locales, time zones,
 * fonts and icons, public CA certificates, package-manager databases and caches, kernel
 * pseudo-filesystems, and Go toolchain and Debian-packaged Go library sources (whose tests
 * embed throwaway keys).
 */
const SKIP_DIRS: readonly string[] = [
  '/proc/',
  '/sys/',
  '/dev/',
  '/usr/share/doc/',
  '/usr/share/man/',
  '/usr/share/info/',
  '/usr/share/locale/',
  '/usr/share/i18n/',
  '/usr/lib/locale/',
  '/usr/share/zoneinfo/',
  '/usr/share/icons/',
  '/usr/share/fonts/',
  '/usr/share/pixmaps/',
  '/usr/share/mime/',
  '/usr/share/help/',
  '/usr/share/gtk-doc/',
  '/usr/share/javadoc/',
  '/usr/share/terminfo/',
  '/usr/share/X11/locale/',
  '/usr/share/common-licenses/',
  '/usr/share/ca-certificates/',
  '/usr/local/share/ca-certificates/',
  '/etc/ssl/certs/',
  '/etc/pki/ca-trust/',
  '/etc/pki/tls/certs/',
  '/etc/ca-certificates/',
  '/var/lib/dpkg/',
  '/var/lib/apt/lists/',
  '/var/cache/apt/',
  '/var/cache/debconf/',
  '/lib/apk/db/',
  '/var/cache/apk/',
  '/var/lib/rpm/',
  '/usr/lib/sysimage/rpm/',
  '/var/cache/dnf/',
  '/var/cache/yum/',
  '/usr/local/go/',
  '/usr/share/gocode/',
];

/** Go toolchains and module caches anywhere: /usr/lib/go-1.22/, /usr/share/go-1.22/, …/go/pkg/mod/. */
const SKIP_DIR_PATTERNS: readonly RegExp[] = [/^\/usr\/(?:lib|share)\/go(?:-[0-9.]+)?\//, /\/go\/pkg\/mod\//];

/** Public certificate bundles and hash lists. */
const SKIP_NAMES: ReadonlySet<string> = new Set([
  'ca-certificates.crt',
  'ca-bundle.crt',
  'ca-bundle.trust.crt',
  'tls-ca-bundle.pem',
  'cacert.pem',
  'go.sum',
]);

/** Binary or non-secret formats, by extension (lower case). */
const SKIP_EXTENSIONS: ReadonlySet<string> = new Set([
  // images
  'png',
  'jpg',
  'jpeg',
  'gif',
  'bmp',
  'ico',
  'icns',
  'webp',
  'tif',
  'tiff',
  'svg',
  'svgz',
  'psd',
  'xcf',
  // fonts
  'ttf',
  'otf',
  'woff',
  'woff2',
  'eot',
  'pfb',
  'pfm',
  'afm',
  'pcf',
  'bdf',
  'psf',
  // archives and packages
  'zip',
  'gz',
  'tgz',
  'bz2',
  'tbz2',
  'xz',
  'txz',
  'lz',
  'lzma',
  'zst',
  'zstd',
  '7z',
  'rar',
  'tar',
  'jar',
  'war',
  'ear',
  'aar',
  'whl',
  'egg',
  'deb',
  'udeb',
  'rpm',
  'apk',
  'cab',
  'iso',
  'squashfs',
  // compiled code and objects
  'so',
  'a',
  'o',
  'ko',
  'obj',
  'lib',
  'dll',
  'exe',
  'dylib',
  'bin',
  'pyc',
  'pyo',
  'pyd',
  'class',
  'wasm',
  'node',
  'dex',
  'odex',
  'oat',
  'rlib',
  'rmeta',
  // media and documents
  'mp3',
  'mp4',
  'm4a',
  'wav',
  'ogg',
  'oga',
  'flac',
  'avi',
  'mov',
  'mkv',
  'webm',
  'pdf',
  'ps',
  'eps',
  'dvi',
  // compiled message catalogs, databases, source maps
  'mo',
  'gmo',
  'db',
  'sqlite',
  'sqlite3',
  'mdb',
  'gdbm',
  'cdb',
  'map',
]);

/** Package trees of third-party code, wherever they are installed. */
const THIRD_PARTY_DIRS: readonly string[] = [
  '/node_modules/',
  '/site-packages/',
  '/dist-packages/',
  '/gems/',
  '/vendor/bundle/',
];
/** Inside those: documentation and test suites (whose keys and tokens are throwaway examples). */
const THIRD_PARTY_DOC_EXTENSIONS: ReadonlySet<string> = new Set([
  'md',
  'markdown',
  'rst',
  'txt',
  'adoc',
  'html',
  'htm',
]);
const THIRD_PARTY_DOC_NAMES =
  /^(?:readme|license|licence|copying|changelog|changes|history|authors|contributors|notice|pkg-info|metadata)(?:[.-].*)?$/i;
const THIRD_PARTY_TEST_DIRS = /\/(?:tests?|__tests__|testdata|testing|spec|specs|examples?|fixtures|docs?)\//;

/** The path with forward slashes and one leading '/', so image and source-tree paths compare alike. */
export function normalizePath(path: string): string {
  let p = path.replace(/\\/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  return p.startsWith('/') ? p : `/${p}`;
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/**
 * Cheap pre-read filter for the layer walker: false for empty files, files over the size
 * limit, and the trees, names and extensions listed above (versioned shared libraries
 * like libfoo.so.1.2 included); and, inside node_modules / site-packages / dist-packages /
 * gems, for documentation, licences, type declarations and test or example directories.
 */
export function wantsFile(path: string, size: number, maxBytes = DEFAULT_MAX_BYTES): boolean {
  if (size <= 0 || size > maxBytes) return false;
  const p = normalizePath(path);
  for (const d of SKIP_DIRS) if (p.startsWith(d)) return false;
  for (const re of SKIP_DIR_PATTERNS) if (re.test(p)) return false;
  const name = baseName(p);
  if (SKIP_NAMES.has(name.toLowerCase())) return false;
  if (p.endsWith('.dist-info/RECORD')) return false;
  const ext = extension(name);
  if (SKIP_EXTENSIONS.has(ext) || /\.so(?:\.[0-9]+)+$/.test(name)) return false;
  if (THIRD_PARTY_DIRS.some((d) => p.includes(d))) {
    if (THIRD_PARTY_DOC_EXTENSIONS.has(ext) || THIRD_PARTY_DOC_NAMES.test(name) || name.endsWith('.d.ts')) return false;
    if (THIRD_PARTY_TEST_DIRS.test(p)) return false;
  }
  return true;
}

/** Kinds of file some rules are limited to. */
export type FileKind = 'config' | 'json' | 'npmrc' | 'netrc';

const CONFIG_EXTENSIONS: ReadonlySet<string> = new Set([
  'env',
  'properties',
  'yaml',
  'yml',
  'json',
  'ini',
  'conf',
  'cfg',
  'cnf',
  'toml',
  'xml',
  'tfvars',
  'npmrc',
  'pypirc',
]);
const CONFIG_NAMES: ReadonlySet<string> = new Set([
  '.env',
  '.npmrc',
  'npmrc',
  '.yarnrc',
  '.yarnrc.yml',
  '.pypirc',
  '.netrc',
  '_netrc',
  '.git-credentials',
  '.gitconfig',
  '.dockercfg',
  '.s3cfg',
  '.boto',
  'credentials',
  'dockerfile',
  'containerfile',
]);

/** Configuration files whose "passwd:"-style keys name databases, not credentials. */
const NOT_CREDENTIAL_CONFIGS: ReadonlySet<string> = new Set(['nsswitch.conf']);

/**
 * What kind of file a path names: "config" for configuration formats (.env, .properties,
 * YAML, JSON, INI, .conf/.cfg/.cnf, TOML, XML, .npmrc, .pypirc, .netrc, .git-credentials,
 * git config, AWS credentials, Dockerfile); "json" for JSON (docker config.json,
 * containers auth.json, .dockercfg); "npmrc" for npm/yarn rc files; "netrc" for .netrc.
 */
export function fileKinds(path: string): ReadonlySet<FileKind> {
  const p = normalizePath(path);
  const name = baseName(p).toLowerCase();
  const ext = extension(name);
  const kinds = new Set<FileKind>();
  if (NOT_CREDENTIAL_CONFIGS.has(name)) return kinds;
  if (
    CONFIG_EXTENSIONS.has(ext) ||
    CONFIG_NAMES.has(name) ||
    name.startsWith('.env.') ||
    name.startsWith('dockerfile.') ||
    (name === 'config' && p.includes('/.git/'))
  ) {
    kinds.add('config');
  }
  if (ext === 'json' || name === '.dockercfg') kinds.add('json');
  if (name === '.npmrc' || name === 'npmrc' || name === '.yarnrc' || name === '.yarnrc.yml') kinds.add('npmrc');
  if (name === '.netrc' || name === '_netrc') kinds.add('netrc');
  return kinds;
}
