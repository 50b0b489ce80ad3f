import { errorLine, isBulwarkError, messageOf } from '../core/errors.js';
import { TOOL_NAME, TOOL_VERSION } from '../core/tool.js';
import type { PipelineResult } from '../pipeline/pipeline.js';
import { toJsonReport } from '../report/json.js';
import { EXIT_UPLOAD } from './exit.js';
import { callServer, type ServerTarget } from './server-client.js';

// `bulwark scan image … --server`: after the report is written, the JSON report goes to the
// server with the gate's verdict. A failed upload is one line and its own exit code; it never
// changes the report, and a gate that already failed keeps its exit code.

export async function uploadScan(t: ServerTarget, r: PipelineResult, quiet: boolean): Promise<void> {
  const body = {
    report: toJsonReport(r.report),
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    verdict: {
      clean: r.verdict.clean,
      exitCode: r.verdict.exitCode,
      counted: r.verdict.findings.length + r.verdict.checks.length,
    },
  };
  try {
    const a = (await callServer(t, 'POST', '/api/v1/scans', body)) as {
      digest: string;
      findings: number;
      stored: boolean;
    };
    if (!quiet)
      process.stderr.write(
        `bulwark: uploaded ${a.digest} to ${t.url.origin} (${a.findings} findings${a.stored ? '' : ', already stored'})\n`,
      );
  } catch (e) {
    const line = isBulwarkError(e) ? errorLine(e) : messageOf(e);
    process.stderr.write(`bulwark: upload failed: ${line.replace(/\n/g, ' ')}\n`);
    if (!process.exitCode) process.exitCode = EXIT_UPLOAD;
  }
}
