// Default rules about changes to files: writes below system, program and configuration directories, set-id bits, persistence, evidence removal, credential access.
// Appended to the base rules (default-rules.ts); the same YAML a user's rule file holds.

export const FILE_RULES_YAML = `
`;
