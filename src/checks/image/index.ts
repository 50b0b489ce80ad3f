import type { CheckFamily } from '../check.js';
import { IMAGE_CHECK_INFO } from './info.js';

/** Image configuration and history checks (config.ts, secrets.ts). */
export const imageFamily: CheckFamily = { id: 'image', checks: IMAGE_CHECK_INFO };
