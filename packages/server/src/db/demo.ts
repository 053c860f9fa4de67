// Demo data for a newcomer's first minute: two organizations, one user of each role and their tokens, and a few
// tickets. `acme` runs on the default policy; `globex` has its own targets of minutes on the calendar clock, so that
// the wall screen and the playground show tickets going AT_RISK and BREACHED within minutes of `npm start`.
// Organizations and tickets are made by the services the mutations use, so they are as real as any: events, SLA
// cycles, due times for the SLA timer.
import { EntityManager } from '@mikro-orm/postgresql';
import { signToken } from '../auth/token';
import { Viewer } from '../auth/viewer';
import { Change } from '../common/mutation';
import { Config } from '../config';
import { createOrganization } from '../organizations/organization.service';
import { Organization } from '../organizations/organization.entity';
import { OrganizationCreateInput } from '../organizations/organization.inputs';
import { Environment, Region, Severity, SlaClock } from '../policy/enums';
import { runInTransaction } from '../realtime/after-commit';
import { Realtime } from '../realtime/pubsub';
import { TicketCategory, TicketStatus } from '../tickets/ticket-enums';
import { Ticket } from '../tickets/ticket.entity';
import { TicketCreateInput } from '../tickets/ticket.inputs';
import { assignTicket, createTicket, updateTicketStatus } from '../tickets/ticket.service';
import { Role, User } from '../users/user.entity';

export interface DemoUser {
  name: string;
  email: string;
  role: Role;
  /** The customer's organization slug (its token's `org` claim); null for staff. */
  organization: string | null;
  token: string;
}

export interface DemoSetting {
  em: EntityManager;
  /** Where the seeding's changes are published once committed: the new tickets' events and SLA due times. */
  realtime: Realtime;
  config: Config;
  /** The key the demo users' tokens are signed with. */
  key: Uint8Array;
  now: Date;
}

interface DemoPerson {
  sub: string;
  name: string;
  email: string;
  role: Role;
  /** The organization's slug, for customers. */
  org: string | null;
}

const CUSTOMER: DemoPerson = { sub: 'demo-customer', name: 'Casey Customer', email: 'casey@acme.example', role: Role.CUSTOMER, org: 'acme' };
const ENGINEER: DemoPerson = { sub: 'demo-engineer', name: 'Erin Engineer', email: 'erin@vendor.example', role: Role.ENGINEER, org: null };
const MANAGER: DemoPerson = { sub: 'demo-manager', name: 'Morgan Manager', email: 'morgan@vendor.example', role: Role.MANAGER, org: null };
const ADMIN: DemoPerson = { sub: 'demo-admin', name: 'Alex Admin', email: 'alex@vendor.example', role: Role.ADMIN, org: null };
const GLOBEX_CUSTOMER: DemoPerson = { sub: 'demo-customer-globex', name: 'Gale Globex', email: 'gale@globex.example', role: Role.CUSTOMER, org: 'globex' };

/** In the order npm start prints their tokens. */
const DEMO_PEOPLE = [CUSTOMER, ENGINEER, MANAGER, ADMIN, GLOBEX_CUSTOMER];

/** Round the clock, so that a ticket's moments come minutes after it is filed whenever the demo starts. */
const minutes = (severity: Severity, count: number) => ({ severity, targetResponse: `PT${count}M`, clock: SlaClock.CALENDAR });

/** As an admin would create them with organizationCreate. */
const DEMO_ORGANIZATIONS: OrganizationCreateInput[] = [
  { slug: 'acme', name: 'Acme Corporation', region: Region.US, accountManagerEmail: 'am@vendor.example' },
  {
    slug: 'globex',
    name: 'Globex Industries',
    region: Region.UK,
    accountManagerEmail: 'am@vendor.example',
    // AT_RISK at 75%: a SEV1 is at risk 3 minutes after filing and breached at 4.
    policy: [minutes(Severity.SEV1, 4), minutes(Severity.SEV2, 8), minutes(Severity.SEV3, 15), minutes(Severity.SEV4, 30)],
  },
];

interface DemoTicket extends Pick<TicketCreateInput, 'title' | 'description' | 'severity' | 'environment' | 'category'> {
  filedBy: DemoPerson;
  /** Already picked up: assigned to this engineer, who moved it to `status` when given (else it stays NEW). */
  assignee?: DemoPerson;
  status?: TicketStatus;
}

