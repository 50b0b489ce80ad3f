import type { RouteGroup } from '../route.js';
import { auditNotes } from './audit-notes.js';
import { auditVerify } from './audit-verify.js';
import { containers } from './containers.js';
import { events } from './events.js';
import { health } from './health.js';
import { images } from './images.js';
import { hosts } from './hosts.js';
import { metrics } from './metrics.js';
import { openapi } from './openapi.js';
import { scans } from './scans.js';
import { vulnerabilities } from './vulnerabilities.js';
import { whoami } from './whoami.js';

// Every route group of the server, one line each.
export const ROUTE_GROUPS: readonly RouteGroup[] = [
  health,
  metrics,
  openapi,
  whoami,
  auditNotes,
  auditVerify,
  scans,
  images,
  vulnerabilities,
  hosts,
  containers,
  events,
];
