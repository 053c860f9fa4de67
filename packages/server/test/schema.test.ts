// The schema is the contract: committed, described everywhere, and backed by migrations that match the entities.
import 'reflect-metadata';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isScalarType } from 'graphql';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE } from '../src/http/emit-schema';
import { buildEscalateSchema, printEscalateSchema } from '../src/http/schema';
import { startTestServer } from './helpers/test-server';

describe('schema', () => {
  it('schema.graphql equals what the code emits (run `npm run schema` after changing the API)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printEscalateSchema());
  });

  it('every type, field, argument and enum value has a description', () => {
    const schema = buildEscalateSchema();
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Boolean', 'Int', 'Float', 'ID'].includes(type.name)) continue;
      // Root operation types cannot carry descriptions in type-graphql; their fields do.
      if (!type.description && !['Query', 'Mutation', 'Subscription'].includes(type.name)) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
      if (isScalarType(type) && !type.description) missing.push(type.name);
    }
    expect(missing).toEqual([]);
  });

  it('has the names of the contract (SPEC §4)', () => {
    const schema = buildEscalateSchema();
    const queries = Object.keys(schema.getQueryType()!.getFields());
    const mutations = Object.keys(schema.getMutationType()!.getFields());
    expect(queries).toEqual(
      expect.arrayContaining(['me', 'node', 'nodes', 'ticket', 'tickets', 'severityLevels', 'supportLines', 'organizations']),
    );
    expect(mutations).toEqual(
      expect.arrayContaining(['ticketCreate', 'ticketUpdateStatus', 'ticketAssign', 'noteAdd', 'organizationCreate', 'organizationUpdate']),
    );
  });

  it('the committed migrations produce exactly the schema the entities describe', async () => {
    const server = await startTestServer();
    try {
      const diff = await server.orm.schema.getUpdateSchemaSQL({ wrap: false });
      expect(diff.trim()).toBe('');
    } finally {
      await server.close();
    }
  });
});
