import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { BulwarkError } from '../../core/errors.js';
import { parseCompose } from './compose.js';
import { parseKubernetes } from './kubernetes.js';
import type { Workload } from './model.js';
import { PSS_LATEST, PSS_VERSIONS, evaluatePss, pssControls, pssMinor, type PssLevel } from './pss.js';

// The Pod Security Standards, control by control: for each control of baseline and restricted,
// pods that pass and pods that fail, at the current version and at earlier ones — on both sides
// of every version where the standard changed.

/* eslint-disable @typescript-eslint/no-explicit-any -- pod specs are built as loose JSON */
type Obj = Record<string, any>;
type Edit = (spec: Obj, app: Obj, meta: Obj) => void;

/** A pod that passes restricted at every version; edits change one thing. */
function pod(edit?: Edit): Workload {
  const spec: Obj = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image: 'registry.example.com/app:1',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
  };
  const meta: Obj = { name: 'p' };
  edit?.(spec, spec.containers[0], meta);
  const [w] = parseKubernetes(stringify({ apiVersion: 'v1', kind: 'Pod', metadata: meta, spec }), 'pod.yaml').workloads;
  return w!;
}

/** A Windows pod: no Linux-only settings at all. */
function windowsPod(edit?: Edit): Workload {
  return pod((s, c, m) => {
    s.os = { name: 'windows' };
    delete s.securityContext.seccompProfile;
    delete c.securityContext;
    edit?.(s, c, m);
  });
}

const sc = (c: Obj) => (c.securityContext ??= {});
const init = (s: Obj, extra: Obj = {}) =>
  (s.initContainers = [
    {
      name: 'init',
      image: 'x',
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      ...extra,
    },
  ]);
const ephemeral = (s: Obj, extra: Obj = {}) =>
  (s.ephemeralContainers = [
    {
      name: 'debug',
      image: 'x',
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      ...extra,
    },
  ]);

interface Case {
  control: string;
  level: PssLevel;
  /** Versions both lists are checked at (default: the first, one in the middle, latest). */
  versions?: string[];
  pass: [string, Edit | undefined][];
  fail: [string, Edit][];
  /** Build on a Windows pod instead. */
  windows?: boolean;
}

const EVERY = ['v1.23', 'v1.29', 'latest'];

