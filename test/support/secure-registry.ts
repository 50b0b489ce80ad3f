import { after, before, type TestContext } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import { RegistryClient } from '../../src/registry/client.js';
import { haveRegistryTools, makeCerts, startRegistry, type TestCerts, type TestRegistry } from './registry.js';
import { requireAll } from './require.js';

// One real docker-registry with TLS (a test CA) and htpasswd for a test file: started
// before its tests, stopped after; credentials and CA handed to the CLI and the client,
// and no ambient docker config.

export interface SecureRegistry {
  tmp: TempDir;
  certs: TestCerts;
  reg: TestRegistry;
  user: string;
  pass: string;
  /** An empty DOCKER_CONFIG directory. */
  noConfig: string;
  /** Environment for the CLI: the registry login, no docker config, plus extra. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** CLI flags trusting the test CA. */
  ca(): string[];
  client(): Promise<RegistryClient>;
}

export interface SecureRegistrySuite {
  /** The running registry (after `before`). */
  get(): SecureRegistry;
  /** False (test skipped or failed under CI) when the tools are missing or set-up did not finish. */
  ready(t: TestContext): boolean;
}

export function secureRegistrySuite(
  user: string,
  pass: string,
  setup: (r: SecureRegistry) => Promise<void> = async () => {},
): SecureRegistrySuite {
  let r: SecureRegistry | undefined;
  let done = false;
  before(async () => {
    if (!Object.values(haveRegistryTools()).every(Boolean)) return;
    const tmp = await makeTempDir();
    const certs = makeCerts(join(tmp.path, 'certs'));
    const noConfig = join(tmp.path, 'no-docker-config');
    mkdirSync(noConfig);
    const reg = await startRegistry({
      dir: join(tmp.path, 'reg'),
      tls: { cert: certs.serverCert, key: certs.serverKey },
      htpasswd: { username: user, password: pass },
    });
    const login = {
      BULWARK_REGISTRY: reg.host,
      BULWARK_REGISTRY_USERNAME: user,
      BULWARK_REGISTRY_PASSWORD: pass,
      DOCKER_CONFIG: noConfig,
    };
    r = {
      tmp,
      certs,
      reg,
      user,
      pass,
      noConfig,
      env: (extra = {}) => ({ ...login, ...extra }),
      ca: () => ['--ca-file', certs.caCert],
      client: () => RegistryClient.create(reg.host, { caFile: certs.caCert, env: login }),
    };
    await setup(r);
    done = true;
  });
  after(async () => {
    await r?.reg.stop();
    await r?.tmp.remove();
  });
  return {
    get: () => {
      if (!r) throw new Error('the test registry is not running');
      return r;
    },
    ready: (t) => requireAll(t, { ...haveRegistryTools(), 'docker-registry started (before hook)': done }),
  };
}
