// Identity from a Maven-style archive file name, `<artifactId>-<version>[-<classifier>].<ext>`:
// the version starts at the first `-` followed by a digit. Ambiguous names such as
// `log4j-1.2-api-2.17.1.jar` split wrongly here, which is why it is the last resort.

const ARCHIVE_EXTENSIONS = ['.jar', '.war', '.ear', '.jpi', '.hpi'] as const;

export function isArchiveName(name: string): boolean {
  const lower = name.toLowerCase();
  return ARCHIVE_EXTENSIONS.some(
    (ext) => lower.endsWith(ext) && lower.length > ext.length && !lower.endsWith(`/${ext}`),
  );
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The file name without directory and archive extension. */
export function stem(path: string): string {
  const base = baseName(path);
  return isArchiveName(base) ? base.slice(0, base.lastIndexOf('.')) : base;
}

export function fromFileName(path: string): { artifact: string; version?: string } {
  const s = stem(path);
  const m = /^(.+?)-(\d.*)$/.exec(s);
  return m ? { artifact: m[1]!, version: m[2]! } : { artifact: s };
}
