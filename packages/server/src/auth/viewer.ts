// The request's viewer: who is asking, provisioned just in time from the token's claims.
import { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { Organization } from '../organizations/organization.entity';
import { Role, User } from '../users/user.entity';
import { InvalidTokenError, TokenClaims } from './token';

export interface Viewer {
  userId: string;
  role: Role;
  /** The customer's organization; null for staff. */
  organizationId: string | null;
  /** A read-only token's (`scope: "read"`): its mutations are refused (read-only.ts). */
  readOnly?: boolean;
}

/** How often a returning user's profile and `lastSeenAt` are written back at most. */
const REFRESH_AFTER_MS = 60_000;
const MAX_REMEMBERED_USERS = 10_000;

/**
 * Turns verified claims into a viewer, creating or refreshing the user row. Organizations are never deleted and
 * their slugs never change, so slug lookups and recent users are remembered per process.
 */
export class ViewerDirectory {
  private readonly organizationIdBySlug = new Map<string, string>();
  private readonly recent = new Map<string, { viewer: Viewer; claimsKey: string; writtenAt: number }>();

  /** `em` is only forked (it may be the global one): a remembered viewer, the usual case, costs no entity manager. */
  async viewerFor(em: EntityManager, claims: TokenClaims, now: Date): Promise<Viewer> {
    const claimsKey = JSON.stringify(claims);
    const cached = this.recent.get(claims.sub);
    if (cached && cached.claimsKey === claimsKey && now.getTime() - cached.writtenAt < REFRESH_AFTER_MS) {
      return cached.viewer;
    }
    const organizationId = claims.org ? await this.organizationId(em, claims.org) : null;
    const user = await em.fork().upsert(
      User,
      {
        id: randomUUID(),
        sub: claims.sub,
        email: claims.email,
        name: claims.name,
        role: claims.role,
        organization: organizationId,
        createdAt: now,
        lastSeenAt: now,
      },
      {
        onConflictFields: ['sub'],
        onConflictAction: 'merge',
        onConflictMergeFields: ['email', 'name', 'role', 'organization', 'lastSeenAt'],
      },
    );
    const viewer: Viewer = { userId: user.id, role: claims.role, organizationId, ...(claims.readOnly ? { readOnly: true } : {}) };
    if (this.recent.size >= MAX_REMEMBERED_USERS) this.recent.clear();
    this.recent.set(claims.sub, { viewer, claimsKey, writtenAt: now.getTime() });
    return viewer;
  }

  private async organizationId(em: EntityManager, slug: string): Promise<string> {
    const known = this.organizationIdBySlug.get(slug);
    if (known) return known;
    const organization = await em.fork().findOne(Organization, { slug }, { fields: ['id'] });
    if (!organization) {
      throw new InvalidTokenError(`The token's organization '${slug}' is not known to Escalate; ask an admin to create it.`);
    }
    this.organizationIdBySlug.set(slug, organization.id);
    return organization.id;
  }
}
