import { TicketEvent } from '../events/ticket-event.entity';
import { Note } from '../notes/note.entity';
import { Organization } from '../organizations/organization.entity';
import { PolicySetting } from '../policy/policy-setting.entity';
import { SeverityLevel } from '../policy/severity-level.entity';
import { SupportLine } from '../policy/support-line.entity';
import { Escalation } from '../escalations/escalation.entity';
import { Notification } from '../notifications/notification.entity';
import { SeverityChangeRequest } from '../severity-requests/severity-change-request.entity';
import { SlaCycle } from '../sla-cycles/sla-cycle.entity';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';

export const ENTITIES = [Organization, User, Ticket, Note, TicketEvent, SeverityLevel, SupportLine, SlaCycle, Notification, SeverityChangeRequest, Escalation, PolicySetting];
