import { buildServerApp, type ServerAppOptions } from './app.js';
import { serverLogger } from './logging.js';
import type { Store } from '../store/open.js';
import type { AuditEntry, Principal, Role, ServerDeps } from './deps.js';

// In-memory deps for the app's tests: one token per role, audit entries kept in order.

export const TOKENS: Record<Role, string> = {
  admin: 'adm-0123456789abcdef0123456789',
  agent: 'agt-0123456789abcdef0123456789',
  scanner: 'scn-0123456789abcdef0123456789',
  viewer: 'vwr-0123456789abcdef0123456789',
};

export interface TestDeps extends ServerDeps {
  entries: AuditEntry[];
  failAudit: boolean;
  isReady: boolean;
}

/** One token per role (TOKENS), audit kept in memory; `store` given: routes that need one work. */
export function testDeps(store?: Store): TestDeps {
  const byToken = new Map<string, Principal>(
    Object.entries(TOKENS).map(([role, token]) => [
      token,
      { id: `id-${role}`, name: `${role} user`, role: role as Role },
    ]),
  );
  const deps: TestDeps = {
    entries: [],
    failAudit: false,
    isReady: true,
    authenticate: async (secret) => byToken.get(secret),
    audit: async (entry) => {
      if (deps.failAudit) throw new Error('disk full');
      deps.entries.push(entry);
    },
    ready: async () => deps.isReady,
    ...(store ? { store } : {}),
  };
  return deps;
}

export const bearer = (role: Role): Record<string, string> => ({ authorization: `Bearer ${TOKENS[role]}` });

/** The app with in-memory deps and its log lines captured (not printed). */
export function testApp(options: ServerAppOptions = {}, deps: TestDeps = testDeps()) {
  const lines: string[] = [];
  const logger = serverLogger({ level: 'debug', stream: { write: (line: string) => void lines.push(line) } });
  const app = buildServerApp(deps, { logger, ...options });
  return { app, deps, logs: () => lines.join('') };
}