const CASES: Case[] = [
  // --- baseline ---
  {
    control: 'HostProcess',
    level: 'baseline',
    pass: [
      ['unset', undefined],
      [
        'false everywhere',
        (s, c) => {
          s.securityContext.windowsOptions = { hostProcess: false };
          sc(c).windowsOptions = { hostProcess: false };
        },
      ],
    ],
    fail: [
      [
        'pod',
        (s) => {
          s.securityContext.windowsOptions = { hostProcess: true };
        },
      ],
      [
        'container',
        (s, c) => {
          sc(c).windowsOptions = { hostProcess: true };
        },
      ],
      [
        'init container',
        (s) => {
          init(s, {
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
              windowsOptions: { hostProcess: true },
            },
          });
        },
      ],
    ],
  },
  {
    control: 'Host Namespaces',
    level: 'baseline',
    pass: [
      ['unset', undefined],
      ['false', (s) => Object.assign(s, { hostNetwork: false, hostPID: false, hostIPC: false })],
    ],
    fail: [
      [
        'hostNetwork',
        (s) => {
          s.hostNetwork = true;
        },
      ],
      [
        'hostPID',
        (s) => {
          s.hostPID = true;
        },
      ],
      [
        'hostIPC',
        (s) => {
          s.hostIPC = true;
        },
      ],
    ],
  },
  {
    control: 'Privileged Containers',
    level: 'baseline',
    pass: [
      [
        'false',
        (s, c) => {
          sc(c).privileged = false;
        },
      ],
    ],
    fail: [
      [
        'container',
        (s, c) => {
          sc(c).privileged = true;
        },
      ],
      ['init container', (s) => init(s, { securityContext: { privileged: true } })],
      ['ephemeral container', (s) => ephemeral(s, { securityContext: { privileged: true } })],
    ],
  },
  {
    control: 'Capabilities',
    level: 'baseline',
    pass: [
      [
        'the runtime defaults',
        (s, c) => {
          sc(c).capabilities = {
            add: [
              'AUDIT_WRITE',
              'CHOWN',
              'DAC_OVERRIDE',
              'FOWNER',
              'FSETID',
              'KILL',
              'MKNOD',
              'NET_BIND_SERVICE',
              'SETFCAP',
              'SETGID',
              'SETPCAP',
              'SETUID',
              'SYS_CHROOT',
            ],
          };
        },
      ],
    ],
    fail: [
      [
        'NET_RAW',
        (s, c) => {
          sc(c).capabilities = { add: ['NET_RAW'] };
        },
      ],
      ['SYS_ADMIN in an init container', (s) => init(s, { securityContext: { capabilities: { add: ['SYS_ADMIN'] } } })],
      [
        'a lower-case name (compared as written)',
        (s, c) => {
          sc(c).capabilities = { add: ['chown'] };
        },
      ],
    ],
  },
  {
    control: 'HostPath Volumes',
    level: 'baseline',
    pass: [
      [
        'emptyDir and configMap',
        (s) => {
          s.volumes = [
            { name: 'a', emptyDir: {} },
            { name: 'b', configMap: { name: 'c' } },
          ];
        },
      ],
    ],
    fail: [
      [
        'hostPath',
        (s) => {
          s.volumes = [{ name: 'a', hostPath: { path: '/srv' } }];
        },
      ],
    ],
  },
  {
    control: 'Host Ports',
    level: 'baseline',
    pass: [
      [
        'containerPort only',
        (s, c) => {
          c.ports = [{ containerPort: 80 }];
        },
      ],
      [
        'hostPort 0',
        (s, c) => {
          c.ports = [{ containerPort: 80, hostPort: 0 }];
        },
      ],
    ],
    fail: [
      [
        'container',
        (s, c) => {
          c.ports = [{ containerPort: 80, hostPort: 8080 }];
        },
      ],
      ['init container', (s) => init(s, { ports: [{ containerPort: 80, hostPort: 80 }] })],
    ],
  },
  {
    control: 'AppArmor',
    level: 'baseline',
    pass: [
      [
        'annotation runtime/default',
        (s, c, m) => {
          m.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' };
        },
      ],
      [
        'annotation localhost/',
        (s, c, m) => {
          m.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'localhost/k8s-apparmor-example' };
        },
      ],
      [
        'field RuntimeDefault on the pod',
        (s) => {
          s.securityContext.appArmorProfile = { type: 'RuntimeDefault' };
        },
      ],
      [
        'field Localhost on the container',
        (s, c) => {
          sc(c).appArmorProfile = { type: 'Localhost', localhostProfile: 'p' };
        },
      ],
    ],
    fail: [
      [
        'annotation unconfined',
        (s, c, m) => {
          m.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' };
        },
      ],
      [
        'annotation with another value',
        (s, c, m) => {
          m.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'docker-default' };
        },
      ],
      [
        'field Unconfined on the pod',
        (s) => {
          s.securityContext.appArmorProfile = { type: 'Unconfined' };
        },
      ],
      [
        'field Unconfined on the container',
        (s, c) => {
          sc(c).appArmorProfile = { type: 'Unconfined' };
        },
      ],
    ],
  },
  {
    control: 'SELinux',
    level: 'baseline',
    pass: [
      [
        'container_t',
        (s) => {
          s.securityContext.seLinuxOptions = { type: 'container_t', level: 's0:c123,c456' };
        },
      ],
      [
        'container_init_t and container_kvm_t',
        (s, c) => {
          s.securityContext.seLinuxOptions = { type: 'container_init_t' };
          sc(c).seLinuxOptions = { type: 'container_kvm_t' };
        },
      ],
      [
        'empty strings',
        (s) => {
          s.securityContext.seLinuxOptions = { type: '', user: '', role: '' };
        },
      ],
    ],
    fail: [
      [
        'type spc_t',
        (s) => {
          s.securityContext.seLinuxOptions = { type: 'spc_t' };
        },
      ],
      [
        'user',
        (s, c) => {
          sc(c).seLinuxOptions = { user: 'sysadm_u' };
        },
      ],
      [
        'role',
        (s, c) => {
          sc(c).seLinuxOptions = { role: 'sysadm_r' };
        },
      ],
    ],
  },
  {
    control: '/proc Mount Type',
    level: 'baseline',
    pass: [
      [
        'Default',
        (s, c) => {
          sc(c).procMount = 'Default';
        },
      ],
    ],
    fail: [
      [
        'Unmasked',
        (s, c) => {
          sc(c).procMount = 'Unmasked';
        },
      ],
      ['Unmasked in an ephemeral container', (s) => ephemeral(s, { securityContext: { procMount: 'Unmasked' } })],
    ],
  },
  {
    control: 'Seccomp',
    level: 'baseline',
    pass: [
      [
        'unset (baseline allows it)',
        (s) => {
          delete s.securityContext.seccompProfile;
        },
      ],
      [
        'Localhost',
        (s, c) => {
          sc(c).seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' };
        },
      ],
    ],
    fail: [
      [
        'pod Unconfined',
        (s) => {
          s.securityContext.seccompProfile = { type: 'Unconfined' };
        },
      ],
      [
        'container Unconfined',
        (s, c) => {
          sc(c).seccompProfile = { type: 'Unconfined' };
        },
      ],
    ],
  },
  {
    control: 'Sysctls',
    level: 'baseline',
    pass: [
      [
        'the v1.23 safe set',
        (s) => {
          s.securityContext.sysctls = [
            'kernel.shm_rmid_forced',
            'net.ipv4.ip_local_port_range',
            'net.ipv4.ip_unprivileged_port_start',
            'net.ipv4.tcp_syncookies',
            'net.ipv4.ping_group_range',
          ].map((name) => ({ name, value: '1' }));
        },
      ],
    ],
    fail: [
      [
        'kernel.msgmax',
        (s) => {
          s.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '65536' }];
        },
      ],
      [
        'net.core.somaxconn',
        (s) => {
          s.securityContext.sysctls = [{ name: 'net.core.somaxconn', value: '1024' }];
        },
      ],
    ],
  },
  {
    control: 'Host Probes / Lifecycle Hooks',
    level: 'baseline',
    versions: ['v1.34', 'latest'],
    pass: [
      [
        'no host',
        (s, c) => {
          c.livenessProbe = { httpGet: { path: '/healthz', port: 8080 } };
        },
      ],
      [
        'empty host',
        (s, c) => {
          c.readinessProbe = { tcpSocket: { host: '', port: 8080 } };
        },
      ],
    ],
    fail: [
      [
        'livenessProbe.httpGet.host',
        (s, c) => {
          c.livenessProbe = { httpGet: { host: '169.254.169.254', path: '/', port: 80 } };
        },
      ],
      [
        'readinessProbe.tcpSocket.host',
        (s, c) => {
          c.readinessProbe = { tcpSocket: { host: 'localhost', port: 8080 } };
        },
      ],
      [
        'lifecycle.preStop.httpGet.host',
        (s, c) => {
          c.lifecycle = { preStop: { httpGet: { host: 'localhost', path: '/quit', port: 9091 } } };
        },
      ],
      ['init container startupProbe', (s) => init(s, { startupProbe: { httpGet: { host: '10.0.0.1', port: 80 } } })],
    ],
  },
  // --- restricted ---
  {
    control: 'Volume Types',
    level: 'restricted',
    pass: [
      [
        'every allowed type',
        (s) => {
          s.volumes = [
            { name: 'a', configMap: { name: 'c' } },
            { name: 'b', csi: { driver: 'd' } },
            { name: 'c', downwardAPI: {} },
            { name: 'd', emptyDir: {} },
            { name: 'e', ephemeral: { volumeClaimTemplate: { spec: {} } } },
            { name: 'f', persistentVolumeClaim: { claimName: 'x' } },
            { name: 'g', projected: { sources: [] } },
            { name: 'h', secret: { secretName: 's' } },
            { name: 'i' },
          ];
        },
      ],
    ],
    fail: [
      [
        'hostPath',
        (s) => {
          s.volumes = [{ name: 'a', hostPath: { path: '/srv' } }];
        },
      ],
      [
        'nfs',
        (s) => {
          s.volumes = [{ name: 'a', nfs: { server: 'n', path: '/' } }];
        },
      ],
      [
        'gitRepo',
        (s) => {
          s.volumes = [{ name: 'a', gitRepo: { repository: 'r' } }];
        },
      ],
    ],
  },
  {
    control: 'Privilege Escalation',
    level: 'restricted',
    pass: [['false', undefined]],
    fail: [
      [
        'unset',
        (s, c) => {
          delete c.securityContext.allowPrivilegeEscalation;
        },
      ],
      [
        'true',
        (s, c) => {
          c.securityContext.allowPrivilegeEscalation = true;
        },
      ],
      [
        'unset on an ephemeral container',
        (s) => ephemeral(s, { securityContext: { capabilities: { drop: ['ALL'] } } }),
      ],
    ],
  },
  {
    control: 'Running as Non-root',
    level: 'restricted',
    pass: [
      ['pod true', undefined],
      [
        'every container true, pod unset',
        (s, c) => {
          delete s.securityContext.runAsNonRoot;
          c.securityContext.runAsNonRoot = true;
        },
      ],
    ],
    fail: [
      [
        'unset everywhere',
        (s) => {
          delete s.securityContext.runAsNonRoot;
        },
      ],
      [
        'pod false',
        (s, c) => {
          s.securityContext.runAsNonRoot = false;
          c.securityContext.runAsNonRoot = true;
        },
      ],
      [
        'container false under pod true',
        (s, c) => {
          c.securityContext.runAsNonRoot = false;
        },
      ],
      [
        'init container unset, pod unset',
        (s, c) => {
          delete s.securityContext.runAsNonRoot;
          c.securityContext.runAsNonRoot = true;
          init(s);
        },
      ],
    ],
  },
  {
    control: 'Running as Non-root user',
    level: 'restricted',
    pass: [
      ['unset', undefined],
      [
        'non-zero',
        (s, c) => {
          s.securityContext.runAsUser = 1000;
          c.securityContext.runAsUser = 65534;
        },
      ],
    ],
    fail: [
      [
        'pod 0',
        (s) => {
          s.securityContext.runAsUser = 0;
        },
      ],
      [
        'container 0',
        (s, c) => {
          c.securityContext.runAsUser = 0;
        },
      ],
    ],
  },
  {
    control: 'Seccomp',
    level: 'restricted',
    pass: [
      ['pod RuntimeDefault', undefined],
      [
        'pod unset, container Localhost',
        (s, c) => {
          delete s.securityContext.seccompProfile;
          c.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' };
        },
      ],
    ],
    fail: [
      [
        'unset everywhere',
        (s) => {
          delete s.securityContext.seccompProfile;
        },
      ],
      [
        'pod Unconfined',
        (s) => {
          s.securityContext.seccompProfile = { type: 'Unconfined' };
        },
      ],
      [
        'container Unconfined overriding the pod',
        (s, c) => {
          c.securityContext.seccompProfile = { type: 'Unconfined' };
        },
      ],
      [
        'init container unset, pod unset',
        (s, c) => {
          delete s.securityContext.seccompProfile;
          c.securityContext.seccompProfile = { type: 'RuntimeDefault' };
          init(s);
        },
      ],
    ],
  },
  {
    control: 'Capabilities',
    level: 'restricted',
    pass: [
      ['drop ALL', undefined],
      [
        'drop ALL, add NET_BIND_SERVICE',
        (s, c) => {
          c.securityContext.capabilities.add = ['NET_BIND_SERVICE'];
        },
      ],
    ],
    fail: [
      [
        'nothing dropped',
        (s, c) => {
          delete c.securityContext.capabilities;
        },
      ],
      [
        'only NET_RAW dropped',
        (s, c) => {
          c.securityContext.capabilities.drop = ['NET_RAW'];
        },
      ],
      [
        'CHOWN added',
        (s, c) => {
          c.securityContext.capabilities.add = ['CHOWN'];
        },
      ],
      [
        '"all" in lower case (compared as written)',
        (s, c) => {
          c.securityContext.capabilities.drop = ['all'];
        },
      ],
    ],
  },
];

