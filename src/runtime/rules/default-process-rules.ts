// Default rules about programs run at runtime: package managers, remote copy tools, decoded payloads, credential searches.
// Appended to the base rules (default-rules.ts); the same YAML a user's rule file holds.

export const PROCESS_RULES_YAML = `
`;
