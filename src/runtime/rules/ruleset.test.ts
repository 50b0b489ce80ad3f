import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { BulwarkError } from '../../core/errors.js';
import { makeTempDir } from '../../core/tempdir.js';
import { evaluate, parseCondition } from './condition.js';
import { render, RuleSet } from './ruleset.js';

const CTR = { 'container.id': 'c0ffee', 'container.name': 'web', 'container.image': 'nginx:1.27' };
const exec = (name: string, more: Record<string, string | number | boolean | string[]> = {}) => ({
  'evt.type': 'exec',
  'proc.name': name,
  'proc.exe': `/bin/${name}`,
  'proc.cmdline': `${name} -c id`,
  'proc.pid': 42,
  'proc.pname': 'runc',
  'user.uid': 0,
  ...CTR,
  ...more,
});
/** A shell at a prompt: a terminal, not the container's first process. */
const TTY = { 'proc.tty': 'pts0', 'proc.vpid': 7 };

test('conditions: operators, lists, precedence, parentheses and not', () => {
  const ctx = {
    macros: new Map(),
    lists: new Map([
      ['shells', ['sh', 'bash']],
      ['more', ['shells', 'zsh']],
    ]),
  };
  const t = (cond: string, fields: Record<string, string | number | boolean | string[]>) =>
    evaluate(parseCondition(cond, 'c'), fields, ctx);
  assert.equal(t('proc.name in (more)', { 'proc.name': 'bash' }), true, 'lists of lists');
  assert.equal(t('proc.name in (more)', { 'proc.name': 'python' }), false);
  assert.equal(t('a = 1 or b = 2 and c = 3', { a: 1, b: 0, c: 0 }), true, 'and binds tighter');
  assert.equal(t('(a = 1 or b = 2) and c = 3', { a: 1, b: 0, c: 0 }), false);
  assert.equal(t('not a = 1', { a: 2 }), true);
  assert.equal(t('fd.name startswith /etc/ and fd.name endswith shadow', { 'fd.name': '/etc/shadow' }), true);
  assert.equal(t('proc.cmdline contains "curl http"', { 'proc.cmdline': 'sh -c curl http://x | sh' }), true);
  assert.equal(t('proc.exe glob /tmp/*', { 'proc.exe': '/tmp/x/y' }), true);
  assert.equal(t('net.port >= 1024', { 'net.port': 8080 }), true);
  assert.equal(t('net.port < 1024', { 'net.port': 'x' }), false);
  assert.equal(t('proc.args = -c', { 'proc.args': ['sh', '-c', 'id'] }), true, 'a list field matches any element');
  assert.equal(t('container.id exists', {}), false);
  assert.equal(t('x != 1', {}), true, 'absent fields differ from everything');
  for (const bad of ['', 'a =', '(a = 1', 'a in b', 'a = "open', 'a ! b', 'and', 'a = 1 b = 2']) {
    assert.throws(
      () => parseCondition(bad, 'rules.yaml'),
      (e: unknown) => e instanceof BulwarkError && /^rules\.yaml: /.test(e.message) && !e.message.includes('\n'),
      bad,
    );
  }
});

