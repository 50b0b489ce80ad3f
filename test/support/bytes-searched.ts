// Tests only: how many bytes the byte searches of a reader cover while it runs, counted by
// wrapping Buffer#indexOf (Buffer#includes calls it too). A structural measure of a parser's
// work, for asserting it stays proportional to its input without timing anything.

export interface Searched<T> {
  /** The sum over every search of the bytes it covered: from its start to the end of the needle found, or of the buffer. */
  bytes: number;
  searches: number;
  result?: T;
  error?: unknown;
}

export function bytesSearched<T>(fn: () => T): Searched<T> {
  const original = Buffer.prototype.indexOf;
  const out: Searched<T> = { bytes: 0, searches: 0 };
  Buffer.prototype.indexOf = function (
    this: Buffer,
    value: string | number | Uint8Array,
    byteOffset?: number | BufferEncoding,
    encoding?: BufferEncoding,
  ): number {
    const from =
      typeof byteOffset === 'number'
        ? byteOffset < 0
          ? Math.max(0, this.length + byteOffset)
          : Math.min(byteOffset, this.length)
        : 0;
    const found = original.call(this, value, byteOffset as number, encoding);
    const needle =
      typeof value === 'number' ? 1 : typeof value === 'string' ? Buffer.byteLength(value, encoding) : value.length;
    // a search that finds its needle has looked at the bytes up to the needle's end
    out.bytes += found < 0 ? this.length - from : found + needle - from;
    out.searches++;
    return found;
  };
  try {
    out.result = fn();
  } catch (e) {
    out.error = e;
  } finally {
    Buffer.prototype.indexOf = original;
  }
  return out;
}
