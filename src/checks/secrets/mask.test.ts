import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EVIDENCE_LENGTH, MASKED_LENGTH, mask, maskLine } from './mask.js';

test('mask keeps a prefix of at most 4 characters, none under 8, and always shows the same length', () => {
  assert.equal(mask(''), '************');
  assert.equal(mask('hunter2'), '************');
  assert.equal(mask('hunter22'), 'h***********');
  assert.equal(mask('abcdefghijkl'), 'ab**********');
  assert.equal(mask('ghp_abcdefghijklmnopqrstuvwxyz0123456789'), 'ghp_********');
  assert.equal(mask('a'.repeat(5000)).length, MASKED_LENGTH);
});

test('mask: the output never holds more of the secret than its kept prefix', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 0, maxLength: 200 }), (secret) => {
      const m = [...mask(secret)];
      const chars = [...secret];
      assert.equal(m.length, MASKED_LENGTH);
      m.forEach((ch, i) => {
        if (i >= 4 || chars.length < 8) assert.equal(ch, '*');
        else assert.ok(ch === '*' || ch === chars[i]);
      });
    }),
  );
});

test('maskLine masks every span, merges overlaps, and cuts long lines around the first secret', () => {
  assert.equal(maskLine('PASSWORD=hunter2hunter2 # prod', [[9, 23]]), 'PASSWORD=hu********** # prod');
  assert.equal(
    maskLine('a=SECRETSECRET b=OTHEROTHER', [
      [2, 14],
      [8, 12],
      [17, 27],
    ]),
    'a=SE********** b=O***********',
  );
  const secret = 'Zq8'.repeat(10);
  const line = `${'x'.repeat(5000)} key=${secret} ${'y'.repeat(5000)}`;
  const at = line.indexOf(secret);
  const out = maskLine(line, [[at, at + secret.length]]);
  assert.ok(out.length <= EVIDENCE_LENGTH + 2, `${out.length}`);
  assert.ok(out.startsWith('…') && out.endsWith('…'));
  assert.ok(out.includes('key=Zq8Z********'));
  assert.ok(!out.includes(secret.slice(4, 12)));
  assert.equal(maskLine('\tkey=\u0007value\r', []), 'key= value');
});

test('maskLine: no 8-character piece of a masked span survives, whatever the line and spans', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 300 }),
      fc.array(fc.tuple(fc.nat(320), fc.nat(40)), { maxLength: 4 }),
      (line, raw) => {
        const spans = raw.map(([s, n]) => [s, s + n] as const);
        const out = maskLine(line, spans);
        for (const [s, e] of spans) {
          const secret = line.slice(s, Math.min(e, line.length));
          // Only pieces that do not also occur outside every span could leak.
          for (let i = 4; i + 8 <= secret.length; i++) {
            const piece = secret.slice(i, i + 8);
            if (/[*…\s]/.test(piece)) continue;
            if (out.includes(piece)) {
              const outside = spans.reduce(
                (acc, [a, b]) =>
                  acc.slice(0, a) + '\u0000'.repeat(Math.max(0, Math.min(b, line.length) - a)) + acc.slice(b),
                line,
              );
              assert.ok(outside.includes(piece), `leaked ${JSON.stringify(piece)} from ${JSON.stringify(line)}`);
            }
          }
        }
      },
    ),
  );
});
