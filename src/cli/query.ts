import { Command, Option } from 'commander';
import type { VulnerableContainer } from '../server/store/vulnerable.js';
import { callServer, serverFlags, serverTarget, type ServerFlags, type ServerTarget } from './server-client.js';

// `bulwark query …`: the server's fleet-wide answers from the command line.

/** A row of GET /api/v1/vulnerabilities/{id}/containers. */
type VulnRow = VulnerableContainer;

interface Page {
  containers: VulnRow[];
  next?: string;
}

/** Every page of the answer (the server pages by 1,000 rows). */
async function allContainers(t: ServerTarget, id: string): Promise<VulnRow[]> {
  const rows: VulnRow[] = [];
  let cursor: string | undefined;
  do {
    const path = `/api/v1/vulnerabilities/${encodeURIComponent(id)}/containers${cursor ? `?cursor=${cursor}` : ''}`;
    const page = (await callServer(t, 'GET', path)) as Page;
    rows.push(...page.containers);
    cursor = page.next;
  } while (cursor);
  return rows;
}

function table(rows: VulnRow[]): string {
  const head = ['HOST', 'CONTAINER', 'IMAGE', 'ADVISORY', 'PACKAGE', 'INSTALLED', 'FIXED', 'SEVERITY', 'CVSS'];
  const cells = rows.map((r) => [
    r.hostName,
    `${r.containerName.replace(/^\//, '')} (${r.containerId.slice(0, 12)})`,
    r.repoTags[0] ?? r.imageDigest.slice(0, 19),
    r.advisoryId,
    r.packageName,
    r.installed,
    r.fixed ?? '',
    r.severity,
    r.cvssScore === undefined ? '' : r.cvssScore.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [head, ...cells].map(line).join('\n') + '\n';
}

export function queryCommand(): Command {
  const query = new Command('query').description('ask a Bulwark server about the fleet (see `bulwark server`)');
  serverFlags(query.command('vuln'), 'the server to ask')
    .description('running containers carrying a vulnerability (CVE, GHSA or any alias)')
    .argument('<id>', 'vulnerability id, e.g. CVE-2022-1705')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addHelpText(
      'after',
      '\nExample:\n  bulwark query vuln CVE-2022-1705 --server https://bulwark:8443 --server-ca server.crt',
    )
    .action(async (id: string, f: ServerFlags & { format: 'table' | 'json' }) => {
      const rows = await allContainers(serverTarget(f), id);
      if (f.format === 'json') process.stdout.write(`${JSON.stringify({ id, containers: rows }, null, 2)}\n`);
      else process.stdout.write(rows.length ? table(rows) : `no running container carries ${id}\n`);
    });
  return query;
}
