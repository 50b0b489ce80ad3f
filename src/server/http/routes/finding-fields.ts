import { z } from 'zod';

/** What every answer naming a finding says about it: the package, its versions, how bad. */
export const FINDING_FIELDS = {
  advisoryId: z.string(),
  packageName: z.string(),
  packagePurl: z.string(),
  installed: z.string(),
  fixed: z.string().optional(),
  severity: z.string(),
  cvssScore: z.number().optional(),
};
