/** A Composer vendor/package name: Composer and Packagist treat names case-insensitively (and publish them lower-case). */
export function packagistName(name: string): string {
  return name.toLowerCase();
}
