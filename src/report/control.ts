// Text from an image (package names, versions, paths, titles, layer commands) may hold terminal
// escape sequences, carriage returns, backspaces or bidirectional overrides that would rewrite
// what a terminal or a rendered comment shows. Reports for people pass through this last: every
// such character becomes a visible escape ("\x1B", "\u202E"); line breaks stay.

// C0 controls but "\n", DEL, C1 controls, and the bidirectional embeddings, overrides and isolates
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string, width: number): string => c.charCodeAt(0).toString(16).toUpperCase().padStart(width, '0');

export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}
