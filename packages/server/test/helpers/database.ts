import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The same server as `url`, another database. */
export function databaseUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The test databases of the run whose template is `template` share this prefix, and only they. */
export const testDatabasePrefix = (template: string): string => `${template.replace('escalate_template_', 'escalate_test_')}_`;

/** A fresh, migrated database for one test file, cloned from the run's template. */
export async function createTestDatabase(adminUrl: string, template: string): Promise<string> {
  const name = `${testDatabasePrefix(template)}${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template "${template}"`);
  } finally {
    await admin.end();
  }
  return databaseUrl(adminUrl, name);
}
