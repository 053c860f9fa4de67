// Demo data for a newcomer's first minute: an organization with one user of each role, and their tokens.
import { EntityManager } from '@mikro-orm/postgresql';
import { signToken } from '../auth/token';
import { defaultCalendar } from '../organizations/calendar-check';
import { Organization } from '../organizations/organization.entity';
import { Region } from '../policy/enums';
import { Role, User } from '../users/user.entity';

export interface DemoUser {
  name: string;
  email: string;
  role: Role;
  token: string;
}

const DEMO_ORGANIZATION = { slug: 'acme', name: 'Acme Corporation', region: Region.US, accountManagerEmail: 'am@vendor.example' };

const DEMO_PEOPLE = [
  { sub: 'demo-customer', name: 'Casey Customer', email: 'casey@acme.example', role: Role.CUSTOMER },
  { sub: 'demo-engineer', name: 'Erin Engineer', email: 'erin@vendor.example', role: Role.ENGINEER },
  { sub: 'demo-manager', name: 'Morgan Manager', email: 'morgan@vendor.example', role: Role.MANAGER },
  { sub: 'demo-admin', name: 'Alex Admin', email: 'alex@vendor.example', role: Role.ADMIN },
];

const TOKEN_LIFETIME_DAYS = 30;

export async function seedDemo(em: EntityManager, key: Uint8Array, now: Date): Promise<DemoUser[]> {
  let organization = await em.findOne(Organization, { slug: DEMO_ORGANIZATION.slug });
  if (!organization) {
    organization = em.create(Organization, {
      ...DEMO_ORGANIZATION,
      calendar: defaultCalendar(DEMO_ORGANIZATION.region),
      ownTargets: [],
      createdAt: now,
      updatedAt: now,
    });
  }
  for (const person of DEMO_PEOPLE) {
    const known = await em.findOne(User, { sub: person.sub });
    if (!known) {
      em.create(User, {
        ...person,
        organization: person.role === Role.CUSTOMER ? organization : null,
        createdAt: now,
        lastSeenAt: now,
      });
    }
  }
  await em.flush();
  const expiresAt = new Date(now.getTime() + TOKEN_LIFETIME_DAYS * 24 * 3600 * 1000);
  return Promise.all(
    DEMO_PEOPLE.map(async (person) => ({
      name: person.name,
      email: person.email,
      role: person.role,
      token: await signToken({ ...person, org: person.role === Role.CUSTOMER ? DEMO_ORGANIZATION.slug : null }, key, { now, expiresAt }),
    })),
  );
}
