import { BulwarkError } from '../core/errors.js';
import { call, callJson } from './socket.js';
import { Created, ExecInspect } from './schema.js';

// Exec sessions (docker exec): create, start attached, read the exit code.

/**
 * The payload of the engine's multiplexed stdout/stderr stream: frames of an 8-byte header
 * (stream 0/1/2, three zero bytes, big-endian payload size) followed by the payload. A frame
 * cut short is CORRUPT.
 */
export function demultiplex(raw: Buffer, input = 'docker exec output'): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < raw.length) {
    if (offset + 8 > raw.length) throw new BulwarkError('CORRUPT', input, `frame header cut short at byte ${offset}`);
    const size = raw.readUInt32BE(offset + 4);
    if (offset + 8 + size > raw.length)
      throw new BulwarkError(
        'CORRUPT',
        input,
        `frame at byte ${offset} claims ${size} bytes, ${raw.length - offset - 8} left`,
      );
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

export interface ExecResult {
  /** stdout and stderr, interleaved as the engine sent them. */
  output: string;
  /** -1 when the engine reports none. */
  exitCode: number;
}

/** Runs a command in a running container and waits for it. */
export async function execInContainer(id: string, cmd: string[]): Promise<ExecResult> {
  const created = await callJson(
    {
      method: 'POST',
      path: `/containers/${encodeURIComponent(id)}/exec`,
      json: { Cmd: cmd, AttachStdout: true, AttachStderr: true },
    },
    Created,
  );
  const execPath = `/exec/${encodeURIComponent(created.Id)}`;
  const raw = await call({ method: 'POST', path: `${execPath}/start`, json: { Detach: false, Tty: false } });
  const output = demultiplex(raw, `POST ${execPath}/start`);
  const inspect = await callJson({ method: 'GET', path: `${execPath}/json` }, ExecInspect);
  return { output, exitCode: inspect.ExitCode ?? -1 };
}
