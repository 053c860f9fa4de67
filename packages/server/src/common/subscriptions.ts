// The one way a subscription is declared. Its arguments are an @ArgsType class, taken by the resolver method
// (`@Args() args: XArgs`, which is how type-graphql puts them in the schema) and typed here in `subscribe`:
//
//   @Subscription(() => TicketStatusChange, { description, subscribe: hear<TicketStatusChangedArgs>()('TICKET_STATUS', listen) })
//
// `listen(args, ctx)` runs once, when a client subscribes: it may refuse (NOT_FOUND, FORBIDDEN), and it returns which
// messages of the topic this subscriber hears. Each message heard is then resolved by the method with a fresh
// request scope (see request-scope.ts).
import type { SubscribeResolverData } from 'type-graphql';
import { Context } from '../context';
import { MessageOf, RealtimeTopic } from '../realtime/pubsub';

type Listener<Args, T extends RealtimeTopic> = (args: Args, ctx: Context) => ((message: MessageOf<T>) => boolean) | Promise<(message: MessageOf<T>) => boolean>;

/** A typed `subscribe` option: `hear<Args>()(topic, listen)`. */
export function hear<Args extends object>() {
  return <T extends RealtimeTopic>(topic: T, listen: Listener<Args, T>) =>
    async ({ args, context }: SubscribeResolverData): Promise<AsyncIterable<MessageOf<T>>> => {
      // type-graphql hands `subscribe` the raw argument values of the @ArgsType class's fields.
      const ctx = context as Context;
      const hears = await listen(args as Args, ctx);
      return ctx.realtime.subscribe(topic, hears);
    };
}