test('default rules: shell, drift, sensitive file read, exec session; outputs filled in', () => {
  const rules = RuleSet.load();
  const names = (f: Record<string, string | number | boolean | string[]>) =>
    rules
      .match(f)
      .map((m) => m.rule.name)
      .sort();
  assert.deepEqual(names(exec('sh', TTY)), ['Shell in container']);
  assert.deepEqual(names(exec('sh')), [], 'no terminal: an entrypoint or its scripts');
  assert.deepEqual(names(exec('sh', { ...TTY, 'proc.vpid': 1 })), [], 'docker run -it IMAGE sh: the workload itself');
  assert.deepEqual(
    names(exec('sh', { ...TTY, 'proc.pname': 'bash' })),
    [],
    'a shell of the session: not a new session',
  );
  assert.deepEqual(
    names({ ...exec('sh', TTY), 'container.id': undefined as unknown as string }),
    [],
    'host processes are not containers',
  );
  assert.deepEqual(names(exec('xmrig', { 'proc.drift': true, 'proc.exe': '/tmp/xmrig' })), ['Drifted executable']);
  assert.deepEqual(
    names({ 'evt.type': 'open', 'fd.name': '/etc/shadow', 'fd.write': false, 'proc.exe': '/bin/cat', ...CTR }),
    ['Sensitive file read'],
  );
  assert.deepEqual(
    names({ 'evt.type': 'open', 'fd.name': '/etc/shadow', 'fd.directory': '/etc', 'fd.write': true, ...CTR }),
    ['Sensitive file written'],
  );
  // program directories are the file rules' (fd.dirs: every directory above the file)
  const ls = { 'fd.name': '/usr/bin/ls', 'fd.directory': '/usr/bin', 'fd.dirs': ['/usr/bin', '/usr', '/'] };
  assert.deepEqual(names({ 'evt.type': 'open', ...ls, 'fd.write': true, 'evt.success': true, ...CTR }), [
    'Write below binary dir',
  ]);
  const session = rules.match({
    'evt.type': 'container_exec',
    'proc.cmdline': 'sh -c cat /etc/shadow',
    'user.name': 'alice',
    ...CTR,
  })[0]!;
  assert.equal(session.message, 'exec session in web (nginx:1.27): sh -c cat /etc/shadow by alice');
  assert.equal(session.rule.attack, 'T1609');
  assert.equal(render('%proc.name in %container.name, %missing.field', exec('sh')), 'sh in web, <NA>');
});

test('user rules extend, override and disable the defaults; mistakes name the file and item', async () => {
  const tmp = await makeTempDir();
  try {
    const user = join(tmp.path, 'rules.yaml');
    writeFileSync(
      user,
      [
        '- list: shell_binaries',
        '  items: [python3]',
        '  append: true',
        '- rule: Shell in container',
        '  condition: and not container.image startswith "debug/"',
        '  append: true',
        '- rule: Sensitive file read',
        '  enabled: false',
        '- rule: Miner',
        '  condition: spawned_process and proc.name in (xmrig, minerd)',
        '  output: "miner %proc.exe"',
        '  severity: CRITICAL',
        '  stride: DenialOfService',
        '  attack: T1496',
        '  action: kill',
      ].join('\n'),
    );
    const rules = RuleSet.load([user]);
    assert.deepEqual(
      rules.match(exec('python3', TTY)).map((m) => m.rule.name),
      ['Shell in container'],
      'list appended',
    );
    assert.deepEqual(rules.match({ ...exec('sh', TTY), 'container.image': 'debug/tools' }), [], 'condition appended');
    assert.deepEqual(
      rules.match({ 'evt.type': 'open', 'fd.name': '/etc/shadow', 'fd.write': false, ...CTR }),
      [],
      'disabled',
    );
    const miner = rules.match(exec('xmrig'));
    assert.equal(miner[0]!.rule.action, 'kill');
    const cases: [string, RegExp][] = [
      [
        '- rule: X\n  condition: nope and evt.type = exec\n  output: x\n  severity: LOW\n  stride: Tampering\n  attack: T1000\n',
        /item 1 \(line 1\): rule "X": unknown macro or field test "nope"/,
      ],
      ['- macro: a\n  condition: b\n- macro: b\n  condition: a\n', /macro a refers to itself \(a → b → a\)/],
      [
        '- rule: Y\n  condition: evt.type = exec\n  output: x\n  severity: LOUD\n  stride: Tampering\n  attack: T1000\n',
        /item 1 \(line 1\): /,
      ],
      ['- rule: Z\n  condition: evt.type = exec\n', /rule "Z" needs output/],
      [
        '# a comment\n- list: l\n  items: [a]\n\n- rule: W\n  condition: evt.type = exec\n  output: x\n  severity: LOUD\n  stride: Tampering\n  attack: T1000\n',
        /item 2 \(line 5\): /,
      ],
      ['- rule: Q\n  append: true\n  condition: and a = 1\n', /append to rule "Q", which no earlier file defines/],
      ['rules: [', /not valid YAML/],
    ];
    for (const [text, re] of cases) {
      writeFileSync(user, text);
      assert.throws(
        () => RuleSet.load([user], false),
        (e: unknown) => e instanceof BulwarkError && re.test(e.message) && e.message.startsWith(user),
        text,
      );
    }
  } finally {
    await tmp.remove();
  }
});

