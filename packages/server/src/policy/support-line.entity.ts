import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { Region } from './enums';

/** A support phone line: for tickets already filed through the portal, never instead of filing. */
@Entity({ tableName: 'support_line' })
@ObjectType({ description: 'A support phone line. Call only about a ticket already filed, quoting its number.' })
export class SupportLine {
  @PrimaryKey({ type: 'string', length: 2 })
  @Field(() => Region, { description: 'The region the line serves.' })
  region!: Region;

  @Property({ type: 'string', length: 100 })
  @Field({ description: 'The country, in words.' })
  country!: string;

  @Property({ type: 'string', length: 50 })
  @Field({ description: 'The number to dial, as published.' })
  number!: string;
}
