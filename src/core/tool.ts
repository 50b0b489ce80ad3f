// Bulwark's own identity, as SBOMs, SARIF and events name it.

export const TOOL_NAME = 'bulwark';
// Kept in step with package.json by hand: reading package.json at run time breaks once bundled.
export const TOOL_VERSION = '0.1.0';
// No project domain exists yet; .invalid (RFC 2606) can never belong to someone else.
export const TOOL_INFORMATION_URI = 'https://bulwark.invalid/';
