// `npm run schema`: writes the schema the code builds to `schema.graphql` at the repository root.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { printEscalateSchema } from './schema';

export const SCHEMA_FILE = path.resolve(__dirname, '../../../../schema.graphql');

if (require.main === module) {
  writeFileSync(SCHEMA_FILE, printEscalateSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
