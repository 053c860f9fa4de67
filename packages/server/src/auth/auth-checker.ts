import { AuthChecker } from 'type-graphql';
import { Context } from '../context';
import { Role } from '../users/user.entity';
import { requireRole, requireViewer } from './rules';

/** `@Authorized()`: signed in; `@Authorized(Role.X, …)`: signed in with one of those roles. */
export const authChecker: AuthChecker<Context, Role> = ({ context, info }, roles) => {
  if (roles.length === 0) requireViewer(context.viewer);
  else requireRole(context.viewer, roles, `use \`${info.fieldName}\``);
  return true;
};
