import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lineSplitter, parseEventLine } from './events.js';

test('event lines: a container event is read; anything else is skipped, not fatal', () => {
  // the shape of a line of `GET /events` (Engine API v1.41)
  const line =
    '{"status":"start","id":"abc","Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"image":"busybox","name":"web"}},"scope":"local","time":1700000000,"timeNano":1700000000000000000}';
  const event = parseEventLine(line);
  assert.equal(event?.Type, 'container');
  assert.equal(event?.Action, 'start');
  assert.equal(event?.Actor?.ID, 'abc');
  assert.equal(event?.Actor?.Attributes?.name, 'web');
  for (const bad of ['', 'not json', '[1,2]', 'null', '{"Type":5}', '{"Actor":{"ID":7}}'])
    assert.equal(parseEventLine(bad), undefined, bad);
});

test('line splitting: lines across chunk boundaries come out whole, blank lines dropped', () => {
  fc.assert(
    fc.property(
      fc.array(fc.stringMatching(/^[a-z{}":]{1,20}$/), { maxLength: 10 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (lines, cuts) => {
        const text = Buffer.from(lines.map((l) => `${l}\n\n`).join(''));
        const got: string[] = [];
        const feed = lineSplitter((l) => got.push(l));
        let at = 0;
        for (const cut of cuts) {
          const end = Math.min(text.length, at + (cut % 7));
          feed(text.subarray(at, end));
          at = end;
        }
        feed(text.subarray(at));
        assert.deepEqual(got, lines);
      },
    ),
  );
});

test('line splitting: an endless line is dropped rather than held', () => {
  const got: string[] = [];
  const feed = lineSplitter((l) => got.push(l));
  feed(Buffer.alloc((1 << 20) + 10, 'a'));
  feed(Buffer.from('\n{"ok":1}\n'));
  assert.deepEqual(got, ['{"ok":1}']);
});
