// `npm run token -- --role engineer --sub wall-screen --name "Wall screen" --read-only --days 365`: signs a token
// with the server's secret (AUTH_JWT_SECRET, else the development one `npm start` keeps in .data/jwt-secret) and
// prints it. For a wall screen: a staff identity of its own, read-only, long-lived.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Role } from '../users/user.entity';
import { secretKey, signToken } from './token';

const USAGE = `npm run token -- --role ROLE --sub ID [--name NAME] [--email EMAIL] [--org SLUG] [--read-only] [--days N]

  --role       customer, engineer, manager or admin
  --sub        the user's stable id (a user is created the first time it is seen)
  --org        the organization's slug (customers only)
  --read-only  the token may query and subscribe, never change anything (scope "read")
  --days       how long it is valid (default 30)

The secret: AUTH_JWT_SECRET, else .data/jwt-secret (written by the first \`npm start\`).`;

function fail(message: string): never {
  console.error(`token: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      sub: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      org: { type: 'string' },
      'read-only': { type: 'boolean', default: false },
      days: { type: 'string', default: '30' },
    },
  });
  const role = Object.values(Role).find((known) => known.toLowerCase() === values.role?.toLowerCase());
  if (!role) fail('--role must be customer, engineer, manager or admin.');
  if (!values.sub) fail('--sub is required.');
  if (role === Role.CUSTOMER && !values.org) fail('a customer needs --org, its organization’s slug.');
  const days = Number(values.days);
  if (!Number.isFinite(days) || days <= 0 || days > 3650) fail('--days must be a number of days from 1 to 3650.');
  const secretFile = path.resolve(process.env.INIT_CWD ?? process.cwd(), process.env.ESCALATE_DATA_DIR || '.data', 'jwt-secret');
  const secret = process.env.AUTH_JWT_SECRET || (existsSync(secretFile) ? readFileSync(secretFile, 'utf8').trim() : null);
  if (!secret) fail(`no secret: set AUTH_JWT_SECRET, or run \`npm start\` once to create ${secretFile}.`);
  const now = new Date();
  const token = await signToken(
    {
      sub: values.sub,
      name: values.name ?? values.sub,
      email: values.email ?? `${values.sub}@vendor.example`,
      role,
      org: role === Role.CUSTOMER ? values.org : null,
      readOnly: values['read-only'],
    },
    secretKey(secret),
    { now, expiresAt: new Date(now.getTime() + days * 24 * 3600_000) },
  );
  console.log(token);
}

void main();
