// docker-compose.yml and the Dockerfile cannot run here (no Docker engine), so their shape is checked instead.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '../../..');

describe('deployment files', () => {
  it('docker-compose.yml runs PostgreSQL, Redis and two server instances built from the Dockerfile', () => {
    const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
    expect(Object.keys(compose.services).sort()).toEqual(['escalate-1', 'escalate-2', 'postgres', 'redis']);
    for (const name of ['escalate-1', 'escalate-2']) {
      const service = compose.services[name];
      expect(service.build).toBe('.');
      expect(service.environment.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      expect(service.environment.REDIS_URL).toBe('redis://redis:6379');
      expect(service.depends_on.postgres.condition).toBe('service_healthy');
    }
    expect(compose.services['escalate-1'].ports).not.toEqual(compose.services['escalate-2'].ports);
    expect(existsSync(path.join(root, 'Dockerfile'))).toBe(true);
  });

  it('the Dockerfile builds the server and runs the built entry point', () => {
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/RUN npm run build/);
    expect(dockerfile).toMatch(/CMD \["node", "packages\/server\/dist\/main.js"\]/);
    expect(existsSync(path.join(root, 'packages/server/src/main.ts'))).toBe(true);
  });
});
