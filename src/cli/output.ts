import { rename, writeFile } from 'node:fs/promises';
import { BulwarkError, messageOf } from '../core/errors.js';

/** Writes beside the destination then renames, so a failed run never leaves a half-written report. */
export async function writeOutput(text: string, file: string | undefined): Promise<void> {
  if (!file) {
    process.stdout.write(text);
    return;
  }
  const tmp = `${file}.${process.pid}.partial`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, file);
  } catch (e) {
    throw new BulwarkError('IO', file, `cannot write output (${messageOf(e)})`);
  }
}
