import type { Finding } from '../core/types.js';
import type { ScanReport, VulnerabilityResults } from './report.js';
import { checkRows, checksSummary } from './checks.js';
import { escapeControls } from './control.js';
import {
  countBySeverity,
  countsText,
  fixedIn,
  groupByTarget,
  isSuppressed,
  linkOf,
  oneLine,
  truncate,
} from './vulns.js';

// For pull-request comments (GitHub / GitLab flavoured Markdown): a heading with the counts,
// one table per target, long tables folded away. Every scanned string is escaped: a title
// can hold "|", HTML, link syntax or an @mention, none of which may take effect.

/** Targets with more rows than this are folded into a <details> block. */
export const FOLD_ROWS = 10;
const TITLE_WIDTH = 80;

/** Text safe inside HTML (a <summary>): entities only, since Markdown is not read there. */
function htmlText(s: string): string {
  return oneLine(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/@/g, '&#64;');
}

/** Text safe inside a Markdown table cell or a line: no table, link, emphasis, code, HTML or mention syntax. */
export function mdText(s: string): string {
  return htmlText(s).replace(/[\\`*_[\]|~]/g, '\\$&');
}

/** A URL safe inside "(…)" of a Markdown link (it was already checked to be a plain RFC 3986 URI). */
function mdUrl(u: string): string {
  return u.replace(/[()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function mdLink(label: string, url: string): string {
  return `[${mdText(label)}](${mdUrl(url)})`;
}

function table(findings: Finding[]): string {
  const rows = [
    '| Package | Installed | Fixed in | ID | Severity | Title |',
    '| --- | --- | --- | --- | --- | --- |',
    ...findings.map(
      (f) =>
        `| ${[
          mdText(f.package.name),
          mdText(f.package.version),
          mdText(fixedIn(f) || '—'),
          mdLink(f.id, linkOf(f)),
          f.severity,
          mdText(f.title ? truncate(f.title, TITLE_WIDTH) : ''),
        ].join(' | ')} |`,
    ),
  ];
  return rows.join('\n');
}

function feedsText(v: VulnerabilityResults): string {
  if (v.db.feeds.length === 0) return 'no vulnerability feeds';
  return v.db.feeds
    .map((f) => `${mdText(f.name)} (${f.records.toLocaleString('en-US')} records, updated ${mdText(f.updatedAt)})`)
    .join(', ');
}

function checksMarkdown(r: ScanReport): string[] {
  if (!r.checks?.length) return r.checks ? ['No failed checks.'] : [];
  const rows = [
    '| Check | Severity | Title | Where | Detail |',
    '| --- | --- | --- | --- | --- |',
    ...checkRows(r.checks).map((row) => `| ${row.map(mdText).join(' | ')} |`),
  ];
  const body = rows.join('\n');
  const title = checksSummary(r.checks);
  return [
    r.checks.length > FOLD_ROWS
      ? `<details>\n<summary>${htmlText(title)}</summary>\n\n${body}\n\n</details>`
      : `#### ${mdText(title)}\n\n${body}`,
  ];
}

export function renderMarkdown(r: ScanReport): string {
  return escapeControls(`${[renderVulnerabilities(r).trimEnd(), ...checksMarkdown(r)].join('\n\n')}\n`);
}

function renderVulnerabilities(r: ScanReport): string {
  const inv = r.inventory;
  const image = mdText(inv.artifact.name);
  const issues = inv.issues.length
    ? [
        `> **Warning:** ${inv.issues.length} file${inv.issues.length === 1 ? '' : 's'} could not be analysed; packages in them may be missing.`,
      ]
    : [];
  const v = r.vulnerabilities;
  if (!v)
    return `${[`### ${image}`, `${inv.packages.length} packages; vulnerabilities were not scanned.`, ...issues].join('\n\n')}\n`;
  if (v.shown.length === 0)
    return `${[`**No vulnerabilities found** in ${image}. Vulnerability DB: ${feedsText(v)}.`, ...issues].join('\n\n')}\n`;

  const n = v.shown.length;
  const out = [
    `### ${image}: ${n} ${n === 1 ? 'vulnerability' : 'vulnerabilities'}`,
    `**${countsText(countBySeverity(v.shown), ' · ')}**`,
  ];
  for (const g of groupByTarget(v.shown, inv)) {
    const k = g.findings.length;
    const title = (label: string) =>
      `${label}: ${k} ${k === 1 ? 'vulnerability' : 'vulnerabilities'} (${countsText(countBySeverity(g.findings))})`;
    if (k > FOLD_ROWS)
      out.push(`<details>\n<summary>${title(htmlText(g.label))}</summary>\n\n${table(g.findings)}\n\n</details>`);
    else out.push(`#### ${title(mdText(g.label))}\n\n${table(g.findings)}`);
  }

  const notes: string[] = [];
  const suppressed = v.findings.filter(isSuppressed);
  if (suppressed.length) {
    const ignored = suppressed.filter((f) => f.status === 'ignored').length;
    const list = suppressed
      .map((f) => `${mdText(f.id)} in ${mdText(f.package.name)}${f.statusReason ? ` (${mdText(f.statusReason)})` : ''}`)
      .join('; ');
    notes.push(
      `${suppressed.length} suppressed and not counted (${ignored} ignored, ${suppressed.length - ignored} not affected): ${list}.`,
    );
  }
  if (v.expiredIgnores.length) {
    const list = v.expiredIgnores
      .map(
        (e) =>
          `${mdText(e.id)}${e.package ? ` (${mdText(e.package)})` : ''}${e.expires ? ` expired on ${mdText(e.expires)}` : ''}`,
      )
      .join('; ');
    notes.push(
      `**${v.expiredIgnores.length} ignore ${v.expiredIgnores.length === 1 ? 'entry has' : 'entries have'} expired and no longer ${v.expiredIgnores.length === 1 ? 'applies' : 'apply'}:** ${list}.`,
    );
  }
  notes.push(`Vulnerability DB: ${feedsText(v)}.`);
  out.push(notes.join('\n\n'), ...issues);
  return `${out.join('\n\n')}\n`;
}
