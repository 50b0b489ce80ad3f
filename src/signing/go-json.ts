// JSON text as Go's encoding/json.Marshal writes it, so payloads we sign are byte for byte
// what cosign would sign for the same values: Go escapes <, >, & and U+2028/U+2029.
// (Structural JSON never contains these characters, so replacing them everywhere only
// touches string contents. Object key order is the caller's job.)

export function goJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
