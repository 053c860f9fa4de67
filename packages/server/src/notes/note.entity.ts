import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Ref } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../common/global-id';
import { uuid7 } from '../common/uuid7';
import { Node } from '../common/node';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';

export enum NoteKind {
  COMMENT = 'COMMENT',
  UPDATE_REQUEST = 'UPDATE_REQUEST',
  SEVERITY_CHANGE_REQUEST = 'SEVERITY_CHANGE_REQUEST',
  RESPONSE = 'RESPONSE',
}

export enum NoteVisibility {
  PUBLIC = 'PUBLIC',
  INTERNAL = 'INTERNAL',
}

registerEnumType(NoteKind, {
  name: 'NoteKind',
  description: 'What a note is for.',
  valuesConfig: {
    COMMENT: { description: 'A plain comment (a customer’s, or staff’s internal one).' },
    UPDATE_REQUEST: { description: 'A customer asks for an update on the ticket.' },
    SEVERITY_CHANGE_REQUEST: { description: 'A customer asks for another severity.' },
    RESPONSE: { description: 'A public note by support staff: a response to the customer.' },
  },
});

registerEnumType(NoteVisibility, {
  name: 'NoteVisibility',
  description: 'Who can read a note.',
  valuesConfig: {
    PUBLIC: { description: 'The customer organization and staff.' },
    INTERNAL: { description: 'Staff only; customers can neither write nor read these.' },
  },
});

@Entity({ tableName: 'note' })
@Index({ name: 'note_ticket_created_at_index', properties: ['ticket', 'createdAt'] })
@ObjectType({ implements: Node, description: 'A note on a ticket: a comment, a request or a response.' })
export class Note implements Node {
  [OptionalProps]?: 'nodeId';

  @PrimaryKey({ type: 'uuid' })
  /** Time-ordered, so that rows of the same instant keep their creation order (see uuid7). */
  id: string = uuid7();

  get nodeId(): string {
    return toGlobalId('Note', this.id);
  }

  @ManyToOne(() => Ticket, { ref: true, deleteRule: 'cascade', index: false })
  ticket!: Ref<Ticket>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'restrict' })
  author!: Ref<User>;

  @Property({ type: 'text' })
  @Field({ description: 'The note’s text.' })
  body!: string;

  @Enum({ items: () => NoteKind })
  @Field(() => NoteKind, { description: 'What the note is for.' })
  kind!: NoteKind;

  @Enum({ items: () => NoteVisibility })
  @Field(() => NoteVisibility, { description: 'Who can read it.' })
  visibility!: NoteVisibility;

  @Property({ type: 'datetime' })
  @Field({ description: 'When the note was added.' })
  createdAt!: Date;
}
