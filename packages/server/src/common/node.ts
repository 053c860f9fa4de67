import { Field, ID, InterfaceType } from 'type-graphql';

/** Relay's Node: every object that can be fetched by its global id. */
@InterfaceType({
  description: 'An object with a global id, fetchable with `node(id:)` and `nodes(ids:)`.',
  resolveType: (value: object) => value.constructor.name,
})
export abstract class Node {
  @Field(() => ID, { name: 'id', description: 'The object’s global id: opaque, stable, unique across types.' })
  nodeId!: string;
}
