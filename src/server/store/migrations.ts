import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

// The one set of migrations, in code (nothing read from disk at run time), written with
// kysely's schema builder in types both SQLite and PostgreSQL accept. A change to the schema is
// a new entry here; an applied entry is never edited.

/** The audit chain's first prev_hash. */
export const GENESIS_HASH = '0'.repeat(64);

/** Hosts and the containers agents report. */
async function fleetTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('hosts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('agent_version', 'text')
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('containers')
    .addColumn('host_id', 'text', (c) => c.notNull().references('hosts.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('image_digest', 'text', (c) => c.notNull())
    .addColumn('image_ref', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('stopped_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('containers_pk', ['host_id', 'id'])
    .execute();
  // "running containers of image D": the vulnerability query's last join, covering (no table
  // lookups: a widespread advisory joins thousands of containers)
  await db.schema
    .createIndex('containers_by_image')
    .on('containers')
    .columns(['image_digest', 'state', 'host_id', 'id', 'name'])
    .execute();
}

/** Images as scanned: inventories, packages, findings and advisory aliases. */
async function imageTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('images')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('repo_tags', 'text', (c) => c.notNull())
    .addColumn('os', 'text')
    .addColumn('scanned_at', 'text')
    .execute();

  await db.schema
    .createTable('inventories')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('stored_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('packages')
    .addColumn('image_digest', 'text', (c) => c.notNull())
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('purl', 'text', (c) => c.notNull())
    .addColumn('source_name', 'text')
    .execute();
  await db.schema.createIndex('packages_by_image').on('packages').column('image_digest').execute();
  // "which images carry package X (at version V)": covering, no table lookups
  await db.schema
    .createIndex('packages_by_name')
    .on('packages')
    .columns(['ecosystem', 'name', 'version', 'image_digest'])
    .execute();
  await db.schema.createIndex('packages_by_purl').on('packages').columns(['purl', 'image_digest']).execute();

  await db.schema
    .createTable('findings')
    .addColumn('image_digest', 'text', (c) => c.notNull())
    .addColumn('advisory_id', 'text', (c) => c.notNull())
    .addColumn('aliases', 'text', (c) => c.notNull())
    .addColumn('package_purl', 'text', (c) => c.notNull())
    .addColumn('package_name', 'text', (c) => c.notNull())
    .addColumn('installed', 'text', (c) => c.notNull())
    .addColumn('fixed', 'text')
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('cvss_score', 'double precision')
    .addPrimaryKeyConstraint('findings_pk', ['image_digest', 'advisory_id', 'package_purl'])
    .execute();
  // "findings of advisory X", covering what the vulnerability query reads: a widespread advisory
  // has a finding in thousands of images, each a random table page otherwise
  await db.schema
    .createIndex('findings_by_advisory')
    .on('findings')
    .columns([
      'advisory_id',
      'image_digest',
      'package_purl',
      'package_name',
      'installed',
      'fixed',
      'severity',
      'cvss_score',
    ])
    .execute();

  await db.schema
    .createTable('advisory_aliases')
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('advisory_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('advisory_aliases_pk', ['alias', 'advisory_id'])
    .execute();
}

/** Runtime events and the chain of custody. */
async function activityTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('host_id', 'text', (c) => c.notNull())
    .addColumn('container_id', 'text')
    .addColumn('image_digest', 'text')
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_by_time').on('events').columns(['time', 'id']).execute();

  await db.schema
    .createTable('custody')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('custody_by_digest').on('custody').columns(['digest', 'time']).execute();
}

/** API tokens and the job queue. */
async function accessTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('run_after', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_ready').on('jobs').columns(['state', 'run_after']).execute();
}

/** The hash-chained audit log and its head row. */
async function auditTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('remote', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('audit_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into audit_head (id, seq, hash) values (1, 0, ${GENESIS_HASH})`.execute(db);
}

async function initial(db: Kysely<unknown>): Promise<void> {
  await fleetTables(db);
  await imageTables(db);
  await activityTables(db);
  await accessTables(db);
  await auditTables(db);
}

/** What the agent says about how each container runs (JSON; null for rows from before). */
async function containerRuntime(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('containers').addColumn('runtime', 'text').execute();
}

const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': { up: initial },
  '0002_container_runtime': { up: containerRuntime },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};

/** The table kysely's Migrator keeps; its presence marks a file as a Bulwark store. */
export const MIGRATION_TABLE = 'kysely_migration';
