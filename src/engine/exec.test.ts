import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { demultiplex } from './exec.js';

// Frames built by hand from the Engine API's description of the attached stream:
// [stream type, 0, 0, 0, size as uint32 big-endian] then the payload.
function frame(stream: number, payload: string): Buffer {
  const body = Buffer.from(payload);
  const header = Buffer.from([stream, 0, 0, 0, 0, 0, 0, 0]);
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

test('exec output: stdout and stderr frames joined in order', () => {
  assert.equal(
    demultiplex(Buffer.concat([frame(1, 'uid=0(root)\n'), frame(2, 'warn\n'), frame(1, '')])),
    'uid=0(root)\nwarn\n',
  );
  assert.equal(demultiplex(Buffer.alloc(0)), '');
});

test('exec output cut short or claiming more than it has: CORRUPT', () => {
  assert.throws(() => demultiplex(frame(1, 'hello').subarray(0, 9)), { code: 'CORRUPT' });
  assert.throws(() => demultiplex(Buffer.from([1, 0, 0])), { code: 'CORRUPT' });
  const lying = frame(1, 'hi');
  lying.writeUInt32BE(0xffffffff, 4);
  assert.throws(() => demultiplex(lying), { code: 'CORRUPT' });
});

test('exec output: any framing of any text comes back whole; any bytes either parse or fail CORRUPT', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom(1, 2), fc.string({ maxLength: 40 })), { maxLength: 8 }), (parts) => {
      assert.equal(demultiplex(Buffer.concat(parts.map(([s, p]) => frame(s, p)))), parts.map(([, p]) => p).join(''));
    }),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        demultiplex(Buffer.from(bytes));
      } catch (e) {
        assert.equal((e as { code?: string }).code, 'CORRUPT');
      }
    }),
  );
});
