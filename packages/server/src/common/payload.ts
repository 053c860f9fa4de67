// Mutation payloads: the object under its own name, plus `userErrors` (SPEC §4).
import { ClassType, Field, ObjectType } from 'type-graphql';
import { UserError } from './user-error';

export type Payload<F extends string, T> = { [K in F]: T | null } & { userErrors: UserError[] };

export function payloadType<F extends string, T extends object>(
  typeName: string,
  fieldName: F,
  Type: ClassType<T>,
  description: string,
): ClassType<Payload<F, T>> {
  @ObjectType(typeName, { description })
  class PayloadType {
    @Field(() => [UserError], { description: 'What was wrong with the input; empty on success.' })
    userErrors!: UserError[];
  }
  Field(() => Type, { nullable: true, description: `The ${Type.name}; null when \`userErrors\` is not empty.` })(
    PayloadType.prototype,
    fieldName,
  );
  return PayloadType as unknown as ClassType<Payload<F, T>>;
}
