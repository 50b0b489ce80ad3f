import type { Selectable } from 'kysely';

// The server's schema as kysely types: one schema for SQLite and PostgreSQL. Times are ISO-8601
// UTC strings (`Date#toISOString`, fixed width, so they sort and compare as text in both);
// JSON columns are text holding JSON; no booleans (SQLite has none): a nullable time says when.

interface HostTable {
  id: string;
  name: string;
  agent_version: string | null;
  last_seen: string;
}

export type ContainerState = 'running' | 'stopped';

interface ContainerTable {
  host_id: string;
  id: string;
  name: string;
  image_digest: string;
  image_ref: string;
  /** JSON object of label -> value */
  labels: string;
  state: ContainerState;
  started_at: string | null;
  stopped_at: string | null;
  updated_at: string;
  /** JSON RuntimeFacts the agent reported (ports, privileges, mounts); null when never reported */
  runtime: string | null;
}

interface ImageTable {
  digest: string;
  /** JSON array of repo:tag */
  repo_tags: string;
  os: string | null;
  scanned_at: string | null;
}

/** The stored inventory of a digest, for matching again without pulling the image. */
interface InventoryTable {
  digest: string;
  body: string;
  stored_at: string;
}

interface PackageTable {
  image_digest: string;
  ecosystem: string;
  name: string;
  version: string;
  purl: string;
  source_name: string | null;
}

interface FindingTable {
  image_digest: string;
  advisory_id: string;
  /** JSON array of the advisory's aliases */
  aliases: string;
  package_purl: string;
  package_name: string;
  installed: string;
  fixed: string | null;
  severity: string;
  cvss_score: number | null;
}

/** Both directions of every alias a finding named: an id resolves to its equivalents by index. */
interface AdvisoryAliasTable {
  alias: string;
  advisory_id: string;
}

interface EventTable {
  /** the idempotency key the sender chose */
  id: string;
  time: string;
  host_id: string;
  container_id: string | null;
  image_digest: string | null;
  rule: string;
  severity: string;
  body: string;
  received_at: string;
}

export const CUSTODY_KINDS = [
  'built',
  'scanned',
  'pushed',
  'signed',
  'attested',
  'admitted',
  'denied',
  'first-run',
  'runtime-event',
] as const;
export type CustodyKind = (typeof CUSTODY_KINDS)[number];

interface CustodyTable {
  id: string;
  digest: string;
  time: string;
  kind: CustodyKind;
  actor: string;
  details: string;
}

export const ROLES = ['admin', 'agent', 'scanner', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

interface ApiTokenTable {
  id: string;
  name: string;
  role: Role;
  /** hex SHA-256 of the secret; the secret itself is never stored */
  secret_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed';

interface JobTable {
  id: string;
  kind: string;
  payload: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_until: string | null;
  run_after: string;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

interface AuditTable {
  seq: number;
  time: string;
  actor: string;
  action: string;
  target: string;
  details: string;
  remote: string | null;
  prev_hash: string;
  hash: string;
}

/** One row (id 1): the chain's last seq and hash; appends lock it, verify compares the tail with it. */
interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface Database {
  hosts: HostTable;
  containers: ContainerTable;
  images: ImageTable;
  inventories: InventoryTable;
  packages: PackageTable;
  findings: FindingTable;
  advisory_aliases: AdvisoryAliasTable;
  events: EventTable;
  custody: CustodyTable;
  api_tokens: ApiTokenTable;
  jobs: JobTable;
  audit_log: AuditTable;
  audit_head: AuditHeadTable;
}

export type Row<T extends keyof Database> = Selectable<Database[T]>;
