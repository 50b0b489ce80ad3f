// Inventory -> SPDX 2.3 JSON. Written by hand: the document is flat and no maintained SPDX 2.3 writer is a dependency.
import type { Inventory, Package } from '../core/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../core/tool.js';
import { UniqueIds, idString, imageVersion, purlOf, shortHash, uuidFor } from './common.js';
import { LicenseRefs, spdxDeclared } from './license.js';

export interface SpdxOptions {
  /** creationInfo.created; now by default. */
  created?: Date;
  /** Makes documentNamespace reproducible (with the image id); a random UUID by default. */
  namespaceSeed?: string;
}

// No project domain exists yet; .invalid (RFC 2606) can never belong to someone else.
const NAMESPACE_BASE = 'https://bulwark.invalid/spdxdocs/';
export const DOCUMENT_ID = 'SPDXRef-DOCUMENT';
export const IMAGE_ID = 'SPDXRef-Image';
export const OS_ID = 'SPDXRef-OperatingSystem';

const NOASSERTION = 'NOASSERTION';

type Relationship = { spdxElementId: string; relationshipType: string; relatedSpdxElement: string };

export function toSpdx(inv: Inventory, opts: SpdxOptions = {}): object {
  const a = inv.artifact;
  const version = imageVersion(inv);
  const seed = opts.namespaceSeed === undefined ? undefined : `${opts.namespaceSeed}\n${version ?? a.name}`;
  const refs = new LicenseRefs();
  const ids = new UniqueIds();
  const relationships: Relationship[] = [
    { spdxElementId: DOCUMENT_ID, relationshipType: 'DESCRIBES', relatedSpdxElement: IMAGE_ID },
  ];
  const contains = (id: string) =>
    relationships.push({ spdxElementId: IMAGE_ID, relationshipType: 'CONTAINS', relatedSpdxElement: id });

  const packages: object[] = [
    {
      ...element(IMAGE_ID, a.name, version),
      primaryPackagePurpose: 'CONTAINER',
      ...(a.repoTags.length > 0 ? { comment: `Tags: ${a.repoTags.join(', ')}` } : {}),
    },
  ];
  if (inv.os) {
    // The JSON schema spells the purpose OPERATING_SYSTEM (tag-value writes OPERATING-SYSTEM).
    packages.push({
      ...element(OS_ID, inv.os.family, inv.os.version || undefined),
      primaryPackagePurpose: 'OPERATING_SYSTEM',
    });
    contains(OS_ID);
  }
  for (const pkg of inv.packages) {
    const id = ids.take(packageId(pkg));
    packages.push(packageElement(pkg, id, purlOf(pkg, inv), refs));
    contains(id);
  }

  const extracted = refs.entries();
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: DOCUMENT_ID,
    name: a.name,
    documentNamespace: `${NAMESPACE_BASE}${idString(a.name, 80)}-${uuidFor(seed)}`,
    creationInfo: {
      creators: [`Tool: ${TOOL_NAME}-${TOOL_VERSION}`],
      // SPDX wants whole seconds: YYYY-MM-DDThh:mm:ssZ.
      created: (opts.created ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z'),
    },
    packages,
    relationships,
    ...(extracted.length > 0 ? { hasExtractedLicensingInfos: extracted } : {}),
  };
}

/** Fields every package here shares: nothing downloaded, no files analysed, nothing concluded. */
function element(SPDXID: string, name: string, versionInfo: string | undefined) {
  return {
    SPDXID,
    name,
    ...(versionInfo ? { versionInfo } : {}),
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
  };
}

function packageElement(pkg: Package, id: string, purl: string | undefined, refs: LicenseRefs): object {
  const src = pkg.source
    ? `built from source package ${pkg.source.name}${pkg.source.version ? ` ${pkg.source.version}` : ''}; `
    : '';
  const layer = pkg.layer.diffId ? `, layer ${pkg.layer.index} (${pkg.layer.diffId})` : '';
  return {
    ...element(id, pkg.name, pkg.version),
    licenseDeclared: spdxDeclared(pkg.licenses, refs),
    sourceInfo: `${src}recorded in ${pkg.path}${layer}`,
    ...(purl
      ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl }] }
      : {}),
    ...(pkg.metadata?.sha1 ? { checksums: [{ algorithm: 'SHA1', checksumValue: pkg.metadata.sha1 }] } : {}),
    // Distribution packages hold libraries and programs alike; LIBRARY matches CycloneDX's "library".
    // The project's own manifest is the application, as in CycloneDX.
    primaryPackagePurpose: pkg.role === 'application' ? 'APPLICATION' : 'LIBRARY',
  };
}

/** Readable, stable and order-independent: ecosystem, name, then a hash of what tells two packages apart. */
function packageId(pkg: Package): string {
  const h = shortHash(pkg.ecosystem, pkg.name, pkg.version, pkg.arch ?? '', pkg.path);
  return `SPDXRef-Package-${pkg.ecosystem}-${idString(pkg.name, 48)}-${h}`;
}
