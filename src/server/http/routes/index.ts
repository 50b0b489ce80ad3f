import type { RouteGroup } from '../route.js';
import { auditNotes } from './audit-notes.js';
import { auditVerify } from './audit-verify.js';
import { containers } from './containers.js';
import { events } from './events.js';
import { health } from './health.js';
import { hosts } from './hosts.js';
import { metrics } from './metrics.js';
import { openapi } from './openapi.js';
import { whoami } from './whoami.js';

// Every route group of the server, one line each.
export const ROUTE_GROUPS: readonly RouteGroup[] = [
  health,
  metrics,
  openapi,
  whoami,
  auditNotes,
  auditVerify,
  hosts,
  containers,
  events,
];
