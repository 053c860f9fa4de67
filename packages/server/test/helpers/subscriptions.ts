// A real graphql-ws client (subprotocol graphql-transport-ws) against a test server. The server does not say when it
// has registered a subscription, so a test that needs to know makes a change the subscription hears (a probe) and
// waits for it to arrive, instead of waiting an amount of time.
import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ENGINEER, fileTicket, Person, TestServer } from './test-server';

/** How long to wait for something that should happen: a guard against hanging, never what a test asserts. */
export const GUARD_MS = 15_000;

export interface Subscription<T> {
  /** Everything received so far, the probe's echoes left out. */
  readonly received: T[];
  /** Resolves with the next message not yet taken (echoes left out); fails after `timeoutMs`, a guard. */
  next(timeoutMs?: number): Promise<T>;
  /** Errors the server answered the subscription with, if any. */
  errors: unknown[];
  /**
   * Pokes the probe until the echo of one of these pokes arrives. Then the server has the subscription, and every
   * message published before that poke has been received: a subscription's messages arrive in order.
   */
  catchUp(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A change that subscriptions hear, made on demand: `change()` makes one and returns a token that identifies it, and
 * `tokenOf` finds that token in a message. A message carrying a token of the probe's is an echo.
 */
export class Probe<T = any> {
  private readonly made = new Set<string>();

  constructor(
    private readonly change: () => Promise<string>,
    readonly tokenOf: (message: T) => string | null | undefined,
  ) {}

  async poke(): Promise<string> {
    const token = await this.change();
    this.made.add(token);
    return token;
  }

  isEcho(message: T): boolean {
    const token = this.tokenOf(message);
    return token != null && this.made.has(token);
  }
}

/**
 * A probe of throwaway tickets: each poke files one for `customer` and resolves it, so that ticket and SLA
 * subscriptions hear it (a status change; an SLA cycle started and stopped, which never falls due). `numberOf` finds
 * the ticket's number in a message.
 */
export function ticketProbe<T = any>(server: TestServer, customer: Person, numberOf: (message: T) => string | null | undefined): Probe<T> {
  return new Probe<T>(async () => {
    const { id, number } = await fileTicket(server, customer, { title: 'Probe' });
    const resolved = await server.gql(
      `mutation($input: TicketUpdateStatusInput!) { ticketUpdateStatus(input: $input) { userErrors { code } } }`,
      { input: { ticketId: id, status: 'RESOLVED' } },
      ENGINEER,
    );
    if (resolved.data?.ticketUpdateStatus?.userErrors?.length !== 0) throw new Error(`the probe could not resolve ${number}: ${JSON.stringify(resolved)}`);
    return number;
  }, numberOf);
}

export function connect(httpUrl: string, token: string | null, onClose?: (event: { code: number }) => void): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
    on: { closed: (event) => onClose?.(event as { code: number }) },
  });
}

/**
 * Subscribes; with a probe, resolves once the server has the subscription (see `catchUp`). Without one it does not
 * wait: for subscriptions the server refuses, or that must never hear anything.
 */
export async function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}, probe?: Probe<T>): Promise<Subscription<T>> {
  const messages: T[] = [];
  const errors: unknown[] = [];
  let taken = 0;
  const waiters: (() => void)[] = [];
  /** Until the next message or error, or `ms` at most. */
  const nextEventOr = (ms: number) =>
    new Promise<void>((resolve) => {
      waiters.push(resolve);
      setTimeout(resolve, ms);
    });
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (message) => {
        if (message.errors) errors.push(...message.errors);
        if (message.data) messages.push(message.data as T);
        waiters.splice(0).forEach((wake) => wake());
      },
      error: (error) => {
        errors.push(error);
        waiters.splice(0).forEach((wake) => wake());
      },
      complete: () => {},
    },
  );
  // Echoes are told apart when read, not when they arrive: an echo can arrive before its poke has returned its token.
  const received = () => (probe ? messages.filter((message) => !probe.isEcho(message)) : messages);
  const subscription: Subscription<T> = {
    get received() {
      return received();
    },
    errors,
    async next(timeoutMs = GUARD_MS) {
      const giveUpAt = Date.now() + timeoutMs;
      while (received().length <= taken) {
        if (errors.length) throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
        const left = giveUpAt - Date.now();
        if (left <= 0) throw new Error(`no message within ${timeoutMs} ms (received ${received().length})`);
        await nextEventOr(left);
      }
      return received()[taken++]!;
    },
    async catchUp() {
      if (!probe) throw new Error('catchUp() needs a probe');
      const mine = new Set<string>();
      const giveUpAt = Date.now() + GUARD_MS;
      while (!messages.some((message) => mine.has(probe.tokenOf(message) ?? ''))) {
        if (errors.length) throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
        if (Date.now() > giveUpAt) throw new Error(`no echo of ${mine.size} pokes within ${GUARD_MS} ms`);
        mine.add(await probe.poke());
        await nextEventOr(100); // paces the pokes
      }
    },
    async close() {
      dispose();
    },
  };
  if (probe) await subscription.catchUp();
  return subscription;
}
