import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { inTransaction } from '../common/mutation';
import { Context } from '../context';
import { Note } from '../notes/note.entity';
import { Ticket } from '../tickets/ticket.entity';
import { Role, User } from '../users/user.entity';
import { SeverityChangeRequest } from './severity-change-request.entity';
import {
  SeverityChangeDecideInput,
  SeverityChangeDecidePayload,
  SeverityChangeRequestInput,
  SeverityChangeRequestPayload,
} from './severity-request.inputs';
import { decideSeverityChange, requestSeverityChange } from './severity-request.service';

@Resolver(() => SeverityChangeRequest)
export class SeverityChangeRequestResolver {
  @Authorized()
  @Mutation(() => SeverityChangeRequestPayload, {
    description:
      'A customer asks for another severity, with a reason (a note of kind SEVERITY_CHANGE_REQUEST). Asking for SEV1 is answered with NEW_P1_REQUIRED: file a new SEV1 ticket linked to this one.',
  })
  async severityChangeRequest(
    @Arg('input', () => SeverityChangeRequestInput, { description: 'The request.' }) input: SeverityChangeRequestInput,
    @Ctx() ctx: Context,
  ): Promise<SeverityChangeRequestPayload> {
    const { value, userErrors } = await inTransaction(ctx, (change) => requestSeverityChange(change, input));
    return { request: value, userErrors };
  }

  @Authorized(Role.ENGINEER, Role.MANAGER, Role.ADMIN)
  @Mutation(() => SeverityChangeDecidePayload, {
    description: 'Support approves (the ticket takes the severity, its SLA is recomputed) or rejects a pending request.',
  })
  async severityChangeDecide(
    @Arg('input', () => SeverityChangeDecideInput, { description: 'The decision.' }) input: SeverityChangeDecideInput,
    @Ctx() ctx: Context,
  ): Promise<SeverityChangeDecidePayload> {
    const { value, userErrors } = await inTransaction(ctx, (change) => decideSeverityChange(change, input));
    return { request: value, userErrors };
  }

  @FieldResolver(() => Ticket, { description: 'The ticket.' })
  async ticket(@Root() request: SeverityChangeRequest, @Ctx() ctx: Context): Promise<Ticket> {
    return (await ctx.loaders.load(Ticket, request.ticket.id))!;
  }

  @FieldResolver(() => User, { description: 'Who asked.' })
  async requester(@Root() request: SeverityChangeRequest, @Ctx() ctx: Context): Promise<User> {
    return (await ctx.loaders.load(User, request.requester.id))!;
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who decided; null while pending.' })
  decider(@Root() request: SeverityChangeRequest, @Ctx() ctx: Context): Promise<User | null> | null {
    return request.decider ? ctx.loaders.load(User, request.decider.id) : null;
  }

  @FieldResolver(() => Note, { description: 'The note that carries the request on the ticket.' })
  async note(@Root() request: SeverityChangeRequest, @Ctx() ctx: Context): Promise<Note> {
    return (await ctx.loaders.load(Note, request.note.id))!;
  }
}

@Resolver(() => Ticket)
export class TicketSeverityRequestsResolver {
  @FieldResolver(() => [SeverityChangeRequest], { description: 'The customer’s severity change requests on this ticket, oldest first.' })
  severityChangeRequests(@Root() ticket: Ticket, @Ctx() ctx: Context): Promise<SeverityChangeRequest[]> {
    return ctx.loaders.children(SeverityChangeRequest, 'ticket', ticket.id, { createdAt: 'asc', id: 'asc' });
  }
}