/** Cases where the standard changed: each side of the change, at its own versions. */
const sysctl =
  (...names: string[]): Edit =>
  (s) => {
    s.securityContext.sysctls = names.map((name) => ({ name, value: '1' }));
  };
const VERSIONED: {
  control: string;
  level: PssLevel;
  what: string;
  edit: Edit;
  failAt: string[];
  passAt: string[];
  windows?: boolean;
}[] = [
  {
    control: 'Sysctls',
    level: 'baseline',
    what: 'net.ipv4.ip_local_reserved_ports (v1.27)',
    edit: sysctl('net.ipv4.ip_local_reserved_ports'),
    failAt: ['v1.23', 'v1.26'],
    passAt: ['v1.27', 'v1.30', 'latest'],
  },
  {
    control: 'Sysctls',
    level: 'baseline',
    what: 'the TCP keepalive sysctls (v1.29)',
    edit: sysctl(
      'net.ipv4.tcp_keepalive_time',
      'net.ipv4.tcp_fin_timeout',
      'net.ipv4.tcp_keepalive_intvl',
      'net.ipv4.tcp_keepalive_probes',
    ),
    failAt: ['v1.27', 'v1.28'],
    passAt: ['v1.29', 'latest'],
  },
  {
    control: 'Sysctls',
    level: 'baseline',
    what: 'net.ipv4.tcp_rmem and tcp_wmem (v1.32)',
    edit: sysctl('net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'),
    failAt: ['v1.29', 'v1.31'],
    passAt: ['v1.32', 'latest'],
  },
  {
    control: 'SELinux',
    level: 'baseline',
    what: 'type container_engine_t (v1.31)',
    edit: (s) => {
      s.securityContext.seLinuxOptions = { type: 'container_engine_t' };
    },
    failAt: ['v1.23', 'v1.30'],
    passAt: ['v1.31', 'latest'],
  },
  {
    control: 'Host Probes / Lifecycle Hooks',
    level: 'baseline',
    what: 'a probe host (v1.34)',
    edit: (s, c) => {
      c.livenessProbe = { httpGet: { host: 'localhost', port: 80 } };
    },
    failAt: ['v1.34', 'latest'],
    passAt: ['v1.23', 'v1.33'],
  },
  {
    control: 'Privilege Escalation',
    level: 'restricted',
    what: 'a Windows pod without allowPrivilegeEscalation (v1.25)',
    edit: () => {},
    failAt: ['v1.23', 'v1.24'],
    passAt: ['v1.25', 'latest'],
    windows: true,
  },
  {
    control: 'Seccomp',
    level: 'restricted',
    what: 'a Windows pod without a seccomp profile (v1.25)',
    edit: () => {},
    failAt: ['v1.24'],
    passAt: ['v1.25', 'latest'],
    windows: true,
  },
  {
    control: 'Capabilities',
    level: 'restricted',
    what: 'a Windows pod that drops nothing (v1.25)',
    edit: () => {},
    failAt: ['v1.24'],
    passAt: ['v1.25', 'latest'],
    windows: true,
  },
];

