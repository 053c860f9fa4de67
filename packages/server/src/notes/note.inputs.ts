import { Field, ID, InputType } from 'type-graphql';
import { payloadType } from '../common/payload';
import { Note, NoteKind, NoteVisibility } from './note.entity';

export const BODY_MAX = 10_000;

@InputType({ description: 'A note to add to a ticket.' })
export class NoteAddInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field({ description: `The text (at most ${BODY_MAX} characters).` })
  body!: string;

  @Field(() => NoteVisibility, { nullable: true, description: 'PUBLIC (default) or INTERNAL (staff only).' })
  visibility?: NoteVisibility | null;

  @Field(() => NoteKind, {
    nullable: true,
    description:
      'Customers: COMMENT (default) or UPDATE_REQUEST. Staff: a public note is always a RESPONSE, an internal one a COMMENT.',
  })
  kind?: NoteKind | null;
}

export const NoteAddPayload = payloadType('NoteAddPayload', 'note', Note, 'The result of `noteAdd`.');
export type NoteAddPayload = InstanceType<typeof NoteAddPayload>;
