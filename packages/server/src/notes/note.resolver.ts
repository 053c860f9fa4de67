import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { inTransaction } from '../common/mutation';
import { Context } from '../context';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';
import { Note } from './note.entity';
import { NoteAddInput, NoteAddPayload } from './note.inputs';
import { addNote } from './note.service';

@Resolver(() => Note)
export class NoteResolver {
  @Authorized()
  @Mutation(() => NoteAddPayload, {
    description:
      'Adds a note to a ticket. A public note by staff is a response; a customer’s note on a ticket waiting on them moves it back to IN_PROGRESS.',
  })
  async noteAdd(
    @Arg('input', () => NoteAddInput, { description: 'The note.' }) input: NoteAddInput,
    @Ctx() ctx: Context,
  ): Promise<NoteAddPayload> {
    const { value, userErrors } = await inTransaction(ctx, (change) => addNote(change, input));
    return { note: value, userErrors };
  }

  @FieldResolver(() => User, { description: 'Who wrote the note.' })
  async author(@Root() note: Note, @Ctx() ctx: Context): Promise<User> {
    return (await ctx.loaders.load(User, note.author.id))!;
  }

  @FieldResolver(() => Ticket, { description: 'The ticket the note is on.' })
  async ticket(@Root() note: Note, @Ctx() ctx: Context): Promise<Ticket> {
    return (await ctx.loaders.load(Ticket, note.ticket.id))!;
  }
}
