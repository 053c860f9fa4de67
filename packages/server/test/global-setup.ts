// Starts one throwaway PostgreSQL for the whole run (or uses DATABASE_URL's server) and migrates a template
// database once; each test file then clones the template, which takes milliseconds.
import 'reflect-metadata';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { EmbeddedDatabase, reapAbandoned, startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { openDatabase } from '../src/db/orm';
import { databaseUrl, testDatabasePrefix } from './helpers/database';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseAdminUrl: string;
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  let embedded: EmbeddedDatabase | null = null;
  let scratch: string | null = null;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    // A run killed outright (SIGKILL, a CI timeout) cannot stop its database: the next run does.
    for (const name of readdirSync(tmpdir()).filter((entry) => entry.startsWith('escalate-test-'))) {
      const abandoned = path.join(tmpdir(), name);
      if (await reapAbandoned(path.join(abandoned, 'postgres'), 10 * 60_000)) rmSync(abandoned, { recursive: true, force: true });
    }
    scratch = mkdtempSync(path.join(tmpdir(), 'escalate-test-'));
    chmodSync(scratch, 0o755); // run as root, PostgreSQL runs as the `postgres` user and must reach its folder
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(scratch, 'postgres'),
      persistent: false,
      database: 'postgres',
    });
    adminUrl = embedded.adminUrl;
  }
  const template = `escalate_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${template}"`);
  await admin.query(`create database "${template}"`);
  const orm = await openDatabase({ url: databaseUrl(adminUrl, template) });
  await orm.close();

  project.provide('databaseAdminUrl', adminUrl);
  project.provide('templateDatabase', template);

  return async () => {
    const { rows } = await admin.query<{ datname: string }>(
      // Only this run's: another run may share the server (DATABASE_URL) at the same time.
      `select datname from pg_database where starts_with(datname, $2) or datname = $1`,
      [template, testDatabasePrefix(template)],
    );
    for (const { datname } of rows) await admin.query(`drop database if exists "${datname}" with (force)`);
    await admin.end();
    await embedded?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  };
}
