// The one way a subscription is declared. Its arguments are an @ArgsType class, taken by the resolver method
// (`@Args() args: XArgs`, which is how type-graphql puts them in the schema) and typed here in `subscribe`:
//
//   @Subscription(() => TicketStatusChange, { description, subscribe: hear<TicketStatusChangedArgs>()('TICKET_STATUS', listen) })
//
// `listen(args, ctx)` runs once, when a client subscribes: it may refuse (NOT_FOUND, FORBIDDEN), and it returns which
// messages of the topic this subscriber hears. Each message heard is then resolved by the method with a fresh
// request scope (see request-scope.ts). Every subscription takes `after` (ResumableArgs): the cursor of the last
// event the client received, to hear, first, every event it missed since (events/live-log.ts).
import { ArgsType, Field } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { Context } from '../context';
import { LogTopic, MessageOf } from '../realtime/pubsub';

type Listener<Args, T extends LogTopic> = (args: Args, ctx: Context) => ((message: MessageOf<T>) => boolean) | Promise<(message: MessageOf<T>) => boolean>;

/** The argument every subscription takes; a subscription's own arguments class extends it. */
@ArgsType()
export class ResumableArgs {
  @Field(() => String, {
    nullable: true,
    description:
      'Resume: the `cursor` (in each event’s `extensions`) of the last event you received. Every event you may see since is ' +
      'delivered first, in order, then live ones, with no gap and no duplicate. Cursors are kept 24 hours (older: CURSOR_EXPIRED).',
  })
  after?: string | null;
}

/** A typed `subscribe` option: `hear<Args>()(topic, listen)`. */
export function hear<Args extends ResumableArgs>() {
  return <T extends LogTopic>(topic: T, listen: Listener<Args, T>) =>
    async ({ args, context }: SubscribeResolverData): Promise<AsyncIterable<MessageOf<T>>> => {
      // type-graphql hands `subscribe` the raw argument values of the @ArgsType class's fields.
      const ctx = context as Context;
      const hears = await listen(args as Args, ctx);
      return ctx.live.subscribe(topic, hears, (args as Args).after ?? null);
    };
}
