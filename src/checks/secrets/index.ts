import type { CheckFamily } from '../check.js';
import { secretChecks } from './rules.js';

/** Secrets in files, image metadata and history: one check per rule (rules.ts). */
export const secretsFamily: CheckFamily = { id: 'secrets', checks: secretChecks() };
