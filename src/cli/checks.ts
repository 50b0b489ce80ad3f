import { Command, Option } from 'commander';
import { CHECKS } from '../checks/catalog.js';
import { columns } from '../report/table.js';
import { writeOutput } from './output.js';

// bulwark checks list: the catalog, with the STRIDE threat and ATT&CK technique of each check.

export function checksCommand(): Command {
  const checks = new Command('checks').description('the catalog of secret, image, filesystem and workload checks');
  checks
    .command('list')
    .description('list every check: id, severity, STRIDE threat, MITRE ATT&CK technique, targets, title')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option(
      '--target <target>',
      'only checks for this target (image-config, image-history, filesystem, secret, kubernetes, compose, docker-create)',
    )
    .action(async (f: { format: 'table' | 'json'; target?: string }) => {
      const list = CHECKS.filter((c) => !f.target || c.targets.includes(f.target as never));
      if (f.format === 'json') return writeOutput(`${JSON.stringify(list, null, 2)}\n`, undefined);
      const rows = [
        ['ID', 'SEVERITY', 'STRIDE', 'ATT&CK', 'TARGETS', 'TITLE'],
        ...list.map((c) => [c.id, c.severity, c.stride, c.attack, c.targets.join(','), c.title]),
      ];
      return writeOutput(`${columns(rows)}\n`, undefined);
    });
  return checks;
}