const controlsOf = (w: Workload, level: PssLevel, version: string) =>
  evaluatePss(w, level, version).violations.map((v) => `${v.level}:${v.control}`);

for (const c of CASES) {
  test(`pss ${c.level} ${c.control}: passing and failing pods at ${(c.versions ?? EVERY).join(', ')}`, () => {
    const key = `${c.level}:${c.control}`;
    for (const version of c.versions ?? EVERY) {
      for (const [what, edit] of c.pass) {
        const r = evaluatePss(pod(edit), c.level, version);
        assert.deepEqual(
          r.violations.map((v) => v.message),
          [],
          `${version} ${what}: should pass`,
        );
        assert.equal(r.allowed, true);
      }
      for (const [what, edit] of c.fail) {
        const w = pod(edit);
        const r = evaluatePss(w, c.level, version);
        assert.equal(r.allowed, false, `${version} ${what}: should fail`);
        assert.ok(
          controlsOf(w, c.level, version).includes(key),
          `${version} ${what}: ${key} not among ${controlsOf(w, c.level, version).join(', ')}`,
        );
        const v = r.violations.find((x) => `${x.level}:${x.control}` === key)!;
        assert.ok(v.field.startsWith('spec.') || v.field.startsWith('metadata.'), v.field);
        assert.ok(v.line && v.line > 0);
        // restricted includes baseline: the same control fails there too (perhaps in its stricter form)
        if (c.level === 'baseline')
          assert.ok(
            evaluatePss(w, 'restricted', version).violations.some((x) => x.control === c.control),
            `${version} ${what}: not failed by restricted`,
          );
      }
    }
  });
}

