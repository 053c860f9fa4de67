// The vendor's support policy as data (source: shared/seed/support-policy.txt). A migration seeds these
// rows; from then on they live in the database, where an admin can change them.
import { Environment, Region, Severity, SlaClock } from './enums';

export interface SeverityLevelSeed {
  severity: Severity;
  businessImpact: string;
  description: string;
  allowedEnvironments: Environment[];
  targetSeconds: number;
  clock: SlaClock;
}

export const DEFAULT_SEVERITY_LEVELS: SeverityLevelSeed[] = [
  {
    severity: Severity.SEV1,
    businessImpact: 'Critical',
    description:
      'PRODUCTION System Down/Service Unavailable condition severely impacting Production environment involving: ' +
      'Service outage or failure severely impacting Customer’s business operations.',
    allowedEnvironments: [Environment.PRODUCTION],
    targetSeconds: 60 * 60,
    clock: SlaClock.CALENDAR,
  },
  {
    severity: Severity.SEV2,
    businessImpact: 'High',
    description:
      'A PRODUCTION high impact business condition where: Service is available but its functionality is significantly ' +
      'restricted thereby causing disruption to Customer’s normal business operations. The Service’s Available ' +
      'Functionality is not working, thereby negatively impacting Customer’s business productivity. There is no ' +
      'workaround available for the issue.',
    allowedEnvironments: [Environment.PRODUCTION],
    targetSeconds: 120 * 60,
    clock: SlaClock.BUSINESS_HOURS,
  },
  {
    severity: Severity.SEV3,
    businessImpact: 'Low/Minor',
    description:
      'A PRODUCTION OR NON-PRODUCTION Service is available and Available Functionality is generally usable, however ' +
      'Service has an issue causing minor operational challenge(s). Issues may be isolated to specific end-users and ' +
      'may have little impact on the availability/functionality of the Service.',
    allowedEnvironments: [Environment.PRODUCTION, Environment.NON_PRODUCTION],
    targetSeconds: 240 * 60,
    clock: SlaClock.BUSINESS_HOURS,
  },
  {
    severity: Severity.SEV4,
    businessImpact: 'Minimum/No Impact',
    description:
      'A PRODUCTION OR NON-PRODUCTION minor defect that has no impact on the Service, or a general enquiry on the ' +
      'functionality of the Service including how to/informational queries.',
    allowedEnvironments: [Environment.PRODUCTION, Environment.NON_PRODUCTION],
    targetSeconds: 480 * 60,
    clock: SlaClock.BUSINESS_HOURS,
  },
];

export interface SupportLineSeed {
  region: Region;
  country: string;
  number: string;
}

export const DEFAULT_SUPPORT_LINES: SupportLineSeed[] = [
  { region: Region.US, country: 'United States', number: '+1 (202)-831-2671' },
  { region: Region.CA, country: 'Canada', number: '+1 (873)-800-0941' },
  { region: Region.UK, country: 'United Kingdom', number: '+44 (147) 273-0312' },
  { region: Region.DE, country: 'Germany', number: '+49 (7071) 704-9200' },
  { region: Region.AU, country: 'Australia', number: '+61 (285) 03-4159' },
  { region: Region.BR, country: 'Brazil', number: '+55 (852) 180-9791' },
];

export const DEFAULT_ESCALATIONS_EMAIL = 'ClarityEscalations@regoconsulting.com';
