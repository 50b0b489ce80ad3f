import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { BulwarkError } from '../../core/errors.js';

// A source tree's pom.xml, read alone: the project's coordinates (groupId and version
// inherited from <parent> when absent) and the dependencies whose versions this file
// states, `${property}` references resolved from its own <properties> only. Anything that
// needs the parent, a BOM or a range is listed as unresolved so the scan can say so.

interface PomDependency {
  groupId: string;
  artifactId: string;
  version: string;
  scope?: string;
}

export interface PomData {
  kind: 'pom';
  project?: { groupId: string; artifactId: string; version: string; licenses: string[] };
  dependencies: PomDependency[];
  /** "group:artifact (reason)" for each declaration this pom alone cannot pin. */
  unresolved: string[];
}

const text = z.string().optional();
const coords = { groupId: text, artifactId: text, version: text };
const Pom = z.object({
  project: z.object({
    ...coords,
    parent: z.object(coords).optional(),
    properties: z.union([z.record(z.string(), z.unknown()), z.literal('')]).optional(),
    licenses: z.union([z.object({ license: z.array(z.object({ name: text })).optional() }), z.literal('')]).optional(),
    dependencies: z
      .union([z.object({ dependency: z.array(z.object({ ...coords, scope: text })).optional() }), z.literal('')])
      .optional(),
  }),
});

const ARRAYS = new Set(['project.dependencies.dependency', 'project.licenses.license']);
// entities stay unexpanded (no DOCTYPE expansion from untrusted files); the predefined five are decoded here
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string): string => s.replace(/&(amp|lt|gt|quot|apos);/g, (_m, e: string) => ENTITIES[e]!).trim();

/** Resolves ${...} references; undefined when one has no value in this pom. */
function interpolate(value: string, props: Map<string, string>): string | undefined {
  let v = value;
  for (let i = 0; i < 10 && v.includes('${'); i++) {
    let missing = false;
    v = v.replace(/\$\{([^}]*)\}/g, (_m, key: string) => {
      const r = props.get(key);
      if (r === undefined) missing = true;
      return r ?? '';
    });
    if (missing) return undefined;
  }
  return v.includes('${') ? undefined : v;
}

export function parsePom(xml: string): PomData {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new BulwarkError('CORRUPT', `line ${valid.err.line}`, valid.err.msg);
  const raw: unknown = new XMLParser({
    ignoreAttributes: true,
    parseTagValue: false,
    processEntities: false,
    removeNSPrefix: true,
    jPath: true,
    isArray: (_n, path) => typeof path === 'string' && ARRAYS.has(path),
  }).parse(xml);
  const parsed = Pom.safeParse(raw);
  if (!parsed.success)
    throw new BulwarkError(
      'UNKNOWN_FORMAT',
      'pom.xml',
      `not a Maven POM: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
    );
  const p = parsed.data.project;
  const props = new Map<string, string>();
  if (p.properties)
    for (const [k, v] of Object.entries(p.properties)) if (typeof v === 'string') props.set(k, decode(v));
  const groupId = p.groupId ?? p.parent?.groupId;
  const version = p.version ?? p.parent?.version;
  const builtins: [string[], string | undefined][] = [
    [['project.groupId', 'pom.groupId', 'groupId'], groupId],
    [['project.artifactId', 'pom.artifactId', 'artifactId'], p.artifactId],
    [['project.version', 'pom.version', 'version'], version],
    [['project.parent.groupId', 'parent.groupId'], p.parent?.groupId],
    [['project.parent.version', 'parent.version'], p.parent?.version],
  ];
  for (const [keys, v] of builtins)
    if (v !== undefined) for (const k of keys) if (!props.has(k)) props.set(k, decode(v));
  const value = (v: string | undefined): string | undefined =>
    v === undefined ? undefined : interpolate(decode(v), props);
  const out: PomData = { kind: 'pom', dependencies: [], unresolved: [] };
  const [pg, pa, pv] = [value(groupId), value(p.artifactId), value(version)];
  if (pg && pa && pv) {
    const licenses = (p.licenses ? (p.licenses.license ?? []) : [])
      .map((l) => value(l.name))
      .filter((n): n is string => !!n);
    out.project = { groupId: pg, artifactId: pa, version: pv, licenses };
  } else {
    out.unresolved.push(
      `${pg ?? groupId ?? '?'}:${pa ?? p.artifactId ?? '?'} (the project itself: coordinates not resolvable from this pom)`,
    );
  }
  for (const d of (p.dependencies ? p.dependencies.dependency : undefined) ?? []) {
    const [g, a] = [value(d.groupId), value(d.artifactId)];
    const name = `${g ?? d.groupId ?? '?'}:${a ?? d.artifactId ?? '?'}`;
    if (!d.version) out.unresolved.push(`${name} (no version: managed by a parent or BOM)`);
    else {
      const v = value(d.version);
      if (!g || !a || !v) out.unresolved.push(`${name} (${d.version}: not resolvable from this pom)`);
      else if (/^[[(]/.test(v)) out.unresolved.push(`${name} (version range ${v})`);
      else
        out.dependencies.push({
          groupId: g,
          artifactId: a,
          version: v,
          ...(d.scope ? { scope: decode(d.scope) } : {}),
        });
    }
  }
  return out;
}