test('property: arbitrary condition text parses or fails with one line; evaluation never throws', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 80 }),
      fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean())),
      (src, fields) => {
        let node;
        try {
          node = parseCondition(src, 'c');
        } catch (e) {
          assert.ok(e instanceof BulwarkError && !e.message.includes('\n'));
          return;
        }
        evaluate(node, fields, { macros: new Map(), lists: new Map() });
      },
    ),
    { numRuns: 500 },
  );
});

test('default program rules: each fires on its technique and not on a near miss', () => {
  const rules = RuleSet.load();
  const fired = (name: string, cmdline: string, more: Record<string, string | number | boolean> = {}) =>
    rules
      .match(exec(name, { 'proc.cmdline': cmdline, 'proc.args': cmdline.split(' '), 'proc.pname': 'sh', ...more }))
      .map((m) => m.rule.name);
  assert.deepEqual(fired('apt-get', 'apt-get install -y nmap'), ['Package manager in container']);
  assert.deepEqual(fired('dpkg', 'dpkg -i x.deb', { 'proc.pname': 'apt-get' }), [], 'only the first of a chain');
  assert.deepEqual(fired('scp', 'scp /etc/passwd x@h:'), ['Remote copy tool in container']);
  assert.deepEqual(fired('cp', 'cp /etc/passwd /tmp'), []);
  assert.deepEqual(fired('sh', 'sh', { 'proc.decoded_pipe': true }), ['Decoded payload piped to a shell']);
  assert.deepEqual(fired('base64', 'base64 -d', { 'proc.decoded_pipe': false }), []);
  assert.deepEqual(fired('find', 'find / -name id_rsa'), ['Credential search in container']);
  assert.deepEqual(fired('grep', 'grep -r PRIVATE KEY /'), ['Credential search in container']);
  assert.deepEqual(fired('find', 'find /tmp -name *.log'), []);
  assert.deepEqual(fired('cat', 'cat /root/.ssh/id_rsa'), [], 'reading a key is the file rules, not a search');
  assert.deepEqual(fired('sh', 'sh -c id', { 'proc.pname': 'nginx' }), ['Shell spawned by a service']);
  assert.deepEqual(fired('sh', 'sh -c id', { 'proc.pname': 'python3' }), []);
});

test('Privilege change: gaining privileges by a set-id or file-capability program fires; dropping them does not', () => {
  const rules = RuleSet.load();
  const fired = (cause: string, euid: number) =>
    rules
      .match({ 'evt.type': 'setuid', 'priv.cause': cause, 'user.uid': 65534, 'user.euid': euid, ...CTR })
      .map((m) => m.rule.name);
  assert.deepEqual(fired('setuid-exec', 0), ['Privilege change']);
  assert.deepEqual(fired('file-caps', 65534), ['Privilege change']);
  assert.deepEqual(fired('syscall', 65534), [], "a server's setuid to its own user");
  assert.deepEqual(fired('capset', 65534), [], 'capabilities dropped');
});

test('Shell spawned by a service: by a listed server, or by a program whose profile never saw it start a shell', () => {
  const rules = RuleSet.load();
  const fired = (more: Record<string, string | boolean>) =>
    rules.match(exec('sh', { 'proc.pname': 'python3', ...more })).map((m) => m.rule.name);
  assert.deepEqual(fired({ 'proc.shell_unlearned': true }), ['Shell spawned by a service']);
  assert.deepEqual(fired({ 'proc.shell_unlearned': false }), []);
  assert.deepEqual(fired({}), [], 'no profile verdict (learning, or a shell started by a shell)');
});