for (const v of VERSIONED) {
  test(`pss ${v.level} ${v.control}: ${v.what} — fails at ${v.failAt.join(', ')}, passes at ${v.passAt.join(', ')}`, () => {
    const w = v.windows ? windowsPod(v.edit) : pod(v.edit);
    for (const version of v.failAt)
      assert.ok(controlsOf(w, v.level, version).includes(`${v.level}:${v.control}`), `${version}: should fail`);
    for (const version of v.passAt) {
      const r = evaluatePss(w, v.level, version);
      assert.deepEqual(
        r.violations.map((x) => x.message),
        [],
        `${version}: should pass`,
      );
    }
  });
}

test('pss: every control of both levels has a table row', () => {
  const covered = new Set(CASES.map((c) => `${c.level}:${c.control}`));
  for (const level of ['baseline', 'restricted'] as const) {
    for (const c of pssControls(level))
      assert.ok(covered.has(`${c.level}:${c.control}`), `${c.level}:${c.control} has no cases`);
  }
});

test("pss: messages in the admission plugin's form", () => {
  const msg = (edit: Edit, level: PssLevel = 'restricted', version = 'latest') =>
    evaluatePss(pod(edit), level, version).violations.map((v) => v.message);
  assert.deepEqual(
    msg((s, c) => {
      c.name = 'nginx';
      c.securityContext.privileged = true;
    }, 'baseline'),
    ['privileged (container "nginx" must not set securityContext.privileged=true)'],
  );
  assert.deepEqual(
    msg((s, c) => {
      c.securityContext.privileged = true;
      init(s, { securityContext: { privileged: true } });
    }, 'baseline'),
    ['privileged (containers "app", "init" must not set securityContext.privileged=true)'],
  );
  assert.deepEqual(
    msg((s) => Object.assign(s, { hostNetwork: true, hostIPC: true }), 'baseline'),
    ['host namespaces (hostNetwork=true, hostIPC=true)'],
  );
  assert.deepEqual(
    msg((s) => {
      s.volumes = [
        { name: 'a', hostPath: { path: '/a' } },
        { name: 'b', hostPath: { path: '/b' } },
      ];
    }, 'baseline'),
    ['hostPath volumes (volumes "a", "b")'],
  );
  assert.deepEqual(
    msg((s, c) => {
      c.ports = [
        { containerPort: 80, hostPort: 80 },
        { containerPort: 443, hostPort: 443 },
      ];
    }, 'baseline'),
    ['hostPort (container "app" uses hostPorts 80, 443)'],
  );
  assert.deepEqual(
    msg((s, c) => {
      c.securityContext.capabilities = { add: ['NET_ADMIN', 'SYS_TIME'] };
    }, 'baseline'),
    [
      'non-default capabilities (container "app" must not include "NET_ADMIN", "SYS_TIME" in securityContext.capabilities.add)',
    ],
  );
  assert.deepEqual(
    msg((s) => {
      s.securityContext.sysctls = [
        { name: 'kernel.msgmax', value: '1' },
        { name: 'net.core.somaxconn', value: '1' },
      ];
    }, 'baseline'),
    ['forbidden sysctls (kernel.msgmax, net.core.somaxconn)'],
  );
  assert.deepEqual(
    msg((s, c) => {
      c.securityContext.procMount = 'Unmasked';
    }, 'baseline'),
    ['procMount (container "app" must not set securityContext.procMount to "Unmasked")'],
  );
  assert.deepEqual(
    msg((s) => {
      s.securityContext.windowsOptions = { hostProcess: true };
    }, 'baseline'),
    ['hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)'],
  );
  assert.deepEqual(
    msg((s) => {
      s.securityContext.seccompProfile = { type: 'Unconfined' };
    }, 'baseline'),
    ['seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")'],
  );
  assert.deepEqual(
    msg((s) => {
      s.securityContext.seLinuxOptions = { type: 'spc_t', user: 'u' };
    }, 'baseline'),
    ['seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t", user "u")'],
  );
  assert.deepEqual(
    msg((s) => {
      s.volumes = [{ name: 'data', hostPath: { path: '/d' } }];
    }).slice(-1),
    ['restricted volume types (volume "data" uses restricted volume type "hostPath")'],
  );
  assert.deepEqual(
    msg((s, c) => {
      delete c.securityContext.allowPrivilegeEscalation;
    }),
    ['allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)'],
  );
  assert.deepEqual(
    msg((s) => {
      delete s.securityContext.runAsNonRoot;
    }),
    ['runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)'],
  );
  assert.deepEqual(
    msg((s, c) => {
      s.securityContext.runAsNonRoot = false;
      c.securityContext.runAsNonRoot = false;
    }),
    [
      'runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false; container "app" must not set securityContext.runAsNonRoot=false)',
    ],
  );
  assert.deepEqual(
    msg((s, c) => {
      s.securityContext.runAsUser = 0;
      c.securityContext.runAsUser = 0;
    }),
    ['runAsUser=0 (pod and container "app" must not set runAsUser=0)'],
  );
  assert.deepEqual(
    msg((s) => {
      delete s.securityContext.seccompProfile;
    }),
    [
      'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ],
  );
  assert.deepEqual(
    msg((s, c) => {
      c.securityContext.capabilities = { add: ['SYS_ADMIN'] };
    }),
    [
      'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]; container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add)',
    ],
  );
});

test('pss: violation fields and lines point at the value, or where a missing one belongs', () => {
  const w = pod((s, c) => {
    c.securityContext.privileged = true;
    delete c.securityContext.allowPrivilegeEscalation;
  });
  const r = evaluatePss(w, 'restricted');
  const priv = r.violations.find((v) => v.control === 'Privileged Containers')!;
  assert.deepEqual(
    [priv.field, priv.fields],
    ['spec.containers[0].securityContext.privileged', ['spec.containers[0].securityContext.privileged']],
  );
  assert.equal(priv.line, w.pod.containers[0]!.securityContext.privileged!.line);
  const esc = r.violations.find((v) => v.control === 'Privilege Escalation')!;
  assert.deepEqual(
    [esc.field, esc.line],
    ['spec.containers[0].securityContext.allowPrivilegeEscalation', w.pod.containers[0]!.line],
  );
});

test('pss: restricted replaces baseline Seccomp and Capabilities with its stricter forms — except where it is exempt', () => {
  const unconfined = pod((s, c) => {
    c.securityContext.seccompProfile = { type: 'Unconfined' };
    c.securityContext.capabilities.add = ['SYS_ADMIN'];
  });
  assert.deepEqual(
    evaluatePss(unconfined, 'restricted').violations.map((v) => `${v.level}:${v.control}`),
    ['restricted:Seccomp', 'restricted:Capabilities'],
  );
  // a Windows pod is exempt from the restricted forms since v1.25, so the baseline ones apply
  const win = windowsPod((s) => {
    s.securityContext.seccompProfile = { type: 'Unconfined' };
  });
  assert.deepEqual(
    evaluatePss(win, 'restricted', 'v1.25').violations.map((v) => `${v.level}:${v.control}`),
    ['baseline:Seccomp'],
  );
  assert.deepEqual(
    evaluatePss(win, 'restricted', 'v1.24').violations.map((v) => `${v.level}:${v.control}`),
    ['restricted:Privilege Escalation', 'restricted:Seccomp', 'restricted:Capabilities'],
  );
});

test('pss: with the UserNamespacesPodSecurityStandards gate, hostUsers: false pods may run as UID 0', () => {
  const root = pod((s) => {
    s.hostUsers = false;
    s.securityContext.runAsUser = 0;
    delete s.securityContext.runAsNonRoot;
  });
  assert.deepEqual(
    evaluatePss(root, 'restricted').violations.map((v) => v.control),
    ['Running as Non-root', 'Running as Non-root user'],
  );
  assert.deepEqual(
    evaluatePss(root, 'restricted', 'latest', { userNamespacesPodSecurityStandards: true }).violations,
    [],
  );
  const hostUsers = pod((s) => {
    s.securityContext.runAsUser = 0;
  });
  assert.deepEqual(
    evaluatePss(hostUsers, 'restricted', 'latest', { userNamespacesPodSecurityStandards: true }).violations.map(
      (v) => v.control,
    ),
    ['Running as Non-root user'],
  );
});

test('pss: versions — "latest" resolved, any v1.N accepted, others refused', () => {
  assert.equal(PSS_VERSIONS[0], 'v1.23');
  assert.equal(PSS_VERSIONS.at(-1), PSS_LATEST);
  assert.equal(PSS_LATEST, 'v1.34');
  assert.equal(evaluatePss(pod(), 'baseline').version, PSS_LATEST);
  assert.equal(evaluatePss(pod(), 'baseline', '1.30').version, 'v1.30');
  for (const bad of ['v2.0', 'v0.9', 'v1.01', 'v1.', '', 'lastest', 'v1.3O', 'v1.35.1']) {
    assert.throws(
      () => pssMinor(bad),
      (e: unknown) => e instanceof BulwarkError && e.code === 'USAGE',
      bad,
    );
  }
  assert.deepEqual(
    pssControls('baseline', 'v1.33').map((c) => c.control),
    [
      'HostProcess',
      'Host Namespaces',
      'Privileged Containers',
      'Capabilities',
      'HostPath Volumes',
      'Host Ports',
      'AppArmor',
      'SELinux',
      '/proc Mount Type',
      'Seccomp',
      'Sysctls',
    ],
  );
  assert.equal(pssControls('baseline').length, 12);
  assert.deepEqual(
    pssControls('restricted')
      .slice(12)
      .map((c) => c.control),
    [
      'Volume Types',
      'Privilege Escalation',
      'Running as Non-root',
      'Running as Non-root user',
      'Seccomp',
      'Capabilities',
    ],
  );
});

test('pss: compose services and Docker bodies are evaluated on the same model', () => {
  const file = join(import.meta.dirname, 'fixtures', 'compose', 'docker-compose.yml');
  const ws = parseCompose(readFileSync(file, 'utf8'), file).workloads;
  const api = ws.find((w) => w.name === 'api')!;
  // a published port is a host port, even on loopback; `user` gives a UID but not runAsNonRoot;
  // restricted wants the seccomp profile explicit, while Docker applies its default silently
  assert.deepEqual(
    evaluatePss(api, 'baseline').violations.map((v) => v.message),
    ['hostPort (container "api" uses hostPort 8080)'],
  );
  assert.deepEqual(
    evaluatePss(api, 'restricted').violations.map((v) => v.control),
    ['Host Ports', 'Running as Non-root', 'Seccomp'],
  );
  const agent = ws.find((w) => w.name === 'agent')!;
  const r = evaluatePss(agent, 'baseline');
  assert.equal(
    r.violations.find((v) => v.control === 'HostPath Volumes')!.message,
    'hostPath volumes (volumes "/var/run/docker.sock", "/", "cache")',
  );
  assert.equal(r.violations.find((v) => v.control === 'Capabilities')!.field, 'services.agent.cap_add[0]');
});

// Pod Security Admission (k8s.io/pod-security-admission/policy) registers every check with a
// minimum version from v1.0 and evaluates a version newer than its newest check as that newest:
// a cluster labelled for a release newer than Bulwark's table, or for one before the standard's
// first publication (v1.23), gets the answer the admission plugin gives.
test('pss: a version newer than the table (v1.35, v1.99) is evaluated as latest', () => {
  const failing = pod((s, c) => {
    s.hostNetwork = true;
    c.livenessProbe = { httpGet: { host: 'localhost', port: 80 } };
    delete c.securityContext.allowPrivilegeEscalation;
  });
  for (const v of ['v1.35', '1.36', 'v1.99']) {
    for (const level of ['baseline', 'restricted'] as const) {
      const r = evaluatePss(failing, level, v);
      assert.equal(r.version, PSS_LATEST, v);
      assert.deepEqual(r.violations, evaluatePss(failing, level, 'latest').violations, `${level} ${v}`);
    }
  }
  assert.deepEqual(controlsOf(failing, 'baseline', 'v1.35'), [
    'baseline:Host Namespaces',
    'baseline:Host Probes / Lifecycle Hooks',
  ]);
});

test('pss: versions before v1.23 are evaluated as the admission plugin evaluates them, down to v1.0', () => {
  const root = pod((s) => {
    s.securityContext.runAsUser = 0;
  });
  assert.deepEqual(controlsOf(root, 'restricted', 'v1.23'), ['restricted:Running as Non-root user']);
  assert.deepEqual(controlsOf(root, 'restricted', 'v1.22'), [], 'runAsUser=0 is checked from v1.23');
  // restricted Capabilities from v1.22; before, the baseline's list of default capabilities
  const addsChown = pod((s, c) => {
    c.securityContext.capabilities = { add: ['CHOWN'] };
  });
  assert.deepEqual(controlsOf(addsChown, 'restricted', 'v1.22'), ['restricted:Capabilities']);
  assert.deepEqual(controlsOf(addsChown, 'restricted', 'v1.21'), []);
  assert.deepEqual(
    controlsOf(
      pod((s, c) => {
        c.securityContext.capabilities = { add: ['SYS_ADMIN'] };
      }),
      'restricted',
      'v1.21',
    ),
    ['baseline:Capabilities'],
  );
  // Privilege Escalation from v1.8
  const escalates = pod((s, c) => {
    delete c.securityContext.allowPrivilegeEscalation;
  });
  assert.deepEqual(controlsOf(escalates, 'restricted', 'v1.8'), ['restricted:Privilege Escalation']);
  assert.deepEqual(controlsOf(escalates, 'restricted', 'v1.7'), []);
  // Seccomp: the fields from v1.19 (restricted requires one); before, baseline reads the alpha annotations
  const noSeccomp = pod((s) => {
    delete s.securityContext.seccompProfile;
  });
  assert.deepEqual(controlsOf(noSeccomp, 'restricted', 'v1.19'), ['restricted:Seccomp']);
  assert.deepEqual(controlsOf(noSeccomp, 'restricted', 'v1.18'), []);
  const unconfinedField = pod((s) => {
    s.securityContext.seccompProfile = { type: 'Unconfined' };
  });
  assert.deepEqual(controlsOf(unconfinedField, 'baseline', 'v1.19'), ['baseline:Seccomp']);
  assert.deepEqual(controlsOf(unconfinedField, 'baseline', 'v1.18'), []);
  const annotated = pod((s, c, m) => {
    m.annotations = {
      'seccomp.security.alpha.kubernetes.io/pod': 'unconfined',
      'container.seccomp.security.alpha.kubernetes.io/app': 'docker/default',
      'container.seccomp.security.alpha.kubernetes.io/gone': 'unconfined',
    };
  });
  const old = evaluatePss(annotated, 'baseline', 'v1.0');
  assert.deepEqual(
    old.violations.map((v) => [v.control, v.message, v.field]),
    [
      [
        'Seccomp',
        'seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined")',
        'metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]',
      ],
    ],
  );
  assert.equal(old.version, 'v1.0');
  assert.deepEqual(controlsOf(annotated, 'baseline', 'v1.19'), [], 'the annotations are not read from v1.19');
  const localhost = pod((s, c, m) => {
    m.annotations = {
      'seccomp.security.alpha.kubernetes.io/pod': 'localhost/profile.json',
      'container.seccomp.security.alpha.kubernetes.io/app': 'runtime/default',
    };
  });
  assert.deepEqual(controlsOf(localhost, 'baseline', 'v1.0'), []);
  // Sysctls: net.ipv4.ip_unprivileged_port_start is in the v1.0 list
  const sysctl = pod((s) => {
    s.securityContext.sysctls = [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }];
  });
  assert.deepEqual(controlsOf(sysctl, 'baseline', 'v1.0'), []);
  assert.deepEqual(
    controlsOf(
      pod((s) => {
        s.securityContext.sysctls = [{ name: 'net.ipv4.ip_local_reserved_ports', value: '80' }];
      }),
      'baseline',
      'v1.0',
    ),
    ['baseline:Sysctls'],
  );
  // baseline's v1.0 controls are all there at v1.0
  assert.deepEqual(
    controlsOf(
      pod((s, c) => {
        s.hostPID = true;
        c.securityContext.privileged = true;
      }),
      'baseline',
      'v1.0',
    ),
    ['baseline:Host Namespaces', 'baseline:Privileged Containers'],
  );
});
