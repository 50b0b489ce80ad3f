/** A PyPI project name as PEP 503 normalises it (what OSV's PyPI ecosystem names). */
export function pypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
