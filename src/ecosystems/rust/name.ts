/**
 * A crate name: crates.io holds one crate per name compared without case and with `-` and
 * `_` as one character, so every spelling of it names the same crate.
 */
export function crateName(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}
