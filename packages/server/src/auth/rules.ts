// Who may see what (SPEC §1). Customers see only their own organization; everything else is NOT_FOUND to them.
import { forbidden, unauthenticated } from '../common/errors';
import { isStaff, Role } from '../users/user.entity';
import { Viewer } from './viewer';

export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw unauthenticated();
  return viewer;
}

export function requireRole(viewer: Viewer | null, roles: readonly Role[], action: string): Viewer {
  const signedIn = requireViewer(viewer);
  if (!roles.includes(signedIn.role)) {
    throw forbidden(`Only ${roles.map((r) => r.toLowerCase()).join(', ')} users may ${action}.`);
  }
  return signedIn;
}

export function viewerIsStaff(viewer: Viewer): boolean {
  return isStaff(viewer.role);
}

/** Whether the viewer may see objects of this organization. */
export function canSeeOrganization(viewer: Viewer, organizationId: string): boolean {
  return isStaff(viewer.role) || viewer.organizationId === organizationId;
}
