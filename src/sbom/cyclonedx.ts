// Inventory -> CycloneDX 1.6 JSON, through @cyclonedx/cyclonedx-library's model and serializer.
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type { Finding, Inventory, Package } from '../core/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../core/tool.js';
import { UniqueIds, imageVersion, purlOf, uuidFor } from './common.js';
import { cdxLicenses } from './license.js';
import { cdxVulnerabilities } from './cyclonedx-vulns.js';

export interface CycloneDxOptions {
  /** metadata.timestamp; now by default. */
  created?: Date;
  /** Makes serialNumber reproducible (with the image id); random by default, as the spec asks. */
  serialSeed?: string;
  /** Vulnerability findings (every status) to add as `vulnerabilities`, each pointing at its package component. */
  findings?: readonly Finding[];
}

// Fixed refs for the two non-package components; package refs are purls (or, for a package with
// none, "bulwark:package:…"), so they never collide with these.
export const IMAGE_REF = 'bulwark:image';
export const OS_REF = 'bulwark:os';

const declared = { acknowledgement: Enums.LicenseAcknowledgement.Declared };

export function toCycloneDx(inv: Inventory, opts: CycloneDxOptions = {}): object {
  const bom = new Models.Bom();
  const seed =
    opts.serialSeed === undefined ? undefined : `${opts.serialSeed}\n${imageVersion(inv) ?? inv.artifact.name}`;
  bom.serialNumber = `urn:uuid:${uuidFor(seed)}`;
  bom.metadata.timestamp = opts.created ?? new Date();
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, TOOL_NAME, { version: TOOL_VERSION }),
  );

  const a = inv.artifact;
  const image = new Models.Component(Enums.ComponentType.Container, a.name, {
    version: imageVersion(inv),
    bomRef: IMAGE_REF,
  });
  addProps(image, [
    ...a.repoTags.map((t) => ['bulwark:image:repoTag', t] as const),
    ...a.repoDigests.map((d) => ['bulwark:image:repoDigest', d] as const),
    ['bulwark:image:architecture', a.architecture],
  ]);
  bom.metadata.component = image;

  if (inv.os) {
    const os = new Models.Component(Enums.ComponentType.OperatingSystem, inv.os.family, {
      version: inv.os.version || undefined,
      description: inv.os.prettyName,
      bomRef: OS_REF,
    });
    addProps(os, [['bulwark:os:codename', inv.os.codename]]);
    bom.components.add(os);
    image.dependencies.add(os.bomRef);
  }

  // Two packages can share a purl (the same package in two databases): suffix "#2", "#3", … then.
  const refs = new UniqueIds('#');
  const components: { pkg: Package; component: Models.Component }[] = [];
  for (const pkg of inv.packages) {
    const purl = purlOf(pkg, inv);
    const c = packageComponent(
      pkg,
      purl,
      refs.take(purl ?? `bulwark:package:${pkg.ecosystem}/${pkg.name}@${pkg.version}`),
    );
    bom.components.add(c);
    image.dependencies.add(c.bomRef);
    components.push({ pkg, component: c });
  }
  if (opts.findings) {
    for (const v of cdxVulnerabilities(opts.findings, components, image, refs)) bom.vulnerabilities.add(v);
  }

  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return JSON.parse(serializer.serialize(bom, { sortLists: true })) as object;
}

function packageComponent(pkg: Package, purl: string | undefined, bomRef: string): Models.Component {
  // the project's own manifest is an application, as Syft and Trivy write it; every other package a library
  const type = pkg.role === 'application' ? Enums.ComponentType.Application : Enums.ComponentType.Library;
  const c = new Models.Component(type, pkg.name, { version: pkg.version, ...(purl ? { purl } : {}), bomRef });
  if (pkg.metadata?.sha1) c.hashes.set(Enums.HashAlgorithm['SHA-1'], pkg.metadata.sha1);
  const lic = cdxLicenses(pkg.licenses);
  if ('expression' in lic) {
    const e = new Models.LicenseExpression(lic.expression);
    e.acknowledgement = declared.acknowledgement;
    c.licenses.add(e);
  } else {
    for (const l of lic.licenses) {
      c.licenses.add('id' in l ? new Models.SpdxLicense(l.id, declared) : new Models.NamedLicense(l.name, declared));
    }
  }
  addProps(c, [
    ['bulwark:package:sourceName', pkg.source?.name],
    ['bulwark:package:sourceVersion', pkg.source?.version],
    ['bulwark:package:arch', pkg.arch],
    ['bulwark:package:path', pkg.path],
    ['bulwark:layer:diffId', pkg.layer.diffId],
    ['bulwark:layer:index', String(pkg.layer.index)],
  ]);
  return c;
}

function addProps(c: Models.Component, props: readonly (readonly [string, string | undefined])[]): void {
  for (const [name, value] of props) if (value) c.properties.add(new Models.Property(name, value));
}
