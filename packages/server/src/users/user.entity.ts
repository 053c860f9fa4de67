import { Entity, Enum, ManyToOne, OptionalProps, PrimaryKey, Property, Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../common/global-id';
import { Node } from '../common/node';
import { Organization } from '../organizations/organization.entity';

export enum Role {
  CUSTOMER = 'CUSTOMER',
  ENGINEER = 'ENGINEER',
  MANAGER = 'MANAGER',
  ADMIN = 'ADMIN',
}

registerEnumType(Role, {
  name: 'Role',
  description: 'What a user may see and do (SPEC §1).',
  valuesConfig: {
    CUSTOMER: { description: 'A user of one customer organization: its tickets and public notes.' },
    ENGINEER: { description: 'Support engineer: all tickets and notes; responds, assigns, changes status and severity.' },
    MANAGER: { description: 'Support management: as an engineer, plus escalations.' },
    ADMIN: { description: 'Operator: organizations, calendars and policy.' },
  },
});

export const STAFF_ROLES = [Role.ENGINEER, Role.MANAGER, Role.ADMIN] as const;

export function isStaff(role: Role): boolean {
  return role !== Role.CUSTOMER;
}

/** A person, created the first time a token with its `sub` is seen and refreshed from every later token. */
@Entity({ tableName: 'app_user' })
@ObjectType({ implements: Node, description: 'A person using Escalate: a customer or a member of the vendor’s staff.' })
export class User implements Node {
  [OptionalProps]?: 'nodeId' | 'organization';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  get nodeId(): string {
    return toGlobalId('User', this.id);
  }

  @Property({ type: 'string', length: 255, unique: true })
  sub!: string;

  @Property({ type: 'string', length: 254 })
  @Field({ description: 'Email address, from the identity provider.' })
  email!: string;

  @Property({ type: 'string', length: 200 })
  @Field({ description: 'Display name, from the identity provider.' })
  name!: string;

  @Enum({ items: () => Role })
  @Field(() => Role, { description: 'The role the latest token gave this user.' })
  role!: Role;

  @ManyToOne(() => Organization, { ref: true, nullable: true, deleteRule: 'restrict' })
  organization?: Ref<Organization> | null;

  @Property({ type: 'datetime' })
  @Field({ description: 'When the user was first seen.' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  @Field({ description: 'When the user was last seen.' })
  lastSeenAt!: Date;
}
