import fc from 'fast-check';
import { STRIDE } from '../../src/core/threat.js';
import { SEVERITIES } from '../../src/core/types.js';
import type { EventAction, SecurityEvent } from '../../src/events/event.js';

// For tests only: a realistic SecurityEvent, and a fast-check arbitrary whose every string
// field can hold anything (quotes, brackets, pipes, equals signs, backslashes, newlines, NUL,
// lone surrogates, non-ASCII).

export function sampleEvent(over: Partial<SecurityEvent> = {}): SecurityEvent {
  return {
    id: '7f0c1c9e-3a55-4c6e-9a1d-2b1f6f1e0a01',
    time: '2024-05-06T07:08:09.123456Z',
    rule: 'shell-in-container',
    severity: 'HIGH',
    message: 'shell "sh" spawned in container web [pid 4242] | user=root',
    stride: 'ElevationOfPrivilege',
    attack: 'T1059.004',
    action: 'alert',
    host: 'node-1',
    container: { id: '3f4e5d6c7b8a', name: 'web', image: 'nginx:1.25', imageDigest: 'sha256:abc123' },
    process: {
      pid: 4242,
      ppid: 4000,
      exe: '/bin/sh',
      args: ['sh', '-c', 'id; cat /etc/shadow'],
      cwd: '/',
      uid: 0,
      auid: 1000,
      user: 'root',
    },
    file: { path: '/etc/shadow', operation: 'read' },
    network: { address: '203.0.113.9', port: 4444, protocol: 'tcp' },
    fields: { count: 3, threshold: 1, interactive: true },
    ...over,
  };
}

const NASTY = [
  '"',
  '\\',
  ']',
  '[',
  '=',
  '|',
  ' ',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u007f',
  '#',
  'a',
  'Z',
  '0',
  'é',
  '漢',
  '😀',
  '\uFEFF',
  '\uD800',
  '\uDC00',
  '-',
];

/** Any string, weighted towards the characters formats must escape. */
const anyString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: fc.constantFrom(...NASTY), maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ maxLength }),
  );

const ACTIONS: EventAction[] = ['alert', 'denied', 'killed', 'paused', 'stopped', 'limited'];

export const arbitraryEvent = (): fc.Arbitrary<SecurityEvent> =>
  fc.record(
    {
      id: anyString(),
      time: fc.oneof(
        anyString(),
        fc.date({ min: new Date(0), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
      ),
      rule: anyString(),
      severity: fc.constantFrom(...SEVERITIES),
      message: anyString(200),
      stride: fc.constantFrom(...STRIDE),
      attack: anyString(),
      action: fc.constantFrom(...ACTIONS),
      host: fc.option(anyString(), { nil: undefined }),
      container: fc.option(
        fc.record({
          id: anyString(),
          name: fc.option(anyString(), { nil: undefined }),
          image: fc.option(anyString(), { nil: undefined }),
          imageDigest: fc.option(anyString(), { nil: undefined }),
        }),
        { nil: undefined },
      ),
      process: fc.option(
        fc.record({
          pid: fc.nat(),
          ppid: fc.option(fc.nat(), { nil: undefined }),
          exe: fc.option(anyString(), { nil: undefined }),
          args: fc.option(fc.array(anyString(), { maxLength: 4 }), { nil: undefined }),
          cwd: fc.option(anyString(), { nil: undefined }),
          uid: fc.option(fc.nat(), { nil: undefined }),
          auid: fc.option(fc.nat(), { nil: undefined }),
          user: fc.option(anyString(), { nil: undefined }),
        }),
        { nil: undefined },
      ),
      file: fc.option(
        fc.record({
          path: anyString(),
          operation: fc.constantFrom('exec', 'open', 'read', 'write', 'chmod', 'unlink') as fc.Arbitrary<
            'exec' | 'open' | 'read' | 'write' | 'chmod' | 'unlink'
          >,
        }),
        { nil: undefined },
      ),
      network: fc.option(
        fc.record({
          address: fc.oneof(anyString(), fc.ipV4(), fc.ipV6()),
          port: fc.integer({ min: 0, max: 65535 }),
          protocol: fc.option(fc.constantFrom('tcp', 'udp') as fc.Arbitrary<'tcp' | 'udp'>, { nil: undefined }),
        }),
        { nil: undefined },
      ),
      fields: fc.option(
        fc.dictionary(anyString(10), fc.oneof(anyString(), fc.integer(), fc.boolean()), { maxKeys: 4 }),
        { nil: undefined },
      ),
    },
    { requiredKeys: ['id', 'time', 'rule', 'severity', 'message', 'stride', 'attack', 'action'] },
  );
