// The vocabulary every stage shares (see DESIGN.md, "Core types").

/** OS package managers. */
type OsEcosystem = 'deb' | 'apk' | 'rpm';
/** Language package ecosystems, named as their purl types. */
type LanguageEcosystem = 'npm' | 'pypi' | 'maven' | 'golang' | 'cargo' | 'gem' | 'composer' | 'nuget';
export type Ecosystem = OsEcosystem | LanguageEcosystem;

export const OS_ECOSYSTEMS: readonly Ecosystem[] = ['deb', 'apk', 'rpm'];

/** Where a package came from in the image: the layer that last introduced or changed it. */
export interface LayerRef {
  /** Position in the image's layer list, 0 = base. */
  index: number;
  /** Uncompressed layer digest (diff id), "sha256:…"; empty for a plain root filesystem. */
  diffId: string;
}

export interface SourcePackage {
  name: string;
  version?: string;
}

/**
 * What a package is to the artifact: an `application` is the project itself, read from its own
 * manifest (a package.json outside node_modules, a pyproject.toml, …), as Trivy's `root`
 * relationship and CycloneDX's component type `application`; absent for a dependency or an
 * installed package.
 */
type PackageRole = 'application';

export interface Package {
  ecosystem: Ecosystem;
  name: string;
  /** The full version as the package manager writes it (dpkg "1:2.3-4", rpm "1:2.3-4.el9", apk "2.3-r4"). */
  version: string;
  epoch?: number;
  arch?: string;
  /** Debian source package, Alpine origin, or source RPM (name and version). */
  source?: SourcePackage;
  licenses: string[];
  maintainer?: string;
  purl: string;
  layer: LayerRef;
  /** The database file the package was read from, absolute within the image. */
  path: string;
  /** Files the package owns, absolute within the image (OS packages). */
  files: string[];
  /** Ecosystem-specific facts as strings (e.g. a jar's sha1, a Go binary's main module). */
  metadata?: Record<string, string>;
  /** For a language package whose file an OS package installed: that OS package. */
  ownedBy?: { ecosystem: Ecosystem; name: string; version: string };
  role?: PackageRole;
}

export interface OsInfo {
  /** Lower-case distribution id: debian, ubuntu, alpine, rhel, centos, fedora, amzn, almalinux, rocky, ol, wolfi, chainguard, … */
  family: string;
  /** Release as the distribution numbers it ("12", "3.19.1", "9.4", "2023"). */
  version: string;
  name?: string;
  prettyName?: string;
  codename?: string;
  /** True for Google distroless images (dpkg status.d, no shell or package manager). */
  distroless?: boolean;
}

export interface LayerInfo {
  index: number;
  /** Digest of the layer as stored (compressed blob for OCI, tar for docker-archive). */
  digest: string;
  diffId: string;
  size?: number;
  createdBy?: string;
  mediaType?: string;
}

type ArtifactType = 'docker-archive' | 'oci-layout' | 'docker-engine' | 'registry' | 'rootfs' | 'fs' | 'config';

export interface Artifact {
  /** What the user asked for, as given. */
  name: string;
  type: ArtifactType;
  /** Image id: digest of the config blob. */
  imageId?: string;
  /** Manifest digest, where the source records one. */
  digest?: string;
  repoTags: string[];
  repoDigests: string[];
  os?: string;
  architecture?: string;
  variant?: string;
  created?: string;
}

/** Partial failure is data: a file that could not be parsed is reported, never skipped silently. */
export interface ScanIssue {
  analyzer: string;
  path: string;
  layer?: LayerRef;
  message: string;
}

export interface Inventory {
  schemaVersion: 1;
  artifact: Artifact;
  os: OsInfo | null;
  layers: LayerInfo[];
  packages: Package[];
  issues: ScanIssue[];
}

/** Normalised severities, lowest first, as Trivy and Grype name them. */
export const SEVERITIES = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Cvss {
  version: '2.0' | '3.0' | '3.1' | '4.0';
  vector: string;
  score: number;
}

export type FindingStatus = 'fixed' | 'unfixed' | 'not_affected' | 'ignored';

/** One vulnerability in one installed package (aliases across feeds merged). */
export interface Finding {
  /** CVE id when there is one, else the advisory id. */
  id: string;
  /** Every other id of the same vulnerability (GHSA, PYSEC, GO, DSA, ALSA, …). */
  aliases: string[];
  /** Other vulnerabilities the advisory names (e.g. the CVEs an ALSA errata fixes). */
  related: string[];
  /** The OSV ecosystem the advisory was matched in ("Debian:12", "PyPI"). */
  osvEcosystem: string;
  package: Pick<Package, 'ecosystem' | 'name' | 'version' | 'purl' | 'path' | 'layer' | 'source'>;
  /** The lowest fixed versions above the installed one, one per matching range. */
  fixedVersions: string[];
  status: FindingStatus;
  /** Why a finding is ignored or not affected (ignore-file reason, VEX justification). */
  statusReason?: string;
  severity: Severity;
  /** Where the severity came from: a CVSS vector, or the feed's own rating. */
  severitySource: string;
  cvss?: Cvss;
  title?: string;
  /** The advisory's own page: a record's reference of type ADVISORY, else the record's OSV page. */
  advisory?: string;
  references: string[];
  /** Report grouping: "os", or the file that holds the package (binary, lockfile, archive), or for packages installed one directory each (node_modules, site-packages) the directory that holds them. */
  target: string;
}