/** Filed in this order; the tickets list shows the last one first. SEV1 and SEV2 are for PRODUCTION only. */
const DEMO_TICKETS: DemoTicket[] = [
  {
    filedBy: CUSTOMER,
    title: 'Checkout API returns 502 for EU customers',
    description:
      'About a third of POST /v2/checkout calls from our EU storefronts fail with 502 Bad Gateway after 30 seconds; ' +
      'US traffic is fine. Failed request ids: 7f3c9a21, 8b14e0d2. EU customers cannot complete orders and we have no workaround.',
    severity: Severity.SEV2,
    environment: Environment.PRODUCTION,
    category: TicketCategory.INCIDENT,
    assignee: ENGINEER,
    status: TicketStatus.IN_PROGRESS,
  },
  {
    filedBy: CUSTOMER,
    title: 'SSO login on staging loops back to the sign-in page',
    description:
      'Since we rotated our identity provider’s signing certificate, signing in to staging redirects back to the sign-in page ' +
      'without an error. Production is not affected, but we need staging for release testing this week.',
    severity: Severity.SEV3,
    environment: Environment.NON_PRODUCTION,
    category: TicketCategory.INCIDENT,
  },
  {
    filedBy: CUSTOMER,
    title: 'How do we rotate the API key of our integration user?',
    description:
      'Our security policy requires rotating API keys every 90 days. What is the recommended way to rotate the key our ERP ' +
      'integration uses without downtime? Can two keys be active at the same time?',
    severity: Severity.SEV4,
    environment: Environment.PRODUCTION,
    category: TicketCategory.QUESTION,
  },
  {
    filedBy: GLOBEX_CUSTOMER,
    title: 'Which IP ranges should our sandbox firewall allow for webhooks?',
    description:
      'We are tightening the firewall of our sandbox environment. Which source IP ranges do your webhooks come from, and is ' +
      'there a published list we can follow for changes?',
    severity: Severity.SEV4,
    environment: Environment.NON_PRODUCTION,
    category: TicketCategory.QUESTION,
  },
  {
    filedBy: GLOBEX_CUSTOMER,
    title: 'Search results lag several minutes behind new records',
    description:
      'New customer records take 5 to 10 minutes to appear in search. Our agents create duplicates because they cannot find ' +
      'a customer they have just added. Rebuilding the index by hand helps for a while.',
    severity: Severity.SEV3,
    environment: Environment.PRODUCTION,
    category: TicketCategory.INCIDENT,
  },
  {
    filedBy: GLOBEX_CUSTOMER,
    title: 'Invoice PDF export fails for invoices over 100 lines',
    description:
      'Exporting a large invoice from the billing console fails with "Render timeout". Finance cannot send month-end invoices ' +
      'to our 40 largest accounts. Smaller invoices export fine.',
    severity: Severity.SEV2,
    environment: Environment.PRODUCTION,
    category: TicketCategory.INCIDENT,
  },
  {
    filedBy: GLOBEX_CUSTOMER,
    title: 'Payment webhooks arrive hours late',
    description:
      'payment.succeeded webhooks reach our endpoint two to three hours after the payment, while your dashboard shows them ' +
      'sent at once. Orders sit in PENDING until then, and customers who retry are charged twice.',
    severity: Severity.SEV2,
    environment: Environment.PRODUCTION,
    category: TicketCategory.INCIDENT,
  },
  {
    filedBy: GLOBEX_CUSTOMER,
    title: 'Order service down: every API call times out',
    description:
      'Every call to our orders API times out after 60 seconds and our status page shows a full outage. All warehouses ' +
      'have stopped shipping. Restarting our gateway changed nothing.',
    severity: Severity.SEV1,
    environment: Environment.PRODUCTION,
    category: TicketCategory.INCIDENT,
    assignee: ENGINEER,
  },
];

const TOKEN_LIFETIME_DAYS = 30;

/** Any number other than orm.ts's migration lock: instances starting together on one database seed one at a time. */
const SEED_LOCK = 7_301_002;

/**
 * Creates what is missing of the demo, in one transaction, and returns the demo users with fresh tokens. Each
 * organization gets its demo tickets once, while it has no ticket at all: restarts add nothing.
 */
export async function seedDemo({ em, realtime, config, key, now }: DemoSetting): Promise<DemoUser[]> {
  await runInTransaction(em, realtime, async (em) => {
    await em.execute('select pg_advisory_xact_lock(?)', [SEED_LOCK]);
    const users = new Map<DemoPerson, User>();
    const as = (person: DemoPerson): Change => ({ em, viewer: viewerOf(users.get(person)!), now, config });

    for (const person of DEMO_PEOPLE.filter(({ org }) => org === null)) users.set(person, await demoUser(em, person, null, now));
    const organizations: Organization[] = [];
    for (const input of DEMO_ORGANIZATIONS) {
      organizations.push((await em.findOne(Organization, { slug: input.slug })) ?? (await createOrganization(as(ADMIN), input)));
    }
    for (const person of DEMO_PEOPLE.filter(({ org }) => org !== null)) {
      users.set(person, await demoUser(em, person, organizations.find(({ slug }) => slug === person.org)!, now));
    }
    await em.flush();

    for (const organization of organizations) {
      if (await em.count(Ticket, { organization: organization.id })) continue;
      for (const { filedBy, assignee, status, ...input } of DEMO_TICKETS.filter(({ filedBy }) => filedBy.org === organization.slug)) {
        const { ticket } = await createTicket(as(filedBy), input);
        if (!assignee) continue;
        await assignTicket(as(assignee), { ticketId: ticket.nodeId, assigneeId: users.get(assignee)!.nodeId });
        if (status) await updateTicketStatus(as(assignee), { ticketId: ticket.nodeId, status });
      }
    }
  });

  const expiresAt = new Date(now.getTime() + TOKEN_LIFETIME_DAYS * 24 * 3600 * 1000);
  return Promise.all(
    DEMO_PEOPLE.map(async ({ sub, name, email, role, org }) => ({
      name,
      email,
      role,
      organization: org,
      token: await signToken({ sub, name, email, role, org }, key, { now, expiresAt }),
    })),
  );
}

/** The demo person's user, created as a first sign-in would create it. */
async function demoUser(em: EntityManager, person: DemoPerson, organization: Organization | null, now: Date): Promise<User> {
  const { sub, name, email, role } = person;
  return (await em.findOne(User, { sub })) ?? em.create(User, { sub, name, email, role, organization, createdAt: now, lastSeenAt: now });
}

function viewerOf(user: User): Viewer {
  return { userId: user.id, role: user.role, organizationId: user.organization?.id ?? null };
}
